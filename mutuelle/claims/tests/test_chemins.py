"""One liquidation, three paths: for random acts and histories, the devis estimate, the paper claim
and the NOEMIE file give the same amounts and the same consumption, and the member's remaining
ceilings move by exactly what was paid.

Each example runs the three paths on the same family, each inside its own savepoint rolled back, so
every path starts from the same history.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mutuelle.claims.estimation import LigneDevis, estimer
from mutuelle.claims.models import LigneRemboursement, RejetNoemie
from mutuelle.claims.selectors_famille import plafonds_restants
from mutuelle.claims.services import noemie_integrer
from mutuelle.claims.tests.helpers import acte_comme_la_secu, decompte, write
from mutuelle.requests.models import Demande, StatutDemande, TypeDemande
from mutuelle.requests.services import feuille_soins_liquider
from tests.factories import GarantieFactory, UserFactory

pytestmark = pytest.mark.django_db

# Codes the Sécu sends and a member can estimate, with the base a devis would give (None: the tariff).
CODES = {"G": None, "CS": None, "VU1": Decimal("0.05"), "M03": Decimal("0.05")}


@dataclass(frozen=True)
class Soin:
    code: str
    jour: date
    montant: Decimal
    quantite: int


soins = st.builds(
    Soin,
    code=st.sampled_from(sorted(CODES)),
    jour=st.dates(min_value=date(2025, 1, 1), max_value=date(2026, 11, 30)),
    montant=st.decimals(min_value=Decimal("20"), max_value=Decimal("400"), places=2),
    quantite=st.integers(min_value=1, max_value=2),
)


@pytest.fixture
def famille(contrat: Any, formule: Any) -> Any:
    from mutuelle.referentiel.services import nature_prestation_charger

    nature_prestation_charger()
    # Every kind of limit the liquidation applies: units per calendar year, an amount per calendar
    # year, an amount over two rolling years, the renewal of a frame.
    for poste, valeurs in (
        ("consultation_generaliste", {"taux": Decimal("200"), "plafond_nombre": 3}),
        ("consultation_specialiste", {"taux": Decimal("250"), "plafond_montant": Decimal("60"),
                                      "periode": "annees_glissantes", "periode_annees": 2}),
        ("optique_verres", {"type_garantie": "forfait", "taux": None, "montant": Decimal("100"),
                            "plafond_montant": Decimal("300")}),
        ("optique_monture", {"type_garantie": "forfait", "taux": None, "montant": Decimal("80")}),
    ):  # fmt: skip
        GarantieFactory(formule=formule, poste=poste, praticien="tous", libelle=poste, **valeurs)
    return contrat.beneficiaires.get(prenom="Julien")


def _par_estimation(julien: Any, liste: list[Soin]) -> list[Decimal]:
    estimations: list[Any] = []
    for s in liste:
        estimations.append(
            estimer(
                LigneDevis(
                    beneficiaire=julien, soin=s.code, date_soins=s.jour, montant=s.montant, base=CODES[s.code],
                    quantite=s.quantite,
                ),
                avant=estimations,
            )
        )  # fmt: skip
    return [e.mutuelle for e in estimations]


def _par_feuille_de_soins(julien: Any, liste: list[Soin], gestionnaire: Any) -> list[Decimal]:
    demande = Demande.objects.create(
        numero=f"F2026-{Demande.objects.count() + 1:06d}",
        adherent=julien.contrat.adherent,
        type_demande=TypeDemande.FEUILLE_SOINS,
        beneficiaire=julien,
        echeance=timezone.localdate(),
        statut=StatutDemande.EN_COURS,
    )
    actes = [
        LigneDevis(
            beneficiaire=julien, soin=s.code, date_soins=s.jour, montant=s.montant, base=CODES[s.code],
            quantite=s.quantite,
        )
        for s in liste
    ]  # fmt: skip
    lignes = feuille_soins_liquider(demande=demande, actes=actes, par=gestionnaire)
    return [ligne.montant_amc for ligne in lignes]


def _par_noemie(julien: Any, liste: list[Soin], tmp_path: Path, n: int) -> list[Decimal]:
    """The Sécu's file for the same acts: the Sécu's share as its own computation gives it."""
    actes = [
        acte_comme_la_secu(
            numero, beneficiaire=julien, code=s.code, jour=s.jour, montant=s.montant, base=CODES[s.code],
            quantite=s.quantite,
        )
        for numero, s in enumerate(liste, start=1)
    ]  # fmt: skip
    noemie_integrer(path=write(tmp_path, [decompte(julien, actes)], name=f"flux-{n}.txt"), parallele=False)
    assert not RejetNoemie.objects.exists(), list(RejetNoemie.objects.values_list("detail", flat=True))
    return list(LigneRemboursement.objects.order_by("numero").values_list("montant_amc", flat=True))


def _plafonds(julien: Any) -> dict[str, tuple[Decimal, int]]:
    return {
        p.poste: (p.consomme, p.nombre_consomme)
        for p in plafonds_restants(julien.contrat.adherent, on=date(2026, 11, 30))
        if p.personne.startswith(julien.prenom)
    }


_exemples = iter(range(10**6))


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(liste=st.lists(soins, min_size=1, max_size=6))
def test_estimate_paper_claim_and_noemie_pay_the_same(famille: Any, tmp_path: Path, liste: list[Soin]):
    julien = famille
    gestionnaire = UserFactory(role="gestionnaire")
    n = next(_exemples)
    resultats: dict[str, list[Decimal]] = {}
    plafonds: dict[str, dict[str, tuple[Decimal, int]]] = {}
    avant = _plafonds(julien)
    assert all(consomme == 0 and nombre == 0 for consomme, nombre in avant.values())
    for chemin in ("estimation", "feuille", "noemie"):
        with transaction.atomic():
            if chemin == "estimation":
                resultats[chemin] = _par_estimation(julien, liste)
            elif chemin == "feuille":
                resultats[chemin] = _par_feuille_de_soins(julien, liste, gestionnaire)
            else:
                resultats[chemin] = _par_noemie(julien, liste, tmp_path, n)
            if chemin != "estimation":
                plafonds[chemin] = _plafonds(julien)
                # The page moves by exactly what was paid under each capped guarantee this period.
                for poste, (consomme, _nombre) in plafonds[chemin].items():
                    paye = LigneRemboursement.objects.filter(poste=poste, beneficiaire=julien)
                    if poste != "consultation_specialiste":  # two rolling years: every act of 2025-2026
                        paye = paye.filter(date_soins__year=2026)
                    assert consomme == sum(paye.values_list("montant_amc", flat=True), Decimal("0.00")), poste
            transaction.set_rollback(True)
    assert resultats["estimation"] == resultats["feuille"] == resultats["noemie"], liste
    assert plafonds["feuille"] == plafonds["noemie"], liste
