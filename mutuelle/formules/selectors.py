"""Which guarantee of a formula covers an act, as the rules engine receives it."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from mutuelle.core.periodes import couvre, en_vigueur
from mutuelle.formules.models import Formule, Garantie, QualificationPraticien


def garantie_parmi(
    garanties: Iterable[Garantie], *, poste: str, on: date, secteur: int = 1, optam: bool = False
) -> Garantie | None:
    """Among a formula's guarantees, the one in force on ``on`` for ``poste``, preferring the one for
    the practitioner's OPTAM status (secteur 1 counts as OPTAM), else the one for all practitioners.
    The one rule: the NOEMIE ingestion passes the guarantees it loaded once, the others a query."""
    qualification = QualificationPraticien.NON_OPTAM if secteur == 2 and not optam else QualificationPraticien.OPTAM
    rows = {g.praticien: g for g in garanties if g.poste == poste and couvre(g.date_debut, g.date_fin, on)}
    return rows.get(qualification) or rows.get(QualificationPraticien.TOUS)


def garantie_pour_acte(
    *, formule: Formule, poste: str, on: date, secteur: int = 1, optam: bool = False
) -> Garantie | None:
    """The guarantee of ``formule`` that covers an act (``garantie_parmi``)."""
    garanties = formule.garanties.filter(en_vigueur(on), poste=poste)
    return garantie_parmi(garanties, poste=poste, on=on, secteur=secteur, optam=optam)
