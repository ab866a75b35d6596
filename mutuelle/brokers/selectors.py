"""The broker's portfolio, scoped in one place.

Every broker view reads contracts, memberships, requests and documents through the functions below,
never through a model's default manager: a broker sees the contracts they placed, a firm administrator
those of the whole firm, and nothing else answers (404). Nothing here reads reimbursements, acts,
prior approvals or health documents: medical secrecy keeps them out of the broker space entirely.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import (
    Count,
    DecimalField,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import timezone

from mutuelle.brokers.models import Affiliation, Courtier, TauxCommission
from mutuelle.core.periodes import ENTREE_SORTIE, en_vigueur
from mutuelle.documents.models import Document, TypeDocument
from mutuelle.members.models import Adherent, Beneficiaire, Contrat, ContratFormule, Cotisation
from mutuelle.requests.models import Demande
from regles.money import CENT, ZERO

MONTANT: DecimalField[Decimal, Decimal] = DecimalField(max_digits=12, decimal_places=2)

# A premium is in arrears once unpaid this many days after its due date (the direct debit of the 1st
# is taken within a few days: the month's premium is not "unpaid" on the 3rd).
DELAI_IMPAYE_JOURS = 15

# The documents a broker may issue and download for a client: none of them speaks of care.
DOCUMENTS_COURTIER = (TypeDocument.ATTESTATION_DROITS, TypeDocument.CARTE_TIERS_PAYANT, TypeDocument.BULLETIN)


def courtier_de(user: Any) -> Courtier | None:
    """The broker behind an account, or None (members, staff, a broker whose account was closed)."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return None
    return Courtier.objects.select_related("cabinet", "user").filter(user=user).first()


def courtiers_visibles(courtier: Courtier) -> QuerySet[Courtier]:
    """Whose portfolio this broker sees: themself, or every broker of the firm for its administrator."""
    if courtier.administrateur_cabinet:
        return Courtier.objects.filter(cabinet_id=courtier.cabinet_id).select_related("user")
    return Courtier.objects.filter(pk=courtier.pk).select_related("user")


def _portee(courtier: Courtier, champ: str = "courtier") -> Q:
    if courtier.administrateur_cabinet:
        return Q(**{f"{champ}__cabinet_id": courtier.cabinet_id})
    return Q(**{f"{champ}_id": courtier.pk})


def limite_impaye(on: date) -> date:
    """Premiums due on or before this date and still unpaid are arrears."""
    return on - timedelta(days=DELAI_IMPAYE_JOURS)


def portefeuille(courtier: Courtier, *, on: date | None = None) -> QuerySet[Contrat]:
    """The contracts in the broker's reach, each with its current formula, the people covered today
    and the arrears: premiums due ``DELAI_IMPAYE_JOURS`` days ago or more and still unpaid."""
    on = on or timezone.localdate()
    formule = (
        ContratFormule.objects.filter(contrat=OuterRef("pk"), date_debut__lte=on)
        .order_by("-date_debut")
        .values("formule__libelle")[:1]
    )
    beneficiaires = (
        Beneficiaire.objects.filter(en_vigueur(on, **ENTREE_SORTIE), contrat=OuterRef("pk"))
        .order_by()
        .values("contrat")
        .annotate(n=Count("pk"))
        .values("n")
    )
    impaye = (
        Cotisation.objects.filter(contrat=OuterRef("pk"), echeance__lte=limite_impaye(on))
        .order_by()
        .values("contrat")
        .annotate(
            s=Sum(ExpressionWrapper(F("montant") - F("montant_paye"), output_field=MONTANT)),
        )
        .values("s")
    )
    return (
        Contrat.objects.filter(_portee(courtier))
        .select_related("adherent", "courtier__user")
        .annotate(
            formule_actuelle=Subquery(formule),
            nb_beneficiaires=Coalesce(Subquery(beneficiaires), Value(0)),
            impaye=Coalesce(Subquery(impaye, output_field=MONTANT), Value(ZERO), output_field=MONTANT),
        )
        .order_by("adherent__nom", "adherent__prenom", "numero")
    )


def contrat(courtier: Courtier, numero: str) -> Contrat:
    """One contract of the portfolio, or 404: another firm's contract does not exist for this broker."""
    found = portefeuille(courtier).filter(numero=numero).first()
    if found is None:
        raise Http404("Ce contrat n'est pas dans votre portefeuille.")
    return found


