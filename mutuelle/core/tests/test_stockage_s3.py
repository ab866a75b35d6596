"""Uploaded files and issued PDFs on an object store (S3 API, django-storages), tested against a
real S3-compatible server: moto in server mode, over HTTP on 127.0.0.1 — not a mock of boto3."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3  # type: ignore[import-untyped]
import pytest
from django.test import Client
from moto.server import ThreadedMotoServer

from mutuelle.documents.models import Document
from mutuelle.requests.models import PieceJointe
from mutuelle.requests.tests.conftest import pdf_simple
from tests.factories import connecter

SEAU = "mutuelle-documents"


@pytest.fixture(scope="module")
def serveur_s3() -> Iterator[str]:
    serveur = ThreadedMotoServer(ip_address="127.0.0.1", port=0)
    serveur.start()
    hote, port = serveur.get_host_and_port()
    try:
        yield f"http://{hote}:{port}"
    finally:
        serveur.stop()


@pytest.fixture
def s3(serveur_s3: str, settings: Any, tmp_path: Path) -> Any:
    client = boto3.client(
        "s3", endpoint_url=serveur_s3, region_name="eu-west-3", aws_access_key_id="test", aws_secret_access_key="test"
    )
    with contextlib.suppress(client.exceptions.BucketAlreadyOwnedByYou):
        client.create_bucket(Bucket=SEAU, CreateBucketConfiguration={"LocationConstraint": "eu-west-3"})
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": SEAU,
                "endpoint_url": serveur_s3,
                "region_name": "eu-west-3",
                "access_key": "test",
                "secret_key": "test",
                "default_acl": None,
                "file_overwrite": False,
                "querystring_auth": True,
            },
        },
    }
    return client


def _objets(s3: Any, prefixe: str) -> dict[str, bytes]:
    liste = s3.list_objects_v2(Bucket=SEAU, Prefix=prefixe).get("Contents", [])
    return {o["Key"]: s3.get_object(Bucket=SEAU, Key=o["Key"])["Body"].read() for o in liste}


@pytest.mark.django_db
def test_an_issued_document_is_kept_on_the_object_store_and_downloaded_from_it(
    s3: Any, adherent: Any, contrat: Any, autre_adherent: Any, settings: Any
) -> None:
    client = connecter(Client(), adherent.user)
    reponse = client.post("/espace/documents/emettre/attestation_droits/")
    assert reponse.status_code in (200, 302)
    document = Document.objects.get(adherent=adherent)
    objets = _objets(s3, "documents/")
    assert list(objets) == [document.fichier.name] and objets[document.fichier.name].startswith(b"%PDF-")
    telecharge = client.get(f"/espace/documents/{document.pk}/pdf/")
    assert telecharge.status_code == 200
    assert b"".join(telecharge.streaming_content) == objets[document.fichier.name]
    assert not (Path(settings.MEDIA_ROOT) / "documents").exists()  # nothing on the local disk
    # Another member cannot read it, wherever it is kept.
    autre = connecter(Client(), autre_adherent.user)
    assert autre.get(f"/espace/documents/{document.pk}/pdf/").status_code == 404


@pytest.mark.django_db
def test_a_file_sent_with_a_request_goes_to_the_object_store_and_a_failed_sending_leaves_nothing(
    s3: Any, adherent: Any, contrat: Any, antivirus: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from mutuelle.requests import services
    from mutuelle.requests.fichiers import assainir
    from mutuelle.requests.models import TypeDemande

    envoi = services.Envoi(nom="facture.pdf", fichier=assainir(pdf_simple("Facture")))
    demande = services.demande_creer(
        adherent=adherent, type_demande=TypeDemande.DOCUMENT, envois=[envoi], par=adherent.user
    )
    piece = PieceJointe.objects.get(demande=demande)
    objets = _objets(s3, "demandes/")
    assert list(objets) == [piece.fichier.name] and objets[piece.fichier.name].startswith(b"%PDF-")

    def panne(**kwargs: Any) -> None:
        raise RuntimeError("panne du journal")

    monkeypatch.setattr(services, "journal_ecrire", panne)
    with pytest.raises(RuntimeError):
        services.demande_creer(adherent=adherent, type_demande=TypeDemande.DOCUMENT, envois=[envoi], par=adherent.user)
    assert list(_objets(s3, "demandes/")) == [piece.fichier.name]  # the failed one's file was removed


@pytest.mark.django_db
def test_readyz_checks_the_object_store(s3: Any, client: Client) -> None:
    reponse = client.get("/readyz")
    assert reponse.json()["verifications"]["stockage"] == "ok"
    assert _objets(s3, "readyz/") == {}  # its probe is deleted
