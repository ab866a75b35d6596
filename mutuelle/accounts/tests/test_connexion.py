"""Member login: member number or NIR, one lockout counter per account, no enumeration, audit."""

from __future__ import annotations

import re
import statistics
import time
from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django.contrib.auth.hashers import get_hasher
from django.test import Client
from django.utils import timezone

from mutuelle.core.models import AuditLog
from tests.factories import TEST_PASSWORD, adherent_make

pytestmark = [pytest.mark.django_db, pytest.mark.verrouillage]

URL = "/connexion/"


def _post(client: Client, identifiant: str, secret: str, **extra: Any) -> Any:
    return client.post(URL, {"identifiant": identifiant, "secret": secret}, **extra)


def _spaced(text: str, every: int = 3, sep: str = " ") -> str:
    return sep.join(text[i : i + every] for i in range(0, len(text), every))


def _comparable(body: bytes) -> str:
    """A page without what legitimately differs between two requests: CSRF token and the echoed identifier."""
    text = body.decode()
    text = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", text)
    return re.sub(r'(name="identifiant"[^>]*?) value="[^"]*"', r"\1", text)


def test_the_login_page_names_the_official_domain_and_warns_about_phishing(mutuelle):
    page = Client().get(URL).content.decode()
    assert f"https://{mutuelle.domaine_officiel}" in page
    assert "Nous ne vous demanderons jamais votre mot de passe" in page


@pytest.mark.parametrize(
    "forme",
    [
        lambda a: a.numero,
        lambda a: _spaced(a.numero, 4),
        lambda a: _spaced(a.numero, 2, "."),
        lambda a: a.nir,
        lambda a: _spaced(a.nir, 2, " "),
        lambda a: a.nir.lower(),
        lambda a: a.nir[:13],
    ],
    ids=["numero", "numero-espaces", "numero-points", "nir", "nir-espaces", "nir-minuscules", "nir-sans-cle"],
)
def test_a_member_logs_in_with_the_member_number_or_the_nir_in_any_spelling(adherent, forme):
    client = Client()
    response = _post(client, forme(adherent), TEST_PASSWORD)
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(adherent.user.pk)


def test_login_gives_a_new_session_key_and_the_pages_are_not_cached(adherent):
    client = Client()
    client.get(URL)
    before = client.cookies["sessionid"].value if "sessionid" in client.cookies else None
    _post(client, adherent.numero, TEST_PASSWORD)
    assert client.cookies["sessionid"].value != before
    page = client.get("/")
    assert "no-store" in page["Cache-Control"]


def test_wrong_secret_unknown_identifier_and_inactive_account_get_the_same_answer(adherent, mutuelle):
    inactive = adherent_make(prenom="Inès", email="ines@test.example")  # an account never activated
    assert inactive.user is not None and not inactive.user.is_active
    answers = [
        _post(Client(), adherent.numero, "pas le bon mot de passe"),
        _post(Client(), "99999997", "pas le bon mot de passe"),
        _post(Client(), inactive.numero, "pas le bon mot de passe"),
    ]
    assert {r.status_code for r in answers} == {200}
    assert len({_comparable(r.content) for r in answers}) == 1
    assert "Identifiant ou mot de passe incorrect." in answers[0].content.decode()


def test_an_unknown_identifier_costs_one_password_hash_like_a_known_one(adherent, monkeypatch):
    """Counted, not timed: each path computes exactly one hash (a verify computes its hash inside)."""
    hasher_class = type(get_hasher("default"))
    calls: list[str] = []
    inside = {"verify": False}
    real_encode, real_verify = hasher_class.encode, hasher_class.verify

    def encode(self: Any, *args: Any, **kwargs: Any) -> Any:
        if not inside["verify"]:
            calls.append("encode")
        return real_encode(self, *args, **kwargs)

    def verify(self: Any, *args: Any, **kwargs: Any) -> Any:
        calls.append("verify")
        inside["verify"] = True
        try:
            return real_verify(self, *args, **kwargs)
        finally:
            inside["verify"] = False

    monkeypatch.setattr(hasher_class, "encode", encode)
    monkeypatch.setattr(hasher_class, "verify", verify)
    _post(Client(), adherent.numero, "pas le bon mot de passe")
    assert calls == ["verify"]
    calls.clear()
    _post(Client(), "99999997", "pas le bon mot de passe")
    assert calls == ["encode"]


