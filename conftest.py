"""Personas shared by every test: the people a feature is for, and those who must NOT see it.

- ``adherent`` (Camille Lefebvre) with a family: spouse and two children on ``contrat``;
- ``autre_adherent`` (Hugo Marchand): another member who must see nothing of the first;
- ``gestionnaire``, ``responsable``: the mutuelle's staff;
- ``antivirus``: a real clamd (started once per session, with only the EICAR signature) for uploads;
- ``courtier`` with ``client_du_courtier`` (a member whose contract he placed),
  ``autre_courtier`` of another firm.
"""

from __future__ import annotations

import shutil
import subprocess
import time
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from mutuelle.accounts.models import Role
from mutuelle.members.models import Qualite, Sexe
from mutuelle.members.services import beneficiaire_ajouter
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


# The EICAR test file: harmless, and detected by every antivirus by convention.
EICAR = rb"X5O!P%@AP[4\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*"


@pytest.fixture(scope="session")
def clamd_socket(tmp_path_factory: Any) -> Iterator[str]:
    binaire = shutil.which("clamd") or "/usr/sbin/clamd"
    if not Path(binaire).exists():
        raise RuntimeError("clamd est absent : « make test » installe le paquet Debian clamav-daemon.")
    dossier = tmp_path_factory.mktemp("clamd")
    (dossier / "db").mkdir()
    (dossier / "db" / "eicar.ndb").write_text(f"Mutuelle.Test.EICAR:0:*:{EICAR.hex()}\n")
    socket = dossier / "clamd.sock"
    conf = dossier / "clamd.conf"
    conf.write_text(
        f"LocalSocket {socket}\nDatabaseDirectory {dossier / 'db'}\nForeground yes\n"
        f"LogFile {dossier / 'clamd.log'}\nStreamMaxLength 50M\n"
    )
    process = subprocess.Popen([binaire, "-c", str(conf)], stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
    try:
        limite = time.monotonic() + 60
        while not socket.exists():
            if process.poll() is not None or time.monotonic() > limite:
                journal = (dossier / "clamd.log").read_text() if (dossier / "clamd.log").exists() else ""
                raise RuntimeError(f"clamd n'a pas démarré : {journal[-2000:]}")
            time.sleep(0.1)
        yield str(socket)
    finally:
        process.terminate()
        process.wait(timeout=30)


@pytest.fixture
def antivirus(settings: Any, clamd_socket: str) -> str:
    settings.MUTUELLE_CLAMD = clamd_socket
    return clamd_socket


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
    beneficiaire_ajouter(
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
        beneficiaire_ajouter(
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
    # Fixed names: a random one could be a client's (« Garnier ») and break a « not in page » check.
    return CourtierFactory(
        user__username="courtier", user__first_name="Hélène", user__last_name="Vasseur", administrateur_cabinet=True
    )


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
    return CourtierFactory(user__username="autre-courtier", user__first_name="Octave", user__last_name="Lemaire")


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
