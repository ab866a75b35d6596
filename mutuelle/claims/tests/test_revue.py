"""The handlers' review queue: who may see it, and each decision from the screen."""

from __future__ import annotations

import html
from decimal import Decimal

import pytest
from django.test import Client

from mutuelle.claims.models import LigneRemboursement, Statut
from mutuelle.claims.services import noemie_ingest
from mutuelle.claims.tests.helpers import acte, consultation_secteur_2, decompte, write
from mutuelle.core.models import AuditLog
from tests.factories import connecter

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def en_revue(camille, garanties, tmp_path):
    cs = consultation_secteur_2()
    noemie_ingest(path=write(tmp_path, [decompte(camille, [cs, acte(2)])]))
    return LigneRemboursement.objects.get(statut=Statut.EN_COURS)


def login(user) -> Client:
    c = Client()
    connecter(c, user)
    return c


def test_the_handler_sees_the_lines_waiting_with_their_reason(gestionnaire, en_revue):
    page = login(gestionnaire).get("/gestion/remboursements/revue/")
    body = page.content.decode()
    assert page.status_code == 200
    assert "Consultation cotee cs" in body and "Dépassement de 48,50" in body
    assert "Consultation medecine generale" not in body  # validated automatically: not in the queue
    assert page["Cache-Control"].startswith("max-age=0") or "no-cache" in page["Cache-Control"]


def test_opening_a_line_shows_the_explanation_and_is_audited(gestionnaire, en_revue):
    body = login(gestionnaire).get(f"/gestion/remboursements/revue/{en_revue.pk}/").content.decode()
    assert "Comment est calculé ce remboursement ?" in body
    assert "non adhérent OPTAM" in body or "Spécialiste non OPTAM" in body
    row = AuditLog.objects.get(action="claims.ligne.viewed")
    assert row.acteur == gestionnaire and row.adherent == en_revue.contrat.adherent


def test_approving_from_the_screen(gestionnaire, en_revue):
    c = login(gestionnaire)
    response = c.post(f"/gestion/remboursements/revue/{en_revue.pk}/", {"action": "valider", "motif": ""})
    assert response.status_code == 302
    en_revue.refresh_from_db()
    assert en_revue.statut == Statut.VALIDE
    assert en_revue.evenements.last().par == gestionnaire


def test_adjusting_needs_an_amount_and_a_reason(gestionnaire, en_revue):
    c = login(gestionnaire)
    url = f"/gestion/remboursements/revue/{en_revue.pk}/"
    body = c.post(url, {"action": "ajuster", "motif": ""}).content.decode()
    assert "Indiquez le nouveau montant" in body and "Le motif est obligatoire" in body
    body = c.post(url, {"action": "ajuster", "motif": "Devis", "montant_amc": "75"}).content.decode()
    assert "Le montant doit être compris entre 0 et 59,95\u00a0€" in html.unescape(body)
    assert c.post(url, {"action": "ajuster", "motif": "Selon devis", "montant_amc": "30.00"}).status_code == 302
    en_revue.refresh_from_db()
    assert (en_revue.statut, en_revue.montant_amc, en_revue.reste_a_charge) == (Statut.VALIDE, D("30.00"), D("29.95"))


@pytest.mark.parametrize(("action", "statut"), [("complement", Statut.COMPLEMENT), ("rejeter", Statut.REJETE)])
def test_asking_for_information_or_rejecting_with_a_reason(gestionnaire, en_revue, action, statut):
    c = login(gestionnaire)
    url = f"/gestion/remboursements/revue/{en_revue.pk}/"
    assert c.post(url, {"action": action, "motif": ""}).status_code == 200
    assert c.post(url, {"action": action, "motif": "Facture détaillée manquante"}).status_code == 302
    en_revue.refresh_from_db()
    assert en_revue.statut == statut


