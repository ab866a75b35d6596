"""From a document's HTML to its PDF, and the 2D codes printed on documents.

WeasyPrint renders the same Django templates and branding as the web pages. PDFs are written as
PDF/UA-1 (tagged, with the title and language read from the HTML), and their author is the mutuelle.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass

from django.conf import settings


@dataclass(frozen=True)
class Pdf:
    contenu: bytes
    pages: int


def pdf_depuis_html(html: str) -> Pdf:
    """Render one HTML document (its ``<title>``, ``<meta name="author">`` and ``lang`` become the
    PDF's metadata) to a tagged PDF."""
    from weasyprint import HTML

    document = HTML(string=html, base_url=str(settings.BASE_DIR)).render(pdf_variant="pdf/ua-1")
    return Pdf(contenu=document.write_pdf(pdf_variant="pdf/ua-1") or b"", pages=len(document.pages))


def _data_uri_svg(svg: str) -> str:
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()


def qr_data_uri(texte: str) -> str:
    """A QR code (segno) as an SVG data URI, for an ``<img>`` in a PDF or a page."""
    import segno

    return str(segno.make(texte, error="m").svg_data_uri(border=2, dark="#000", light="#fff"))


def datamatrix_svg(texte: str) -> str:
    """A Data Matrix (ECC 200, pystrich) as SVG markup: the tiers-payant card's code."""
    from pystrich.datamatrix import DataMatrixEncoder

    return str(DataMatrixEncoder(texte).get_svg())


def datamatrix_data_uri(texte: str) -> str:
    return _data_uri_svg(datamatrix_svg(texte))
