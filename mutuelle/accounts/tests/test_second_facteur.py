"""Second factor: mandatory for staff and brokers, optional for members; recovery codes; trusted
browsers; the access-code policy's emailed code on a new browser."""

from __future__ import annotations

import re
from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django.core import mail
from django.test import Client
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from mutuelle.accounts.appareils import COOKIE
from mutuelle.accounts.models import Appareil, CodeSecours
from mutuelle.core.models import AuditLog, PolitiqueConnexion
from tests.factories import TEST_PASSWORD, adherent_make, code_totp, connecter

pytestmark = [pytest.mark.django_db, pytest.mark.verrouillage]


def _login(client: Client, identifiant: str, secret: str = TEST_PASSWORD) -> Any:
    return client.post("/connexion/", {"identifiant": identifiant, "secret": secret})


def _totp_enrole(user: Any) -> TOTPDevice:
    device = TOTPDevice.objects.create(user=user, name="test", confirmed=True)
    return device


def _connecte(client: Client, user: Any) -> bool:
    return client.session.get("_auth_user_id") == str(user.pk)


# -- staff and brokers ------------------------------------------------------------------------------


def test_staff_without_a_second_factor_must_set_one_up_before_the_session_opens(gestionnaire, mutuelle):
    client = Client()
    response = _login(client, gestionnaire.username)
    assert response.status_code == 302 and response["Location"] == "/connexion/second-facteur/"
    assert not _connecte(client, gestionnaire)
    # Every page still treats them as a visitor.
    assert client.get("/gestion/remboursements/revue/").status_code == 302
    page = client.get("/connexion/second-facteur/")
    assert page.status_code == 200 and "<svg" in page.content.decode()
    device = TOTPDevice.objects.get(user=gestionnaire, confirmed=False)
    assert client.post("/connexion/second-facteur/", {"code": "000000"}).status_code == 400
    # django-otp makes each failure cost a growing delay (1 s after the first).
    assert client.post("/connexion/second-facteur/", {"code": code_totp(device)}).status_code == 400
    with time_machine.travel(timezone.now() + timedelta(seconds=3), tick=False):
        response = client.post("/connexion/second-facteur/", {"code": code_totp(device)})
    assert response.status_code == 302 and response["Location"].startswith("/compte/codes-de-secours/")
    assert _connecte(client, gestionnaire)
    codes = re.findall(r"<code>([a-z0-9]{5}-[a-z0-9]{5})</code>", client.get(response["Location"]).content.decode())
    assert len(codes) == 10
    # Shown once only.
    assert "<code>" not in client.get("/compte/codes-de-secours/", follow=True).content.decode()
    assert CodeSecours.objects.filter(user=gestionnaire).count() == 10
    assert all(c not in row.empreinte for row in CodeSecours.objects.all() for c in codes)  # hashed
    assert AuditLog.objects.filter(action="accounts.mfa.totp.enrolled", cible_id=str(gestionnaire.pk)).exists()


def test_the_first_enrolment_is_announced_to_the_accounts_address(
    gestionnaire, mutuelle, django_capture_on_commit_callbacks
):
    client = Client()
    _login(client, gestionnaire.username)
    client.get("/connexion/second-facteur/")
    device = TOTPDevice.objects.get(user=gestionnaire, confirmed=False)
    mail.outbox.clear()
    with time_machine.travel(timezone.now(), tick=False), django_capture_on_commit_callbacks(execute=True):
        assert client.post("/connexion/second-facteur/", {"code": code_totp(device)}).status_code == 302
    (annonce,) = mail.outbox
    assert annonce.to == [gestionnaire.email]
    assert "second facteur" in annonce.subject and "application d'authentification" in annonce.body


