"""Dated parameters: values by date, references mandatory, no guess before the first value."""

from datetime import date
from decimal import Decimal

import pytest

from regles.parametres import ParametreIndisponible, charger, parametres


def test_values_change_on_their_effective_date():
    p = parametres()
    assert p.valeur("tarif.G", date(2023, 11, 30)).valeur == Decimal("25.00")
    assert p.valeur("tarif.G", date(2023, 12, 1)).valeur == Decimal("26.50")
    assert p.valeur("tarif.G", date(2024, 12, 21)).valeur == Decimal("26.50")
    assert p.valeur("tarif.G", date(2024, 12, 22)).valeur == Decimal("30.00")
    assert p.valeur("participation_forfaitaire.montant", date(2024, 5, 15)).valeur == Decimal("2.00")
    assert p.valeur("taux.dentaire", date(2023, 10, 14)).valeur == Decimal("0.70")


def test_every_value_has_a_legal_reference():
    for parametre in parametres().tous.values():
        assert all(v.reference for v in parametre.valeurs), parametre.nom


def test_asking_before_the_first_value_is_an_error_not_a_guess():
    with pytest.raises(ParametreIndisponible, match="n'a pas de valeur avant le 01/01/2019"):
        parametres().valeur("taux.honoraires", date(2018, 12, 31))


def test_unknown_parameter():
    with pytest.raises(ParametreIndisponible, match="inconnu"):
        parametres().valeur("taux.imaginaire", date(2025, 1, 1))


def test_parameters_are_immutable():
    p = parametres()
    with pytest.raises(TypeError):
        p.tous["tarif.G"] = None
    regime = p.valeur("taux.regime_local", date(2025, 1, 1)).valeur
    with pytest.raises(TypeError):
        regime["honoraires"] = Decimal("1")


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("x:\n  values:\n    - {from: 2020-01-01, value: 0.7, reference: R}\n", "guillemets"),
        ("x:\n  values:\n    - {from: 2020-01-01, value: '1'}\n", "référence juridique"),
        (
            "x:\n  values:\n    - {from: 2021-01-01, value: '1', reference: R}\n"
            "    - {from: 2020-01-01, value: '2', reference: R}\n",
            "croissantes",
        ),
        ("x:\n  values: []\n", "aucune valeur"),
        ("x:\n  values:\n    - {from: hier, value: '1', reference: R}\n", "AAAA-MM-JJ"),
    ],
)
def test_a_bad_parameter_file_is_refused(tmp_path, content, message):
    (tmp_path / "bad.yaml").write_text(content, encoding="utf-8")
    with pytest.raises(ValueError, match=message):
        charger(tmp_path)
