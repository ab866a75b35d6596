"""Secure messaging: a member writes with a file, a handler answers from the queue, each side's
reading is recorded, internal notes stay internal, content is never interpreted, and nobody else
reaches a thread."""

from __future__ import annotations

from typing import Any

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from mutuelle.backoffice.files import FILES, compteurs
from mutuelle.core.models import AuditLog
from mutuelle.messaging.models import Fil, Message, PieceMessage, StatutFil
from mutuelle.notifications.models import Notification
from mutuelle.requests.tests.conftest import EICAR, pdf_simple
from tests.factories import connecter, ligne_make

XSS = '<script>alert("x")</script><img src=x onerror=alert(1)>'


def _ecrire(client: Any, **champs: Any) -> Any:
    donnees = {"sujet": "remboursement", "objet": "Ma question", "texte": "Bonjour, une question.", **champs}
    return client.post(reverse("messaging:nouveau"), donnees)


@pytest.fixture
def membre(client: Any, adherent: Any, antivirus: str) -> Any:
    return connecter(client, adherent.user, methode="aucun")


@pytest.mark.django_db
def test_a_member_writes_with_a_file_and_the_thread_waits_in_the_queue(
    membre: Any, adherent: Any, gestionnaire: Any
) -> None:
    reponse = _ecrire(membre, fichiers=[SimpleUploadedFile("facture.pdf", pdf_simple(), "application/pdf")])
    fil = Fil.objects.get()
    assert reponse["Location"] == reverse("messaging:fil", kwargs={"numero": fil.numero})
    assert (fil.adherent, fil.statut, fil.sujet) == (adherent, StatutFil.A_TRAITER, "remboursement")
    assert fil.echeance is not None and fil.attente_depuis is not None
    assert PieceMessage.objects.get().nom == "facture.pdf"
    assert compteurs(FILES["messages"], gestionnaire)["total"] == 1
    assert AuditLog.objects.filter(action="messaging.fil.created", adherent=adherent).exists()


@pytest.mark.django_db
def test_a_refused_file_sends_nothing(membre: Any) -> None:
    reponse = _ecrire(membre, fichiers=[SimpleUploadedFile("virus.pdf", EICAR, "application/pdf")])
    assert reponse.status_code == 400
    assert not Fil.objects.exists() and not Message.objects.exists() and not PieceMessage.objects.exists()
    assert _ecrire(membre, texte="   ").status_code == 400
    assert _ecrire(membre, sujet="inconnu").status_code == 400
    assert not Fil.objects.exists()


@pytest.mark.django_db
def test_the_answer_is_told_by_an_email_without_its_content_and_read_receipts_follow(
    membre: Any, client: Any, adherent: Any, gestionnaire: Any, django_capture_on_commit_callbacks: Any
) -> None:
    _ecrire(membre, texte="Mon remboursement de lunettes ?")
    fil = Fil.objects.get()
    connecter(client, gestionnaire)
    page = client.get(reverse("messaging_gestion:fil", kwargs={"numero": fil.numero}))
    assert "Mon remboursement de lunettes" in page.content.decode()
    assert Message.objects.get().lu_le is not None  # the handler opened it
    with django_capture_on_commit_callbacks(execute=True):
        reponse = client.post(
            reverse("messaging_gestion:fil", kwargs={"numero": fil.numero}) + "?file=messages",
            {"texte": "Le remboursement secret de 123,45 € part demain."},
        )
    assert reponse["Location"] == reverse("backoffice:file", kwargs={"cle": "messages"})
    fil.refresh_from_db()
    assert fil.statut == StatutFil.REPONDU and fil.echeance is None
    notification = Notification.objects.get(adherent=adherent, categorie="message")
    assert notification.titre == "Vous avez un nouveau message de votre mutuelle"
    assert len(mail.outbox) == 1
    corps = mail.outbox[0].body + str(getattr(mail.outbox[0], "alternatives", ""))
    assert "nouveau message" in corps and "123,45" not in corps and "secret" not in corps
    # The member reads it: the handler sees "lu le".
    connecter(client, adherent.user, methode="aucun")
    assert (
        "Le remboursement secret"
        in client.get(reverse("messaging:fil", kwargs={"numero": fil.numero})).content.decode()
    )
    assert Message.objects.filter(de_la_mutuelle=True, lu_le__isnull=False).count() == 1
    connecter(client, gestionnaire)
    assert "lu le" in client.get(reverse("messaging_gestion:fil", kwargs={"numero": fil.numero})).content.decode()
    assert compteurs(FILES["messages"], gestionnaire)["total"] == 0


