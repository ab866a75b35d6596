"""The broker space's personas: ``courtier`` administers firm A and placed ``client_du_courtier``;
``collegue`` is a broker of the same firm with a client of their own; ``autre_courtier`` is of firm B
with ``client_autre_cabinet``. Each client has health data (a reimbursement, a relevé, a contest, a
message) that no broker may ever reach."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.test import Client

from mutuelle.members.models import Qualite, Sexe
from mutuelle.members.services import beneficiaire_ajouter
from tests.factories import CourtierFactory, adherent_make, connecter, contrat_make, fake_nir, ligne_make


@pytest.fixture
def collegue(courtier: Any) -> Any:
    return CourtierFactory(
        user__username="collegue", user__first_name="Paul", user__last_name="Collin", cabinet=courtier.cabinet
    )


@pytest.fixture
def client_du_collegue(collegue: Any, formule: Any, mutuelle: Any) -> Any:
    member = adherent_make(
        nom="Garnier", prenom="Luc", sexe=Sexe.HOMME, date_naissance=date(1979, 8, 2), email="luc.garnier@test.example"
    )
    contrat_make(adherent=member, formule=formule, courtier=collegue, date_debut=date(2024, 1, 1))
    return member


@pytest.fixture
def client_autre_cabinet(autre_courtier: Any, formule: Any, mutuelle: Any) -> Any:
    member = adherent_make(
        nom="Benard", prenom="Zoé", date_naissance=date(1988, 12, 9), email="zoe.benard@test.example"
    )
    contrat_make(adherent=member, formule=formule, courtier=autre_courtier, date_debut=date(2024, 6, 1))
    return member


@pytest.fixture
def famille_du_client(client_du_courtier: Any) -> Any:
    """The broker's client with a child on the contract and a reimbursement line (health data)."""
    contrat = client_du_courtier.contrats.get()
    beneficiaire_ajouter(
        contrat=contrat,
        qualite=Qualite.ENFANT,
        nom="Roussel",
        prenom="Maël",
        date_naissance=date(2019, 5, 4),
        sexe=Sexe.HOMME,
        nir=fake_nir(sexe="1", naissance=date(2019, 5, 4)),
        nir_personnel=True,
        date_entree=date(2023, 3, 1),
    )
    return client_du_courtier


@pytest.fixture
def ligne_du_client(famille_du_client: Any) -> Any:
    assure = famille_du_client.contrats.get().beneficiaires.get(qualite=Qualite.ASSURE)
    return ligne_make(beneficiaire=assure, poste="dentaire_soins", depense="987.65", amo="23.45")


@pytest.fixture
def session_courtier(courtier: Any) -> Client:
    return connecter(Client(), courtier.user)


@pytest.fixture
def session_collegue(collegue: Any) -> Client:
    return connecter(Client(), collegue.user)


@pytest.fixture
def session_autre(autre_courtier: Any) -> Client:
    return connecter(Client(), autre_courtier.user)
