"""A reimbursement paid or an information requested reaches the member: one in-app notification, and
one email after the commit (or none, as their preferences say), without health detail."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.core import mail
from django.urls import reverse

from mutuelle.claims.models import Statut
from mutuelle.claims.services import ligne_transition
from mutuelle.core.models import AuditLog
from mutuelle.notifications.models import Notification, PreferencesCommunication, ResumeMensuel
from mutuelle.notifications.services import resumes_mensuels_envoyer
from tests.factories import connecter


@pytest.fixture
def a_payer(famille: Any) -> Any:
    from tests.factories import ligne_make

    return ligne_make(
        beneficiaire=famille["Léa"],
        statut=Statut.VALIDE,
        poste="optique_monture",
        depense="120.00",
        amo="0.03",
        amc="23.50",
    )


def _payer(ligne: Any, capture: Any) -> None:
    with capture(execute=True):
        ligne_transition(ligne=ligne, vers=Statut.PAYE)


def test_a_payment_sends_one_notification_and_one_email(
    a_payer: Any, adherent: Any, django_capture_on_commit_callbacks: Any
) -> None:
    _payer(a_payer, django_capture_on_commit_callbacks)
    notification = Notification.objects.get(adherent=adherent)
    assert notification.titre == "Un remboursement de 23,50\u00a0€ a été effectué"
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [adherent.email]
    assert "Un remboursement de 23,50" in message.subject
    html = str(message.alternatives[0][0])  # type: ignore[attr-defined]
    for contenu in (message.body, html):
        assert "/espace/remboursements/" in contenu
        # No health detail: not the care, not who received it.
        assert "Léa" not in contenu and "onture" not in contenu and "optique" not in contenu.lower()
    notification.refresh_from_db()
    assert notification.email_envoye_le is not None


def test_telling_the_same_event_twice_sends_nothing_more(
    a_payer: Any, adherent: Any, django_capture_on_commit_callbacks: Any
) -> None:
    from mutuelle.notifications.services import remboursement_paye
    from mutuelle.notifications.tasks import notification_email

    _payer(a_payer, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        remboursement_paye(ligne=a_payer)
    assert notification_email(Notification.objects.get().pk) is False  # a retried task
    assert Notification.objects.count() == 1
    assert len(mail.outbox) == 1


def test_no_email_when_the_member_declined_it(
    a_payer: Any, adherent: Any, django_capture_on_commit_callbacks: Any
) -> None:
    PreferencesCommunication.objects.create(adherent=adherent, email_paiement=False)
    _payer(a_payer, django_capture_on_commit_callbacks)
    assert Notification.objects.filter(adherent=adherent).count() == 1
    assert mail.outbox == []


def test_monthly_summary_instead_of_one_email_per_payment(
    a_payer: Any, adherent: Any, django_capture_on_commit_callbacks: Any, famille: Any
) -> None:
    from tests.factories import ligne_make

    PreferencesCommunication.objects.create(adherent=adherent, resume_mensuel=True)
    autre = ligne_make(beneficiaire=famille["Camille"], statut=Statut.VALIDE, amc="10.00")
    _payer(a_payer, django_capture_on_commit_callbacks)
    _payer(autre, django_capture_on_commit_callbacks)
    assert mail.outbox == []
    mois = date.today().replace(day=1)
    assert resumes_mensuels_envoyer(mois=mois) == 1
    assert len(mail.outbox) == 1
    assert "2 remboursements pour un total de 33,50" in mail.outbox[0].body
    assert resumes_mensuels_envoyer(mois=mois) == 0  # run again: nothing twice
    assert ResumeMensuel.objects.get(adherent=adherent).nombre == 2


def test_an_information_request_is_told(famille: Any, adherent: Any, django_capture_on_commit_callbacks: Any) -> None:
    from tests.factories import ligne_make

    ligne = ligne_make(beneficiaire=famille["Julien"], statut=Statut.EN_COURS)
    with django_capture_on_commit_callbacks(execute=True):
        ligne_transition(ligne=ligne, vers=Statut.COMPLEMENT, motif="Merci d'envoyer la facture détaillée.")
    notification = Notification.objects.get(adherent=adherent)
    assert notification.categorie == "complement"
    assert notification.texte == "Merci d'envoyer la facture détaillée."
    assert len(mail.outbox) == 1
    assert "facture" not in mail.outbox[0].body  # the request itself is read in the space


def test_nothing_is_sent_when_the_mutuelle_paid_nothing(famille: Any, django_capture_on_commit_callbacks: Any) -> None:
    from tests.factories import ligne_make

    ligne = ligne_make(beneficiaire=famille["Camille"], statut=Statut.VALIDE, amc="0.00", depense="30.00", amo="28.00")
    _payer(ligne, django_capture_on_commit_callbacks)
    assert Notification.objects.count() == 0 and mail.outbox == []


def test_the_header_counts_unread_and_opening_marks_read(
    a_payer: Any, camille_connectee: Any, django_capture_on_commit_callbacks: Any
) -> None:
    _payer(a_payer, django_capture_on_commit_callbacks)
    page = camille_connectee.get(reverse("espace:notifications"))
    assert page.context["notifications_non_lues"] == 1
    notification = Notification.objects.get()
    response = camille_connectee.post(reverse("espace:notification", args=[notification.pk]))
    assert response.status_code == 302
    assert response["Location"] == reverse("espace:remboursement", args=[a_payer.pk])
    notification.refresh_from_db()
    assert notification.lue_le is not None
    assert camille_connectee.get(reverse("espace:notifications")).context["notifications_non_lues"] == 0


def test_another_members_notification_answers_404(
    client: Any, autre_adherent: Any, a_payer: Any, django_capture_on_commit_callbacks: Any
) -> None:
    _payer(a_payer, django_capture_on_commit_callbacks)
    connecter(client, autre_adherent.user)
    notification = Notification.objects.get()
    assert client.post(reverse("espace:notification", args=[notification.pk])).status_code == 404
    notification.refresh_from_db()
    assert notification.lue_le is None


def test_opening_a_notification_needs_the_csrf_token(
    http: Any, adherent: Any, a_payer: Any, django_capture_on_commit_callbacks: Any
) -> None:
    _payer(a_payer, django_capture_on_commit_callbacks)
    connecter(http, adherent.user)
    notification = Notification.objects.get()
    assert http.post(reverse("espace:notification", args=[notification.pk])).status_code == 403
    assert http.get(reverse("espace:notification", args=[notification.pk])).status_code == 405


def test_preferences_are_saved_and_audited(camille_connectee: Any, adherent: Any) -> None:
    page = camille_connectee.get(reverse("espace:preferences"))
    assert page.status_code == 200
    response = camille_connectee.post(
        reverse("espace:preferences"), {"email_paiement": "on", "resume_mensuel": "on", "email_complement": "on"}
    )
    assert response.status_code == 302
    prefs = PreferencesCommunication.objects.get(adherent=adherent)
    assert prefs.resume_mensuel and not prefs.email_reponse and not prefs.releves_papier
    audit = AuditLog.objects.get(action="notifications.preferences.changed")
    assert audit.nouvelle_valeur is not None and audit.ancienne_valeur is not None
    assert audit.nouvelle_valeur["resume_mensuel"] is True and audit.ancienne_valeur["resume_mensuel"] is False