def clients(courtier: Courtier) -> QuerySet[Adherent]:
    return Adherent.objects.filter(pk__in=Contrat.objects.filter(_portee(courtier)).values("adherent_id"))


def affiliations(courtier: Courtier) -> QuerySet[Affiliation]:
    return Affiliation.objects.filter(_portee(courtier)).select_related("formule", "courtier__user", "contrat")


def affiliation(courtier: Courtier, numero: str) -> Affiliation:
    found = affiliations(courtier).filter(numero=numero).first()
    if found is None:
        raise Http404("Cette affiliation n'est pas dans votre portefeuille.")
    return found


def demandes(courtier: Courtier) -> QuerySet[Any]:
    """The contract changes brokers of this reach filed (never a member's own requests)."""
    from mutuelle.brokers.services import TYPES_DEMANDE_COURTIER

    return (
        Demande.objects.filter(_portee(courtier), type_demande__in=TYPES_DEMANDE_COURTIER)
        .select_related("adherent", "courtier__user")
        .order_by("-cree_le", "-pk")
    )


def documents(courtier: Courtier) -> QuerySet[Any]:
    """Documents brokers of this reach issued for clients of the portfolio, of the kinds a broker may have."""

    return Document.objects.filter(
        demande_par__courtier__in=courtiers_visibles(courtier),
        type_document__in=DOCUMENTS_COURTIER,
        contrat__in=Contrat.objects.filter(_portee(courtier)),
    ).select_related("adherent", "contrat", "demande_par")


# -- commissions ---------------------------------------------------------------------------------------


@dataclass
class LigneCommission:
    contrat: Contrat
    formule: str
    courtier: str
    encaisse: Decimal
    taux: Decimal | None  # None: no rate configured for this formula
    commission: Decimal
    variable: bool = False  # the rate or the formula changed within the period


def _taux(cabinet_id: int, formule_id: int, on: date, table: list[TauxCommission]) -> Decimal | None:
    for taux in table:  # newest first
        if taux.cabinet_id == cabinet_id and taux.formule_id == formule_id and taux.date_debut <= on:
            return taux.taux
    return None


def commissions(courtier: Courtier, *, du: date, au: date) -> list[LigneCommission]:
    """Per contract: the premiums collected between two dates (by payment date), and the commission at
    the firm's rate for the formula in force on each premium's due month, rounded half-up per premium."""
    cotisations = (
        Cotisation.objects.filter(contrat__in=Contrat.objects.filter(_portee(courtier)))
        .filter(date_paiement__gte=du, date_paiement__lte=au, montant_paye__gt=0)
        .select_related("contrat__adherent", "contrat__courtier__user")
        .order_by("contrat__adherent__nom", "contrat__numero", "echeance")
    )
    periodes: dict[int, list[ContratFormule]] = {}
    for periode in (
        ContratFormule.objects.filter(contrat__in=Contrat.objects.filter(_portee(courtier)))
        .select_related("formule")
        .order_by("date_debut")
    ):
        periodes.setdefault(periode.contrat_id, []).append(periode)
    table = list(TauxCommission.objects.filter(cabinet_id=courtier.cabinet_id).order_by("-date_debut"))
    lignes: dict[int, LigneCommission] = {}
    for cotisation in cotisations:
        formule = None
        for periode in periodes.get(cotisation.contrat_id, []):
            if periode.date_debut <= cotisation.echeance and (
                periode.date_fin is None or periode.date_fin >= cotisation.echeance
            ):
                formule = periode.formule
        taux = _taux(courtier.cabinet_id, formule.pk, cotisation.echeance, table) if formule else None
        montant = (
            (cotisation.montant_paye * taux / Decimal(100)).quantize(CENT, rounding=ROUND_HALF_UP) if taux else ZERO
        )
        ligne = lignes.get(cotisation.contrat_id)
        if ligne is None:
            ligne = lignes[cotisation.contrat_id] = LigneCommission(
                contrat=cotisation.contrat,
                formule=str(formule) if formule else "",
                courtier=str(cotisation.contrat.courtier.user) if cotisation.contrat.courtier else "",
                encaisse=ZERO,
                taux=taux,
                commission=ZERO,
            )
        elif ligne.taux != taux or (formule and ligne.formule != str(formule)):
            ligne.variable = True
            ligne.formule = str(formule) if formule else ligne.formule
        ligne.encaisse += cotisation.montant_paye
        ligne.commission += montant
    return list(lignes.values())
