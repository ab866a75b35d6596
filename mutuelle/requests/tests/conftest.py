"""A real clamd for the upload tests: started once per test session with a signature database of
its own holding only the EICAR test signature (so it starts in seconds and needs no download)."""

from __future__ import annotations

import io
import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

# The EICAR test file: harmless, and detected by every antivirus by convention.
EICAR = rb"X5O!P%@AP[4\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"


@pytest.fixture(scope="session")
def clamd_socket(tmp_path_factory: Any) -> Iterator[str]:
    binaire = shutil.which("clamd") or "/usr/sbin/clamd"
    if not Path(binaire).exists():
        raise RuntimeError("clamd est absent : « make test » installe le paquet Debian clamav-daemon.")
    dossier = tmp_path_factory.mktemp("clamd")
    (dossier / "db").mkdir()
    (dossier / "db" / "eicar.ndb").write_text(f"Mutuelle.Test.EICAR:0:*:{EICAR.hex()}\n")
    socket = dossier / "clamd.sock"
    conf = dossier / "clamd.conf"
    conf.write_text(
        f"LocalSocket {socket}\nDatabaseDirectory {dossier / 'db'}\nForeground yes\n"
        f"LogFile {dossier / 'clamd.log'}\nStreamMaxLength 50M\n"
    )
    process = subprocess.Popen([binaire, "-c", str(conf)], stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
    try:
        limite = time.monotonic() + 60
        while not socket.exists():
            if process.poll() is not None or time.monotonic() > limite:
                journal = (dossier / "clamd.log").read_text() if (dossier / "clamd.log").exists() else ""
                raise RuntimeError(f"clamd n'a pas démarré : {journal[-2000:]}")
            time.sleep(0.1)
        yield str(socket)
    finally:
        process.terminate()
        process.wait(timeout=30)


@pytest.fixture
def antivirus(settings: Any, clamd_socket: str) -> str:
    settings.MUTUELLE_CLAMD = clamd_socket
    return clamd_socket


def pdf_simple(texte: str = "Facture de la pharmacie", pages: int = 1) -> bytes:
    from weasyprint import HTML

    corps = "".join(f'<p style="page-break-after: always">{texte} — page {i + 1}</p>' for i in range(pages))
    return HTML(string=f"<html><body>{corps}</body></html>").write_pdf() or b""


def pdf_piege() -> bytes:
    """A PDF that runs JavaScript when opened, at a page's opening, and from a link; with an
    embedded file."""
    import pikepdf

    pdf = pikepdf.open(io.BytesIO(pdf_simple("Devis")))
    js = pikepdf.Dictionary(S=pikepdf.Name.JavaScript, JS=pikepdf.String("app.alert('piège')"))
    pdf.Root.OpenAction = pdf.make_indirect(js)
    pdf.Root.Names = pikepdf.Dictionary(
        JavaScript=pikepdf.Dictionary(Names=pikepdf.Array([pikepdf.String("x"), pdf.make_indirect(js)]))
    )
    page = pdf.pages[0]
    page.obj.AA = pikepdf.Dictionary(O=pdf.make_indirect(js))
    page.obj.Annots = pikepdf.Array(
        [
            pdf.make_indirect(
                pikepdf.Dictionary(
                    Type=pikepdf.Name.Annot,
                    Subtype=pikepdf.Name.Link,
                    Rect=pikepdf.Array([0, 0, 100, 100]),
                    A=pdf.make_indirect(js),
                )
            )
        ]
    )
    pdf.attachments["charge.exe"] = pikepdf.AttachedFileSpec(pdf, b"MZ\x90\x00 executable")
    sortie = io.BytesIO()
    pdf.save(sortie, compress_streams=False, object_stream_mode=pikepdf.ObjectStreamMode.disable)
    return sortie.getvalue()


def jpeg_avec_gps() -> bytes:
    from PIL import Image

    image = Image.new("RGB", (640, 480), (200, 210, 220))
    exif = Image.Exif()
    exif[0x010F] = "Fabricant"  # Make
    exif[0x8825] = {1: "N", 2: (45.0, 45.0, 0.0)}  # GPSInfo
    sortie = io.BytesIO()
    image.save(sortie, format="JPEG", exif=exif)
    return sortie.getvalue()


def png_simple() -> bytes:
    from PIL import Image

    sortie = io.BytesIO()
    Image.new("RGBA", (300, 200), (10, 20, 30, 128)).save(sortie, format="PNG")
    return sortie.getvalue()
