"""A real Celery worker for the tests that need one (PostgreSQL and Redis): the environment that
points it at the test database and a private queue, starting it, and killing it."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

from django.db import connection

ROOT = Path(__file__).resolve().parents[1]


def worker_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    """The test database, a queue of its own on the test broker, files under ``tmp_path``."""
    db = connection.settings_dict
    return {
        **os.environ,
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}",
        "CELERY_BROKER_URL": os.environ.get("TEST_CELERY_BROKER_URL", "redis://127.0.0.1:6379/12"),
        "CELERY_QUEUE": f"test-{uuid.uuid4().hex[:8]}",
        "MEDIA_ROOT": str(tmp_path / "media-workers"),
        "MUTUELLE_ENV": "demo",
        "DJANGO_SETTINGS_MODULE": "config.settings",
        **extra,
    }


def worker_start(env: dict[str, str], log: Path, *, processes: int = 2) -> subprocess.Popen[bytes]:
    """A prefork worker with ``processes`` processes, once it says it is ready."""
    worker = subprocess.Popen(
        [
            *(sys.executable, "-m", "celery", "-A", "config", "worker", "-c", str(processes), "--pool", "prefork"),
            *("--without-gossip", "--without-mingle", "-l", "info"),
        ],
        cwd=ROOT,
        env=env,
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    deadline = time.monotonic() + 60
    while b"ready." not in log.read_bytes():
        if worker.poll() is not None or time.monotonic() > deadline:
            kill(worker)
            raise AssertionError(log.read_text())
        time.sleep(0.1)
    return worker


def kill(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGKILL)
    process.wait(timeout=30)
