"""From HTML to a tagged PDF: the base every area's PDFs stand on (documents, letters, the demo's scans).

WeasyPrint renders the same Django templates and branding as the web pages, as PDF/UA-1 (tagged, with
the title and language read from the HTML); the author is the mutuelle (``<meta name="author">``).
"""

from __future__ import annotations

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
