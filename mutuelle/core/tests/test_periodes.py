"""One rule for « in force on a day », in the database and in Python: a row starting on the day and
a row ending on it are in force, the day after its end it is not, no end means still open."""

from __future__ import annotations

from datetime import date

import pytest

from mutuelle.core.calendrier import plus_mois
from mutuelle.core.periodes import ENTREE_SORTIE, couvre, en_vigueur
from mutuelle.members.models import Beneficiaire, ContratFormule

pytestmark = pytest.mark.django_db

DEBUT, FIN = date(2024, 1, 1), date(2024, 12, 31)


@pytest.mark.parametrize(
    ("fin", "jour", "attendu"),
    [
        (FIN, date(2023, 12, 31), False),  # the day before it starts
        (FIN, DEBUT, True),  # the day it starts
        (FIN, FIN, True),  # the day it ends
        (FIN, date(2025, 1, 1), False),  # the day after its end
        (None, date(2030, 6, 1), True),  # no end: still open
    ],
)
def test_in_force_on_a_day_in_python_and_in_the_database(contrat, fin, jour, attendu):
    assert couvre(DEBUT, fin, jour) is attendu
    periode = contrat.formules.get()
    ContratFormule.objects.filter(pk=periode.pk).update(date_debut=DEBUT, date_fin=fin)
    assert ContratFormule.objects.filter(en_vigueur(jour), pk=periode.pk).exists() is attendu


def test_a_beneficiarys_presence_reads_its_own_fields(contrat):
    julien = contrat.beneficiaires.get(prenom="Julien")
    Beneficiaire.objects.filter(pk=julien.pk).update(date_entree=DEBUT, date_sortie=FIN)
    present = Beneficiaire.objects.filter(en_vigueur(FIN, **ENTREE_SORTIE), pk=julien.pk)
    parti = Beneficiaire.objects.filter(en_vigueur(date(2025, 1, 1), **ENTREE_SORTIE), pk=julien.pk)
    assert present.exists() and not parti.exists()


def test_months_are_added_as_the_rules_engine_adds_them():
    assert plus_mois(date(2024, 1, 31), 1) == date(2024, 2, 29)  # the month's last day, leap year
    assert plus_mois(date(2023, 1, 31), 1) == date(2023, 2, 28)
    assert plus_mois(date(2024, 12, 15), -12) == date(2023, 12, 15)
    assert plus_mois(date(2024, 3, 31), 6) == date(2024, 9, 30)
