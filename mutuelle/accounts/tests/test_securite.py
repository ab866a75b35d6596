"""“Sécurité de mon compte”: sessions, recent logins, password and email changes; per-IP throttling;
the letters-to-print queue of the back office."""

from __future__ import annotations

import io
import re
import time
from datetime import date
from typing import Any

import pytest
from django.core import mail
from django.test import Client, RequestFactory
from django.utils import timezone

from mutuelle.accounts.appareils import COOKIE, appareil_de
from mutuelle.accounts.models import Courrier, StatutCourrier, TypeCourrier
from mutuelle.core.models import AuditLog
from mutuelle.members.comptes import courrier_creer
from tests.factories import TEST_PASSWORD, adherent_make, connecter

pytestmark = [pytest.mark.django_db, pytest.mark.verrouillage]

NOUVEAU = "une autre phrase de passe bien longue"


def _login(client: Client, identifiant: str, secret: str = TEST_PASSWORD, **extra: Any) -> Any:
    return client.post("/connexion/", {"identifiant": identifiant, "secret": secret}, **extra)


def _connecte(client: Client, user: Any) -> bool:
    client.get("/espace/")
    return client.session.get("_auth_user_id") == str(user.pk)


def test_the_security_page_lists_sessions_browsers_and_recent_logins(adherent, mutuelle):
    ici = Client(HTTP_USER_AGENT="Mozilla/5.0 (X11; Linux x86_64) Chrome/131.0 Safari/537.36")
    _login(Client(), adherent.numero, "mauvais")
    _login(ici, adherent.numero)
    page = ici.get("/compte/securite/")
    assert page.status_code == 200 and page["Cache-Control"].startswith("max-age=0")
    html = page.content.decode()
    assert "Chrome sur Linux" in html and "(cette session)" in html
    assert "Connexion réussie" in html and "Échec" in html
    assert adherent.nir not in html


def test_log_out_my_other_sessions_ends_them_all_but_this_one(adherent, mutuelle):
    ici, ailleurs, encore = Client(), Client(), Client()
    for client in (ici, ailleurs, encore):
        _login(client, adherent.numero)
    assert ici.post("/compte/sessions/fermer/").status_code == 302
    assert _connecte(ici, adherent.user)
    assert not _connecte(ailleurs, adherent.user) and not _connecte(encore, adherent.user)
    row = AuditLog.objects.get(action="accounts.sessions.revoked")
    assert row.nouvelle_valeur == {"sessions": 2}


def test_the_security_pages_need_a_login_and_csrf(adherent, mutuelle):
    assert Client().get("/compte/securite/")["Location"].startswith("/connexion/")
    client = Client(enforce_csrf_checks=True)
    connecter(client, adherent.user)
    assert client.post("/compte/sessions/fermer/").status_code == 403


def test_changing_the_password_asks_for_it_again_and_ends_the_other_sessions(
    adherent, mutuelle, django_capture_on_commit_callbacks
):
    ici, ailleurs = Client(), Client()
    _login(ici, adherent.numero)
    _login(ailleurs, adherent.numero)
    session = ici.session
    session["_reauthentifie_le"] = 0
    session.save()
    assert ici.get("/compte/secret/")["Location"].startswith("/compte/confirmer/")
    ici.post("/compte/confirmer/", {"secret": TEST_PASSWORD, "suite": "/compte/secret/"})
    assert ici.post("/compte/secret/", {"new_password1": "court", "new_password2": "court"}).status_code == 400
    with django_capture_on_commit_callbacks(execute=True):
        response = ici.post("/compte/secret/", {"new_password1": NOUVEAU, "new_password2": NOUVEAU})
    assert response["Location"] == "/compte/securite/"
    assert _connecte(ici, adherent.user)
    assert not _connecte(ailleurs, adherent.user)
    assert "mot de passe a été changé" in mail.outbox[-1].subject
    # The member's space says it too, without a second email.
    from mutuelle.notifications.models import Notification

    assert Notification.objects.filter(adherent=adherent, titre="Votre mot de passe a été changé").count() == 1
    assert sum("mot de passe a été changé" in m.subject for m in mail.outbox) == 1
    assert _login(Client(), adherent.numero, NOUVEAU).status_code == 302


