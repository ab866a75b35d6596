"""A document's PDF from its Typst source, and the 2D codes printed on documents.

HTML documents go through the base's ``core.pdf`` (WeasyPrint). Long tables (the relevé de
prestations) are set by Typst, ten to fifteen times faster (docs/adr/0003-typst-for-long-tables.md).
Both write PDF/UA-1 (tagged, with the title and language of the document), authored by the mutuelle.
"""

from __future__ import annotations

import base64
import io
import json
import logging
import threading
from functools import cache
from pathlib import Path
from typing import Any

from django.conf import settings

from mutuelle.core.pdf import Pdf

logger = logging.getLogger(__name__)

# The Typst templates, and the only folder they may read (Typst's root: no file outside it).
TYPST = Path(__file__).resolve().parent / "typst"


class TypstErreur(RuntimeError):
    """A Typst template did not compile, or compiled with a warning (a missing font, say)."""


@cache
def _compilateur(template: str) -> Any:
    """One compiler per template and process: its fonts are read once (DejaVu Sans from the system, as
    WeasyPrint's), and it keeps what it laid out before."""
    import typst

    chemin = TYPST / template
    if not chemin.is_file() or chemin.parent != TYPST:
        raise TypstErreur(f"no Typst template {template!r} in {TYPST}")
    return typst.Compiler(chemin, root=TYPST), threading.Lock()


def typst_compiler(template: str, donnees: dict[str, Any]) -> tuple[bytes, list[str]]:
    """The PDF/UA-1 of ``template`` fed ``donnees`` (as ``sys.inputs.donnees``), and Typst's warnings."""
    import typst

    compilateur, verrou = _compilateur(template)
    entrees = {"donnees": json.dumps(donnees, ensure_ascii=False)}
    try:
        with verrou:  # a compiler is one project: one compilation at a time
            contenu, avertissements = compilateur.compile_with_warnings(
                format="pdf", sys_inputs=entrees, pdf_standards="ua-1"
            )
    except typst.TypstError as erreur:
        raise TypstErreur(f"{template}: {erreur.message} {erreur.diagnostic}") from erreur
    return bytes(contenu or b""), [f"{a.message} {a.diagnostic}".strip() for a in avertissements]


def pdf_depuis_typst(template: str, donnees: dict[str, Any]) -> Pdf:
    """Render a Typst template to a tagged PDF. A warning is an error of ours (a font fallen back, a
    deprecated call): it is refused in development and tests, logged in production (where the
    document, legible in a fallback font, is still better than none)."""
    import pikepdf

    contenu, avertissements = typst_compiler(template, donnees)
    if avertissements:
        if not settings.PRODUCTION:
            raise TypstErreur(f"{template}: {avertissements}")
        logger.error("documents: Typst warnings for %s: %s", template, avertissements)
    with pikepdf.open(io.BytesIO(contenu)) as pdf:
        pages = len(pdf.pages)
    return Pdf(contenu=contenu, pages=pages)


def _data_uri_svg(svg: str) -> str:
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode()


def qr_data_uri(texte: str) -> str:
    """A QR code (segno) as an SVG data URI, for an ``<img>`` in a PDF or a page."""
    import segno

    return str(segno.make(texte, error="m").svg_data_uri(border=2, dark="#000", light="#fff"))


def qr_svg(texte: str) -> str:
    """A QR code (segno) as SVG markup, for a Typst document."""
    import segno

    return str(segno.make(texte, error="m").svg_inline(border=2, dark="#000", light="#fff"))


def datamatrix_svg(texte: str) -> str:
    """A Data Matrix (ECC 200, pystrich) as SVG markup: the tiers-payant card's code."""
    from pystrich.datamatrix import DataMatrixEncoder

    return str(DataMatrixEncoder(texte).get_svg())


def datamatrix_data_uri(texte: str) -> str:
    return _data_uri_svg(datamatrix_svg(texte))
