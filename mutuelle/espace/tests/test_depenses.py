"""The spending overview: per year and type of care, the chart and its table, remaining ceilings."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django.urls import reverse

from mutuelle.claims.selectors_famille import plafonds_restants
from tests.factories import ligne_make

DEPENSES = reverse("espace:depenses")


def test_spending_per_type_of_care_for_the_chosen_year(camille_connectee: Any, lignes: Any) -> None:
    response = camille_connectee.get(DEPENSES, {"annee": "2026"})
    assert response.context["annees"] == [2026, 2025]
    par_famille = {d.cle: d for d in response.context["familles"]}
    assert set(par_famille) == {"consultations", "optique", "pharmacie"}
    optique = par_famille["optique"]
    assert (optique.depense, optique.secu, optique.mutuelle, optique.reste) == (
        Decimal("120.00"),
        Decimal("0.03"),
        Decimal("80.00"),
        Decimal("39.97"),
    )
    pharmacie = par_famille["pharmacie"]
    assert pharmacie.mutuelle == Decimal("0.00") and pharmacie.en_cours == Decimal("4.34")
    total = response.context["total"]
    assert total.depense == Decimal("162.40")
    body = response.content.decode()
    assert "<svg" in body and 'role="img"' in body
    assert "<caption>Dépenses 2026 par type de soins</caption>" in body  # the table the chart summarises


def test_an_unknown_year_falls_back_to_the_latest(camille_connectee: Any, lignes: Any) -> None:
    assert camille_connectee.get(DEPENSES, {"annee": "1990"}).context["annee"] == 2026
    assert camille_connectee.get(DEPENSES, {"annee": "abc"}).context["annee"] == 2026


def test_no_spending_yet(camille_connectee: Any, contrat: Any) -> None:
    body = camille_connectee.get(DEPENSES).content.decode()
    assert "Aucune dépense de santé pour le moment." in body


def test_remaining_ceiling_over_a_rolling_period(adherent: Any, famille: Any, plafond_monture: Any) -> None:
    lea = famille["Léa"]
    ligne_make(
        beneficiaire=lea,
        date_soins=date(2025, 5, 2),
        poste="optique_monture",
        depense="120.00",
        amo="0.03",
        amc="30.00",
        garantie=plafond_monture,
    )
    # Rejected lines and lines outside the two years do not consume the ceiling.
    ligne_make(
        beneficiaire=lea,
        date_soins=date(2025, 6, 2),
        poste="optique_monture",
        depense="120.00",
        amo="0.03",
        amc="50.00",
        garantie=plafond_monture,
        statut="rejete",
    )
    ligne_make(
        beneficiaire=lea,
        date_soins=date(2023, 1, 2),
        poste="optique_monture",
        depense="120.00",
        amo="0.03",
        amc="70.00",
        garantie=plafond_monture,
    )
    restants = {(p.personne, p.garantie): p for p in plafonds_restants(adherent, on=date(2026, 3, 1))}
    assert len(restants) == 4  # one capped guarantee, four beneficiaries
    lea_monture = restants[("Léa Lefebvre", "Monture à tarif libre")]
    assert lea_monture.consomme == Decimal("30.00")
    assert lea_monture.restant == Decimal("70.00")
    assert lea_monture.glissant and lea_monture.jusqu_au is None
    # Léa is under 16: her frame of 2 May 2025 is renewed a year later, as the liquidation decides.
    assert (lea_monture.derniere_equipement, lea_monture.renouvelable_le) == (date(2025, 5, 2), date(2026, 5, 2))
    assert restants[("Camille Lefebvre", "Monture à tarif libre")].restant == Decimal("100.00")


def test_the_ceilings_appear_on_the_page(camille_connectee: Any, famille: Any, plafond_monture: Any) -> None:
    ligne_make(
        beneficiaire=famille["Léa"],
        date_soins=date.today(),
        poste="optique_monture",
        depense="120.00",
        amo="0.03",
        amc="30.00",
        garantie=plafond_monture,
    )
    body = camille_connectee.get(DEPENSES).content.decode()
    assert "Mes plafonds de garanties" in body
    assert "70,00\u00a0€</strong> disponibles sur 100,00\u00a0€" in body


def test_a_limit_in_sessions_shows_how_many_remain(camille_connectee: Any, famille: Any, formule: Any) -> None:
    from tests.factories import chambre_particuliere

    chambre = chambre_particuliere(formule)
    ligne_make(
        beneficiaire=famille["Léa"],
        date_soins=date.today(),
        poste="chambre_particuliere",
        depense="800.00",
        amo="0.00",
        amc="500.00",
        garantie=chambre,
        quantite=10,
    )
    body = " ".join(camille_connectee.get(DEPENSES).content.decode().split())
    assert "Chambre particulière, par nuit : encore <strong>50 fois</strong> sur 60" in body
    assert "Chambre particulière, par nuit : encore <strong>60 fois</strong> sur 60" in body  # the others
