"""Letters: the welcome letter, the monthly paper relevés (a Celery task per member, posted once),
all printed through the same queue and batches as the accounts' code letters."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

import pytest
from django.test import Client

from mutuelle.accounts.models import Courrier, LotCourriers, StatutCourrier, TypeCourrier
from mutuelle.documents.contenus import DocumentIndisponible
from mutuelle.documents.models import Document, Impression, TypeDocument
from mutuelle.documents.services import lettre_bienvenue
from mutuelle.documents.tasks import releves_papier_mensuels
from mutuelle.notifications.services import preferences as preferences_de
from tests.factories import connecter, ligne_make
from tests.pdf import pdf_png, pdf_texte

pytestmark = pytest.mark.django_db


def test_the_welcome_letter_names_the_contract_the_family_and_the_way_into_the_space(adherent, contrat, mutuelle):
    courrier = lettre_bienvenue(adherent=adherent)
    assert courrier.type_courrier == TypeCourrier.BIENVENUE and courrier.statut == StatutCourrier.A_IMPRIMER
    texte = pdf_texte(courrier.pdf.path)
    for attendu in (contrat.numero, "Julien", "Nathan", adherent.numero, "/connexion/premiere-connexion/"):
        assert attendu in texte, attendu
    assert "mot de passe" in texte  # the anti-phishing line
    pdf_png(courrier.pdf.path, "lettre-bienvenue")


def test_no_welcome_letter_without_a_contract(adherent):
    with pytest.raises(DocumentIndisponible):
        lettre_bienvenue(adherent=adherent)


def test_a_handler_queues_welcome_letters_from_the_admin(adherent, contrat, autre_adherent, gestionnaire):
    from django.contrib.auth.models import Group

    from mutuelle.accounts.services import GROUP_NAMES, roles_installer

    roles_installer()
    gestionnaire.groups.add(Group.objects.get(name=GROUP_NAMES["gestionnaire"]))
    client = connecter(Client(), gestionnaire)
    response = client.post(
        "/admin/members/adherent/",
        {"action": "lettre_bienvenue_preparer", "_selected_action": [adherent.pk, autre_adherent.pk]},
        follow=True,
    )
    assert "2 lettre(s) de bienvenue" in response.content.decode()
    assert Courrier.objects.filter(type_courrier=TypeCourrier.BIENVENUE).count() == 2


def _papier(adherent: Any) -> None:
    prefs = preferences_de(adherent)
    prefs.releves_papier = True
    prefs.save()


def test_paper_relevés_are_issued_once_per_member_and_month_and_queued_for_printing(
    adherent, contrat, autre_adherent, mutuelle
):
    _papier(adherent)
    julien = contrat.beneficiaires.get(prenom="Julien")
    ligne_make(beneficiaire=julien, date_soins=date(2026, 3, 3))
    ligne_make(beneficiaire=julien, date_soins=date(2026, 3, 17))
    autre = autre_adherent.contrats.get().beneficiaires.get()
    ligne_make(beneficiaire=autre, date_soins=date(2026, 3, 5))  # email statements only: no paper
    assert releves_papier_mensuels("2026-03-01") == 1
    document = Document.objects.get()
    assert document.type_document == TypeDocument.RELEVE and document.adherent == adherent
    assert document.impression == Impression.A_IMPRIMER
    assert document.parametres == {"du": "2026-03-01", "au": "2026-03-31"}
    courrier = Courrier.objects.get(type_courrier=TypeCourrier.RELEVE)
    assert courrier.adherent == adherent and "2 actes" in pdf_texte(courrier.pdf.path)
    # A second run (a retry, a beat fired twice) posts nothing more; a month without care, nothing.
    releves_papier_mensuels("2026-03-01")
    releves_papier_mensuels("2026-04-01")
    assert Document.objects.count() == 1 and Courrier.objects.count() == 1
    # Printing the letter leaves the member's document (history, verification) in place.
    from mutuelle.accounts.services import lot_preparer

    lot = lot_preparer(ids=[courrier.pk], par=None)
    assert isinstance(lot, LotCourriers) and lot.nb_courriers == 1
    document.refresh_from_db()
    assert document.fichier and document.fichier.storage.exists(document.fichier.name)
    assert connecter(Client(), adherent.user).get(f"/espace/documents/{document.pk}/pdf/").status_code == 200


def test_the_command_checks_the_month(adherent, contrat, mutuelle):
    from io import StringIO

    from django.core.management import CommandError, call_command

    with pytest.raises(CommandError, match="AAAA-MM"):
        call_command("releves_papier", "--mois", "2026-13")
    out = StringIO()
    call_command("releves_papier", "--mois", "2026-03", stdout=out)
    assert "0 relevé(s) papier" in out.getvalue()


@pytest.mark.postgres
@pytest.mark.xdist_group("celery")  # one real Celery worker at a time: they share the Redis test broker
@pytest.mark.django_db(transaction=True)
def test_two_celery_workers_render_the_months_paper_releves_in_parallel(formule, mutuelle, tmp_path):
    """A real broker and a real worker with two processes: every member's relevé is issued once,
    and both processes took a share."""
    import subprocess
    import sys
    import time

    from tests.celery_worker import ROOT, kill, worker_env, worker_start
    from tests.factories import adherent_make, contrat_make

    familles = []
    for n in range(12):
        adherent = adherent_make(nom=f"Papier{n}", email="")
        contrat = contrat_make(adherent=adherent, formule=formule, date_debut=date(2025, 1, 1))
        _papier(adherent)
        for jour in (3, 14):
            ligne_make(beneficiaire=contrat.beneficiaires.get(), date_soins=date(2026, 3, jour))
        familles.append(adherent)
    env = worker_env(tmp_path)
    log = tmp_path / "worker.log"
    worker = worker_start(env, log)
    try:
        subprocess.run(
            [sys.executable, "manage.py", "releves_papier", "--mois", "2026-03"], cwd=ROOT, env=env, check=True
        )
        deadline = time.monotonic() + 120
        while Document.objects.count() < len(familles):
            assert time.monotonic() < deadline, log.read_text()
            time.sleep(0.2)
    finally:
        kill(worker)
    assert sorted(Document.objects.values_list("adherent_id", flat=True)) == sorted(a.pk for a in familles)
    assert Courrier.objects.filter(type_courrier=TypeCourrier.RELEVE).count() == len(familles)
    journal = log.read_text()
    processus = set(re.findall(r"(ForkPoolWorker-\d+)\].*documents\.releve_papier\[.*succeeded", journal))
    assert len(processus) == 2, journal
