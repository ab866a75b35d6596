"""The commission statement: premiums collected in the period × the firm's rate for the contract's
formula (in force on each premium's month), rounded half-up per premium; table and CSV."""

from __future__ import annotations

import csv
import io
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client

from mutuelle.brokers import selectors
from mutuelle.brokers.models import TauxCommission
from mutuelle.members.models import Cotisation, ModePaiement
from mutuelle.members.services import contrat_formule_changer
from tests.factories import FormuleFactory

pytestmark = pytest.mark.django_db


def _cotisation(contrat: Any, mois: int, montant: str, paye: str | None = None, le: date | None = None) -> None:
    Cotisation.objects.create(
        contrat=contrat,
        echeance=date(2026, mois, 1),
        montant=Decimal(montant),
        montant_paye=Decimal(paye if paye is not None else montant),
        date_paiement=le or date(2026, mois, 5),
        mode_paiement=ModePaiement.PRELEVEMENT,
    )


def test_premiums_collected_times_the_rate_rounded_per_premium(
    courtier: Any, client_du_courtier: Any, formule: Any, client_du_collegue: Any
) -> None:
    TauxCommission.objects.create(
        cabinet=courtier.cabinet, formule=formule, taux=Decimal("12.50"), date_debut=date(2020, 1, 1)
    )
    contrat = client_du_courtier.contrats.get()
    _cotisation(contrat, 1, "84.35")  # 10.54375 → 10.54
    _cotisation(contrat, 2, "84.36")  # 10.545 → 10.55 (half-up)
    _cotisation(contrat, 3, "84.35", paye="0.00", le=None)  # nothing collected: no commission
    Cotisation.objects.filter(contrat=contrat, echeance=date(2026, 3, 1)).update(date_paiement=None)
    _cotisation(contrat, 4, "84.35", le=date(2026, 7, 2))  # collected after the period
    lignes = {
        ligne.contrat.numero: ligne
        for ligne in selectors.commissions(courtier, du=date(2026, 1, 1), au=date(2026, 6, 30))
    }
    ligne = lignes[contrat.numero]
    assert ligne.encaisse == Decimal("168.71") and ligne.taux == Decimal("12.50")
    assert ligne.commission == Decimal("21.09")
    assert not ligne.variable


def test_a_rate_change_within_the_period_is_applied_month_by_month_and_shown_as_variable(
    courtier: Any, client_du_courtier: Any, formule: Any
) -> None:
    TauxCommission.objects.create(
        cabinet=courtier.cabinet, formule=formule, taux=Decimal("10"), date_debut=date(2020, 1, 1)
    )
    TauxCommission.objects.create(
        cabinet=courtier.cabinet, formule=formule, taux=Decimal("15"), date_debut=date(2026, 2, 1)
    )
    contrat = client_du_courtier.contrats.get()
    _cotisation(contrat, 1, "100.00")
    _cotisation(contrat, 2, "100.00")
    (ligne,) = selectors.commissions(courtier, du=date(2026, 1, 1), au=date(2026, 3, 31))
    assert ligne.commission == Decimal("25.00") and ligne.variable


def test_the_formula_in_force_on_the_premiums_month_gives_the_rate(
    courtier: Any, client_du_courtier: Any, formule: Any
) -> None:
    superieure = FormuleFactory.create(code="excellence-test", libelle="Excellence (test)", niveau=3)
    TauxCommission.objects.create(
        cabinet=courtier.cabinet, formule=formule, taux=Decimal("10"), date_debut=date(2020, 1, 1)
    )
    TauxCommission.objects.create(
        cabinet=courtier.cabinet, formule=superieure, taux=Decimal("20"), date_debut=date(2020, 1, 1)
    )
    contrat = client_du_courtier.contrats.get()
    contrat_formule_changer(contrat=contrat, formule=superieure, date_effet=date(2026, 2, 1))
    _cotisation(contrat, 1, "50.00")
    _cotisation(contrat, 2, "80.00")
    (ligne,) = selectors.commissions(courtier, du=date(2026, 1, 1), au=date(2026, 3, 31))
    assert ligne.commission == Decimal("21.00")  # 5.00 + 16.00


def test_a_formula_without_a_rate_gives_no_commission_and_says_so(
    session_courtier: Client, client_du_courtier: Any
) -> None:
    _cotisation(client_du_courtier.contrats.get(), 1, "84.35")
    page = session_courtier.get("/courtier/commissions/?du=2026-01-01&au=2026-03-31").content.decode()
    assert "pas de taux de commission" in page and "84,35" in page


def test_the_statement_page_and_csv_cover_the_firm_for_its_administrator_only(
    session_courtier: Client,
    session_collegue: Client,
    courtier: Any,
    client_du_courtier: Any,
    client_du_collegue: Any,
    formule: Any,
) -> None:
    TauxCommission.objects.create(
        cabinet=courtier.cabinet, formule=formule, taux=Decimal("12"), date_debut=date(2020, 1, 1)
    )
    _cotisation(client_du_courtier.contrats.get(), 1, "100.00")
    _cotisation(client_du_collegue.contrats.get(), 1, "50.00")
    page = session_courtier.get("/courtier/commissions/?du=2026-01-01&au=2026-01-31").content.decode()
    assert "Roussel" in page and "Garnier" in page and "18,00" in page
    assert "Roussel" not in session_collegue.get("/courtier/commissions/?du=2026-01-01&au=2026-01-31").content.decode()
    response = session_courtier.get("/courtier/commissions/?du=2026-01-01&au=2026-01-31&export=csv")
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig")), delimiter=";"))  # type: ignore[attr-defined]
    assert rows[0] == ["Contrat", "Adhérent", "Formule", "Courtier", "Cotisations encaissées", "Taux", "Commission"]
    assert sorted(r[6] for r in rows[1:]) == ["12,00", "6,00"]


def test_a_wrong_period_is_refused_with_a_message(session_courtier: Client) -> None:
    response = session_courtier.get("/courtier/commissions/?du=2026-06-01&au=2026-01-01")
    assert response.status_code == 400 and "précède" in response.content.decode()
    response = session_courtier.get("/courtier/commissions/?du=2024-01-01&au=2026-01-01")
    assert response.status_code == 400 and "un an au plus" in response.content.decode()