def test_a_new_password_keeps_this_browser_trusted_and_no_other(adherent, mutuelle):
    from mutuelle.accounts.models import Appareil

    ici, ailleurs = Client(), Client()
    _login(ici, adherent.numero)
    _login(ailleurs, adherent.numero)
    Appareil.objects.filter(user=adherent.user).update(de_confiance_le=timezone.now())
    session = ici.session
    session["_reauthentifie_le"] = time.time()
    session.save()
    ici.post("/compte/secret/", {"new_password1": NOUVEAU, "new_password2": NOUVEAU})
    confiance = dict(Appareil.objects.filter(user=adherent.user).values_list("pk", "de_confiance_le"))
    assert sum(1 for v in confiance.values() if v is not None) == 1
    request = RequestFactory().get("/")
    request.COOKIES[COOKIE] = ici.cookies[COOKIE].value
    appareil = appareil_de(request, adherent.user)
    assert appareil is not None and appareil.de_confiance


def test_wrong_passwords_at_the_confirmation_count_towards_the_lockout(adherent, mutuelle):
    client = Client()
    _login(client, adherent.numero)
    assert client.post("/compte/confirmer/", {"secret": "non 1"}).status_code == 400
    assert client.post("/compte/confirmer/", {"secret": "non 2"}).status_code == 400
    assert client.post("/compte/confirmer/", {"secret": "non 3"}).status_code == 429
    assert _login(Client(), adherent.numero).status_code == 429


def test_a_new_email_is_confirmed_at_the_new_address_and_told_to_the_old_one(
    adherent, mutuelle, django_capture_on_commit_callbacks
):
    ancienne = adherent.email
    client = connecter(Client(), adherent.user)
    client.post("/compte/confirmer/", {"secret": TEST_PASSWORD})
    assert client.post("/compte/email/", {"email": "pas-une-adresse"}).status_code == 400
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post("/compte/email/", {"email": "camille.nouvelle@test.example"}).status_code == 302
    nouvelle, vieille = mail.outbox[-2], mail.outbox[-1]
    assert nouvelle.to == ["camille.nouvelle@test.example"] and vieille.to == [ancienne]
    assert "camille.nouvelle@test.example" not in vieille.body  # masked for the old address
    from mutuelle.notifications.models import Notification

    assert Notification.objects.filter(adherent=adherent, titre="Changement d'adresse email demandé").exists()
    adherent.refresh_from_db()
    assert adherent.email == ancienne  # nothing changes before the confirmation
    found = re.search(r"(/compte/email/confirmer/\S+/)", nouvelle.body)
    assert found
    lien = found.group(1)
    assert Client().get(lien).status_code == 200  # a mail scanner's GET confirms nothing
    adherent.refresh_from_db()
    assert adherent.email == ancienne
    assert Client().post(lien).status_code == 302
    adherent.refresh_from_db()
    assert adherent.email == "camille.nouvelle@test.example"
    assert Client().post(lien).status_code == 410  # single use
    row = AuditLog.objects.get(action="accounts.email.changed")
    assert "camille.nouvelle@test.example" not in str(row.nouvelle_valeur)


