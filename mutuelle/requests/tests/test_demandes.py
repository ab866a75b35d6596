"""Requests from the member's side to the handler's decision and back: sending a document, answering
a request for more, contesting a reimbursement; nothing half-saved; nobody else sees them."""

from __future__ import annotations

import html
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from mutuelle.claims.models import LigneRemboursement, Statut
from mutuelle.core.models import AuditLog
from mutuelle.notifications.models import Notification
from mutuelle.requests.models import Decision, Demande, PieceJointe, StatutDemande, TypeDemande
from mutuelle.requests.tests.conftest import EICAR, jpeg_avec_gps, pdf_simple
from tests.factories import connecter, ligne_make

pytestmark = pytest.mark.django_db


def _pdf(nom: str = "facture.pdf", contenu: bytes | None = None) -> SimpleUploadedFile:
    return SimpleUploadedFile(nom, contenu if contenu is not None else pdf_simple(), content_type="application/pdf")


def _texte(response: Any) -> str:
    return html.unescape(response.content.decode())


def _envoyer(client: Client, **data: Any) -> Any:
    return client.post("/espace/demandes/envoyer-un-document/", {"objet": "autre", "commentaire": "", **data})


def test_a_member_sends_documents_and_follows_the_request_to_its_answer(adherent, contrat, gestionnaire, mutuelle):
    membre = connecter(Client(), adherent.user)
    response = _envoyer(
        membre,
        fichiers=[_pdf(), SimpleUploadedFile("photo.jpg", jpeg_avec_gps(), content_type="image/jpeg")],
        commentaire="La facture de l'ostéopathe.",
    )
    assert response.status_code == 302
    demande = Demande.objects.get()
    assert demande.type_demande == TypeDemande.DOCUMENT and demande.statut == StatutDemande.RECUE
    assert demande.numero.startswith(f"D{timezone.localdate().year}-")
    assert demande.echeance > timezone.localdate() and demande.echeance.weekday() < 5
    assert [p.nom for p in demande.pieces.all()] == ["facture.pdf", "photo.jpg"]
    assert all(p.fichier.name.startswith("demandes/") and "facture" not in p.fichier.name for p in demande.pieces.all())
    assert Notification.objects.filter(adherent=adherent, titre__contains="bien reçue").exists()
    page = _texte(membre.get(response["Location"]))
    assert demande.numero in page and "Reçue" in page and "La facture de l'ostéopathe." in page
    # The file comes back as an attachment, as rewritten.
    piece = demande.pieces.first()
    telechargement = membre.get(f"/espace/demandes/{demande.numero}/pieces/{piece.pk}/")
    assert telechargement["Content-Disposition"].startswith("attachment")
    assert telechargement["Content-Type"] == "application/pdf"

    # The handler's queue, the detail, a request for more.
    gestion = connecter(Client(), gestionnaire)
    assert demande.numero in gestion.get("/gestion/demandes/").content.decode()
    url = f"/gestion/demandes/{demande.numero}/"
    assert gestion.post(url, {"vers": "complement", "message": ""}).status_code == 400  # says what to send
    gestion.post(url, {"vers": "complement", "message": "Il manque la page 2 de la facture."})
    demande.refresh_from_db()
    assert demande.statut == StatutDemande.COMPLEMENT
    assert Notification.objects.filter(adherent=adherent, titre__contains="besoin d'un complément").exists()

    # The member answers; the request goes back to the handler.
    assert "Il manque la page 2" in _texte(membre.get(f"/espace/demandes/{demande.numero}/"))
    membre.post(f"/espace/demandes/{demande.numero}/", {"fichiers": [_pdf("page2.pdf")], "commentaire": "Voici."})
    demande.refresh_from_db()
    assert demande.statut == StatutDemande.EN_COURS and demande.pieces.count() == 3

    # Closed with an answer; the member is told.
    assert gestion.post(url, {"vers": "traitee", "decision": "traite", "message": ""}).status_code == 400
    gestion.post(url, {"vers": "traitee", "decision": "traite", "message": "Facture prise en compte, merci."})
    demande.refresh_from_db()
    assert demande.statut == StatutDemande.TRAITEE and demande.traitee_par == gestionnaire
    assert Notification.objects.filter(adherent=adherent, titre__contains="est traitée").exists()
    assert "Facture prise en compte, merci." in _texte(membre.get(f"/espace/demandes/{demande.numero}/"))
    # A closed request takes nothing more.
    assert membre.post(f"/espace/demandes/{demande.numero}/", {"commentaire": "Encore"}).status_code == 400
    assert gestion.post(url, {"vers": "en_cours"}).status_code == 400
    assert list(demande.evenements.values_list("vers", flat=True)) == [
        "recue",
        "complement",
        "en_cours",
        "traitee",
    ]
    assert AuditLog.objects.filter(action="requests.demande.closed", acteur=gestionnaire).exists()


