"""Files for the upload tests (the real clamd they run against is the root conftest's ``antivirus``)."""

from __future__ import annotations

import io

from conftest import EICAR  # noqa: F401 - the tests import it from here


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
