"""Where the fonts the product draws with are: DejaVu, from Debian's fonts-dejavu-core (the PDFs are set
in it, the card's layout measures with it, the web app's icons are drawn with it)."""

from __future__ import annotations

from pathlib import Path

# Where Debian's fonts-dejavu-core and other distributions put it.
DOSSIERS_POLICES = (
    Path("/usr/share/fonts/truetype/dejavu"),
    Path("/usr/share/fonts/TTF"),
    Path("/usr/share/fonts/dejavu"),
)


def police(fichier: str) -> Path | None:
    """The path of a font file such as ``DejaVuSans-Bold.ttf``, or None when it is not installed."""
    return next((d / fichier for d in DOSSIERS_POLICES if (d / fichier).is_file()), None)
