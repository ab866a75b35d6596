"""Fitting a document's content to its page before WeasyPrint lays it out.

The tiers-payant card has a fixed size: its band, its domains, its 2D codes and its footer are placed
on the recto, and the identification block and the beneficiaries flow beside them. How much fits
depends on the number of people and the length of their names, so the card is offered in several
type sizes (``variantes_carte``): the first one estimated to fit comes first, and
``services.document_emettre`` keeps the first rendering whose page count is the one expected (what
does not fit flows onto a verso, never under the codes, never cut).

The estimate measures the text with the font WeasyPrint uses (DejaVu Sans, from Debian's fonts-dejavu-core)
and wraps it word by word, as the browser engine does. It only orders the attempts: the page count of
the real rendering decides.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from mutuelle.core.polices import police

PT_PAR_MM = 72 / 25.4

# The card (mm): twice a bank card, the page margins of its recto, the columns placed on the right.
CARTE_LARGEUR = 171.2
CARTE_HAUTEUR = 107.96
MARGE_HAUT = 16.0
MARGE_BAS = 13.0
MARGE_GAUCHE = 5.0
BORD_DROIT = 5.0  # from the codes' column to the card's right edge
LARGEUR_CODES = 30.0
LARGEUR_DOMAINES = 46.0
GOUTTIERE = 3.0
MARGE_DROITE = BORD_DROIT + LARGEUR_CODES + GOUTTIERE + LARGEUR_DOMAINES + GOUTTIERE
HAUTEUR_FLUX = CARTE_HAUTEUR - MARGE_HAUT - MARGE_BAS
LARGEUR_FLUX = CARTE_LARGEUR - MARGE_GAUCHE - MARGE_DROITE
HAUTEUR_DOMAINES = HAUTEUR_FLUX  # the domains' column may use the whole height beside the flow

# Type sizes tried, largest first (pt): the card's body, and its domains' column.
TAILLES = (7.6, 6.9, 6.2)
INTERLIGNE = 1.25
PADDING_CELLULE = 1.6  # left and right padding of a table cell (mm)


@functools.cache
def _fonte(taille_pt: float, fichier: str) -> Any:
    from PIL import ImageFont

    chemin = police(fichier)
    if chemin is None:
        return None
    # Measured at 10× the size for sub-point precision, divided back in ``largeur_mm``.
    return ImageFont.truetype(str(chemin), size=round(taille_pt * 10))


def largeur_mm(texte: str, taille_pt: float, *, gras: bool = False, mono: bool = False) -> float:
    """The printed width of ``texte`` in DejaVu Sans (or Sans Mono) at ``taille_pt``; without the
    font, a wide estimate (0.62 em a character)."""
    fichier = ("DejaVuSansMono" if mono else "DejaVuSans") + ("-Bold" if gras else "") + ".ttf"
    fonte = _fonte(taille_pt, fichier)
    if fonte is None:
        return len(texte) * 0.62 * taille_pt / PT_PAR_MM
    return float(fonte.getlength(texte)) / 10 / PT_PAR_MM


def nombre_lignes(texte: str, largeur: float, taille_pt: float, *, gras: bool = False) -> int:
    """How many lines ``texte`` takes in a box ``largeur`` mm wide, wrapped between words."""
    lignes, courante = 0, ""
    for mot in texte.split():
        essai = f"{courante} {mot}" if courante else mot
        if courante and largeur_mm(essai, taille_pt, gras=gras) <= largeur:
            courante = essai
            continue
        # A new line; a word wider than the box breaks (overflow-wrap) over as many lines as it needs.
        largeur_mot = largeur_mm(mot, taille_pt, gras=gras)
        lignes += max(1, math.ceil(largeur_mot / largeur))
        courante = mot if largeur_mot <= largeur else ""
    return max(lignes, 1)


def _ligne_mm(taille_pt: float) -> float:
    return taille_pt * INTERLIGNE / PT_PAR_MM


@dataclass(frozen=True)
class VarianteCarte:
    """One way to lay the card out; ``pages`` is how many pages it must render to (1: recto only)."""

    taille: float
    taille_domaines: float
    pages: int

    def contexte(self) -> dict[str, Any]:
        return {
            "carte": {
                "taille": self.taille,
                "taille_domaines": self.taille_domaines,
                "verso": self.pages > 1,
                "marge_haut": MARGE_HAUT,
                "marge_bas": MARGE_BAS,
                "marge_gauche": MARGE_GAUCHE,
                "marge_droite": MARGE_DROITE,
                "largeur_codes": LARGEUR_CODES,
                "largeur_domaines": LARGEUR_DOMAINES,
                # Offsets from the page area's right edge (the right margin holds both columns).
                "droite_codes": -(MARGE_DROITE - BORD_DROIT),
                "droite_domaines": -(MARGE_DROITE - BORD_DROIT - LARGEUR_CODES - GOUTTIERE),
                "colonnes": colonnes_beneficiaires(self.taille),
            },
            "pages_attendues": self.pages,
        }


def colonnes_beneficiaires(taille: float) -> dict[str, float]:
    """The widths (mm) of the beneficiaries' table beside the name, from what they print: a date of
    birth, a NIR (monospaced, never wrapped) and the rank's header."""
    return {
        "ne": round(largeur_mm("00/00/0000", taille) + PADDING_CELLULE + 0.4, 1),
        "nir": round(largeur_mm("0" * 15, taille, mono=True) + PADDING_CELLULE + 0.4, 1),
        "rang": round(largeur_mm("Rang", taille * 0.88) + PADDING_CELLULE + 0.4, 1),
    }


