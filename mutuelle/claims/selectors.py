"""Reads the claims pipeline needs about members."""

from __future__ import annotations

from mutuelle.members.models import Beneficiaire
from noemie.generateur import PersonneConnue


def personnes_connues() -> list[PersonneConnue]:
    """Every beneficiary as the Sécu knows them (NIR, rang, date of birth), in a stable order."""
    rows = Beneficiaire.objects.order_by("pk").values_list("nir", "rang_gemellaire", "date_naissance")
    return [PersonneConnue(nir, rang, naissance) for nir, rang, naissance in rows]
