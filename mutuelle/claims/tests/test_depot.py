"""Supervisors upload NOEMIE files; a periodic task integrates what is dropped in the inbox."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from mutuelle.claims.models import FichierNoemie, LigneRemboursement
from mutuelle.claims.tasks import noemie_inbox_scan
from mutuelle.claims.tests.helpers import acte, decompte, write
from tests.factories import connecter

pytestmark = pytest.mark.django_db


def login(user) -> Client:
    c = Client()
    connecter(c, user)
    return c


def test_a_supervisor_uploads_a_file_and_sees_it_integrated(responsable, camille, garanties, media):
    path = write(media, [decompte(camille, [acte(), acte(2)])], name="caisse-0042.txt")
    c = login(responsable)
    response = c.post(
        "/gestion/remboursements/fichiers/depot/",
        {"fichier": SimpleUploadedFile("caisse-0042.txt", path.read_bytes())},
        follow=True,
    )
    body = response.content.decode()
    assert "« caisse-0042.txt » intégré : 1 décomptes, 2 lignes, 0 signalements." in body
    fichier = FichierNoemie.objects.get()
    assert fichier.recu_par == responsable and LigneRemboursement.objects.count() == 2
    assert fichier.nom.endswith("caisse-0042.txt")
    # the same file again: refused, nothing changes
    body = c.post(
        "/gestion/remboursements/fichiers/depot/",
        {"fichier": SimpleUploadedFile("copie.txt", path.read_bytes())},
        follow=True,
    ).content.decode()
    assert "déjà reçu" in body and LigneRemboursement.objects.count() == 2


def test_a_defective_upload_shows_its_report(responsable, camille, garanties, media):
    path = write(media, [decompte(camille, [acte()])])
    broken = path.read_bytes()[:-100]
    c = login(responsable)
    body = c.post(
        "/gestion/remboursements/fichiers/depot/", {"fichier": SimpleUploadedFile("casse.txt", broken)}, follow=True
    ).content.decode()
    assert "rejeté, rien n&#x27;a été intégré" in body
    fichier = FichierNoemie.objects.get()
    detail = c.get(f"/gestion/remboursements/fichiers/{fichier.pk}/").content.decode()
    assert "Rapport d'erreurs" in detail and "au lieu de 160 caractères" in detail
    assert LigneRemboursement.objects.count() == 0


def test_an_empty_upload_is_refused(responsable, media):
    response = login(responsable).post(
        "/gestion/remboursements/fichiers/depot/", {"fichier": SimpleUploadedFile("vide.txt", b"")}
    )
    assert response.status_code == 400
    assert FichierNoemie.objects.count() == 0


def test_an_oversized_upload_is_refused(responsable, media, settings):
    settings.MUTUELLE_NOEMIE_UPLOAD_MAX = 1024
    response = login(responsable).post(
        "/gestion/remboursements/fichiers/depot/", {"fichier": SimpleUploadedFile("gros.txt", b"0" * 2048)}
    )
    assert response.status_code == 400 and "taille maximale" in response.content.decode()


def test_handlers_see_the_files_but_cannot_upload(gestionnaire, media):
    c = login(gestionnaire)
    page = c.get("/gestion/remboursements/fichiers/")
    assert page.status_code == 200 and "Déposer un fichier" not in page.content.decode()
    assert (
        c.post("/gestion/remboursements/fichiers/depot/", {"fichier": SimpleUploadedFile("x.txt", b"x")}).status_code
        == 403
    )


def test_members_and_brokers_reach_no_file_page(adherent, courtier, media):
    for user, code in ((adherent.user, 403), (courtier.user, 404)):
        c = login(user)
        assert c.get("/gestion/remboursements/fichiers/").status_code == code
        assert (
            c.post(
                "/gestion/remboursements/fichiers/depot/", {"fichier": SimpleUploadedFile("x.txt", b"x")}
            ).status_code
            == code
        )


def test_the_inbox_task_integrates_dropped_files_and_files_them_away(camille, garanties, media):
    inbox = Path(media / "inbox")
    inbox.mkdir()
    good = write(inbox, [decompte(camille, [acte()])], name="a.txt")
    (inbox / "b.txt").write_bytes(good.read_bytes())  # the same content twice
    (inbox / "c.txt").write_text("000 pas un fichier NOEMIE\n")
    (inbox / "d.txt.partiel").write_text("en cours d'écriture")
    results = noemie_inbox_scan()
    assert sorted(r["status"] for r in results) == ["duplicate", "ingested", "rejected"]
    assert {p.name for p in (inbox / "traites").iterdir()} | {p.name for p in (inbox / "doublons").iterdir()} == {
        "a.txt",
        "b.txt",
    }
    assert [p.name for p in (inbox / "rejetes").iterdir()] == ["c.txt"]
    assert (inbox / "d.txt.partiel").exists()
    assert LigneRemboursement.objects.count() == 1
    assert noemie_inbox_scan() == []  # nothing left: running again changes nothing