def test_a_decision_on_a_line_that_changed_since_the_page_was_opened_is_refused(gestionnaire, en_revue):
    """Two handlers with the page open: one asks for information, the other then rejects. The
    rejection was applied on top of a state its author never saw; it is now refused, saying who did
    what, and the page shows the line as it is."""
    from re import search

    from tests.factories import UserFactory

    collegue = UserFactory(username="collegue", role="gestionnaire", is_staff=True)
    url = f"/gestion/remboursements/revue/{en_revue.pk}/"
    a, b = login(gestionnaire), login(collegue)
    vu_par_a = search(r'name="evenement_vu" value="(\d+)"', a.get(url).content.decode())
    vu_par_b = search(r'name="evenement_vu" value="(\d+)"', b.get(url).content.decode())
    assert vu_par_a and vu_par_b and vu_par_a.group(1) == vu_par_b.group(1)
    demande = {"action": "complement", "motif": "Joindre la facture", "evenement_vu": vu_par_b.group(1)}
    assert b.post(url, demande).status_code == 302
    rejet = a.post(url, {"action": "rejeter", "motif": "Hors garantie", "evenement_vu": vu_par_a.group(1)})
    page = html.unescape(rejet.content.decode())
    assert rejet.status_code == 200
    assert "a changé depuis l'ouverture de la page" in page and f"par {collegue}" in page
    en_revue.refresh_from_db()
    assert en_revue.statut == Statut.COMPLEMENT
    assert not AuditLog.objects.filter(action="claims.ligne.rejete").exists()
    # Re-read, the decision can be made on the current state.
    vu = search(r'name="evenement_vu" value="(\d+)"', page)
    assert vu and vu.group(1) != vu_par_a.group(1)
    assert a.post(url, {"action": "rejeter", "motif": "Hors garantie", "evenement_vu": vu.group(1)}).status_code == 302


def test_members_get_403_brokers_404_anonymous_the_login_page(adherent, courtier, en_revue):
    for user, code in ((adherent.user, 403), (courtier.user, 404)):
        c = login(user)
        assert c.get("/gestion/remboursements/revue/").status_code == code
        assert c.get(f"/gestion/remboursements/revue/{en_revue.pk}/").status_code == code
        assert c.post(f"/gestion/remboursements/revue/{en_revue.pk}/", {"action": "valider"}).status_code == code
    anonymous = Client().get("/gestion/remboursements/revue/")
    assert anonymous.status_code == 302 and "/connexion/" in anonymous["Location"]
    en_revue.refresh_from_db()
    assert en_revue.statut == Statut.EN_COURS
    assert not AuditLog.objects.filter(action="claims.ligne.viewed").exists()


def test_decisions_need_the_csrf_token(gestionnaire, en_revue):
    c = Client(enforce_csrf_checks=True)
    connecter(c, gestionnaire)
    assert c.post(f"/gestion/remboursements/revue/{en_revue.pk}/", {"action": "valider"}).status_code == 403


def test_an_empty_queue_says_so(gestionnaire, db):
    assert "Tout est à jour" in login(gestionnaire).get("/gestion/remboursements/revue/").content.decode()


@pytest.mark.django_db(transaction=True)
def test_handling_a_signalement_opens_its_own_transaction(camille, garanties, tmp_path, gestionnaire):
    """Called by a view outside any transaction (PostgreSQL refuses a row lock there)."""
    from types import SimpleNamespace

    from mutuelle.claims.models import RejetNoemie
    from mutuelle.claims.services import rejet_traiter
    from mutuelle.claims.tests.helpers import acte, decompte, write
    from tests.factories import fake_nir

    naissance = camille.date_naissance
    inconnu = SimpleNamespace(nir=fake_nir(sexe="1", naissance=naissance), rang_gemellaire=1, date_naissance=naissance)
    noemie_ingest(path=write(tmp_path, [decompte(inconnu, [acte()])]), parallele=False)
    rejet = RejetNoemie.objects.get()
    rejet_traiter(rejet=rejet, commentaire="Retourné à la caisse.", par=gestionnaire)
    rejet.refresh_from_db()
    assert rejet.traite and rejet.commentaire == "Retourné à la caisse."
