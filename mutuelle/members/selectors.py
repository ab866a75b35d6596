"""Reads about members and contracts, by date."""

from __future__ import annotations

from datetime import date

from django.db.models import QuerySet

from mutuelle.core.periodes import ENTREE_SORTIE, couvre, en_vigueur
from mutuelle.formules.models import Formule, Garantie
from mutuelle.members.models import Adherent, Beneficiaire, Contrat, ContratFormule, DroitPeriode, TypeDroit


def contrats_famille(adherent: Adherent) -> QuerySet[Contrat]:
    """Every contract of the member's family (the member holds them; beneficiaries are on them)."""
    return Contrat.objects.filter(adherent=adherent)


def contrat_en_cours(adherent: Adherent, on: date) -> Contrat | None:
    """The family's contract in force on ``on`` (the newest if two overlap after a change)."""
    return contrats_famille(adherent).filter(en_vigueur(on)).order_by("-date_debut").first()


def beneficiaires_couverts(contrat: Contrat, on: date) -> list[Beneficiaire]:
    """The people on the contract on ``on``: the member first, then the spouse, then the children by age."""
    ordre = {"assure": 0, "conjoint": 1, "enfant": 2, "autre": 3}
    rows = contrat.beneficiaires.filter(en_vigueur(on, **ENTREE_SORTIE))
    return sorted(rows, key=lambda b: (ordre.get(b.qualite, 9), b.date_naissance, b.pk))


def contrat_formule_en_vigueur(*, contrat: Contrat, on: date) -> Formule | None:
    """The formula in force on a contract on a date, or None (before the contract, after its end)."""
    if not couvre(contrat.date_debut, contrat.date_fin, on):
        return None
    row = ContratFormule.objects.select_related("formule").filter(contrat=contrat).filter(en_vigueur(on)).first()
    return row.formule if row else None


def garanties_en_vigueur(*, formule: Formule, on: date) -> QuerySet[Garantie]:
    return formule.garanties.filter(en_vigueur(on)).order_by("poste", "praticien")


def beneficiaire_droits(*, beneficiaire: Beneficiaire, on: date) -> list[DroitPeriode]:
    """The rights periods covering a beneficiary on a date (standard, ACS, CSS)."""
    return list(beneficiaire.droits.filter(en_vigueur(on)).order_by("type_droit"))


def beneficiaire_a_des_droits(*, beneficiaire: Beneficiaire, on: date) -> bool:
    """Covered by the contract on that date: a standard rights period is open."""
    return beneficiaire.droits.filter(en_vigueur(on), type_droit=TypeDroit.STANDARD).exists()


def beneficiaires_par_nir(*, nir: str, rang_gemellaire: int = 1) -> QuerySet[Beneficiaire]:
    return Beneficiaire.objects.select_related("contrat", "contrat__adherent").filter(
        nir=nir, rang_gemellaire=rang_gemellaire
    )