@pytest.mark.parametrize("role", ["administrateur", "gestionnaire", "courtier"])
def test_the_password_alone_never_enrols_a_new_app_on_an_account_that_has_one(role, mutuelle):
    """The attack: the password of an account with an app, then the enrolment page in the same
    session, then a code of the attacker's new key. Refused at every step, the owner's app kept."""
    from tests.factories import UserFactory

    victime = UserFactory(
        username=f"victime-{role}", role=role, is_staff=role != "courtier", is_superuser=role == "administrateur"
    )
    device = _totp_enrole(victime)
    attaquant = Client()
    assert _login(attaquant, victime.username)["Location"] == "/connexion/verification/"
    page = attaquant.get("/connexion/second-facteur/")
    assert page.status_code == 302 and page["Location"] == "/connexion/verification/"
    assert not TOTPDevice.objects.filter(user=victime, confirmed=False).exists()  # no new key was shown
    # Even with a key prepared by some other path, the POST enrols nothing and opens nothing.
    cle_attaquant = TOTPDevice.objects.create(user=victime, name="attaquant", confirmed=False)
    reponse = attaquant.post("/connexion/second-facteur/", {"code": code_totp(cle_attaquant)})
    assert reponse.status_code == 302 and reponse["Location"] == "/connexion/verification/"
    assert not _connecte(attaquant, victime)
    assert attaquant.get("/admin/").status_code == 302
    assert list(TOTPDevice.objects.filter(user=victime, confirmed=True)) == [device]
    assert not CodeSecours.objects.filter(user=victime).exists()
    assert AuditLog.objects.filter(action="accounts.mfa.totp.enrolment_refused", cible_id=str(victime.pk)).exists()
    assert not AuditLog.objects.filter(action="accounts.mfa.totp.enrolled").exists()
    # The owner still logs in with their own app.
    proprietaire = Client()
    _login(proprietaire, victime.username)
    assert proprietaire.post("/connexion/verification/", {"code": code_totp(device)}).status_code == 302
    assert _connecte(proprietaire, victime)


def test_a_passkey_counts_as_a_factor_the_password_cannot_replace(gestionnaire, mutuelle):
    from mutuelle.accounts.models import CleAcces

    CleAcces.objects.create(
        user=gestionnaire, nom="clé", credential_id=b"x", credential_id_b64="eA", cle_publique=b"k", compteur=0
    )
    attaquant = Client()
    assert _login(attaquant, gestionnaire.username)["Location"] == "/connexion/verification/"
    assert attaquant.get("/connexion/second-facteur/")["Location"] == "/connexion/verification/"


def test_the_enrolment_service_never_replaces_a_confirmed_app_unless_told(
    gestionnaire, mutuelle, django_capture_on_commit_callbacks
):
    from mutuelle.accounts.second_facteur import FacteurDejaEnPlace, totp_confirmer, totp_preparer

    device = _totp_enrole(gestionnaire)
    nouveau = totp_preparer(gestionnaire)
    with pytest.raises(FacteurDejaEnPlace):
        totp_confirmer(user=gestionnaire, code=code_totp(nouveau))
    assert list(TOTPDevice.objects.filter(user=gestionnaire, confirmed=True)) == [device]
    # The security page (full login, then the current app's code at the re-authentication) replaces it.
    mail.outbox.clear()
    with time_machine.travel(timezone.now(), tick=False), django_capture_on_commit_callbacks(execute=True):
        assert totp_confirmer(user=gestionnaire, code=code_totp(nouveau), remplacer=True) is not None
    assert list(TOTPDevice.objects.filter(user=gestionnaire, confirmed=True)) == [nouveau]
    (annonce,) = mail.outbox
    assert "en remplacement" in annonce.body


def test_staff_log_in_with_the_code_of_their_app_and_never_twice_the_same_code(gestionnaire, mutuelle):
    device = _totp_enrole(gestionnaire)
    client = Client()
    assert _login(client, gestionnaire.username)["Location"] == "/connexion/verification/"
    assert not _connecte(client, gestionnaire)
    code = code_totp(device)
    assert client.post("/connexion/verification/", {"code": code})["Location"] == "/gestion/"
    assert _connecte(client, gestionnaire)
    # The same code cannot open a second session (replay).
    other = Client()
    _login(other, gestionnaire.username)
    assert other.post("/connexion/verification/", {"code": code}).status_code == 400
    assert not _connecte(other, gestionnaire)


def test_a_recovery_code_works_once(gestionnaire, mutuelle):
    from mutuelle.accounts.second_facteur import codes_secours_generer

    _totp_enrole(gestionnaire)
    codes = codes_secours_generer(user=gestionnaire)
    client = Client()
    _login(client, gestionnaire.username)
    assert client.post("/connexion/verification/", {"code": codes[0].upper()}).status_code == 302
    assert _connecte(client, gestionnaire)
    again = Client()
    _login(again, gestionnaire.username)
    assert again.post("/connexion/verification/", {"code": codes[0]}).status_code == 400
    assert AuditLog.objects.filter(action="accounts.mfa.recovery_code.used").count() == 1


