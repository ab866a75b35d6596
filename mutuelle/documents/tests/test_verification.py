"""The public page that tells a hospital or an insurer whether a document is genuine: no login, the
document's type, date, initials and validity, nothing else; made-up codes learn nothing."""

from __future__ import annotations

import html
import re
from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from mutuelle.documents.models import Document
from mutuelle.documents.services import CODE_ALPHABET, code_empreinte, document_verifier
from tests.factories import connecter
from tests.pdf import pdf_texte

pytestmark = pytest.mark.django_db


def _attestation(adherent: Any) -> tuple[Document, str]:
    client = connecter(Client(), adherent.user)
    response = client.post("/espace/documents/emettre/attestation_droits/")
    document = Document.objects.get(pk=int(response["Location"].split("/")[-3]))
    code = re.search(r"Code de vérification : ([A-Z2-9-]{14})", pdf_texte(document.fichier.path))
    assert code
    return document, code.group(1)


def test_a_genuine_code_confirms_the_document_and_reveals_nothing_else(adherent, contrat, garanties, mutuelle):
    document, code = _attestation(adherent)
    assert document.code_empreinte == code_empreinte(code) and code not in str(Document.objects.values().get())
    page = Client().get(f"/verifier/{code}/")
    assert page.status_code == 200
    texte = html.unescape(page.content.decode())
    assert "Document authentique et valable" in texte and "Attestation de droits" in texte
    assert "C. L." in texte and mutuelle.nom_court in texte
    assert f"Valable jusqu'au {document.valide_jusqu_au:%d/%m/%Y}" in texte
    for secret in ("Lefebvre", "Camille", adherent.numero, adherent.nir, contrat.numero, "Julien", garanties.libelle):
        assert secret not in texte, secret
    # Typed by hand: lower case, spaces instead of dashes.
    saisie = Client().get("/verifier/", {"code": code.lower().replace("-", " ")})
    assert saisie.status_code == 302 and saisie["Location"] == f"/verifier/{code}/"


def test_an_expired_or_replaced_document_is_genuine_but_no_longer_valid(adherent, contrat, garanties):
    _, code = _attestation(adherent)
    with time_machine.travel(timezone.now() + timedelta(days=120)):
        texte = html.unescape(Client().get(f"/verifier/{code}/").content.decode())
    assert "Document authentique, mais plus valable" in texte and "Expiré depuis le" in texte
    client = connecter(Client(), adherent.user)
    client.post("/espace/documents/emettre/carte_tp/")
    carte = Document.objects.get(type_document="carte_tp")
    code_carte = re.search(r"Vérification : ([A-Z2-9-]{14})", pdf_texte(carte.fichier.path))
    assert code_carte
    verification = document_verifier(code_carte.group(1))
    assert verification is not None and verification.valide
    Document.objects.filter(pk=carte.pk).update(remplace_le=timezone.now())
    texte = html.unescape(Client().get(f"/verifier/{code_carte.group(1)}/").content.decode())
    assert "mais plus valable" in texte and "Remplacé par un document plus récent" in texte


def test_a_made_up_code_is_refused_without_a_hint(adherent, contrat, garanties):
    _attestation(adherent)
    for faux in ("ABCD-EFGH-JKLM", "ABCD", "<script>alert(1)", "0000-0000-0000", "abcd-efgh-jkmn-pqrs"):
        page = Client().get(f"/verifier/{faux}/")
        assert page.status_code == 404
        texte = html.unescape(page.content.decode())
        assert "Aucun document ne correspond à ce code" in texte
        assert "<script>alert" not in page.content.decode()
    assert Client().get("/verifier/", {"code": ""}).status_code == 400


def test_guessing_codes_from_one_address_is_throttled(adherent, contrat, garanties, settings):
    settings.MUTUELLE_LIMITE_VERIFICATION = "3/10m"
    _, code = _attestation(adherent)
    for _ in range(3):
        Client().get("/verifier/ABCD-EFGH-JKLM/", REMOTE_ADDR="203.0.113.50")
    bloque = Client().get(f"/verifier/{code}/", REMOTE_ADDR="203.0.113.50")
    assert bloque.status_code == 429 and "Trop de vérifications" in bloque.content.decode()
    from mutuelle.core.models import AuditLog

    assert AuditLog.objects.filter(action="documents.verification.throttled").exists()
    assert Client().get(f"/verifier/{code}/", REMOTE_ADDR="198.51.100.8").status_code == 200


def test_codes_are_long_random_and_unique(adherent, contrat, garanties):
    from mutuelle.documents.services import CODE_LONGUEUR, code_nouveau

    codes = {code_nouveau() for _ in range(2000)}
    assert len(codes) == 2000
    assert all(len(c) == CODE_LONGUEUR and set(c) <= set(CODE_ALPHABET) for c in codes)
    assert len(CODE_ALPHABET) ** CODE_LONGUEUR >= 2**60