def test_one_address_trying_many_accounts_is_throttled_whatever_the_identifiers(adherent, mutuelle, settings):
    settings.MUTUELLE_LIMITE_IP = "5/10m"
    # Members behind one shared address (a company, a carrier) who succeed are never counted.
    for _ in range(8):
        assert _login(Client(), adherent.numero, TEST_PASSWORD, REMOTE_ADDR="203.0.113.9").status_code == 302
    # Failures are.
    for i in range(5):
        assert _login(Client(), f"1000000{i:02d}", "essai", REMOTE_ADDR="203.0.113.9").status_code == 200
    blocked = _login(Client(), adherent.numero, TEST_PASSWORD, REMOTE_ADDR="203.0.113.9")
    assert blocked.status_code == 429 and "Trop de tentatives" in blocked.content.decode()
    assert (
        Client().post("/connexion/mot-de-passe-oublie/", {"identifiant": "1"}, REMOTE_ADDR="203.0.113.9").status_code
        == 429
    )
    # Another address is not concerned.
    ailleurs = Client()
    assert _login(ailleurs, adherent.numero, TEST_PASSWORD, REMOTE_ADDR="198.51.100.7").status_code == 302
    # Re-authentication is a password check too.
    assert ailleurs.post("/compte/confirmer/", {"secret": "x"}, REMOTE_ADDR="203.0.113.9").status_code == 429
    assert AuditLog.objects.filter(action="accounts.ip.throttled").exists()


def test_recovery_requests_are_counted_each_in_their_own_group(adherent, mutuelle, settings):
    """The recovery form never fails (same answer whatever is typed): every request counts, per address."""
    settings.MUTUELLE_LIMITE_IP_OUBLI = "3/10m"
    for i in range(3):
        reponse = Client().post("/connexion/mot-de-passe-oublie/", {"identifiant": f"1{i}"}, REMOTE_ADDR="192.0.2.4")
        assert reponse.status_code != 429
    assert (
        Client().post("/connexion/mot-de-passe-oublie/", {"identifiant": "9"}, REMOTE_ADDR="192.0.2.4").status_code
        == 429
    )
    # It does not stop the members of that address from logging in.
    assert _login(Client(), adherent.numero, TEST_PASSWORD, REMOTE_ADDR="192.0.2.4").status_code == 302


# -- letters to print ------------------------------------------------------------------------------


@pytest.fixture
def courrier(mutuelle):
    adherent = adherent_make(prenom="Paul", nom="Roux", email="", sexe="1")
    return courrier_creer(adherent=adherent, type_courrier=TypeCourrier.ACTIVATION)


def test_a_handler_prints_a_batch_of_letters_as_one_pdf_then_the_pdfs_are_gone(gestionnaire, courrier):
    import os

    from pypdf import PdfReader

    from mutuelle.accounts.models import LotCourriers

    deuxieme = courrier_creer(
        adherent=adherent_make(prenom="Inès", nom="Garnier", email="", date_naissance=date(1990, 1, 2)),
        type_courrier=TypeCourrier.SECRET,
    )
    client = connecter(Client(), gestionnaire)
    page = client.get("/gestion/comptes/courriers/").content.decode()
    assert "Paul" in page and "Inès" in page and "2 courriers à imprimer" in page
    pdf = client.get(f"/gestion/comptes/courriers/{courrier.pk}/pdf/")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert AuditLog.objects.filter(action="accounts.courrier.downloaded", acteur=gestionnaire).exists()
    assert client.post("/gestion/comptes/courriers/", {}).status_code == 302  # nothing ticked: an error message
    assert not LotCourriers.objects.exists()
    chemins = [courrier.pdf.path, deuxieme.pdf.path]
    client.post("/gestion/comptes/courriers/", {"courrier": [str(courrier.pk), str(deuxieme.pk)]})
    lot = LotCourriers.objects.get()
    assert lot.nb_courriers == 2 and lot.cree_par == gestionnaire
    for c in (courrier, deuxieme):
        c.refresh_from_db()
        assert c.statut == StatutCourrier.IMPRIME and c.imprime_par == gestionnaire and c.lot == lot
        assert not c.pdf
    assert not any(os.path.exists(chemin) for chemin in chemins)
    assert client.get(f"/gestion/comptes/courriers/{courrier.pk}/pdf/").status_code == 404
    # One PDF for the printer: each one-page letter is followed by a blank back.
    telechargement = client.get(f"/gestion/comptes/courriers/lots/{lot.pk}/pdf/")
    contenu = b"".join(telechargement.streaming_content)
    lecteur = PdfReader(io.BytesIO(contenu))
    assert len(lecteur.pages) == lot.nb_pages == 4
    textes = [p.extract_text() for p in lecteur.pages]
    assert "Paul" in textes[0] and not textes[1].strip() and "Inès" in textes[2]
    assert "Aucun courrier en attente" in client.get("/gestion/comptes/courriers/").content.decode()
    # Printed: the batch's PDF goes too.
    lot_chemin = lot.pdf.path
    assert client.post(f"/gestion/comptes/courriers/lots/{lot.pk}/imprime/").status_code == 302
    lot.refresh_from_db()
    assert lot.confirme_le is not None and not lot.pdf and not os.path.exists(lot_chemin)
    assert client.get(f"/gestion/comptes/courriers/lots/{lot.pk}/pdf/").status_code == 404
    assert AuditLog.objects.filter(action="accounts.lot.confirmed", acteur=gestionnaire).exists()
    # The codes still work: the members have the paper.
    assert Courrier.objects.get(pk=courrier.pk).code_utilise_le is None


