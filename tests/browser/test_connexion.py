"""A member activates their space from the emailed link, logs in, gets locked out, and resets the
password by email, in a real browser."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from playwright.sync_api import expect

from tests.browser.conftest import screenshot
from tests.factories import adherent_make

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True), pytest.mark.verrouillage]

PHRASE = "trois mots bien choisis pour moi"


def _lien() -> str:
    match = re.search(r"https?://\S+", str(mail.outbox[-1].body))
    assert match
    return match.group(0)


def _connexion(page, identifiant: str, secret: str) -> None:
    page.goto("/connexion/")
    page.get_by_label("Numéro d'adhérent ou numéro de sécurité sociale").fill(identifiant)
    page.get_by_label("Mot de passe").fill(secret)
    page.get_by_role("button", name="Se connecter").click()


def test_activation_by_email_link_then_login(page, live_server, mutuelle, settings):
    settings.MUTUELLE_BASE_URL = live_server.url
    adherent = adherent_make(prenom="Inès", nom="Garnier", email="ines.garnier@test.example")
    page.goto("/connexion/")
    screenshot(page, "connexion")
    page.get_by_role("link", name="Première connexion : activer mon espace").click()
    page.get_by_label("Numéro d'adhérent ou numéro de sécurité sociale").fill(adherent.numero)
    page.get_by_label("Date de naissance").fill(adherent.date_naissance.isoformat())
    page.get_by_label("4 derniers chiffres").fill(adherent.nir[-4:])
    page.get_by_label("Code postal").fill(adherent.code_postal)
    page.get_by_role("button", name="Vérifier mon identité").click()
    assert "Nous venons d'envoyer un lien" in page.locator("main").inner_text()
    page.goto(_lien())
    page.get_by_label("Nouveau mot de passe").fill(PHRASE)
    page.get_by_label("Confirmez le mot de passe").fill(PHRASE)
    page.get_by_role("button", name="Enregistrer").click()
    assert "Votre espace est activé" in page.locator("main").inner_text()
    _connexion(page, " ".join(adherent.nir[i : i + 2] for i in range(0, 15, 2)), PHRASE)
    expect(page.get_by_role("button", name="Se déconnecter")).to_be_visible()


def test_lockout_on_the_third_failure_then_reset_by_email(page, live_server, adherent, settings):
    settings.MUTUELLE_BASE_URL = live_server.url
    for n in range(3):
        _connexion(page, adherent.numero, f"pas le bon {n}")
    text = page.locator("main").inner_text()
    assert "Compte temporairement verrouillé" in text and "jusqu'à" in text
    screenshot(page, "connexion-verrouillee")
    page.get_by_role("link", name="ou choisissez un nouveau mot de passe").click()
    page.get_by_label("Numéro d'adhérent ou numéro de sécurité sociale").fill(adherent.numero)
    page.get_by_role("button", name="Recevoir un lien ou un code").click()
    assert "Demande enregistrée" in page.locator("h1").inner_text()
    page.goto(_lien())
    page.get_by_label("Nouveau mot de passe").fill(PHRASE)
    page.get_by_label("Confirmez le mot de passe").fill(PHRASE)
    page.get_by_role("button", name="Enregistrer").click()
    _connexion(page, adherent.numero, PHRASE)
    expect(page.get_by_role("button", name="Se déconnecter")).to_be_visible()
