"""Reads the claims pipeline needs about members."""

from __future__ import annotations

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
