"""The firm's administrator manages the firm's brokers; brokers log in at their own entry point with
a second factor and land on their portfolio."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.core import mail
from django.test import Client
from django_otp.plugins.otp_totp.models import TOTPDevice

from mutuelle.accounts.models import JetonCompte, Role, User
from mutuelle.brokers.models import Courtier
from mutuelle.core.models import AuditLog
from tests.factories import TEST_PASSWORD, code_totp, connecter

pytestmark = pytest.mark.django_db


def test_the_broker_entry_point_asks_for_the_second_factor_and_lands_on_the_portfolio(
    courtier: Any, client_du_courtier: Any
) -> None:
    device = TOTPDevice.objects.create(user=courtier.user, name="test", confirmed=True)
    client = Client()
    page = client.get("/courtier/connexion/").content.decode()
    assert "Espace courtier" in page and "Première connexion" not in page
    response = client.post("/courtier/connexion/", {"identifiant": courtier.user.username, "secret": TEST_PASSWORD})
    assert response["Location"] == "/connexion/verification/"
    assert client.get("/courtier/portefeuille/").status_code == 302  # not logged in yet
    response = client.post("/connexion/verification/", {"code": code_totp(device)})
    assert response["Location"] == "/courtier/"
    assert "Roussel" in client.get("/courtier/portefeuille/").content.decode()
    assert client.get("/").url == "/courtier/"  # type: ignore[attr-defined]


def test_an_administrator_invites_a_broker_who_activates_the_access(
    session_courtier: Client, courtier: Any, mutuelle: Any
) -> None:
    response = session_courtier.post(
        "/courtier/cabinet/", {"prenom": "Jeanne", "nom": "Roy", "email": "Jeanne.Roy@courtage.example"}
    )
    assert response.status_code == 302
    nouveau = Courtier.objects.get(user__email="jeanne.roy@courtage.example")
    assert nouveau.cabinet == courtier.cabinet and not nouveau.administrateur_cabinet
    assert nouveau.user.role == Role.COURTIER and not nouveau.user.is_active and not nouveau.user.has_usable_password()
    lien = re.search(r"https?://\S+/connexion/activer/\S+/", str(mail.outbox[-1].body))
    assert lien is not None and mail.outbox[-1].to == ["jeanne.roy@courtage.example"]
    chemin = lien.group(0).split("://", 1)[1].split("/", 1)[1]
    client = Client()
    response = client.post(
        f"/{chemin}", {"new_password1": "Un-secret-de-courtier-2026", "new_password2": "Un-secret-de-courtier-2026"}
    )
    assert response.status_code == 302
    nouveau.user.refresh_from_db()
    assert nouveau.user.is_active
    # First login: the second factor is set up before anything else.
    response = client.post(
        "/courtier/connexion/", {"identifiant": "jeanne.roy@courtage.example", "secret": "Un-secret-de-courtier-2026"}
    )
    assert response["Location"] == "/connexion/second-facteur/"
    # The same email cannot be invited twice.
    response = session_courtier.post(
        "/courtier/cabinet/", {"prenom": "J", "nom": "R", "email": "jeanne.roy@courtage.example"}
    )
    assert response.status_code == 400 and "existe déjà" in response.content.decode()


def test_closing_a_brokers_access_ends_their_sessions_and_links(
    session_courtier: Client, collegue: Any, client_du_collegue: Any
) -> None:
    session = connecter(Client(), collegue.user)
    assert session.get("/courtier/portefeuille/").status_code == 200
    JetonCompte.objects.create(user=collegue.user, objet="secret", empreinte="x" * 64, expire_le="2099-01-01T00:00Z")
    response = session_courtier.post(f"/courtier/cabinet/{collegue.pk}/acces/", {"actif": "0"})
    assert response.status_code == 302
    collegue.user.refresh_from_db()
    assert not collegue.user.is_active
    assert session.get("/courtier/portefeuille/").status_code == 302  # logged out
    assert not JetonCompte.objects.filter(user=collegue.user, annule_le__isnull=True).exists()
    assert AuditLog.objects.filter(action="brokers.courtier.closed").exists()
    # The contracts stay in the firm's portfolio.
    assert "Garnier" in session_courtier.get("/courtier/portefeuille/").content.decode()
    # Reopened, the broker may log in again.
    session_courtier.post(f"/courtier/cabinet/{collegue.pk}/acces/", {"actif": "1"})
    collegue.user.refresh_from_db()
    assert collegue.user.is_active


def test_only_the_administrator_manages_and_only_the_firms_brokers(
    session_courtier: Client, session_collegue: Client, autre_courtier: Any, collegue: Any, courtier: Any
) -> None:
    assert session_collegue.get("/courtier/cabinet/").status_code == 403
    assert session_collegue.post(f"/courtier/cabinet/{courtier.pk}/acces/", {"actif": "0"}).status_code == 403
    assert session_courtier.post(f"/courtier/cabinet/{autre_courtier.pk}/acces/", {"actif": "0"}).status_code == 404
    autre_courtier.user.refresh_from_db()
    assert autre_courtier.user.is_active
    # An administrator cannot lock themself out.
    session_courtier.post(f"/courtier/cabinet/{courtier.pk}/acces/", {"actif": "0"})
    courtier.user.refresh_from_db()
    assert courtier.user.is_active
    page = session_courtier.get("/courtier/cabinet/").content.decode()
    assert collegue.user.get_full_name() in page and autre_courtier.user.get_full_name() not in page


def test_a_new_password_link_for_a_broker_keeps_the_second_factor(
    session_courtier: Client, collegue: Any, mutuelle: Any
) -> None:
    session_courtier.post(f"/courtier/cabinet/{collegue.pk}/acces/", {"renvoyer": "1"})
    assert "nouveau mot de passe" in mail.outbox[-1].body and mail.outbox[-1].to == [collegue.user.email]
    assert JetonCompte.objects.filter(user=collegue.user, objet="secret", annule_le__isnull=True).count() == 1
    assert User.objects.get(pk=collegue.user.pk).is_active


def test_a_broker_reaches_their_own_account_security_page(session_courtier: Client, mutuelle: Any) -> None:
    assert session_courtier.get("/compte/securite/").status_code == 200