def test_wrong_second_factor_codes_lock_the_account_like_wrong_passwords(gestionnaire, mutuelle):
    device = _totp_enrole(gestionnaire)
    client = Client()
    _login(client, gestionnaire.username)
    assert client.post("/connexion/verification/", {"code": "111111"}).status_code == 400
    assert client.post("/connexion/verification/", {"code": "222222"}).status_code == 400
    third = client.post("/connexion/verification/", {"code": "333333"})
    assert third.status_code == 429 and "Compte temporairement verrouillé" in third.content.decode()
    # Even the right password and code are refused now.
    fresh = Client()
    assert _login(fresh, gestionnaire.username).status_code == 429
    with time_machine.travel(timezone.now() + timedelta(minutes=31), tick=False):
        fresh = Client()
        _login(fresh, gestionnaire.username)
        assert fresh.post("/connexion/verification/", {"code": code_totp(device)}).status_code == 302


def test_a_staff_session_opened_without_the_second_step_ends_at_the_next_request(gestionnaire, mutuelle):
    client = Client()
    client.force_login(gestionnaire)  # no second factor recorded in the session
    assert client.get("/gestion/remboursements/revue/").status_code == 302
    assert client.session.get("_auth_user_id") is None
    assert connecter(Client(), gestionnaire).get("/gestion/remboursements/revue/").status_code == 200


def test_a_broker_needs_a_second_factor_too(courtier, mutuelle):
    client = Client()
    assert _login(client, courtier.user.username)["Location"] == "/connexion/second-facteur/"
    assert not _connecte(client, courtier.user)


def test_the_admin_has_no_login_page_of_its_own(mutuelle):
    response = Client().get("/admin/login/?next=/admin/")
    assert response.status_code == 302 and response["Location"] == "/connexion/?next=/admin/"


def test_staff_cannot_remove_their_last_second_factor(gestionnaire, mutuelle):
    _totp_enrole(gestionnaire)
    client = connecter(Client(), gestionnaire)
    _reauth(client)
    client.post("/compte/application/retirer/")
    assert TOTPDevice.objects.filter(user=gestionnaire, confirmed=True).exists()


# -- members --------------------------------------------------------------------------------------


def _reauth(client: Client, secret: str = TEST_PASSWORD) -> Any:
    return client.post("/compte/confirmer/", {"secret": secret, "suite": "/compte/securite/"})


def test_a_member_enrols_an_app_after_confirming_the_password_then_logs_in_with_it(adherent, mutuelle):
    client = Client()
    _login(client, adherent.numero)
    assert _connecte(client, adherent.user)
    # Just logged in: fresh enough. Five minutes later the password is asked again.
    session = client.session
    session["_reauthentifie_le"] -= 6 * 60
    session.save()
    response = client.get("/compte/application/")
    assert response.status_code == 302 and response["Location"].startswith("/compte/confirmer/")
    assert _reauth(client, "pas le bon").status_code == 400
    assert _reauth(client)["Location"] == "/compte/securite/"
    assert client.get("/compte/application/").status_code == 200
    device = TOTPDevice.objects.get(user=adherent.user, confirmed=False)
    assert client.post("/compte/application/", {"code": code_totp(device)})["Location"] == "/compte/codes-de-secours/"
    assert TOTPDevice.objects.filter(user=adherent.user, confirmed=True).count() == 1
    # The next login asks for the code; "trust this browser" lets the next one skip it.
    browser = Client()
    assert _login(browser, adherent.numero)["Location"] == "/connexion/verification/"
    # Trusting the browser is the person's choice: the box comes unticked.
    page = browser.get("/connexion/verification/").content.decode()
    case = page.split('name="confiance"', 1)[1].split(">", 1)[0]
    assert 'type="checkbox"' in page and "checked" not in case
    assert (
        browser.post("/connexion/verification/", {"code": code_totp(device, decalage=1), "confiance": "on"}).status_code
        == 302
    )
    browser.post("/connexion/deconnexion/")
    assert _login(browser, adherent.numero)["Location"] == "/espace/"
    # Revoking the browser from another session makes it ask again.
    appareil = Appareil.objects.get(user=adherent.user, de_confiance_le__isnull=False)
    client.post(f"/compte/appareils/{appareil.pk}/retirer/")
    browser.post("/connexion/deconnexion/")
    assert _login(browser, adherent.numero)["Location"] == "/connexion/verification/"


def test_a_member_cannot_revoke_another_members_browser(adherent, autre_adherent, mutuelle):
    _login(Client(), autre_adherent.numero)
    appareil = Appareil.objects.get(user=autre_adherent.user)
    client = connecter(Client(), adherent.user)
    client.post(f"/compte/appareils/{appareil.pk}/retirer/")
    appareil.refresh_from_db()
    assert appareil.revoque_le is None


