"""The handlers' review queue: who may see it, and each decision from the screen."""

from __future__ import annotations

import html
from decimal import Decimal

import pytest
from django.test import Client

from mutuelle.claims.models import LigneRemboursement, Statut
from mutuelle.claims.services import noemie_integrer
from mutuelle.claims.tests.helpers import acte, consultation_secteur_2, decompte, write
from mutuelle.core.models import AuditLog
from tests.factories import connecter

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def en_revue(camille, garanties, tmp_path):
    cs = consultation_secteur_2()
    noemie_integrer(path=write(tmp_path, [decompte(camille, [cs, acte(2)])]))
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
    assert c.post(url, {"action": action, "motif": ""}).status_code == 400  # said, not a silent 200
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
    assert rejet.status_code == 409
    assert "a changé depuis l'ouverture de la page" in page and f"par {collegue}" in page
    en_revue.refresh_from_db()
    assert en_revue.statut == Statut.COMPLEMENT
    assert not AuditLog.objects.filter(action="claims.ligne.rejected").exists()
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
    noemie_integrer(path=write(tmp_path, [decompte(inconnu, [acte()])]), parallele=False)
    rejet = RejetNoemie.objects.get()
    rejet_traiter(rejet=rejet, commentaire="Retourné à la caisse.", par=gestionnaire)
    rejet.refresh_from_db()
    assert rejet.traite and rejet.commentaire == "Retourné à la caisse."


def test_a_rejected_act_pays_nothing_on_every_page_and_export(gestionnaire, en_revue, adherent, courtier):
    """Rejected, a line showed the computed share in the member's list, CSV and detail,
    the detail saying the mutuelle paid the practitioner. It now reads 0 everywhere; the computed
    share is kept for the handler and comes back if the line is reopened."""
    from mutuelle.claims.services import ligne_transition
    from mutuelle.notifications.models import Notification

    calcule = en_revue.montant_amc
    assert calcule > 0
    c = login(gestionnaire)
    url = f"/gestion/remboursements/revue/{en_revue.pk}/"
    assert c.post(url, {"action": "rejeter", "motif": "Acte hors nomenclature"}).status_code == 302
    en_revue.refresh_from_db()
    assert (en_revue.montant_amc, en_revue.montant_amc_calcule) == (D("0.00"), calcule)
    assert en_revue.reste_a_charge == en_revue.montant_depense - en_revue.montant_amo
    assert en_revue.etapes[-2].regle == "amc.rejet" and en_revue.etapes[-1].apres == en_revue.reste_a_charge
    montant = f"{calcule}".replace(".", ",")
    assert f"rejeté : {montant}" in html.unescape(c.get(url).content.decode()).replace("\u00a0", " ")

    membre = login(adherent.user)
    detail = html.unescape(membre.get(f"/espace/remboursements/{en_revue.pk}/").content.decode())
    assert "la mutuelle ne rembourse pas cet acte" in detail
    assert "a payé sa part" not in detail
    assert 'Remboursé par la mutuelle</th><td class="num">0,00\u00a0€' in detail
    # The explanation says what the guarantee would have paid, then that the act was refused.
    assert detail.index(montant) < detail.index("Acte refusé par") < detail.index("− 0,00\u00a0€ (mutuelle)")
    assert "Acte hors nomenclature" in detail
    liste = html.unescape(membre.get("/espace/remboursements/?statut=rejete").content.decode())
    assert montant not in liste
    export = b"".join(membre.get("/espace/remboursements/?statut=rejete&export=csv").streaming_content).decode()
    assert montant not in export and str(calcule) not in export
    avis = Notification.objects.get(adherent=adherent, titre="Un remboursement a été refusé")
    assert "Acte hors nomenclature" in avis.texte

    # Nobody else reads the line: another family's member, a broker.
    from tests.factories import UserFactory, adherent_make

    autre = adherent_make(user=UserFactory(username="autre-famille", role="adherent"))
    assert login(autre.user).get(f"/espace/remboursements/{en_revue.pk}/").status_code == 404
    assert login(courtier.user).get(url).status_code == 404

    # Reopened, the computed share is back.
    ligne_transition(ligne=en_revue, vers=Statut.EN_COURS, par=gestionnaire, motif="Nomenclature corrigée")
    en_revue.refresh_from_db()
    assert (en_revue.montant_amc, en_revue.montant_amc_calcule) == (calcule, None)
    assert en_revue.montant_depense == en_revue.montant_amo + en_revue.montant_amc + en_revue.reste_a_charge
    assert not any(e.regle == "amc.rejet" for e in en_revue.etapes)


