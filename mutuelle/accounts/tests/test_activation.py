"""First connection and forgotten secret: identity check, single-use links and letter codes."""

from __future__ import annotations

import io
import re
from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django.core import mail
from django.test import Client
from django.utils import timezone
from pypdf import PdfReader

from mutuelle.accounts.models import Courrier, JetonCompte, StatutCourrier
from mutuelle.core.models import AuditLog
from tests.factories import TEST_PASSWORD, adherent_make

pytestmark = [pytest.mark.django_db, pytest.mark.verrouillage]

NOUVEAU = "une phrase de passe assez longue"


@pytest.fixture
def nouvel_adherent(mutuelle):
    """A member created by the back office: the account exists, inactive."""
    adherent = adherent_make(prenom="Inès", nom="Garnier", email="ines.garnier@test.example")
    assert adherent.user is not None and not adherent.user.is_active
    return adherent


@pytest.fixture
def sans_email(mutuelle):
    return adherent_make(prenom="Paul", nom="Roux", email="", sexe="1")


def _identite(adherent: Any, **changes: Any) -> dict[str, str]:
    data = {
        "identifiant": adherent.numero,
        "date_naissance": adherent.date_naissance.isoformat(),
        "nir_fin": adherent.nir[-4:],
        "code_postal": adherent.code_postal,
    }
    data.update(changes)
    return data


def _lien(message: Any) -> str:
    match = re.search(r"https?://\S+", message.body)
    assert match, message.body
    return match.group(0)


def test_the_identity_check_sends_a_single_use_link_to_the_email_on_file(nouvel_adherent, settings):
    settings.MUTUELLE_BASE_URL = "https://espace.mutuelle.example"
    assert Client().post("/connexion/premiere-connexion/", HTTP_HOST="evil.example").status_code == 400
    page = Client().post("/connexion/premiere-connexion/", _identite(nouvel_adherent), HTTP_HOST="localhost")
    assert page.status_code == 200
    assert "i•••" in page.content.decode()  # the address, masked
    (message,) = mail.outbox
    assert message.to == ["ines.garnier@test.example"]
    lien = _lien(message)
    assert lien.startswith("https://espace.mutuelle.example/connexion/activer/")  # never from the Host header
    assert not nouvel_adherent.user.is_active  # the check alone opens nothing


def test_the_link_sets_the_password_then_the_member_logs_in(nouvel_adherent, django_capture_on_commit_callbacks):
    Client().post("/connexion/premiere-connexion/", _identite(nouvel_adherent))
    path = _lien(mail.outbox[0]).split("8000", 1)[1]
    client = Client()
    assert client.get(path).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(path, {"new_password1": NOUVEAU, "new_password2": NOUVEAU})
    assert response.status_code == 302 and response["Location"] == "/connexion/"
    assert client.session.get("_auth_user_id") is None  # not logged in by the link
    nouvel_adherent.user.refresh_from_db()
    assert nouvel_adherent.user.is_active
    assert Client().post("/connexion/", {"identifiant": nouvel_adherent.numero, "secret": NOUVEAU}).status_code == 302
    # Single use.
    assert Client().get(path).status_code == 410
    assert AuditLog.objects.filter(action="accounts.compte.activated").count() == 1
    assert "activé" in mail.outbox[-1].subject


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("court", "au minimum 12 caractères"),
        ("password1234", "trop courant"),
        ("motdepasse123", "plus courants"),
        ("Azertyuiop!2024", "plus courants"),
        ("123456789012", "plus courants"),
        ("garnier-inès-1982", "donnée personnelle"),
        ("x" * 129, "128"),
    ],
)
def test_weak_or_personal_passwords_are_refused_with_a_reason(nouvel_adherent, password, message):
    Client().post("/connexion/premiere-connexion/", _identite(nouvel_adherent))
    path = _lien(mail.outbox[0]).split("8000", 1)[1]
    page = Client().post(path, {"new_password1": password, "new_password2": password})
    assert page.status_code == 200
    assert message in page.content.decode()


def test_a_long_passphrase_of_64_characters_and_more_is_welcome(nouvel_adherent):
    Client().post("/connexion/premiere-connexion/", _identite(nouvel_adherent))
    path = _lien(mail.outbox[0]).split("8000", 1)[1]
    phrase = "le chat de la voisine dort sur le rebord de la fenêtre chaque midi!"
    assert len(phrase) > 64
    assert Client().post(path, {"new_password1": phrase, "new_password2": phrase}).status_code == 302


def test_a_link_expires_after_one_hour(nouvel_adherent):
    start = timezone.now()
    with time_machine.travel(start, tick=False) as traveller:
        Client().post("/connexion/premiere-connexion/", _identite(nouvel_adherent))
        path = _lien(mail.outbox[0]).split("8000", 1)[1]
        traveller.move_to(start + timedelta(minutes=59))
        assert Client().get(path).status_code == 200
        traveller.move_to(start + timedelta(minutes=61))
        assert Client().get(path).status_code == 410


def test_a_wrong_identity_item_is_refused_the_same_way_as_an_unknown_member(nouvel_adherent):
    wrong = Client().post("/connexion/premiere-connexion/", _identite(nouvel_adherent, code_postal="75001"))
    unknown = Client().post("/connexion/premiere-connexion/", _identite(nouvel_adherent, identifiant="99999997"))
    assert wrong.status_code == unknown.status_code == 200
    text = "Ces informations ne permettent pas de vous identifier"
    assert text in wrong.content.decode() and text in unknown.content.decode()
    assert not mail.outbox