def test_a_document_answers_a_reimbursement_waiting_for_information(adherent, contrat, mutuelle):
    julien = contrat.beneficiaires.get(prenom="Julien")
    ligne = ligne_make(beneficiaire=julien, statut=Statut.COMPLEMENT)
    membre = connecter(Client(), adherent.user)
    page = _texte(membre.get(f"/espace/remboursements/{ligne.pk}/"))
    assert f"/espace/demandes/envoyer-un-document/?remboursement={ligne.pk}" in page
    formulaire = _texte(membre.get(f"/espace/demandes/envoyer-un-document/?remboursement={ligne.pk}"))
    assert f'value="{ligne.pk}" selected' in formulaire
    assert _envoyer(membre, objet="remboursement", fichiers=[_pdf()]).status_code == 400  # which one?
    _envoyer(membre, objet="remboursement", ligne=ligne.pk, fichiers=[_pdf()])
    assert Demande.objects.get().ligne == ligne


def test_a_member_contests_a_reimbursement_and_gets_the_correction(adherent, contrat, gestionnaire, mutuelle):
    julien = contrat.beneficiaires.get(prenom="Julien")
    ligne = ligne_make(beneficiaire=julien, amc="9.00")
    membre = connecter(Client(), adherent.user)
    assert (
        f"/espace/demandes/contester/{ligne.pk}/" in membre.get(f"/espace/remboursements/{ligne.pk}/").content.decode()
    )
    url = f"/espace/demandes/contester/{ligne.pk}/"
    assert membre.post(url, {"motif": "montant", "commentaire": "court"}).status_code == 400
    response = membre.post(url, {"motif": "montant", "commentaire": "Le dépassement devrait être couvert à 150 %."})
    demande = Demande.objects.get()
    assert response["Location"] == f"/espace/demandes/{demande.numero}/"
    assert demande.type_demande == TypeDemande.CONTESTATION and demande.ligne == ligne
    # A second contest of the same line leads to the open one.
    assert membre.get(url)["Location"] == f"/espace/demandes/{demande.numero}/"
    gestion = connecter(Client(), gestionnaire)
    detail = f"/gestion/demandes/{demande.numero}/"
    assert "9,00" in _texte(gestion.get(detail))
    assert (
        gestion.post(detail, {"vers": "traitee", "decision": "corrige", "message": "Erreur de taux."}).status_code
        == 400
    )
    # Spent 30 €, the Sécu paid 19 €: the mutuelle can pay at most 11 €, and more than the 9 € it paid.
    for montant, message in (("11.50", "ne peut pas dépasser"), ("9.00", "doit dépasser")):
        refus = gestion.post(
            detail, {"vers": "traitee", "decision": "corrige", "montant_corrige": montant, "message": "Erreur."}
        )
        assert refus.status_code == 400 and message in _texte(refus)
    assert LigneRemboursement.objects.count() == 1
    gestion.post(
        detail, {"vers": "traitee", "decision": "corrige", "montant_corrige": "10.50", "message": "Erreur de taux."}
    )
    demande.refresh_from_db()
    assert demande.decision == Decision.CORRIGE and str(demande.montant_corrige) == "10.50"
    page = _texte(membre.get(f"/espace/demandes/{demande.numero}/"))
    assert "Remboursement corrigé" in page and "10,50" in page
    # The difference is a new line, validated: the next payment run pays it to the member.
    correction = LigneRemboursement.objects.exclude(pk=ligne.pk).get()
    assert (correction.statut, correction.montant_amc, correction.montant_depense, correction.quantite) == (
        Statut.VALIDE,
        Decimal("1.50"),
        Decimal("0.00"),
        0,
    )
    assert correction.decompte.origine == "contestation" and correction.decompte.reference == demande.numero
    assert correction.garantie_id == ligne.garantie_id and correction.beneficiaire_id == ligne.beneficiaire_id
    from mutuelle.payments.services import lignes_a_payer

    assert list(lignes_a_payer()) == [correction]
    detail_membre = _texte(membre.get(f"/espace/remboursements/{correction.pk}/"))
    assert f"Correction après votre contestation n° {demande.numero}" in detail_membre
    assert "portée de 9,00\u00a0€ à 10,50\u00a0€, soit 1,50\u00a0€ de plus" in detail_membre
    assert '<rect class="seg-mutuelle" x="0.00" y="0" height="6" width="100.00">' in detail_membre  # nothing spent
    assert AuditLog.objects.filter(action="claims.ligne.corrected", adherent=adherent).exists()