@pytest.mark.django_db
def test_an_internal_note_never_reaches_the_member(
    membre: Any, client: Any, adherent: Any, gestionnaire: Any, antivirus: str
) -> None:
    _ecrire(membre)
    fil = Fil.objects.get()
    connecter(client, gestionnaire)
    client.post(
        reverse("messaging_gestion:fil", kwargs={"numero": fil.numero}),
        {
            "texte": "Note : vérifier le devis avant de répondre.",
            "interne": "on",
            "fichiers": [SimpleUploadedFile("interne.pdf", pdf_simple("Note"), "application/pdf")],
        },
    )
    note = Message.objects.get(interne=True)
    fil.refresh_from_db()
    assert fil.statut == StatutFil.A_TRAITER  # a note does not answer
    assert not Notification.objects.filter(adherent=adherent).exists()
    connecter(client, adherent.user, methode="aucun")
    page = client.get(reverse("messaging:fil", kwargs={"numero": fil.numero})).content.decode()
    assert "vérifier le devis" not in page and "interne.pdf" not in page
    piece = note.pieces.get()
    assert client.get(reverse("messaging:piece", kwargs={"numero": fil.numero, "pk": piece.pk})).status_code == 404


@pytest.mark.django_db
def test_nobody_else_reaches_a_thread_or_its_files(
    membre: Any, client: Any, adherent: Any, autre_adherent: Any, courtier: Any
) -> None:
    _ecrire(membre, fichiers=[SimpleUploadedFile("facture.pdf", pdf_simple(), "application/pdf")])
    fil = Fil.objects.get()
    piece = PieceMessage.objects.get()
    connecter(client, autre_adherent.user, methode="aucun")
    assert client.get(reverse("messaging:fil", kwargs={"numero": fil.numero})).status_code == 404
    assert client.get(reverse("messaging:piece", kwargs={"numero": fil.numero, "pk": piece.pk})).status_code == 404
    assert client.post(reverse("messaging:clore", kwargs={"numero": fil.numero})).status_code == 404
    assert client.post(reverse("messaging:fil", kwargs={"numero": fil.numero}), {"texte": "intrus"}).status_code == 404
    assert fil.numero not in client.get(reverse("messaging:liste")).content.decode()
    # A member cannot answer from the back office; a broker reaches neither side.
    assert client.get(reverse("messaging_gestion:fil", kwargs={"numero": fil.numero})).status_code == 403
    connecter(client, courtier.user)
    assert client.get(reverse("messaging:fil", kwargs={"numero": fil.numero})).status_code == 404
    assert client.get(reverse("messaging_gestion:fil", kwargs={"numero": fil.numero})).status_code == 404
    assert Message.objects.count() == 1


@pytest.mark.django_db
def test_a_member_cannot_link_a_thread_to_another_familys_reimbursement(membre: Any, autre_adherent: Any) -> None:
    ligne = ligne_make(beneficiaire=autre_adherent.contrats.first().beneficiaires.first())
    assert membre.get(reverse("messaging:nouveau"), {"ligne": ligne.pk}).status_code == 404
    assert _ecrire(membre, ligne=ligne.pk).status_code == 404
    assert not Fil.objects.exists()


