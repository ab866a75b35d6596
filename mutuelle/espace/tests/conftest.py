"""The member space's personas: Camille's family with a history of reimbursements, and Hugo, another
member, with one line of his own that Camille must never reach."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from tests.factories import GarantieFactory, connecter, ligne_make


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def famille(contrat: Any) -> dict[str, Any]:
    return {b.prenom: b for b in contrat.beneficiaires.all()}


@pytest.fixture
def lignes(famille: dict[str, Any]) -> list[Any]:
    """Five acts over two years: Camille's consultations, Léa's glasses under tiers payant, Julien's
    pharmacy still being analysed, one line rejected."""
    return [
        ligne_make(beneficiaire=famille["Camille"], date_soins=date(2026, 3, 3)),
        ligne_make(beneficiaire=famille["Camille"], date_soins=date(2025, 11, 20), statut="valide"),
        ligne_make(
            beneficiaire=famille["Léa"],
            date_soins=date(2026, 2, 10),
            poste="optique_monture",
            depense="120.00",
            amo="0.03",
            amc="80.00",
            tiers_payant=True,
        ),
        ligne_make(
            beneficiaire=famille["Julien"],
            date_soins=date(2026, 1, 15),
            poste="pharmacie_65",
            depense="12.40",
            amo="8.06",
            amc="4.34",
            statut="en_cours_d_analyse",
        ),
        ligne_make(beneficiaire=famille["Nathan"], date_soins=date(2025, 6, 1), statut="rejete", amc="9.00"),
    ]


@pytest.fixture
def ligne_de_hugo(autre_adherent: Any) -> Any:
    hugo = autre_adherent.contrats.get().beneficiaires.get(qualite="assure")
    return ligne_make(beneficiaire=hugo, date_soins=date(2026, 3, 4), depense="55.00", amo="20.00", amc="35.00")


@pytest.fixture
def plafond_monture(formule: Any) -> Any:
    return GarantieFactory(
        formule=formule,
        poste="optique_monture",
        libelle="Monture à tarif libre",
        type_garantie="forfait",
        taux=None,
        montant=Decimal("100.00"),
        plafond_montant=Decimal("100.00"),
        periode="annees_glissantes",
        periode_annees=2,
    )


@pytest.fixture
def camille_connectee(client: Any, adherent: Any) -> Any:
    connecter(client, adherent.user)
    return client