def test_a_bad_file_among_good_ones_saves_nothing(adherent, contrat, mutuelle, antivirus):
    membre = connecter(Client(), adherent.user)
    for mauvais, message in (
        (SimpleUploadedFile("facture.pdf", b"juste du texte\n" * 20, content_type="application/pdf"), "ni un PDF"),
        (SimpleUploadedFile("scan.pdf", b"%PDF-1.4\n" + EICAR, content_type="application/pdf"), "virus"),
    ):
        response = _envoyer(membre, fichiers=[_pdf(), mauvais])
        assert response.status_code == 400 and message in _texte(response), message
    assert not Demande.objects.exists() and not PieceJointe.objects.exists()
    virus = AuditLog.objects.get(action="requests.fichier.virus_found")
    assert "Mutuelle.Test.EICAR" in virus.message and virus.acteur_id == adherent.user.pk


def test_too_many_files_or_none_are_refused(adherent, contrat, mutuelle, settings):
    settings.MUTUELLE_PIECES_MAX = 2
    membre = connecter(Client(), adherent.user)
    assert "au plus 2 fichiers" in _texte(_envoyer(membre, fichiers=[_pdf(), _pdf(), _pdf()]))
    assert "Joignez au moins un fichier" in _texte(_envoyer(membre))
    assert not Demande.objects.exists()


def test_nobody_else_sees_a_request_or_its_files(adherent, contrat, autre_adherent, courtier, mutuelle):
    membre = connecter(Client(), adherent.user)
    _envoyer(membre, fichiers=[_pdf()])
    demande = Demande.objects.get()
    piece = demande.pieces.get()
    autre = connecter(Client(), autre_adherent.user)
    for url in (f"/espace/demandes/{demande.numero}/", f"/espace/demandes/{demande.numero}/pieces/{piece.pk}/"):
        assert autre.get(url).status_code == 404, url
        assert connecter(Client(), courtier.user).get(url).status_code == 404, url
        assert Client().get(url).status_code == 302, url
    assert demande.numero not in autre.get("/espace/demandes/").content.decode()
    # Another member's reimbursement cannot be contested or attached to.
    ligne = ligne_make(beneficiaire=contrat.beneficiaires.get(prenom="Julien"))
    assert autre.get(f"/espace/demandes/contester/{ligne.pk}/").status_code == 404
    response = _envoyer(autre, objet="remboursement", ligne=ligne.pk, fichiers=[_pdf()])
    assert response.status_code == 400 and Demande.objects.count() == 1
    # The handlers' pages are the staff's (a broker's session does not even see they exist).
    for client, code in ((membre, 403), (connecter(Client(), courtier.user), 404)):
        assert client.get("/gestion/demandes/").status_code == code
        assert client.get(f"/gestion/demandes/{demande.numero}/pieces/{piece.pk}/").status_code == code


def test_the_queue_shows_late_requests_first_and_in_red(adherent, contrat, gestionnaire, mutuelle):
    membre = connecter(Client(), adherent.user)
    _envoyer(membre, fichiers=[_pdf()])
    _envoyer(membre, fichiers=[_pdf()])
    ancienne, recente = Demande.objects.order_by("pk")
    Demande.objects.filter(pk=ancienne.pk).update(echeance=timezone.localdate() - timedelta(days=3))
    page = connecter(Client(), gestionnaire).get("/gestion/demandes/").content.decode()
    assert "1 demande ouverte a dépassé son échéance" in html.unescape(page)
    assert page.index(ancienne.numero) < page.index(recente.numero)
    assert page.count('class="en-retard"') == 1


def test_a_line_still_in_review_is_corrected_in_the_review_queue_not_by_the_contest(adherent, contrat, gestionnaire):
    julien = contrat.beneficiaires.get(prenom="Julien")
    ligne = ligne_make(beneficiaire=julien, amc="9.00", statut=Statut.EN_COURS)
    membre = connecter(Client(), adherent.user)
    membre.post(
        f"/espace/demandes/contester/{ligne.pk}/",
        {"motif": "montant", "commentaire": "Le dépassement devrait être couvert à 150 %."},
    )
    demande = Demande.objects.get()
    gestion = connecter(Client(), gestionnaire)
    refus = gestion.post(
        f"/gestion/demandes/{demande.numero}/",
        {"vers": "traitee", "decision": "corrige", "montant_corrige": "10.50", "message": "Erreur de taux."},
    )
    assert refus.status_code == 400 and "ajustez son montant dans la file de revue" in _texte(refus)
    demande.refresh_from_db()
    assert demande.statut != StatutDemande.TRAITEE and LigneRemboursement.objects.count() == 1
