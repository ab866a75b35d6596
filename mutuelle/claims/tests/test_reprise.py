"""An interrupted ingestion resumes and gives exactly the rows of one clean run, never a line twice.

In-process interruptions run on SQLite and PostgreSQL; the real thing (a Celery worker and the
``noemie_ingest`` command killed with SIGKILL, then the command run again, twice) needs PostgreSQL
and Redis, as in production."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings as django_settings

from mutuelle.claims import services
from mutuelle.claims.models import (
    Decompte,
    EvenementLigne,
    FichierNoemie,
    LigneRemboursement,
    LotNoemie,
    RejetNoemie,
    StatutFichier,
)
from mutuelle.claims.selectors import personnes_connues
from mutuelle.claims.services import noemie_integrer
from noemie.generateur import Generateur
from tests.celery_worker import ROOT, kill, worker_env, worker_start


class Coupure(Exception):
    """Stands for the process dying."""


def _fichier(tmp_path: Path, mutuelle: Any, lignes: int, seed: int = 11) -> Path:
    path = tmp_path / "flux.noemie"
    with path.open("w", encoding="ascii") as handle:
        Generateur(personnes_connues(), seed=seed, debut=date(2025, 1, 1), fin=date(2025, 12, 31)).ecrire(
            handle,
            lignes=lignes,
            emetteur=691000001,
            amc=int(mutuelle.numero_amc),
            sequence=seed,
            cree_le=date(2026, 1, 5),
        )
    return path


def _photo() -> dict[str, Any]:
    """Everything an ingestion writes, without the ids and timestamps of the run."""
    lignes = sorted(
        LigneRemboursement.objects.values_list(
            "decompte__numero",
            "numero",
            "beneficiaire_id",
            "garantie_id",
            "montant_amo",
            "montant_amc",
            "reste_a_charge",
            "statut",
            "motif_revue",
        )
    )
    traces = sorted(
        (d, n, json.dumps(t, sort_keys=True, default=str))
        for d, n, t in LigneRemboursement.objects.values_list("decompte__numero", "numero", "trace")
    )
    return {
        "lignes": lignes,
        "traces": traces,
        "decomptes": sorted(Decompte.objects.values_list("numero", "tiers_payant", "date_paiement_amo")),
        "rejets": sorted(RejetNoemie.objects.values_list("decompte_numero", "ligne_numero", "motif")),
        "evenements": sorted(
            EvenementLigne.objects.values_list("ligne__decompte__numero", "ligne__numero", "de", "vers")
        ),
        "fichiers": list(FichierNoemie.objects.values_list("statut", "nb_decomptes", "nb_lignes", "nb_rejets")),
    }


def _effacer() -> None:
    from mutuelle.core.journaux import purge_autorisee

    with purge_autorisee():  # the status history is append-only
        EvenementLigne.objects.all().delete()
        LigneRemboursement.objects.all().delete()
        Decompte.objects.all().delete()
        RejetNoemie.objects.all().delete()
        LotNoemie.objects.all().delete()
        FichierNoemie.objects.all().delete()


def _propre(path: Path) -> dict[str, Any]:
    """The rows of one clean, uninterrupted run of the same file."""
    _effacer()
    assert noemie_integrer(path=path, parallele=False).status == "ingested"
    return _photo()


@pytest.fixture
def petits_lots(settings):
    settings.MUTUELLE_NOEMIE_LOT_ACTES = 7
    settings.MUTUELLE_NOEMIE_PARTITIONS = 2


@pytest.mark.django_db
def test_a_file_is_cut_into_lots_by_family_and_each_lot_is_done_once(
    contrat, autre_adherent, garanties, tmp_path, mutuelle, petits_lots, django_capture_on_commit_callbacks
):
    path = _fichier(tmp_path, mutuelle, 120)
    with django_capture_on_commit_callbacks(execute=True):
        result = noemie_integrer(path=path, parallele=False)
    assert (result.status, result.lignes + result.rejets) == ("ingested", 120)
    fichier = FichierNoemie.objects.get()
    lots = list(fichier.lots.all())
    assert len(lots) > 4 and all(lot.fait for lot in lots)
    assert sum(lot.nb_actes for lot in lots) == 120 == fichier.nb_actes
    assert {lot.partition for lot in lots} == {0, 1}
    # A family's acts are all in one partition.
    assert all(len(parts) == 1 for parts in _partitions_par_contrat().values())
    # The spool folder is gone once the file is integrated.
    assert fichier.dossier_lots == ""
    assert not any((Path(django_settings.MEDIA_ROOT) / "noemie" / "lots").iterdir())


def _partitions_par_contrat() -> dict[int, set[int]]:
    seen: dict[int, set[int]] = {}
    for contrat_id, partition in LigneRemboursement.objects.values_list("contrat_id", "decompte__lot__partition"):
        seen.setdefault(contrat_id, set()).add(partition)
    return seen


@pytest.mark.django_db
def test_interrupted_between_lots_then_resumed_twice_gives_the_rows_of_one_clean_run(
    contrat, autre_adherent, garanties, tmp_path, mutuelle, petits_lots
):
    path = _fichier(tmp_path, mutuelle, 150)
    calls = []

    def stop_after_three(done: int, total: int) -> None:
        calls.append(done)
        if len(calls) == 3:
            raise Coupure

    with pytest.raises(Coupure):
        noemie_integrer(path=path, progress=stop_after_three, parallele=False)
    fichier = FichierNoemie.objects.get()
    assert fichier.statut == StatutFichier.EN_COURS
    assert fichier.lots.filter(fait=True).count() == 3
    assert 0 < LigneRemboursement.objects.count() < 150

    first = noemie_integrer(path=path, parallele=False)
    assert first.status == "ingested" and first.lignes + first.rejets == 150
    second = noemie_integrer(path=path, parallele=False)
    assert second.status == "duplicate"
    resumed = _photo()
    assert resumed == _propre(path)
    assert len(resumed["evenements"]) == len(resumed["lignes"])


@pytest.mark.django_db(transaction=True)
def test_a_lot_that_fails_halfway_leaves_nothing_of_itself(
    contrat, autre_adherent, garanties, tmp_path, mutuelle, petits_lots, monkeypatch
):
    path = _fichier(tmp_path, mutuelle, 100)
    real = services._evenements_reception
    count = {"n": 0}

    def dies_in_the_fourth_lot(*args: Any, **kwargs: Any) -> None:
        count["n"] += 1
        if count["n"] == 4:
            raise Coupure  # after the lot's décomptes and lines were written, before its commit
        real(*args, **kwargs)

    monkeypatch.setattr(services, "_evenements_reception", dies_in_the_fourth_lot)
    with pytest.raises(Coupure):
        noemie_integrer(path=path, parallele=False)
    done = LotNoemie.objects.filter(fait=True)
    assert done.count() == 3
    # Only the rows of the three committed lots are there.
    assert Decompte.objects.exclude(lot__in=done).count() == 0
    assert LigneRemboursement.objects.count() == sum(lot.nb_lignes for lot in done)
    monkeypatch.setattr(services, "_evenements_reception", real)
    assert noemie_integrer(path=path, parallele=False).status == "ingested"
    assert _photo() == _propre(path)


def test_beat_resumes_a_file_left_half_integrated_once_it_has_stopped_moving(
    contrat, autre_adherent, garanties, tmp_path, mutuelle
):
    """A killed worker left the file « en cours »: the broker would give its task back only after
    its visibility timeout; beat's resumption takes it up within minutes, and leaves alone a file
    that is still progressing."""
    import time_machine
    from django.utils import timezone

    from mutuelle.claims.services import fichiers_interrompus_reprendre
    from mutuelle.claims.tasks import noemie_reprendre_interrompus
    from mutuelle.core.models import AuditLog

    path = _fichier(tmp_path, mutuelle, 150)
    calls: list[int] = []

    def stop_after_two(done: int, total: int) -> None:
        calls.append(done)
        if len(calls) == 2:
            raise Coupure

    with pytest.raises(Coupure):
        noemie_integrer(path=path, progress=stop_after_two, parallele=False)
    assert fichiers_interrompus_reprendre() == []  # its last lot is a few seconds old: still moving
    with time_machine.travel(timezone.now() + timedelta(minutes=3)):
        (repris,) = noemie_reprendre_interrompus()
    assert repris["status"] == "ingested" and repris["lignes"] + repris["rejets"] == 150
    assert FichierNoemie.objects.get().statut == StatutFichier.INTEGRE
    assert AuditLog.objects.filter(action="claims.fichier.resumed").count() == 1
    assert _photo() == _propre(path)


def test_the_broker_gives_back_a_dead_workers_task_within_minutes(settings):
    from config.celery import app

    assert settings.CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"] <= 900
    assert (
        app.conf.broker_transport_options["visibility_timeout"]
        == settings.CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"]
    )
    assert settings.CELERY_BEAT_SCHEDULE["noemie-reprise"]["task"] == "claims.noemie_reprendre_interrompus"


# -- the real thing: a Celery worker and the command, killed --------------------------------------


@pytest.mark.postgres
@pytest.mark.xdist_group("celery")  # one real Celery worker at a time: they share the Redis test broker
@pytest.mark.django_db(transaction=True)
def test_a_killed_worker_and_a_killed_command_resume_twice_to_the_rows_of_one_clean_run(
    contrat, autre_adherent, garanties, tmp_path, mutuelle
):
    path = _fichier(tmp_path, mutuelle, 3000, seed=12)
    env = worker_env(tmp_path, MUTUELLE_NOEMIE_LOT_ACTES="10", MUTUELLE_NOEMIE_PARTITIONS="2")
    log = tmp_path / "worker.log"
    worker = worker_start(env, log)
    command = None
    try:
        command = subprocess.Popen(
            [sys.executable, "manage.py", "noemie_ingest", str(path), "--json"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        # Kill both once the workers are a few lots in.
        deadline = time.monotonic() + 120
        while LotNoemie.objects.filter(fait=True).count() < 5:
            assert time.monotonic() < deadline, log.read_text()
            time.sleep(0.01)
    finally:
        kill(worker)
        if command is not None:
            kill(command)
    total = LotNoemie.objects.count()
    done_when_killed = LotNoemie.objects.filter(fait=True).count()
    assert 5 <= done_when_killed < total, "the workers finished before they could be killed"
    assert FichierNoemie.objects.get().statut == StatutFichier.EN_COURS
    # Nothing of a lot that was not marked done is in the database.
    assert Decompte.objects.exclude(lot__fait=True).count() == 0

    def again() -> dict[str, Any]:
        out = subprocess.run(
            [sys.executable, "manage.py", "noemie_ingest", str(path), "--json", "--local"],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
        )
        return json.loads(out.stdout)

    first, second = again(), again()
    assert (first["status"], first["lignes"] + first["rejets"]) == ("ingested", 3000)
    assert second["status"] == "duplicate"
    resumed = _photo()
    assert resumed == _propre(path)


@pytest.mark.django_db
def test_the_file_page_shows_how_far_an_interrupted_integration_got(
    contrat, autre_adherent, garanties, tmp_path, mutuelle, petits_lots, gestionnaire
):
    from django.test import Client

    from tests.factories import connecter

    path = _fichier(tmp_path, mutuelle, 60)

    def stop(done: int, total: int) -> None:
        raise Coupure

    with pytest.raises(Coupure):
        noemie_integrer(path=path, progress=stop, parallele=False)
    fichier = FichierNoemie.objects.get()
    client = Client()
    connecter(client, gestionnaire)
    page = client.get(f"/gestion/remboursements/fichiers/{fichier.pk}/").content.decode()
    done = fichier.lots.get(fait=True).nb_actes
    assert "En cours d&#x27;intégration" in page or "En cours d'intégration" in page
    assert f"{done} actes sur 60 — lots terminés : 1 sur {fichier.lots.count()}" in page


def test_a_spool_folder_left_by_a_kill_while_planning_is_removed_once_old(
    contrat, autre_adherent, garanties, tmp_path, mutuelle
):
    """A process killed while planning a file leaves its spool folder and no row pointing to it."""
    import os

    from mutuelle.claims.services import _spool_root, spool_orphelins_supprimer

    en_cours = _spool_root() / "20261204-101010-en-cours"
    orphelin = _spool_root() / "20261204-090909-orphelin"
    for dossier in (en_cours, orphelin):
        dossier.mkdir(parents=True)
        (dossier / "p0.txt").write_text("100…")
    FichierNoemie.objects.create(
        nom="vivant.txt", sha256="0" * 64, taille=1, statut=StatutFichier.EN_COURS, dossier_lots=en_cours.name
    )
    recent = _spool_root() / "20261204-235959-en-planification"
    recent.mkdir()
    vieux = time.time() - 2 * 3600
    for dossier in (en_cours, orphelin):
        os.utime(dossier, (vieux, vieux))
    assert spool_orphelins_supprimer() == [orphelin.name]
    assert en_cours.exists() and recent.exists() and not orphelin.exists()