def test_a_login_from_a_new_browser_is_emailed_but_not_the_first_one(
    adherent, mutuelle, django_capture_on_commit_callbacks
):
    first = Client()
    _login(first, adherent.numero)
    assert not [m for m in mail.outbox if "nouvelle connexion" in m.subject]
    first.post("/connexion/deconnexion/")
    _login(first, adherent.numero)  # same browser: nothing
    assert not [m for m in mail.outbox if "nouvelle connexion" in m.subject]
    with django_capture_on_commit_callbacks(execute=True):
        _login(Client(HTTP_USER_AGENT="Mozilla/5.0 (Windows NT 10.0) Firefox/130.0"), adherent.numero)
    emails = [m for m in mail.outbox if "nouvelle connexion" in m.subject]
    assert len(emails) == 1 and emails[0].to == [adherent.email]
    assert "Firefox sur Windows" in emails[0].body and adherent.nir not in emails[0].body


# -- the access-code policy --------------------------------------------------------------------------


@pytest.fixture
def politique_code(mutuelle):
    mutuelle.politique_connexion = PolitiqueConnexion.NIR_CODE
    mutuelle.save()
    return mutuelle


CODE = "739124"


def _membre_avec_code(**kwargs: Any) -> Any:
    adherent = adherent_make(**kwargs)
    assert adherent.user is not None
    adherent.user.set_password(CODE)
    adherent.user.is_active = True
    adherent.user.save()
    return adherent


def _code_email() -> str:
    corps = [m for m in mail.outbox if "code de connexion" in m.subject][-1].body
    found = re.search(r"\b(\d{6})\b", str(corps))
    assert found
    return found.group(1)


def test_the_access_code_opens_a_new_browser_only_with_the_code_emailed(politique_code):
    adherent = _membre_avec_code(email="lucie.perrin@test.example")
    client = Client()
    page = client.get("/connexion/").content.decode()
    assert "Code d&#x27;accès à 6 chiffres" in page and "Numéro de sécurité sociale" in page
    secret = page.split('name="secret"', 1)[1].split(">", 1)[0]
    assert 'inputmode="numeric"' in secret and 'type="password"' in page.split('name="secret"', 1)[0][-120:] + secret
    # The label says NIR: the member number is refused, saying what to type, and counts no failure.
    refus = _login(client, adherent.numero, CODE)
    assert refus.status_code == 400
    assert "pas votre numéro d&#x27;adhérent" in refus.content.decode()
    assert not _connecte(client, adherent.user)
    response = _login(client, adherent.nir, CODE)
    assert response["Location"] == "/connexion/verification/"
    assert not _connecte(client, adherent.user)
    code = _code_email()
    assert code not in str(client.session.items())  # only its HMAC is kept
    wrong = "000000" if code != "000000" else "111111"
    assert client.post("/connexion/verification/", {"code": wrong}).status_code == 400
    assert client.post("/connexion/verification/", {"code": code, "confiance": "on"})["Location"] == "/espace/"
    assert COOKIE in client.cookies
    # The browser is trusted now: the code alone is enough on it, not on another one.
    client.post("/connexion/deconnexion/")
    assert _login(client, adherent.nir, CODE)["Location"] == "/espace/"
    other = Client()
    assert _login(other, adherent.nir, CODE)["Location"] == "/connexion/verification/"


def test_a_member_without_email_is_told_to_ask_for_a_letter(politique_code):
    adherent = _membre_avec_code(email="", sexe="1", prenom="Paul", nom="Roux")
    client = Client()
    assert _login(client, adherent.nir, CODE)["Location"] == "/connexion/verification/"
    page = client.get("/connexion/verification/").content.decode()
    assert "Recevoir un code par courrier" in page
    assert not _connecte(client, adherent.user)


@pytest.mark.parametrize("code", ["123456", "111111", "121212", "987654", "abc123", "12345", "123123"])
def test_weak_or_malformed_access_codes_are_refused(politique_code, code):
    from mutuelle.accounts.forms import CodeAccesForm

    adherent = _membre_avec_code()
    form = CodeAccesForm(adherent.user, {"new_password1": code, "new_password2": code})
    assert not form.is_valid()


def test_an_access_code_made_of_the_date_of_birth_is_refused(politique_code):
    from mutuelle.accounts.forms import CodeAccesForm

    adherent = _membre_avec_code()
    code = adherent.date_naissance.strftime("%d%m%y")
    form = CodeAccesForm(adherent.user, {"new_password1": code, "new_password2": code})
    assert not form.is_valid() and "date de naissance" in str(form.errors)