def test_the_answer_takes_the_same_time_for_a_known_and_an_unknown_identifier(adherent, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.Argon2PasswordHasher"]
    user = adherent.user
    user.set_password(TEST_PASSWORD)
    user.save()
    settings.AXES_ENABLED = False  # many tries: the lockout is not what is measured here

    def median(identifiant: str) -> float:
        durations = []
        for _ in range(5):
            started = time.perf_counter()
            _post(Client(), identifiant, "pas le bon mot de passe")
            durations.append(time.perf_counter() - started)
        return statistics.median(durations)

    known, unknown = median(adherent.numero), median("99999997")
    assert 0.5 < known / unknown < 2, f"known {known:.3f} s, unknown {unknown:.3f} s"


def test_the_third_failure_locks_the_account_whatever_the_spelling_and_the_ip(adherent, mutuelle):
    assert mutuelle.seuil_verrouillage == 3
    assert _post(Client(), adherent.numero, "mauvais 1", REMOTE_ADDR="10.0.0.1").status_code == 200
    assert _post(Client(), _spaced(adherent.nir, 2), "mauvais 2", REMOTE_ADDR="10.0.0.2").status_code == 200
    third = _post(Client(), _spaced(adherent.numero, 2, ".").lower(), "mauvais 3", REMOTE_ADDR="10.0.0.3")
    assert third.status_code == 429
    page = third.content.decode()
    assert "Compte temporairement verrouillé" in page
    assert mutuelle.telephone in page and "nouveau mot de passe" in page
    # Even the right password is refused now, from anywhere, under any spelling.
    for identifiant in (adherent.numero, adherent.nir, adherent.nir[:13]):
        refused = _post(Client(), identifiant, TEST_PASSWORD, REMOTE_ADDR="10.9.9.9")
        assert refused.status_code == 429
    assert AuditLog.objects.filter(action="accounts.login.locked").exists()


def test_the_lockout_ends_after_the_configured_time_and_failures_meanwhile_do_not_extend_it(adherent, mutuelle):
    start = timezone.now()
    with time_machine.travel(start, tick=False) as traveller:
        for n in range(3):
            _post(Client(), adherent.numero, f"mauvais {n}")
        traveller.move_to(start + timedelta(minutes=20))
        assert _post(Client(), adherent.numero, "encore faux").status_code == 429  # not counted
        page = _post(Client(), adherent.numero, TEST_PASSWORD)
        assert page.status_code == 429
        until = timezone.localtime(start + timedelta(minutes=30))
        assert (
            f"jusqu&#x27;à {until:%H:%M}" in page.content.decode() or f"jusqu'à {until:%H:%M}" in page.content.decode()
        )
        traveller.move_to(start + timedelta(minutes=30, seconds=5))
        assert _post(Client(), adherent.numero, TEST_PASSWORD).status_code == 302


def test_an_unknown_identifier_locks_like_a_known_one(db, mutuelle):
    answers = [_post(Client(), "99999997", f"mauvais {n}") for n in range(3)]
    assert [r.status_code for r in answers] == [200, 200, 429]


def test_the_lockout_threshold_and_duration_are_the_mutuelles(adherent, mutuelle):
    mutuelle.seuil_verrouillage = 5
    mutuelle.save()
    answers = [_post(Client(), adherent.numero, f"mauvais {n}").status_code for n in range(5)]
    assert answers == [200, 200, 200, 200, 429]


def test_csrf_is_enforced_on_the_login_form(adherent):
    client = Client(enforce_csrf_checks=True)
    assert _post(client, adherent.numero, TEST_PASSWORD).status_code == 403
    client.get(URL)
    token = client.cookies["csrftoken"].value
    ok = client.post(URL, {"identifiant": adherent.numero, "secret": TEST_PASSWORD, "csrfmiddlewaretoken": token})
    assert ok.status_code == 302


OPEN_REDIRECTS = [
    "https://evil.example/",
    "//evil.example/",
    "///evil.example/",
    "\\\\evil.example",
    "/\\evil.example",
    "https:evil.example",
    "javascript:alert(1)",
    "http://testserver@evil.example/",
    " //evil.example",
    "\t//evil.example",
    "/%2F%2Fevil.example",
    "data:text/html,<script>alert(1)</script>",
]


@pytest.mark.parametrize("suite", OPEN_REDIRECTS)
def test_next_never_leaves_the_site(adherent, suite):
    response = Client().post(URL + "?next=" + suite, {"identifiant": adherent.numero, "secret": TEST_PASSWORD})
    assert response.status_code == 302
    location = response["Location"]
    assert location.startswith("/") and not location.startswith("//") and "evil" not in location.split("?")[0][:30]


def test_next_within_the_site_is_followed(adherent):
    response = Client().post(URL + "?next=/sante/", {"identifiant": adherent.numero, "secret": TEST_PASSWORD})
    assert response["Location"] == "/sante/"


def test_every_authentication_event_is_audited_without_the_nir(adherent):
    _post(Client(), adherent.nir, "mauvais", REMOTE_ADDR="10.1.2.3", HTTP_USER_AGENT="Navigateur de test")
    client = Client()
    _post(client, adherent.nir, TEST_PASSWORD, REMOTE_ADDR="10.1.2.4")
    client.post("/connexion/deconnexion/")
    failed = AuditLog.objects.get(action="accounts.login.failed")
    assert (failed.ip, failed.user_agent, failed.cible_id) == ("10.1.2.3", "Navigateur de test", str(adherent.user.pk))
    assert AuditLog.objects.filter(action="accounts.login.succeeded", ip="10.1.2.4").exists()
    assert AuditLog.objects.filter(action="accounts.login.logged_out").exists()
    for row in AuditLog.objects.all():
        blob = " ".join(str(v) for v in (row.message, row.ancienne_valeur, row.nouvelle_valeur, row.cible_libelle))
        assert adherent.nir not in blob and adherent.nir[:13] not in blob
        assert TEST_PASSWORD not in blob


def test_the_lockout_records_keep_no_secret_and_no_nir(adherent):
    from axes.models import AccessAttempt

    for n in range(3):
        _post(Client(), adherent.nir, f"secret-{n}-à-ne-pas-garder")
    for attempt in AccessAttempt.objects.all():
        blob = f"{attempt.username} {attempt.get_data} {attempt.post_data}"
        assert "secret-" not in blob and adherent.nir[:13] not in blob
        assert attempt.username == f"compte:{adherent.user.pk}"


def test_an_idle_session_ends_after_15_minutes(adherent):
    client = Client()
    start = timezone.now()
    with time_machine.travel(start, tick=False) as traveller:
        _post(client, adherent.numero, TEST_PASSWORD)
        traveller.move_to(start + timedelta(minutes=14))
        client.get("/")
        assert client.session.get("_auth_user_id") == str(adherent.user.pk)
        traveller.move_to(start + timedelta(minutes=30))
        client.get("/")
        assert client.session.get("_auth_user_id") is None


def test_staff_log_in_with_their_username_on_the_same_page(gestionnaire):
    client = Client()
    response = _post(client, gestionnaire.username, TEST_PASSWORD)
    # The password is right; the session opens after the second factor (test_second_facteur.py).
    assert response.status_code == 302 and response["Location"] == "/connexion/second-facteur/"
    assert "_connexion_en_attente" in client.session


def test_staff_usernames_lock_on_their_own_account(gestionnaire, mutuelle):
    """django-axes hands the username over under the form's field name: it must still name the account."""
    for _ in range(3):
        _post(Client(), gestionnaire.username, "mauvais")
    assert _post(Client(), gestionnaire.username, TEST_PASSWORD).status_code == 429


@pytest.mark.parametrize("username", ["gestionnaire-b", "administrateur", "jean.dupont.2"])
def test_a_username_is_never_mistaken_for_a_nir(username):
    from mutuelle.accounts.identifiants import est_identifiant_adherent

    assert not est_identifiant_adherent(username)
    assert est_identifiant_adherent("2 82 03 2A 990 002") and est_identifiant_adherent("1000 0017")
