"""Second factors in a real browser: a member enrols an authenticator app, then a passkey (Chromium's
virtual authenticator), and logs in with each; a handler must set one up at first login; the
access-code policy asks for an emailed code on a new browser."""

from __future__ import annotations

import re
from base64 import b32encode
from typing import Any

import pytest
from django.core import mail
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from mutuelle.accounts.models import CleAcces
from mutuelle.core.models import AuditLog, PolitiqueConnexion
from tests.browser.conftest import axe_violations, screenshot
from tests.factories import TEST_PASSWORD, adherent_make, code_totp

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True), pytest.mark.verrouillage]

CHAMP_APP = "Code à 6 chiffres de l'application, ou un code de secours"


def _connexion(page: Any, identifiant: str, secret: str = TEST_PASSWORD, *, code: bool = False) -> None:
    page.goto("/connexion/")
    page.get_by_label("Numéro de sécurité sociale" if code else "Numéro d'adhérent ou numéro de sécurité sociale").fill(
        identifiant
    )
    page.get_by_label("Code d'accès à 6 chiffres" if code else "Mot de passe").fill(secret)
    page.get_by_role("button", name="Se connecter").click()


def _deconnexion(page: Any) -> None:
    page.get_by_role("button", name="Se déconnecter").click()


def test_a_member_enrols_an_authenticator_app_and_logs_in_with_it(page, live_server, adherent, settings):
    settings.MUTUELLE_BASE_URL = live_server.url
    _connexion(page, adherent.numero)
    page.get_by_role("link", name="Sécurité").click()
    expect(page.get_by_role("heading", name="Sécurité de mon compte")).to_be_visible()
    assert not axe_violations(page)
    screenshot(page, "securite")
    page.get_by_role("link", name="Activer une application d'authentification").click()
    expect(page.locator(".qr svg")).to_be_visible()
    secret = page.locator(".secret-totp").inner_text()
    device = TOTPDevice.objects.get(user=adherent.user, confirmed=False)
    assert secret.replace(" ", "") == b32encode(device.bin_key).decode().rstrip("=")  # for apps that cannot scan
    screenshot(page, "totp-activation")
    page.get_by_label("Code à 6 chiffres affiché par l'application").fill(code_totp(device))
    page.get_by_role("button", name="Activer").click()
    codes = re.findall(r"[a-z0-9]{5}-[a-z0-9]{5}", page.locator(".codes-secours").inner_text())
    assert len(codes) == 10
    page.get_by_role("link", name="J'ai noté mes codes, continuer").click()
    assert "Activée." in page.locator("main").inner_text()
    _deconnexion(page)
    _connexion(page, adherent.numero)
    expect(page.get_by_role("heading", name="Encore une étape")).to_be_visible()
    page.get_by_label(CHAMP_APP).fill("000000")
    page.get_by_role("button", name="Valider").click()
    assert "Ce code ne convient pas" in page.locator("main").inner_text()
    page.get_by_label(CHAMP_APP).fill(codes[0])  # a recovery code
    page.get_by_role("button", name="Valider").click()
    assert page.url.endswith("/espace/")


def test_a_member_adds_a_passkey_and_logs_in_with_it(page, live_server, adherent, settings):
    settings.MUTUELLE_BASE_URL = live_server.url  # http://localhost:… : the passkeys' relying party
    cdp = page.context.new_cdp_session(page)
    cdp.send("WebAuthn.enable")
    cdp.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "internal",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
                "automaticPresenceSimulation": True,
            }
        },
    )
    _connexion(page, adherent.numero)
    page.goto("/compte/securite/")
    page.get_by_label("Nom de la nouvelle clé").fill("Ordinateur du salon")
    page.get_by_role("button", name="Ajouter une clé d'accès").click()
    page.wait_for_url("**/compte/codes-de-secours/")
    page.get_by_role("link", name="J'ai noté mes codes, continuer").click()
    assert "Ordinateur du salon" in page.locator("main").inner_text()
    cle = CleAcces.objects.get(user=adherent.user)
    assert cle.nom == "Ordinateur du salon"
    _deconnexion(page)
    _connexion(page, adherent.numero)
    page.get_by_role("button", name="Utiliser ma clé d'accès").click()
    page.wait_for_url("**/espace/")
    cle.refresh_from_db()
    assert cle.utilisee_le is not None
    # Passwordless: the key alone, from the login page (the authenticator checked its owner).
    _deconnexion(page)
    page.goto("/connexion/")
    assert not axe_violations(page)
    page.get_by_role("button", name="Connexion par clé d'accès").click()
    page.wait_for_url("**/espace/")
    assert AuditLog.objects.filter(
        action="accounts.login.second_factor_passed",
        acteur=adherent.user,
        nouvelle_valeur={"methode": "cle_acces_seule"},
    ).exists()


def test_a_handler_must_set_up_the_app_at_the_first_login(page, live_server, gestionnaire, mutuelle):
    _connexion(page, gestionnaire.username)
    expect(page.get_by_role("heading", name="Application d'authentification")).to_be_visible()
    assert "Le personnel de la mutuelle et les courtiers" in page.locator("main").inner_text()
    assert not axe_violations(page)
    screenshot(page, "totp-obligatoire")
    device = TOTPDevice.objects.get(user=gestionnaire, confirmed=False)
    page.get_by_label("Code à 6 chiffres affiché par l'application").fill(code_totp(device))
    page.get_by_role("button", name="Activer").click()
    assert page.locator(".codes-secours li").count() == 10
    page.get_by_role("link", name="J'ai noté mes codes, continuer").click()
    expect(page.get_by_role("link", name="Files de travail")).to_be_visible()


def test_the_access_code_policy_asks_for_an_emailed_code_on_a_new_browser(page, live_server, mutuelle, settings):
    settings.MUTUELLE_BASE_URL = live_server.url
    mutuelle.politique_connexion = PolitiqueConnexion.NIR_CODE
    mutuelle.save()
    adherent = adherent_make(prenom="Lucie", nom="Perrin", email="lucie.perrin@test.example")
    assert adherent.user is not None
    adherent.user.set_password("739124")
    adherent.user.is_active = True
    adherent.user.save()
    _connexion(page, " ".join(adherent.nir[i : i + 2] for i in range(0, 15, 2)), "739124", code=True)
    assert "Ce navigateur n'est pas encore reconnu" in page.locator("main").inner_text()
    screenshot(page, "code-acces-verification")
    found = re.search(r"\b(\d{6})\b", str(mail.outbox[-1].body))
    assert found
    page.get_by_label("Code à 6 chiffres reçu par email").fill(found.group(1))
    confiance = page.get_by_label("Faire confiance à ce navigateur (ne pas l'utiliser sur un ordinateur partagé)")
    assert not confiance.is_checked()  # trusting a browser is the person's choice
    confiance.check()
    page.get_by_role("button", name="Valider").click()
    page.wait_for_url("**/espace/")
    _deconnexion(page)
    _connexion(page, adherent.nir, "739124", code=True)  # this browser is trusted now
    page.wait_for_url("**/espace/")
