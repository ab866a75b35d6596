"""Reads the claims pipeline needs: the people the Sécu knows, the lines waiting for a handler, the
prior approvals in force."""

from __future__ import annotations

from collections import defaultdict

from django.db.models import Max

from mutuelle.claims.models import AccordPrealable, Domaine, FichierNoemie
from mutuelle.members.models import Beneficiaire
from noemie.generateur import PersonneConnue


def personnes_connues() -> list[PersonneConnue]:
    """Every beneficiary as the Sécu knows them (NIR, rang, date of birth, household), in a stable order."""
    rows = Beneficiaire.objects.order_by("pk").values_list("nir", "rang_gemellaire", "date_naissance", "contrat_id")
    return [PersonneConnue(nir, rang, naissance, contrat) for nir, rang, naissance, contrat in rows]


def lignes_a_revoir(*, statut: str | None = None, regle: str | None = None):
    """Lines waiting for a handler, oldest first, with what the list shows loaded in one query."""
    from mutuelle.claims.models import LigneRemboursement, Statut

    statuts = [statut] if statut else [Statut.EN_COURS, Statut.COMPLEMENT]
    qs = (
        LigneRemboursement.objects.filter(statut__in=statuts)
        .select_related("beneficiaire", "contrat__adherent", "nature", "decompte__fichier")
        .order_by("cree_le", "pk")
    )
    if regle:
        qs = qs.filter(motif_revue__icontains=regle)
    return qs


# How long a prior approval holds from the day of the decision (the answer letter says so).
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


def accords_par_beneficiaire() -> dict[int, list[AccordPrealable]]:
    """Every prior approval ever granted, by beneficiary (few rows: one per approved devis)."""
    accords: dict[int, list[AccordPrealable]] = defaultdict(list)
    for accord in AccordPrealable.objects.order_by("date_debut", "pk"):
        accords[accord.beneficiaire_id].append(accord)
    return accords


def prochaine_sequence(emetteur: int) -> int:
    """The sequence number the next file of this issuer would carry: one more than the highest
    received (rejected files included: a caisse never reuses a number), 1 for a new issuer."""
    plus_haute = FichierNoemie.objects.filter(emetteur=emetteur).aggregate(m=Max("sequence"))["m"]
    return (plus_haute or 0) + 1