def test_three_wrong_identity_checks_lock_the_account_like_logins(nouvel_adherent):
    answers = [
        Client().post("/connexion/premiere-connexion/", _identite(nouvel_adherent, nir_fin="0000")).status_code
        for _ in range(3)
    ]
    assert answers == [200, 200, 429]
    locked = Client().post("/connexion/premiere-connexion/", _identite(nouvel_adherent))
    assert locked.status_code == 429 and not mail.outbox


def test_without_an_email_a_letter_with_a_code_is_queued_as_a_real_pdf(sans_email):
    page = Client().post("/connexion/premiere-connexion/", _identite(sans_email))
    assert "courrier" in page.content.decode() and not mail.outbox
    courrier = Courrier.objects.get()
    assert courrier.statut == StatutCourrier.A_IMPRIMER
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(courrier.pdf.read())).pages)
    assert sans_email.numero in text and "Paul Roux" in text and sans_email.code_postal in text
    code = re.search(r"\b([A-Z2-9]{5}) ([A-Z2-9]{5})\b", text)
    assert code, text
    assert code.group(0) not in courrier.code_empreinte  # only the hash is kept
    # The code opens the password step once.
    client = Client()
    step = client.post("/connexion/code-courrier/", {"identifiant": sans_email.numero, "code": code.group(0).lower()})
    assert step.status_code == 302
    done = client.post("/connexion/code-courrier/", {"new_password1": NOUVEAU, "new_password2": NOUVEAU})
    assert done.status_code == 302
    sans_email.user.refresh_from_db()
    assert sans_email.user.is_active and sans_email.user.check_password(NOUVEAU)
    again = Client().post("/connexion/code-courrier/", {"identifiant": sans_email.numero, "code": code.group(0)})
    assert again.status_code == 200 and "déjà servi" in again.content.decode()


def test_wrong_letter_codes_count_towards_the_lockout(sans_email):
    Client().post("/connexion/premiere-connexion/", _identite(sans_email))
    answers = [
        Client().post("/connexion/code-courrier/", {"identifiant": sans_email.numero, "code": "AAAAA AAAAA"})
        for _ in range(3)
    ]
    assert [a.status_code for a in answers] == [200, 200, 429]


# -- forgotten secret -------------------------------------------------------------------------------


def test_the_forgotten_secret_form_says_the_same_for_known_and_unknown_identifiers(adherent):
    known = Client().post("/connexion/mot-de-passe-oublie/", {"identifiant": adherent.numero})
    unknown = Client().post("/connexion/mot-de-passe-oublie/", {"identifiant": "99999997"})
    assert known.status_code == unknown.status_code == 200
    strip = lambda r: re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", r.content.decode())  # noqa: E731
    assert strip(known) == strip(unknown)
    assert len(mail.outbox) == 1 and mail.outbox[0].to == [adherent.email]


def test_using_a_reset_link_cancels_other_links_ends_sessions_and_tells_the_member(
    adherent, django_capture_on_commit_callbacks
):
    session = Client()
    session.post("/connexion/", {"identifiant": adherent.numero, "secret": TEST_PASSWORD})
    assert session.session.get("_auth_user_id")
    Client().post("/connexion/mot-de-passe-oublie/", {"identifiant": adherent.numero})
    Client().post("/connexion/mot-de-passe-oublie/", {"identifiant": adherent.nir})
    premier, second = (_lien(m).split("8000", 1)[1] for m in mail.outbox)
    assert Client().get(premier).status_code == 410  # replaced by the second request
    with django_capture_on_commit_callbacks(execute=True):
        assert Client().post(second, {"new_password1": NOUVEAU, "new_password2": NOUVEAU}).status_code == 302
    assert JetonCompte.objects.filter(utilise_le__isnull=True, annule_le__isnull=True).count() == 0
    # The other session is over.
    session.get("/")
    assert session.session.get("_auth_user_id") is None
    assert "mot de passe a été changé" in mail.outbox[-1].subject
    assert Client().post("/connexion/", {"identifiant": adherent.numero, "secret": NOUVEAU}).status_code == 302


def test_a_reset_stays_possible_while_locked_and_lifts_the_lockout(adherent):
    for n in range(3):
        Client().post("/connexion/", {"identifiant": adherent.numero, "secret": f"mauvais {n}"})
    assert Client().post("/connexion/", {"identifiant": adherent.numero, "secret": TEST_PASSWORD}).status_code == 429
    Client().post("/connexion/mot-de-passe-oublie/", {"identifiant": adherent.numero})
    path = _lien(mail.outbox[0]).split("8000", 1)[1]
    assert Client().post(path, {"new_password1": NOUVEAU, "new_password2": NOUVEAU}).status_code == 302
    assert Client().post("/connexion/", {"identifiant": adherent.numero, "secret": NOUVEAU}).status_code == 302


def test_without_an_email_the_reset_is_a_letter(sans_email):
    user = sans_email.user
    user.set_password(TEST_PASSWORD)
    user.is_active = True
    user.save()
    page = Client().post("/connexion/mot-de-passe-oublie/", {"identifiant": sans_email.numero})
    assert "sous 8 jours" in page.content.decode()
    assert Courrier.objects.get().type_courrier == "secret"
    assert not mail.outbox


def test_a_forged_link_is_refused(adherent):
    assert Client().get("/connexion/nouveau-mot-de-passe/abc/").status_code == 410
    assert Client().get("/connexion/activer/" + "x" * 300 + "/").status_code == 410