def test_an_adjusted_amount_is_a_step_of_its_explanation_and_the_member_is_told(gestionnaire, en_revue, adherent):
    """« Ajuster et valider » left the trace saying the engine's amount and reste à charge next to
    the adjusted ones. The adjustment is now the explanation's last step, with who and why."""
    from mutuelle.notifications.models import Notification

    calcule = en_revue.montant_amc
    c = login(gestionnaire)
    url = f"/gestion/remboursements/revue/{en_revue.pk}/"
    decision = {"action": "ajuster", "motif": "Selon le devis accepté", "montant_amc": "30.00"}
    assert c.post(url, decision).status_code == 302
    en_revue.refresh_from_db()
    ajustement, reste = en_revue.etapes[-2:]
    assert (ajustement.regle, ajustement.avant, ajustement.apres) == ("amc.ajustement", calcule, D("30.00"))
    assert reste.regle == "reste" and reste.apres == en_revue.reste_a_charge == D("29.95")
    assert [e.regle for e in en_revue.etapes].count("reste") == 1
    detail = html.unescape(login(adherent.user).get(f"/espace/remboursements/{en_revue.pk}/").content.decode())
    detail = detail.replace("\u00a0", " ")
    qui = gestionnaire.get_full_name() or gestionnaire.username
    avant = f"{calcule}".replace(".", ",")
    assert f"ajustée par {qui} de {avant} € à 30,00 € : « Selon le devis accepté »." in detail
    assert "= 29,95 €" in detail and detail.count("Reste à votre charge :") == 1
    avis = Notification.objects.get(adherent=adherent, titre="Part de la mutuelle ajustée à 30,00\u00a0€")
    assert "Selon le devis accepté" in avis.texte and "29,95" in avis.texte


def test_a_line_validated_with_nothing_to_pay_is_closed_not_left_waiting(gestionnaire, en_revue, adherent):
    """A 0 € line stayed « Validé, paiement à venir » forever and the payments page counted it; it
    now ends « sans objet », and the member reads that nothing is to be paid, never a transfer."""
    c = login(gestionnaire)
    url = f"/gestion/remboursements/revue/{en_revue.pk}/"
    assert c.post(url, {"action": "ajuster", "motif": "Déjà pris en charge", "montant_amc": "0"}).status_code == 302
    en_revue.refresh_from_db()
    assert (en_revue.statut, en_revue.montant_amc) == (Statut.SANS_OBJET, D("0.00"))
    assert en_revue.evenements.last().vers == Statut.SANS_OBJET
    detail = html.unescape(login(adherent.user).get(f"/espace/remboursements/{en_revue.pk}/").content.decode())
    assert "Sans objet : rien à verser" in detail and "la mutuelle n'a rien à verser pour cet acte" in detail
    assert "virement" not in detail.split("<h2")[0]
    assert not LigneRemboursement.objects.filter(statut=Statut.VALIDE, montant_amc=0).exists()


def test_a_replayed_file_dates_its_lines_history_when_it_was_received(camille, garanties, tmp_path, adherent):
    """Past files replayed (the demo's years, another system's history) keep their own dates: the
    reception event is the file's, a later decision the one given, and nothing is dated in the future."""
    from datetime import timedelta

    from django.utils import timezone

    from mutuelle.claims.services import ligne_transition

    recu_le = timezone.now() - timedelta(days=400)
    noemie_integrer(path=write(tmp_path, [decompte(camille, [consultation_secteur_2(), acte(2)])]), recu_le=recu_le)
    ligne = LigneRemboursement.objects.get(statut=Statut.EN_COURS)
    assert ligne.decompte.fichier.recu_le == recu_le
    assert [e.le for e in ligne.evenements.all()] == [recu_le]
    ligne_transition(ligne=ligne, vers=Statut.VALIDE, motif="Vu", le=recu_le + timedelta(days=2))
    ligne_transition(ligne=ligne, vers=Statut.PAYE, motif="Payé", le=timezone.now() + timedelta(days=9), notifier=False)
    _recu, valide, paye = ligne.evenements.order_by("pk")
    assert valide.le == recu_le + timedelta(days=2)
    assert paye.le <= timezone.now()
    historique = html.unescape(login(adherent.user).get(f"/espace/remboursements/{ligne.pk}/").content.decode())
    assert f"{timezone.localtime(recu_le):%d/%m/%Y}" in historique
