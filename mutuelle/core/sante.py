"""Health endpoints for the process manager and the load balancer.

``/healthz``: the process answers (no dependency checked: a restart would not help a database
outage). ``/readyz``: this process can serve — the database answers and every migration is applied,
the cache (Redis) answers, the file storage takes a write and a delete, and when tasks go through a
broker, a Celery worker answers a ping. 503 names what fails, never a secret.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable

from django.conf import settings
from django.core.cache import cache
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

# Reading the migration graph takes about a second: once this process has seen every migration
# applied it does not read it again (a running process never sees migrations undone).
_migrations_a_jour = False


def _base() -> str:
    global _migrations_a_jour
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    if not _migrations_a_jour:
        executor = MigrationExecutor(connection)
        restantes = executor.migration_plan(executor.loader.graph.leaf_nodes())
        if restantes:
            raise RuntimeError(f"{len(restantes)} migration(s) non appliquée(s)")
        _migrations_a_jour = True
    return "ok"


def _cache() -> str:
    cle = f"readyz:{uuid.uuid4().hex}"
    cache.set(cle, "1", timeout=10)
    if cache.get(cle) != "1":
        raise RuntimeError("le cache ne rend pas ce qu'on y a mis")
    cache.delete(cle)
    return "ok"


def _stockage() -> str:
    nom = default_storage.save(f"readyz/{uuid.uuid4().hex}.txt", ContentFile(b"ok"))
    default_storage.delete(nom)
    return "ok"


def _celery() -> str:
    if settings.CELERY_TASK_ALWAYS_EAGER:
        return "tâches exécutées dans le processus (pas de broker)"
    from config.celery import app

    reponses = app.control.ping(timeout=1.0)
    if not reponses:
        raise RuntimeError("aucun worker Celery ne répond")
    return f"{len(reponses)} worker(s)"


VERIFICATIONS: dict[str, Callable[[], str]] = {
    "base": _base,
    "cache": _cache,
    "stockage": _stockage,
    "celery": _celery,
}


@require_GET
@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    return JsonResponse({"status": "ok"})


@require_GET
@never_cache
def readyz(request: HttpRequest) -> JsonResponse:
    resultats: dict[str, str] = {}
    echecs = []
    for nom, verifier in VERIFICATIONS.items():
        try:
            resultats[nom] = verifier()
        except Exception as exc:
            resultats[nom] = f"échec : {type(exc).__name__}: {str(exc)[:200]}"
            echecs.append(nom)
    return JsonResponse({"status": "ko" if echecs else "ok", "verifications": resultats}, status=503 if echecs else 200)
