"""Fixtures of the claims tests: the nomenclature, a formula's guarantees, Camille as the Sécu knows her."""

from __future__ import annotations

from decimal import Decimal

import pytest

from tests.factories import GarantieFactory

D = Decimal


@pytest.fixture(autouse=True)
def nomenclature(db):
    from mutuelle.referentiel.services import nature_prestation_charger

    nature_prestation_charger()


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    """Uploads, the inbox and the lots' spool files of each test under its own temporary folder."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.MUTUELLE_NOEMIE_INBOX = tmp_path / "inbox"
    return tmp_path


@pytest.fixture
def garanties(formule):
    GarantieFactory(
        formule=formule, poste="consultation_generaliste", praticien="tous", taux=D("100"), libelle="Généraliste"
    )
    GarantieFactory(
        formule=formule,
        poste="consultation_specialiste",
        praticien="non_optam",
        taux=D("200"),
        libelle="Spécialiste non OPTAM",
    )
    GarantieFactory(
        formule=formule, poste="consultation_specialiste", praticien="optam", taux=D("300"), libelle="Spécialiste OPTAM"
    )
    return formule


@pytest.fixture
def camille(contrat):
    return contrat.beneficiaires.get(qualite="assure")
