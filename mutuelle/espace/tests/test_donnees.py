"""« Mes données »: the archive of everything held on the member and their family, made in the
background, emailed as a link that works for that member only, for 7 days."""

from __future__ import annotations

import io
import json
import re
import zipfile
from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.test import Client
from django.utils import timezone

from mutuelle.espace.tasks import exports_expirer
from mutuelle.members.models import ExportDonnees, StatutExport
from tests.factories import connecter, ligne_make

pytestmark = pytest.mark.django_db


def _demander(client: Client, django_capture_on_commit_callbacks) -> str:
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post("/espace/profil/mes-donnees/").status_code == 302
    lien = re.search(r"(/espace/profil/mes-donnees/[\w-]{20,}/)", str(mail.outbox[-1].body))
    assert lien
    return lien.group(1)


def test_the_archive_holds_the_familys_data_and_files(adherent, contrat, mutuelle, django_capture_on_commit_callbacks):
    julien = contrat.beneficiaires.get(prenom="Julien")
    ligne_make(beneficiaire=julien, depense="42.00", amo="19.00", amc="9.00")
    membre = connecter(Client(), adherent.user)
    membre.post("/espace/documents/emettre/attestation_droits/")
    lien = _demander(membre, django_capture_on_commit_callbacks)
    export = ExportDonnees.objects.get()
    assert export.statut == StatutExport.PRET and export.expire_le - export.pret_le == timedelta(days=7)
    response = membre.get(lien)
    assert response["Content-Type"] == "application/zip" and "attachment" in response["Content-Disposition"]
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    noms = archive.namelist()
    assert "donnees.json" in noms and any(n.startswith("documents/") and n.endswith(".pdf") for n in noms)
    donnees = json.loads(archive.read("donnees.json"))
    assert donnees["adherent"]["numero"] == adherent.numero and donnees["adherent"]["nir"] == adherent.nir
    assert {b["prenom"] for b in donnees["beneficiaires"]} == {"Camille", "Julien", "Léa", "Nathan"}
    assert donnees["remboursements"][0]["montant_depense"] == "42.00"
    assert donnees["contrats"][0]["numero"] == contrat.numero
    assert donnees["connexions"] is not None and donnees["documents"]
    assert ExportDonnees.objects.get().telecharge_le is not None


def test_the_link_works_only_for_the_member_and_only_for_seven_days(
    adherent, contrat, autre_adherent, mutuelle, django_capture_on_commit_callbacks
):
    membre = connecter(Client(), adherent.user)
    lien = _demander(membre, django_capture_on_commit_callbacks)
    assert connecter(Client(), autre_adherent.user).get(lien).status_code == 404
    assert Client().get(lien).status_code == 302  # the login first
    assert membre.get(lien.replace(lien.split("/")[-2], "x" * 43)).status_code == 404
    with time_machine.travel(timezone.now() + timedelta(days=8)):
        assert connecter(Client(), adherent.user).get(lien).status_code == 404  # logged in again, a week later
        assert exports_expirer() == 1
    export = ExportDonnees.objects.get()
    assert export.statut == StatutExport.EXPIRE and not export.fichier


def test_a_member_without_email_downloads_the_archive_from_the_space_after_typing_the_secret_again(
    contrat, autre_adherent, mutuelle, django_capture_on_commit_callbacks
):
    """The archive's link went only by email: a member without one could never download it."""
    from tests.factories import TEST_PASSWORD

    adherent = contrat.adherent
    adherent.email = ""
    adherent.save()
    membre = connecter(Client(), adherent.user)
    with django_capture_on_commit_callbacks(execute=True):
        page = membre.post("/espace/profil/mes-donnees/", follow=True).content.decode()
    assert "revenez sur cette page pour la télécharger" in page and not mail.outbox
    export = ExportDonnees.objects.get()
    url = f"/espace/profil/mes-donnees/archive/{export.pk}/"
    assert f'href="{url}"' in membre.get("/espace/profil/mes-donnees/").content.decode()
    # Not without the secret typed again, never for another family, nor once expired.
    assert membre.get(url)["Location"].startswith("/compte/confirmer/")
    membre.post("/compte/confirmer/", {"secret": TEST_PASSWORD, "suite": url})
    reponse = membre.get(url)
    assert reponse.status_code == 200 and reponse["Content-Type"] == "application/zip"
    assert zipfile.ZipFile(io.BytesIO(b"".join(reponse.streaming_content))).read("donnees.json")
    autre = connecter(Client(), autre_adherent.user)
    autre.post("/compte/confirmer/", {"secret": TEST_PASSWORD, "suite": url})
    assert autre.get(url).status_code == 404
    with time_machine.travel(timezone.now() + timedelta(days=8)):
        assert membre.get(url).status_code in {302, 404}
        relogue = connecter(Client(), adherent.user)
        relogue.post("/compte/confirmer/", {"secret": TEST_PASSWORD, "suite": url})
        assert relogue.get(url).status_code == 404


def test_one_archive_at_a_time_and_three_a_day(adherent, contrat, mutuelle, django_capture_on_commit_callbacks):
    membre = connecter(Client(), adherent.user)
    membre.post("/espace/profil/mes-donnees/")  # the task waits for the commit that never runs here
    page = membre.post("/espace/profil/mes-donnees/", follow=True).content.decode()
    assert "déjà en préparation" in page and ExportDonnees.objects.count() == 1
    ExportDonnees.objects.update(statut=StatutExport.PRET)
    membre.post("/espace/profil/mes-donnees/")
    ExportDonnees.objects.update(statut=StatutExport.PRET)
    membre.post("/espace/profil/mes-donnees/")
    ExportDonnees.objects.update(statut=StatutExport.PRET)
    page = membre.post("/espace/profil/mes-donnees/", follow=True).content.decode()
    assert "aujourd&#x27;hui" in page and ExportDonnees.objects.count() == 3


def test_staff_and_brokers_cannot_ask_for_a_members_archive(adherent, gestionnaire, courtier):
    assert connecter(Client(), gestionnaire).post("/espace/profil/mes-donnees/").status_code == 403
    assert connecter(Client(), courtier.user).post("/espace/profil/mes-donnees/").status_code == 404
    assert not ExportDonnees.objects.exists()