def hauteur_beneficiaires(noms: Sequence[str], taille: float) -> float:
    """The height (mm) of the identification block, the formula line and the beneficiaries' table."""
    ligne = _ligne_mm(taille)
    largeur_nom = LARGEUR_FLUX - sum(colonnes_beneficiaires(taille).values()) - PADDING_CELLULE
    pave = 5 * (ligne + 0.2) + 2.4 + 0.6 + 1.5
    formule = ligne + 1.5
    entete = ligne * 0.88 * 2 + 0.9  # « N° de sécurité sociale » may wrap on two lines
    rangees = sum(nombre_lignes(nom, largeur_nom, taille) * ligne + 0.9 for nom in noms)
    return pave + formule + entete + rangees


def hauteur_domaines(libelles: Sequence[str], taille: float) -> float:
    ligne = _ligne_mm(taille)
    largeur = LARGEUR_DOMAINES - largeur_mm("100 % Santé", taille, gras=True) - 2 * PADDING_CELLULE  # the rate's column
    entete = ligne + 0.9
    if not libelles:
        return entete + 3 * ligne + 0.9
    return entete + sum(nombre_lignes(libelle, largeur, taille) * ligne + 0.9 for libelle in libelles)


def variantes_carte(noms: Sequence[str], domaines: Sequence[str]) -> list[VarianteCarte]:
    """The card's layouts to try, in order: the largest type whose recto holds everything, then the
    smaller ones, then the smallest with a verso. ``noms`` are the beneficiaries as printed,
    ``domaines`` the domains' labels (code and label)."""
    taille_domaines = next((t for t in TAILLES if hauteur_domaines(domaines, t) <= HAUTEUR_DOMAINES), TAILLES[-1])
    recto = [VarianteCarte(t, min(t, taille_domaines), 1) for t in TAILLES]
    tient = [v for v in recto if hauteur_beneficiaires(noms, v.taille) <= HAUTEUR_FLUX]
    # From the first size estimated to fit down to the smallest (the estimate may be a little
    # optimistic); if none is, only the smallest is tried before the verso.
    essais = recto[recto.index(tient[0]) :] if tient else recto[-1:]
    return [*essais, VarianteCarte(TAILLES[-1], min(TAILLES[-1], taille_domaines), 2)]