def test_a_link_used_to_set_the_code_trusts_that_browser(politique_code):
    from mutuelle.accounts.models import ObjetJeton
    from mutuelle.members.comptes import lien_envoyer

    adherent = adherent_make(email="nina.blanc@test.example", prenom="Nina", nom="Blanc")
    lien_envoyer(adherent=adherent, objet=ObjetJeton.ACTIVATION)
    url = re.search(r"(/connexion/activer/\S+/)", mail.outbox[-1].body)
    assert url
    client = Client()
    page = client.get(url.group(1)).content.decode()
    assert "code d&#x27;accès" in page.lower()
    assert client.post(url.group(1), {"new_password1": "123456", "new_password2": "123456"}).status_code == 200
    assert client.post(url.group(1), {"new_password1": CODE, "new_password2": CODE}).status_code == 302
    assert _login(client, adherent.nir, CODE)["Location"] == "/espace/"


def _navigateur_de_confiance(adherent: Any) -> Client:
    client = Client()
    _login(client, adherent.nir, CODE)
    client.post("/connexion/verification/", {"code": _code_email(), "confiance": "on"})
    assert _connecte(client, adherent.user)
    client.post("/connexion/deconnexion/")
    return client


def test_a_new_secret_by_link_withdraws_the_trust_of_every_browser(politique_code):
    """A browser trusted with a stolen code must not keep skipping the second step after the member
    resets the code."""
    from mutuelle.accounts.models import ObjetJeton
    from mutuelle.members.comptes import lien_envoyer

    adherent = _membre_avec_code(email="remi.garnier@test.example", prenom="Rémi", nom="Garnier")
    intrus = _navigateur_de_confiance(adherent)
    assert _login(intrus, adherent.nir, CODE)["Location"] == "/espace/"
    intrus.post("/connexion/deconnexion/")
    lien_envoyer(adherent=adherent, objet=ObjetJeton.SECRET)
    url = re.search(r"(/connexion/nouveau-mot-de-passe/\S+/)", mail.outbox[-1].body)
    assert url
    membre = Client()
    nouveau = "481937"
    assert membre.post(url.group(1), {"new_password1": nouveau, "new_password2": nouveau}).status_code == 302
    assert _login(intrus, adherent.nir, nouveau)["Location"] == "/connexion/verification/"
    assert _login(membre, adherent.nir, nouveau)["Location"] == "/espace/"  # the browser that set it


def test_a_passwordless_login_refuses_an_unknown_key_and_a_forged_signature(adherent, mutuelle):
    """The passkey alone opens a session only with a valid signature (checked in a real browser in
    ``tests/browser/test_second_facteur.py``); everything else is a failure, counted."""
    import json

    from axes.models import AccessAttempt

    from mutuelle.accounts.models import CleAcces

    client = Client()
    options = client.post("/connexion/cle/options/")
    assert options.status_code == 200
    corps = json.loads(options.content)
    assert corps["userVerification"] == "required" and corps.get("allowCredentials", []) == []
    assert client.get("/connexion/cle/options/").status_code == 405  # a POST: a prefetch makes no challenge
    faux = {"id": "inconnu", "rawId": "inconnu", "type": "public-key", "response": {}}
    reponse = client.post("/connexion/cle/", json.dumps(faux), content_type="application/json")
    assert reponse.status_code == 400 and "pas reconnue" in reponse.json()["erreur"]
    CleAcces.objects.create(
        user=adherent.user, nom="Téléphone", credential_id=b"k1", credential_id_b64="azE", cle_publique=b"x"
    )
    client.post("/connexion/cle/options/")
    forge = {**faux, "id": "azE", "rawId": "azE"}
    reponse = client.post("/connexion/cle/", json.dumps(forge), content_type="application/json")
    assert reponse.status_code == 400
    assert AccessAttempt.objects.filter(username=f"compte:{adherent.user.pk}").exists()  # counted for the account
    assert "_auth_user_id" not in client.session


def test_a_malformed_passkey_answer_at_the_second_step_is_refused_not_a_server_error(gestionnaire, mutuelle):
    import json

    from mutuelle.accounts.models import CleAcces

    CleAcces.objects.create(user=gestionnaire, nom="clé", credential_id=b"x", credential_id_b64="eA", cle_publique=b"k")
    client = Client()
    _login(client, gestionnaire.username)
    client.post("/connexion/verification/cle/options/")
    corps = json.dumps({"id": "eA", "rawId": "eA", "type": "public-key", "response": {}})
    reponse = client.post("/connexion/verification/cle/", corps, content_type="application/json")
    assert reponse.status_code == 400 and "pas été reconnue" in reponse.json()["erreur"]
