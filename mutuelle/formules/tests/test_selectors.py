"""A formula's guarantee reaches the engine: the right line for the practitioner, by date."""

from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest

from mutuelle.claims.liquidation import garantie_moteur
from mutuelle.formules.selectors import garantie_pour_acte
from regles.moteur import Acte, Beneficiaire, Moteur, Praticien
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
        garantie=garantie_moteur(
            garantie, poste=garantie.poste, on=date(2025, 3, 1), historique=None, date_adhesion=None
        ),
    )
    (r,) = Moteur().liquider([acte])
    # 200 % BR = 63.00 − AMO 22.05 = 40.95 (also the non-OPTAM cap) ; AMO paid 20.05 after PF
    assert (r.montant_amo, r.montant_amc, r.reste_a_charge) == (Decimal("20.05"), Decimal("40.95"), Decimal("19.00"))
    assert "Spécialiste non OPTAM" in " ".join(e.explication for e in r.trace)


def test_a_rolling_ceiling_period_is_not_a_renewal_period(formule):
    """A guarantee's ceiling over two rolling years says nothing of renewal: a 10-year-old's glasses
    13 months after the last pair are paid, as the law renews them yearly under 16 (CSS R871-2)."""
    from mutuelle.claims.liquidation import Historique, Passe, liquider

    monture = GarantieFactory(
        formule=formule,
        poste="optique_monture",
        type_garantie="forfait",
        taux=None,
        montant=Decimal("100"),
        plafond_montant=Decimal("300"),
        periode="annees_glissantes",
        periode_annees=2,
    )
    historique = Historique([Passe(monture.pk, "optique_monture", date(2025, 1, 10), Decimal("100.00"), 1)])
    enfant = Beneficiaire(date_naissance=date(2015, 6, 1))
    acte = Acte(
        date_soins=date(2026, 2, 10),
        code="M03",
        montant_depense=Decimal("150.00"),
        base_remboursement=Decimal("0.05"),
        beneficiaire=enfant,
    )
    calcul = liquider(acte, garantie=monture, historique=historique)
    assert calcul.montant_amc == Decimal("99.97")  # the frame limit of a contrat responsable, Sécu included
    # An adult waits two years.
    adulte = Beneficiaire(date_naissance=date(1980, 6, 1))
    calcul = liquider(
        replace(acte, beneficiaire=adulte), garantie=monture, historique=Historique(historique.lignes[:1])
    )
    assert calcul.montant_amc == 0
    assert "prochaine possible le 10/01/2027" in " ".join(e.explication for e in calcul.resultat.trace)
