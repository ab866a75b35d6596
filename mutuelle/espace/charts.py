"""The spending chart, drawn on the server as SVG: readable without JavaScript, crisp on a phone.

One row per type of care: its name and total in HTML (so the text keeps its size at any width), then
one SVG bar as long as what was spent relative to the largest row, split into what the Sécu paid,
what the mutuelle paid, what is still being analysed and what remains for the family. The numbers
are repeated in a data table for screen readers and for whoever prefers figures."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from mutuelle.claims.selectors_famille import Depenses
from mutuelle.core.templatetags.format_fr import euros
from regles.money import ZERO

PARTS = (
    ("secu", "Sécurité sociale"),
    ("mutuelle", "Mutuelle"),
    ("encours", "En cours d'analyse"),
    ("reste", "Reste à charge"),
)


@dataclass(frozen=True)
class Segment:
    classe: str
    x: str  # SVG coordinates on a 0–100 axis, written as plain strings ("12.5", never "12,5")
    largeur: str
    titre: str


@dataclass(frozen=True)
class Rangee:
    libelle: str
    total: str
    description: str
    segments: list[Segment]


def _parts(d: Depenses) -> dict[str, Decimal]:
    reste = max(d.depense - d.secu - d.mutuelle - d.en_cours, ZERO)
    return {"secu": d.secu, "mutuelle": d.mutuelle, "encours": d.en_cours, "reste": reste}


def graphique_depenses(lignes: list[Depenses]) -> list[Rangee]:
    plus_grand = max((d.depense for d in lignes), default=ZERO) or Decimal(1)
    rangees = []
    for d in lignes:
        x = 0.0
        segments = []
        textes = []
        for cle, libelle in PARTS:
            montant = _parts(d)[cle]
            if montant <= 0:
                continue
            largeur = float(montant / plus_grand) * 100
            segments.append(Segment(cle, f"{x:.2f}", f"{largeur:.2f}", f"{libelle} : {euros(montant)}"))
            textes.append(f"{libelle} {euros(montant)}")
            x += largeur
        rangees.append(Rangee(d.libelle, euros(d.depense), ", ".join(textes), segments))
    return rangees