@pytest.mark.django_db
def test_stored_xss_in_subject_body_and_file_name_is_shown_as_text_on_both_sides(
    membre: Any, client: Any, gestionnaire: Any
) -> None:
    _ecrire(
        membre,
        objet=XSS[:120],
        texte=f"{XSS}\nVoir https://exemple.test/aide et javascript:alert(1)",
        fichiers=[SimpleUploadedFile(f"{XSS}.pdf", pdf_simple(), "application/pdf")],
    )
    fil = Fil.objects.get()
    pages = [
        membre.get(reverse("messaging:fil", kwargs={"numero": fil.numero})).content.decode(),
        membre.get(reverse("messaging:liste")).content.decode(),
    ]
    connecter(client, gestionnaire)
    pages += [
        client.get(reverse("messaging_gestion:fil", kwargs={"numero": fil.numero})).content.decode(),
        client.get(reverse("backoffice:file", kwargs={"cle": "messages"})).content.decode(),
    ]
    for page in pages:
        assert "<script>alert" not in page and "<img src=x" not in page
    assert "&lt;script&gt;" in pages[0] and "&lt;script&gt;" in pages[2]
    # Links become clickable, safely; a javascript: text stays text.
    assert '<a href="https://exemple.test/aide" rel="nofollow">' in pages[0]
    assert 'href="javascript:' not in pages[0] and 'href="javascript:' not in pages[2]


@pytest.mark.django_db
def test_a_closed_thread_takes_no_more_messages(membre: Any) -> None:
    _ecrire(membre)
    fil = Fil.objects.get()
    membre.post(reverse("messaging:clore", kwargs={"numero": fil.numero}))
    fil.refresh_from_db()
    assert fil.statut == StatutFil.CLOS
    reponse = membre.post(reverse("messaging:fil", kwargs={"numero": fil.numero}), {"texte": "Encore une chose"})
    assert reponse.status_code == 400 and "close" in reponse.content.decode()
    assert Message.objects.count() == 1


@pytest.mark.django_db
def test_a_handler_starts_from_a_ready_answer(membre: Any, client: Any, gestionnaire: Any) -> None:
    from mutuelle.messaging.models import ModeleReponse

    modele = ModeleReponse.objects.create(titre="Délai", texte="Votre dossier est traité sous 48 heures.")
    _ecrire(membre)
    fil = Fil.objects.get()
    connecter(client, gestionnaire)
    page = client.post(
        reverse("messaging_gestion:fil", kwargs={"numero": fil.numero}),
        {"modele": modele.pk, "texte": "Bonjour,", "inserer": "1"},
    )
    assert page.status_code == 200
    assert page.context["form"].initial["texte"] == "Bonjour,\n\nVotre dossier est traité sous 48 heures."
    assert Message.objects.count() == 1


@pytest.mark.django_db
def test_a_failure_after_the_files_are_stored_leaves_no_row_and_no_file(
    adherent: Any, antivirus: str, monkeypatch: Any, settings: Any
) -> None:
    from pathlib import Path

    from mutuelle.messaging import services
    from mutuelle.requests.fichiers import assainir
    from mutuelle.requests.services import Envoi

    def panne(**kwargs: Any) -> None:
        raise RuntimeError("panne du journal")

    monkeypatch.setattr(services, "journal_ecrire", panne)
    envoi = Envoi(nom="facture.pdf", fichier=assainir(pdf_simple()))
    with pytest.raises(RuntimeError):
        services.fil_creer(
            adherent=adherent, sujet="autre", objet="Objet", texte="Texte", envois=[envoi], par=adherent.user
        )
    assert not Fil.objects.exists() and not PieceMessage.objects.exists()
    dossier = Path(settings.MEDIA_ROOT) / "messages"
    assert not dossier.exists() or not any(p.is_file() for p in dossier.rglob("*"))


@pytest.mark.django_db
def test_a_question_about_one_of_the_familys_reimbursements_is_linked_to_it(
    membre: Any, contrat: Any, gestionnaire: Any, client: Any
) -> None:
    ligne = ligne_make(beneficiaire=contrat.beneficiaires.last())
    detail = membre.get(reverse("espace:remboursement", kwargs={"pk": ligne.pk})).content.decode()
    assert f"{reverse('messaging:nouveau')}?ligne={ligne.pk}" in detail
    page = membre.get(reverse("messaging:nouveau"), {"ligne": ligne.pk})
    assert page.context["form"].initial["sujet"] == "remboursement"
    _ecrire(membre, ligne=ligne.pk)
    fil = Fil.objects.get()
    assert fil.ligne == ligne
    connecter(client, gestionnaire)
    page = client.get(reverse("messaging_gestion:fil", kwargs={"numero": fil.numero})).content.decode()
    assert reverse("claims:revue_detail", kwargs={"pk": ligne.pk}) in page
