"""Amounts and rates the French way, whatever the active language."""

from __future__ import annotations

from decimal import Decimal

import pytest

from mutuelle.core.templatetags.format_fr import euros, montant_fr, pourcent


@pytest.mark.parametrize(
    ("valeur", "attendu"),
    [
        (Decimal("0"), "0,00\u00a0€"),
        (Decimal("23.5"), "23,50\u00a0€"),
        (Decimal("1234.56"), "1\u202f234,56\u00a0€"),
        (Decimal("1234567.005"), "1\u202f234\u202f567,01\u00a0€"),  # half-up to the cent
        (Decimal("-12.30"), "−12,30\u00a0€"),
        ("19.99", "19,99\u00a0€"),
        (None, ""),
        ("pas un nombre", ""),
    ],
)
def test_euros(valeur: object, attendu: str) -> None:
    assert euros(valeur) == attendu  # type: ignore[arg-type]


def test_signed_amount() -> None:
    assert montant_fr(Decimal("5"), signe=True) == "+5,00"


@pytest.mark.parametrize(
    ("taux", "attendu"),
    [(Decimal("0.7"), "70\u00a0%"), (Decimal("0.655"), "65,5\u00a0%"), (Decimal("1"), "100\u00a0%"), (None, "")],
)
def test_pourcent(taux: object, attendu: str) -> None:
    assert pourcent(taux) == attendu  # type: ignore[arg-type]