def test_members_and_brokers_cannot_see_the_letters(adherent, courtier, courrier):
    # A member is refused; a broker's session does not even see the page exists.
    for user, code in ((adherent.user, 403), (courtier.user, 404)):
        client = connecter(Client(), user)
        assert client.get("/gestion/comptes/courriers/").status_code == code
        assert client.get(f"/gestion/comptes/courriers/{courrier.pk}/pdf/").status_code == code
        assert client.post("/gestion/comptes/courriers/", {"courrier": [str(courrier.pk)]}).status_code == code


def test_a_session_does_not_come_back_when_a_disabled_account_is_enabled_again(adherent, mutuelle):
    from mutuelle.accounts.models import SessionCompte
    from mutuelle.accounts.services import compte_actif_changer

    ouverte = Client()
    assert ouverte.post("/connexion/", {"identifiant": adherent.numero, "secret": TEST_PASSWORD}).status_code == 302
    assert ouverte.get("/espace/").status_code == 200 and SessionCompte.objects.filter(user=adherent.user).exists()
    compte_actif_changer(user=adherent.user, actif=False)
    assert not SessionCompte.objects.filter(user=adherent.user).exists()
    compte_actif_changer(user=adherent.user, actif=True)
    assert ouverte.get("/espace/")["Location"].startswith("/connexion/")
    assert list(
        AuditLog.objects.filter(cible_id=str(adherent.user.pk), action__startswith="accounts.compte.")
        .values_list("action", flat=True)
        .order_by("pk")
    ) == ["accounts.compte.disabled", "accounts.compte.enabled"]


def test_a_session_used_while_its_account_is_disabled_ends_for_good(adherent, mutuelle):
    """Whatever disabled the account (here a bare SQL update), its session is ended at its next use."""
    from mutuelle.accounts.models import User

    client = connecter(Client(), adherent.user, methode="aucun")
    User.objects.filter(pk=adherent.user.pk).update(is_active=False)
    assert client.get("/espace/").status_code == 302
    User.objects.filter(pk=adherent.user.pk).update(is_active=True)
    assert client.get("/espace/")["Location"].startswith("/connexion/")


def test_disabling_an_account_in_the_admin_ends_its_sessions(adherent, mutuelle, responsable):
    from types import SimpleNamespace

    from django.contrib.admin.sites import site

    from mutuelle.accounts.models import SessionCompte, User

    ouverte = Client()
    ouverte.post("/connexion/", {"identifiant": adherent.numero, "secret": TEST_PASSWORD})
    assert SessionCompte.objects.filter(user=adherent.user).exists()
    requete = RequestFactory().post("/admin/")
    requete.user = responsable
    compte = User.objects.get(pk=adherent.user.pk)
    compte.is_active = False
    site._registry[User].save_model(requete, compte, SimpleNamespace(changed_data=["is_active"]), True)
    assert not SessionCompte.objects.filter(user=adherent.user).exists()
    audit = AuditLog.objects.get(action="accounts.compte.disabled")
    assert audit.acteur == responsable and audit.ancienne_valeur == {"is_active": True}
