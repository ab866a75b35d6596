"""NOEMIE ingestion end to end on PostgreSQL with real Celery workers, against the COPY floor.

    uv run python bench/noemie_ingest.py [--lines 1000000] [--workers 2] [--members 1000] [--runs 1]

What it does, in a throw-away database (``mutuelle_bench_noemie``, dropped at the end unless --keep):
1. migrates, seeds the demo's members (no reimbursements), generates a file of ``--lines`` act lines
   for them (not timed);
2. starts a Celery worker (``--workers`` processes, Redis broker) and runs
   ``manage.py noemie_ingest FILE``: end-to-end time from the command's start to the file integrated
   (verify + partition + parse + match + compute + store), in acts per second;
3. peak memory: the largest peak RSS (VmHWM) of the command and of each worker process;
4. the floor: the time PostgreSQL's COPY takes to load the same rows, already computed (the lines,
   their events, the décomptes and the signalements, exported then loaded into empty copies of their
   tables with the same indexes and constraints).

Prints one JSON object per run, then the medians.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parent.parent
PG = os.environ.get("BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432")
DB = "mutuelle_bench_noemie"
BROKER = os.environ.get("BENCH_BROKER_URL", "redis://127.0.0.1:6379/13")
TABLES = ("claims_decompte", "claims_ligneremboursement", "claims_evenementligne", "claims_rejetnoemie")


def manage(env: dict[str, str], *args: str, **kwargs: object) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, check=True, text=True, capture_output=True, **kwargs
    )  # type: ignore[call-overload]


def admin(sql: str) -> None:
    with psycopg.connect(f"{PG}/postgres", autocommit=True) as conn:
        conn.execute(sql)


def hwm_kib(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def descendants(pid: int) -> list[int]:
    out = subprocess.run(["ps", "-o", "pid=", "--ppid", str(pid)], capture_output=True, text=True).stdout
    children = [int(p) for p in out.split()]
    return children + [g for c in children for g in descendants(c)]


def start_worker(env: dict[str, str], workers: int, log: Path) -> subprocess.Popen[bytes]:
    worker = subprocess.Popen(
        [
            *(sys.executable, "-m", "celery", "-A", "config", "worker", "-c", str(workers), "--pool", "prefork"),
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
            raise SystemExit(f"The Celery worker did not start; see {log}")
        time.sleep(0.2)
    return worker


def copy_floor(url: str) -> float:
    """Seconds PostgreSQL takes to COPY the computed rows into empty tables shaped like the real ones."""
    with psycopg.connect(url, autocommit=True) as conn, tempfile.TemporaryDirectory() as tmp:
        dumps = {}
        for table in TABLES:
            path = Path(tmp) / f"{table}.copy"
            with conn.cursor() as cur, path.open("wb") as out, cur.copy(f"COPY {table} TO STDOUT") as copy:
                for block in copy:
                    out.write(block)
            dumps[table] = path
            conn.execute(f"DROP TABLE IF EXISTS floor_{table}")
            conn.execute(f"CREATE TABLE floor_{table} (LIKE {table} INCLUDING ALL)")
        started = time.perf_counter()
        with conn.transaction():
            for table, path in dumps.items():
                with conn.cursor() as cur, cur.copy(f"COPY floor_{table} FROM STDIN") as copy, path.open("rb") as data:
                    while block := data.read(1 << 20):
                        copy.write(block)
        elapsed = time.perf_counter() - started
        for table in TABLES:
            conn.execute(f"DROP TABLE floor_{table}")
        return elapsed


def run_once(args: argparse.Namespace, env: dict[str, str], path: Path, media: Path, run: int) -> dict[str, float]:
    url = env["DATABASE_URL"]
    with psycopg.connect(url, autocommit=True) as conn:  # each run starts from the members alone
        conn.execute(
            "TRUNCATE claims_evenementligne, claims_ligneremboursement, claims_decompte, claims_rejetnoemie, "
            "claims_lotnoemie, claims_fichiernoemie, core_auditlog CASCADE"
        )
    subprocess.run(["redis-cli", "-u", BROKER, "flushdb"], check=True, capture_output=True)
    log = media / f"worker-{run}.log"
    worker = start_worker(env, args.workers, log)
    peak_workers = 0
    try:
        started = time.perf_counter()
        command = subprocess.Popen(
            [sys.executable, "manage.py", "noemie_ingest", str(path), "--json"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            text=True,
        )
        pids = [*descendants(worker.pid), worker.pid]
        peak_command = 0
        while command.poll() is None:
            pids = sorted(set(pids) | set(descendants(worker.pid)))
            peak_workers = max([peak_workers] + [hwm_kib(p) for p in pids])
            peak_command = max(peak_command, hwm_kib(command.pid))
            time.sleep(0.2)
        elapsed = time.perf_counter() - started
        peak_workers = max([peak_workers] + [hwm_kib(p) for p in descendants(worker.pid)])
        summary = json.loads(command.stdout.read() if command.stdout else "{}")
        if summary.get("status") != "ingested":
            raise SystemExit(f"Ingestion ended {summary.get('status')}: {summary}")
    finally:
        os.killpg(worker.pid, signal.SIGTERM)
        worker.wait(timeout=60)
    floor = copy_floor(url)
    actes = summary["lignes"] + summary["rejets"]
    return {
        "run": run,
        "acts": actes,
        "seconds": round(elapsed, 1),
        "acts_per_s": round(actes / elapsed),
        "peak_mb_command": round(peak_command / 1024),
        "peak_mb_worker": round(peak_workers / 1024),
        "copy_floor_s": round(floor, 1),
        "ratio_to_floor": round(elapsed / floor, 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", type=int, default=1_000_000)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 2)
    parser.add_argument("--members", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--keep", action="store_true", help="keep the database and files afterwards")
    args = parser.parse_args()

    media = Path(tempfile.mkdtemp(prefix="bench-noemie-"))
    env = {
        **os.environ,
        "DATABASE_URL": f"{PG}/{DB}",
        "CELERY_BROKER_URL": BROKER,
        "MEDIA_ROOT": str(media / "media"),
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "PYTHONPATH": str(ROOT),
    }
    admin(f"DROP DATABASE IF EXISTS {DB}")
    admin(f"CREATE DATABASE {DB}")
    try:
        t = time.perf_counter()
        manage(env, "migrate", "--no-input", "-v0")
        manage(env, "seed_demo", "--members", str(args.members), "--lignes-par-mois", "0")
        path = media / "bench.noemie"
        manage({**env, "CELERY_BROKER_URL": ""}, "noemie_generate", "--out", str(path), "--lines", str(args.lines))
        print(f"# set-up (migrate, seed, generate): {time.perf_counter() - t:.0f} s", file=sys.stderr)
        results = []
        for run in range(1, args.runs + 1):
            result = run_once(args, env, path, media, run)
            print(json.dumps(result), flush=True)
            results.append(result)
        if len(results) > 1:
            keys = ("acts_per_s", "peak_mb_command", "peak_mb_worker", "seconds", "copy_floor_s", "ratio_to_floor")
            print(json.dumps({"median": {k: statistics.median(r[k] for r in results) for k in keys}}))
    finally:
        if not args.keep:
            admin(f"DROP DATABASE IF EXISTS {DB} WITH (FORCE)")
            subprocess.run(["rm", "-rf", str(media)], check=False)


if __name__ == "__main__":
    main()
