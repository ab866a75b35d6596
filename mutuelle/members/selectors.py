"""Reads about members and contracts, by date."""

from __future__ import annotations

from datetime import date

from django.db.models import Q, QuerySet

from mutuelle.formules.models import Formule, Garantie
from mutuelle.members.models import Beneficiaire, Contrat, ContratFormule, DroitPeriode, TypeDroit


def _en_vigueur(on: date) -> Q:
    return Q(date_debut__lte=on) & (Q(date_fin__isnull=True) | Q(date_fin__gte=on))


def contrat_formule_en_vigueur(*, contrat: Contrat, on: date) -> Formule | None:
    """The formula in force on a contract on a date, or None (before the contract, after its end)."""
    if on < contrat.date_debut or (contrat.date_fin is not None and on > contrat.date_fin):
        return None
    row = ContratFormule.objects.select_related("formule").filter(contrat=contrat).filter(_en_vigueur(on)).first()
    return row.formule if row else None


def garanties_en_vigueur(*, formule: Formule, on: date) -> QuerySet[Garantie]:
    return formule.garanties.filter(_en_vigueur(on)).order_by("poste", "praticien")


def beneficiaire_droits(*, beneficiaire: Beneficiaire, on: date) -> list[DroitPeriode]:
    """The rights periods covering a beneficiary on a date (standard, ACS, CSS)."""
    return list(beneficiaire.droits.filter(_en_vigueur(on)).order_by("type_droit"))


def beneficiaire_a_des_droits(*, beneficiaire: Beneficiaire, on: date) -> bool:
    """Covered by the contract on that date: a standard rights period is open."""
    return beneficiaire.droits.filter(_en_vigueur(on), type_droit=TypeDroit.STANDARD).exists()


def beneficiaires_par_nir(*, nir: str, rang_gemellaire: int = 1) -> QuerySet[Beneficiaire]:
    return Beneficiaire.objects.select_related("contrat", "contrat__adherent").filter(
        nir=nir, rang_gemellaire=rang_gemellaire
    )
