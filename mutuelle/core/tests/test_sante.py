"""/healthz and /readyz for the process manager and the load balancer; the request id on every line."""

from __future__ import annotations

import json
import logging
from typing import Any

import pytest
from django.test import Client

from mutuelle.core import sante


def test_healthz_answers_while_the_process_runs_without_touching_the_database(client: Client) -> None:
    reponse = client.get("/healthz")
    assert reponse.status_code == 200 and reponse.json() == {"status": "ok"}
    assert reponse["Cache-Control"].startswith("max-age=0")


@pytest.mark.django_db
def test_readyz_checks_the_database_migrations_cache_storage_and_tasks(client: Client) -> None:
    reponse = client.get("/readyz")
    assert reponse.status_code == 200, reponse.content
    verifications = reponse.json()["verifications"]
    assert verifications["base"] == verifications["cache"] == verifications["stockage"] == "ok"
    assert "pas de broker" in verifications["celery"]  # the tests run tasks inline


@pytest.mark.django_db
def test_readyz_names_what_fails_with_503(client: Client, monkeypatch: pytest.MonkeyPatch) -> None:
    def panne() -> str:
        raise ConnectionError("Redis ne répond pas")

    monkeypatch.setitem(sante.VERIFICATIONS, "cache", panne)
    reponse = client.get("/readyz")
    assert reponse.status_code == 503
    corps = reponse.json()
    assert corps["status"] == "ko" and corps["verifications"]["base"] == "ok"
    assert corps["verifications"]["cache"] == "échec : ConnectionError: Redis ne répond pas"


@pytest.mark.django_db
def test_readyz_says_when_a_migration_is_missing(client: Client, monkeypatch: pytest.MonkeyPatch) -> None:
    from django.db.migrations.executor import MigrationExecutor

    monkeypatch.setattr(sante, "_migrations_a_jour", False)
    monkeypatch.setattr(MigrationExecutor, "migration_plan", lambda self, cibles: [("une", False)])
    reponse = client.get("/readyz")
    assert reponse.status_code == 503 and "1 migration(s) non appliquée(s)" in reponse.json()["verifications"]["base"]


def test_every_answer_carries_a_request_id_and_the_log_line_has_it_without_the_query(
    client: Client, caplog: Any
) -> None:
    caplog.set_level(logging.INFO, logger="mutuelle.requetes")
    reponse = client.get("/healthz?nir=180017512345678")
    ident = reponse["X-Request-ID"]
    assert len(ident) == 32
    ligne = next(r for r in caplog.records if r.name == "mutuelle.requetes")
    assert ligne.request_id == ident and ligne.path == "/healthz" and ligne.status == 200
    assert "180017512345678" not in ligne.getMessage() and "nir" not in json.dumps(ligne.__dict__, default=str)


def test_a_proxys_request_id_is_kept_and_a_malformed_one_replaced(client: Client) -> None:
    assert client.get("/healthz", HTTP_X_REQUEST_ID="lb-0123456789abcdef")["X-Request-ID"] == "lb-0123456789abcdef"
    remplace = client.get("/healthz", HTTP_X_REQUEST_ID="x\nFAUX: injecté")["X-Request-ID"]
    assert remplace != "x\nFAUX: injecté" and len(remplace) == 32
