"""What other apps read of the requests: the prior approvals in force."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.utils import timezone

from mutuelle.requests.models import Decision, Demande, Domaine, TypeDemande

# How long an agreement holds from the day of the decision (the answer letter says so).
ACCORD_VALIDITE_MOIS = 6


def domaine_du_poste(poste: str) -> str:
    """The prior-approval domain of a poste of cover, or "" when it has none."""
    if poste.startswith("optique"):
        return Domaine.OPTIQUE
    if poste.startswith("dentaire") or poste == "orthodontie":
        return Domaine.DENTAIRE
    if poste.startswith("audio"):
        return Domaine.AUDIO
    if poste.startswith("hospitalisation") or poste in ("chambre_particuliere", "forfait_journalier"):
        return Domaine.HOSPITALISATION
    return ""


@dataclass(frozen=True, slots=True)
class Accord:
    """A prior approval granted (fully or partly): for whom, which domain, from when to when, how much."""

    numero: str
    beneficiaire_id: int
    domaine: str
    du: date
    au: date
    montant: Decimal

    def couvre(self, domaine: str, on: date) -> bool:
        return self.domaine == domaine and self.du <= on <= self.au


def accords_par_beneficiaire() -> dict[int, list[Accord]]:
    """Every agreement ever granted, by beneficiary (few rows: one per approved devis)."""
    from mutuelle.documents.contenus import plus_mois

    accords: dict[int, list[Accord]] = defaultdict(list)
    rows = Demande.objects.filter(
        type_demande=TypeDemande.PRISE_EN_CHARGE,
        decision__in=[Decision.ACCORD, Decision.ACCORD_PARTIEL],
        beneficiaire__isnull=False,
        traitee_le__isnull=False,
        montant_accorde__isnull=False,
    ).values_list("numero", "beneficiaire_id", "domaine", "traitee_le", "montant_accorde")
    for numero, beneficiaire_id, domaine, traitee_le, montant in rows:
        du = timezone.localdate(traitee_le)
        accords[beneficiaire_id].append(
            Accord(
                numero, beneficiaire_id, domaine, du, plus_mois(du, ACCORD_VALIDITE_MOIS), montant or Decimal("0.00")
            )
        )
    return accords
