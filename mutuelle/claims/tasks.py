"""Background work of the claims pipeline. Tasks take paths or ids, call services, are idempotent."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

from celery import shared_task
from django.conf import settings

from mutuelle.accounts.models import User
from mutuelle.claims.services import (
    fichier_finaliser,
    fichiers_interrompus_reprendre,
    noemie_integrer,
    partition_integrer,
    spool_orphelins_supprimer,
)

DEPOSES = ("*.txt", "*.TXT", "*.noemie")


def inbox_dir() -> Path:
    return Path(settings.MUTUELLE_NOEMIE_INBOX)


@shared_task(name="claims.noemie_inbox_scan")
def noemie_inbox_scan() -> list[dict[str, Any]]:
    """Integrate every file dropped in the inbox, oldest first, then file it under ``traites/``,
    ``doublons/`` or ``rejetes/``. A file still being written (``.partiel``) is left for the next run.
    Running twice does no harm: a file already integrated is refused as a duplicate."""
    inbox = inbox_dir()
    inbox.mkdir(parents=True, exist_ok=True)
    results: list[dict[str, Any]] = []
    files = sorted((p for pattern in DEPOSES for p in inbox.glob(pattern)), key=lambda p: p.stat().st_mtime)
    for path in files:
        result = noemie_integrer(path=path)
        destination = inbox / {"ingested": "traites", "duplicate": "doublons", "rejected": "rejetes"}[result.status]
        destination.mkdir(exist_ok=True)
        shutil.move(str(path), destination / path.name)
        results.append(result.as_json())
    return results


@shared_task(name="claims.noemie_reprendre_interrompus")
def noemie_reprendre_interrompus() -> list[dict[str, Any]]:
    """Files whose integration stopped (no lot for a while) are resumed, and spool folders left by a
    process killed while planning are removed (Celery beat, every 2 minutes)."""
    spool_orphelins_supprimer()
    return [r.as_json() for r in fichiers_interrompus_reprendre()]


@shared_task(name="claims.noemie_ingest_file")
def noemie_ingest_file(path: str, user_id: int | None = None) -> dict[str, Any]:

    par = User.objects.filter(pk=user_id).first() if user_id else None
    return noemie_integrer(path=Path(path), par=par).as_json()


@shared_task(name="claims.noemie_partition", acks_late=True, reject_on_worker_lost=True)
def noemie_partition(fichier_id: int, partition: int) -> int:
    """Integrate the pending lots of one partition of a file, then close the file if it was the last.
    Idempotent: done lots are skipped, and a partition another worker holds is left to it."""
    faits = partition_integrer(fichier_id=fichier_id, partition=partition)
    fichier_finaliser(fichier_id=fichier_id)
    return faits
