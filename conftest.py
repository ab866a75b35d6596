"""Personas shared by every test: the people a feature is for, and those who must NOT see it.

- ``adherent`` (Camille Lefebvre) with a family: spouse and two children on ``contrat``;
- ``autre_adherent`` (Hugo Marchand): another member who must see nothing of the first;
- ``gestionnaire``, ``responsable``: the mutuelle's staff;
- ``courtier`` with ``client_du_courtier`` (a member whose contract he placed),
  ``autre_courtier`` of another firm.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from mutuelle.accounts.models import Role
from mutuelle.members.models import Qualite, Sexe
from mutuelle.members.services import beneficiaire_add
from tests.factories import (
    CourtierFactory,
    FormuleFactory,
    MutuelleFactory,
    UserFactory,
    adherent_make,
    contrat_make,
    fake_nir,
)


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings: Any) -> None:
    """Argon2 is the production hasher (settings.py); tests that are about hashing restore it."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _axes(request: Any, settings: Any) -> None:
    """The lockout guard (django-axes) is on only for tests marked ``verrouillage``: the test client's
    ``login()`` authenticates without a request, which the guard refuses."""
    settings.AXES_ENABLED = request.node.get_closest_marker("verrouillage") is not None


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Any) -> None:
    """Files a test writes (PDFs, NOEMIE files) go to its own folder, never to the demo's var/media."""
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _cache_vide() -> Any:
    """Each test starts with an empty cache: the per-IP counters of one test never reach the next."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def mutuelle(db: Any):
    return MutuelleFactory()


@pytest.fixture
def formule(db: Any):
    return FormuleFactory(code="confort-test", libelle="Confort (test)", niveau=2)


@pytest.fixture
def adherent(mutuelle: Any):
    user = UserFactory(username="camille", role=Role.ADHERENT)
    return adherent_make(user=user)


@pytest.fixture
def contrat(adherent: Any, formule: Any):
    contrat = contrat_make(adherent=adherent, formule=formule, date_debut=date(2022, 1, 1))
    beneficiaire_add(
        contrat=contrat,
        qualite=Qualite.CONJOINT,
        nom="Lefebvre",
        prenom="Julien",
        date_naissance=date(1980, 7, 2),
        sexe=Sexe.HOMME,
        nir=fake_nir(sexe="1", naissance=date(1980, 7, 2)),
        date_entree=date(2022, 1, 1),
    )
    for prenom, naissance in (("Léa", date(2014, 9, 30)), ("Nathan", date(2017, 2, 11))):
        beneficiaire_add(
            contrat=contrat,
            qualite=Qualite.ENFANT,
            nom="Lefebvre",
            prenom=prenom,
            date_naissance=naissance,
            sexe=Sexe.FEMME if prenom == "Léa" else Sexe.HOMME,
            nir=adherent.nir,
            nir_personnel=False,
            date_entree=date(2022, 1, 1),
        )
    return contrat


@pytest.fixture
def autre_adherent(mutuelle: Any, formule: Any):
    user = UserFactory(username="hugo", role=Role.ADHERENT)
    other = adherent_make(
        user=user,
        nom="Marchand",
        prenom="Hugo",
        sexe=Sexe.HOMME,
        date_naissance=date(1975, 11, 3),
        email="hugo.marchand@test.example",
    )
    contrat_make(adherent=other, formule=formule, date_debut=date(2021, 6, 1))
    return other


@pytest.fixture
def gestionnaire(db: Any):
    return UserFactory(username="gestionnaire", role=Role.GESTIONNAIRE, is_staff=True)


@pytest.fixture
def responsable(db: Any):
    return UserFactory(username="responsable", role=Role.RESPONSABLE, is_staff=True)


@pytest.fixture
def courtier(db: Any):
    return CourtierFactory(user__username="courtier", administrateur_cabinet=True)


@pytest.fixture
def client_du_courtier(courtier: Any, formule: Any, mutuelle: Any):
    """A member whose contract ``courtier`` placed."""
    member = adherent_make(
        nom="Roussel",
        prenom="Inès",
        email="ines.roussel@test.example",
        date_naissance=date(1990, 4, 21),
    )
    contrat_make(adherent=member, formule=formule, courtier=courtier, date_debut=date(2023, 3, 1))
    return member


@pytest.fixture
def autre_courtier(db: Any):
    return CourtierFactory(user__username="autre-courtier")


@pytest.fixture
def http():
    """Django's test client, with CSRF checks enforced as in production."""
    from django.test import Client

    return Client(enforce_csrf_checks=True)


def pytest_collection_modifyitems(config: Any, items: list[Any]) -> None:
    """Tests marked ``postgres`` run only when DATABASE_URL points at PostgreSQL."""
    from django.conf import settings

    if settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
        return
    skip = pytest.mark.skip(reason="needs PostgreSQL (make test-postgres)")
    for item in items:
        if "postgres" in item.keywords:
            item.add_marker(skip)
