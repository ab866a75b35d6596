"""The card's page as the web app keeps it offline: it lists the card's PDF and the attestation de
droits still valid (never another family's), says when it was saved, and the app's fetches are
audited as kept offline rather than downloaded. The browser side is tests/browser/test_application.py."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from mutuelle.core.models import AuditLog
from mutuelle.documents.models import Document, TypeDocument
from tests.factories import connecter

pytestmark = pytest.mark.django_db


def _client(adherent: Any) -> Client:
    return connecter(Client(), adherent.user)


def test_the_card_page_offers_the_card_and_asks_for_an_attestation_when_none_is_valid(adherent, contrat, garanties):
    client = _client(adherent)
    page = client.get("/espace/documents/carte/").content.decode()
    carte = Document.objects.get(adherent=adherent, type_document=TypeDocument.CARTE_TIERS_PAYANT)
    assert f'href="/espace/documents/{carte.pk}/pdf/" data-hors-ligne' in page
    assert "data-garder-hors-ligne" in page
    assert f"Carte à jour au {timezone.localtime():%d/%m/%Y}" in page
    assert "Pas d'attestation de droits en cours de validité." in page

    # Asked from the card's page, the attestation comes back to it, listed and kept with the card.
    response = client.post("/espace/documents/emettre/attestation_droits/", {"retour": "carte"})
    assert response.status_code == 302 and response["Location"] == "/espace/documents/carte/"
    attestation = Document.objects.get(adherent=adherent, type_document=TypeDocument.ATTESTATION_DROITS)
    page = client.get("/espace/documents/carte/").content.decode()
    assert f'href="/espace/documents/{attestation.pk}/pdf/" data-hors-ligne' in page
    assert f"valable jusqu'au {attestation.valide_jusqu_au:%d/%m/%Y}" in page
    assert "gardée avec votre carte" in page


def test_an_expired_attestation_is_not_kept_and_another_familys_never_shows(
    adherent, contrat, garanties, autre_adherent
):
    client = _client(adherent)
    client.post("/espace/documents/emettre/attestation_droits/", {"retour": "carte"})
    attestation = Document.objects.get(adherent=adherent, type_document=TypeDocument.ATTESTATION_DROITS)
    # The other family's page never lists this family's attestation (nor any card of theirs).
    autre = _client(autre_adherent).get("/espace/documents/carte/").content.decode()
    assert f"/espace/documents/{attestation.pk}/pdf/" not in autre
    Document.objects.filter(pk=attestation.pk).update(valide_jusqu_au=timezone.localdate() - timedelta(days=1))
    page = client.get("/espace/documents/carte/").content.decode()
    assert f"/espace/documents/{attestation.pk}/pdf/" not in page
    assert "Pas d'attestation de droits en cours de validité." in page


def test_the_apps_fetch_is_audited_as_kept_offline_and_only_for_the_family(
    adherent, contrat, garanties, autre_adherent
):
    client = _client(adherent)
    client.get("/espace/documents/carte/")
    carte = Document.objects.get(adherent=adherent, type_document=TypeDocument.CARTE_TIERS_PAYANT)
    url = f"/espace/documents/{carte.pk}/pdf/"
    reponse = client.get(url, headers={"X-Mutuelle-Hors-Ligne": "1"})
    assert reponse.status_code == 200 and b"".join(reponse.streaming_content).startswith(b"%PDF-")
    garde = AuditLog.objects.get(action="documents.document.kept_offline")
    assert garde.cible_id == str(carte.pk) and garde.adherent_id == adherent.pk
    assert not AuditLog.objects.filter(action="documents.document.downloaded").exists()
    assert _client(autre_adherent).get(url, headers={"X-Mutuelle-Hors-Ligne": "1"}).status_code == 404
