"""A formula's guarantee reaches the engine: the right line for the practitioner, by date."""

from datetime import date
from decimal import Decimal

import pytest

from mutuelle.formules.selectors import garantie_pour_acte, garantie_regles
from regles.moteur import Acte, Moteur, Praticien
from tests.factories import GarantieFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def specialistes(formule):
    optam = GarantieFactory(
        formule=formule,
        poste="consultation_specialiste",
        praticien="optam",
        libelle="Spécialiste OPTAM",
        taux=Decimal("300"),
    )
    non_optam = GarantieFactory(
        formule=formule,
        poste="consultation_specialiste",
        praticien="non_optam",
        libelle="Spécialiste non OPTAM",
        taux=Decimal("200"),
    )
    return optam, non_optam


def test_the_line_follows_the_practitioners_optam_status(formule, specialistes):
    optam, non_optam = specialistes
    on = date(2025, 3, 1)
    kw = {"formule": formule, "poste": "consultation_specialiste", "on": on}
    assert garantie_pour_acte(**kw, secteur=1) == optam
    assert garantie_pour_acte(**kw, secteur=2, optam=True) == optam
    assert garantie_pour_acte(**kw, secteur=2, optam=False) == non_optam


def test_a_line_for_all_practitioners_is_the_fallback(formule):
    tous = GarantieFactory(formule=formule, poste="imagerie", praticien="tous")
    assert garantie_pour_acte(formule=formule, poste="imagerie", on=date(2025, 1, 1), secteur=2) == tous
    assert garantie_pour_acte(formule=formule, poste="optique_monture", on=date(2025, 1, 1)) is None


def test_a_guarantee_not_yet_in_force_is_not_used(formule):
    GarantieFactory(formule=formule, poste="imagerie", date_debut=date(2026, 1, 1))
    assert garantie_pour_acte(formule=formule, poste="imagerie", on=date(2025, 12, 31)) is None


def test_the_engine_computes_with_a_formula_guarantee(formule, specialistes):
    _, _non_optam = specialistes
    garantie = garantie_pour_acte(
        formule=formule, poste="consultation_specialiste", on=date(2025, 3, 1), secteur=2, optam=False
    )
    assert garantie is not None
    acte = Acte(
        date_soins=date(2025, 3, 1),
        code="CS",
        montant_depense=Decimal("80.00"),
        praticien=Praticien(secteur=2, optam=False),
        garantie=garantie_regles(garantie),
    )
    (r,) = Moteur().liquider([acte])
    # 200 % BR = 63.00 − AMO 22.05 = 40.95 (also the non-OPTAM cap) ; AMO paid 20.05 after PF
    assert (r.montant_amo, r.montant_amc, r.reste_a_charge) == (Decimal("20.05"), Decimal("40.95"), Decimal("19.00"))
    assert "Spécialiste non OPTAM" in " ".join(e.explication for e in r.trace)


def test_rolling_period_guarantees_carry_their_renewal_period(formule):
    monture = GarantieFactory(
        formule=formule,
        poste="optique_monture",
        type_garantie="forfait",
        taux=None,
        montant=Decimal("100"),
        periode="annees_glissantes",
        periode_annees=2,
    )
    assert garantie_regles(monture).renouvellement_annees == 2
