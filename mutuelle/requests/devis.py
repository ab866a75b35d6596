"""A devis kept as quoted: the lines of a prior-approval request or of a saved estimate, with what the
engine computed for them (``claims.estimation``), compared later with what was paid
(``requests.comparaison``)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from mutuelle.claims.estimation import Estimation
from mutuelle.requests.models import LigneDevisDemande


def devis_conserver(estimations: Sequence[Estimation], *, demande: Any = None, document: Any = None) -> list[Any]:
    """Keep the lines of a devis as quoted (inputs, result, trace, parameters' version), for the
    prior-approval request or the saved estimate they belong to: the member's paid line is later
    compared with them (``requests.comparaison``)."""
    return LigneDevisDemande.objects.bulk_create(
        LigneDevisDemande(
            demande=demande,
            document=document,
            beneficiaire=e.ligne.beneficiaire,
            soin=e.ligne.soin,
            libelle=e.libelle,
            poste=e.resultat.poste.value if e.resultat is not None else "",
            date_soins=e.ligne.date_soins,
            quantite=e.ligne.quantite,
            montant=e.ligne.montant,
            base=e.ligne.base,
            secteur=e.ligne.secteur,
            optam=e.ligne.optam,
            secu=e.secu,
            mutuelle=e.mutuelle,
            reste=e.reste,
            garantie_id=e.garantie_id,
            trace=e.resultat.trace_brute if e.resultat is not None else [],
            parametres=e.parametres,
        )
        for e in estimations
    )
