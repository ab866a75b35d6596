"""Reading back the PDFs we issue: their text (pypdf), their first page as an image (poppler's
pdftoppm, kept under test-results/ for a look), and the 2D codes printed on it (libdmtx, zbar)."""

from __future__ import annotations

import io
import subprocess
from pathlib import Path

from pypdf import PdfReader

SCREENSHOTS = Path(__file__).resolve().parents[1] / "test-results"


def pdf_texte(source: str | Path | bytes) -> str:
    """The text of every page, with non-breaking spaces made plain (amounts are « 1 234,56 € »)."""
    lecteur = PdfReader(io.BytesIO(source) if isinstance(source, bytes) else source)
    texte = "\n".join(page.extract_text() or "" for page in lecteur.pages)
    return texte.replace("\u00a0", " ").replace("\u202f", " ")


def pdf_png(chemin: str | Path, nom: str, dpi: int = 110) -> Path:
    SCREENSHOTS.mkdir(exist_ok=True)
    prefixe = SCREENSHOTS / nom
    subprocess.run(
        ["pdftoppm", "-png", "-r", str(dpi), "-f", "1", "-l", "1", "-singlefile", str(chemin), str(prefixe)],
        check=True,
    )
    return prefixe.with_suffix(".png")


def png_codes(png: Path) -> dict[str, list[bytes]]:
    """The Data Matrix (our documents print one: libdmtx stops at the first instead of searching the
    rest of the image until its timeout) and every QR code found in an image."""
    from PIL import Image
    from pylibdmtx.pylibdmtx import decode as dmtx
    from pyzbar.pyzbar import ZBarSymbol
    from pyzbar.pyzbar import decode as zbar

    image = Image.open(io.BytesIO(png.read_bytes()))
    return {
        "datamatrix": [d.data for d in dmtx(image, timeout=5000, max_count=1)],
        "qr": [d.data for d in zbar(image, symbols=[ZBarSymbol.QRCODE])],
    }
