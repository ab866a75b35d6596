"""Reading back the PDFs we issue: their text (pypdf), their first page as an image (poppler's
pdftoppm, kept under test-results/ for a look), and the 2D codes printed on it (libdmtx, zbar)."""

from __future__ import annotations

import io
import subprocess
from pathlib import Path
from typing import Any

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


def pdf_texte_brut(chemin: str | Path) -> str:
    """The text layer in the order it was written (``pdftotext -raw``): what a screen reader or a
    copy gets, a table row after the other, with no-break spaces made plain."""
    sortie = subprocess.run(["pdftotext", "-raw", "-enc", "UTF-8", str(chemin), "-"], capture_output=True, check=True)
    return sortie.stdout.decode().replace("\u00a0", " ").replace("\u202f", " ")


def dans_l_ordre(texte: str, attendus: list[str]) -> None:
    """Every expected string is in ``texte``, one after the other (whitespace runs count as one space)."""
    plat = " ".join(texte.split())
    position = 0
    for i, attendu in enumerate(attendus):
        cherche = " ".join(attendu.replace("\u00a0", " ").replace("\u202f", " ").split())
        trouve = plat.find(cherche, position)
        assert trouve >= 0, f"« {cherche} » (n° {i + 1}) absent after: …{plat[max(0, position - 80) : position + 160]}…"
        position = trouve + len(cherche)


def _boites(chemin: str | Path) -> Any:
    """Every printed word with its box, page by page (``pdftotext -bbox``, an XHTML tree)."""
    import xml.etree.ElementTree as ET

    sortie = subprocess.run(["pdftotext", "-bbox", str(chemin), "-"], capture_output=True, check=True).stdout
    # The XML is poppler's, from a PDF the test itself issued.
    return ET.fromstring(sortie.decode().replace(' xmlns="http://www.w3.org/1999/xhtml"', ""))  # noqa: S314


def mots_qui_se_chevauchent(chemin: str | Path, marge: float = 0.3) -> list[tuple[int, str, str]]:
    """Pairs of printed words whose boxes overlap (``pdftotext -bbox``), on every page: a header run
    into the next one, a cell into its neighbour. ``marge`` (points) forgives rounding."""
    racine = _boites(chemin)
    chevauchements = []
    for numero, page in enumerate(racine.iter("page"), start=1):
        mots = sorted(
            (
                (
                    float(m.get("yMin", 0)),
                    float(m.get("yMax", 0)),
                    float(m.get("xMin", 0)),
                    float(m.get("xMax", 0)),
                    m.text or "",
                )
                for m in page.iter("word")
            ),
        )
        for i, (y0, y1, x0, x1, texte) in enumerate(mots):
            for autre in mots[i + 1 :]:
                if autre[0] >= y1 - marge:
                    break  # sorted by top: no later word reaches this one's line
                if autre[1] > y0 + marge and autre[2] < x1 - marge and autre[3] > x0 + marge:
                    chevauchements.append((numero, texte, autre[4]))
    return chevauchements


def mots_hors_page(chemin: str | Path, marge: float = 8.0) -> list[tuple[int, str]]:
    """Printed words that run off the page (or within ``marge`` points of its edge): a table wider
    than the page, a cell pushed out by a word that does not break."""
    racine = _boites(chemin)
    dehors = []
    for numero, page in enumerate(racine.iter("page"), start=1):
        largeur, hauteur = float(page.get("width", 0)), float(page.get("height", 0))
        for m in page.iter("word"):
            x0, x1 = float(m.get("xMin", 0)), float(m.get("xMax", 0))
            y0, y1 = float(m.get("yMin", 0)), float(m.get("yMax", 0))
            if x0 < marge or y0 < marge or x1 > largeur - marge or y1 > hauteur - marge:
                dehors.append((numero, m.text or ""))
    return dehors
