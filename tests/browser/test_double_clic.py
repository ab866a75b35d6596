"""The embedded default survives a double click: two « Lancer le paiement » sent together to the demo
as `make demo` serves it (a file SQLite database, Django's threaded server, in its own process) make
one payment run and no error page.

The demo database is built by the documented commands (a small ``seed_demo``, then a NOEMIE file made
by ``noemie_generate`` and integrated by ``noemie_ingest``, so that reimbursements wait for payment).
"""

from __future__ import annotations

import html
import json
import os
import re
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _manage(env: dict[str, str], *args: str) -> str:
    resultat = subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
    )
    assert resultat.returncode == 0, resultat.stderr[-3000:]
    return resultat.stdout


def _etat(env: dict[str, str]) -> dict[str, Any]:
    code = (
        "import json;"
        "from mutuelle.payments.models import LotPaiement, PaiementLigne;"
        "from mutuelle.payments.services import resume_a_payer;"
        "from django.db.models import Count;"
        "from django.db import connection;"
        "mode = connection.cursor().execute('PRAGMA journal_mode').fetchone()[0];"
        "print(json.dumps({'mode': mode, 'lots': LotPaiement.objects.count(), 'a_payer': resume_a_payer().payables,"
        " 'payees_deux_fois': PaiementLigne.objects.filter(vivant=True).values('ligne_id')"
        ".annotate(n=Count('id')).filter(n__gt=1).count()}))"
    )
    return json.loads(_manage(env, "shell", "-c", code).strip().splitlines()[-1])


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, dict[str, str]]]:
    dossier = tmp_path_factory.mktemp("demo")
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{dossier / 'demo.sqlite3'}",
        "MUTUELLE_BASE_URL": f"http://localhost:{port}",
        "MEDIA_ROOT": str(dossier / "media"),
    }
    env.pop("DJANGO_SETTINGS_MODULE", None)  # manage.py's own (the demo's), not the tests'
    _manage(env, "migrate", "--no-input", "-v", "0")
    _manage(env, "seed_demo", "--members", "3", "--lignes-par-mois", "5")
    flux = dossier / "flux.txt"
    debut = date.today().replace(day=1).isoformat()
    _manage(
        env, "noemie_generate", "--out", str(flux), "--lines", "40", "--du", debut, "--au", date.today().isoformat()
    )
    _manage(env, "noemie_ingest", str(flux), "--local")
    serveur = subprocess.Popen(
        [sys.executable, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.2)
        yield f"http://localhost:{port}", env
    finally:
        serveur.terminate()
        serveur.wait(timeout=10)


def test_two_payment_launches_at_once_make_one_run_and_no_error(demo: Any, browser: Any) -> None:
    base, env = demo
    avant = _etat(env)
    assert avant["a_payer"] > 0, avant  # the NOEMIE file left reimbursements to pay
    assert avant["mode"] == "wal"  # readers and the writer do not wait for each other
    page = browser.new_page()
    page.goto(f"{base}/connexion/")
    page.fill("input[name=identifiant]", "responsable")
    page.fill("input[name=secret]", "demo-mutuelle-2026")
    page.click("button[type=submit]")
    page.wait_for_url("**/connexion/verification/**")
    page.fill("input[name=code]", _manage(env, "code_totp", "responsable").strip())
    page.click("button[type=submit]")
    page.wait_for_url("**/gestion/**")
    page.goto(f"{base}/gestion/paiements/")
    reponses = page.evaluate(
        """async () => {
            const form = document.querySelector('form[action$="/gestion/paiements/lancer/"]');
            const envoyer = () => fetch(form.action, {method: "POST", body: new FormData(form)})
                .then(async r => ({status: r.status, url: r.url, texte: await r.text()}));
            return Promise.all([envoyer(), envoyer()]);
        }"""
    )
    page.close()
    assert [r["status"] for r in reponses] == [200, 200], [(r["status"], r["texte"][:300]) for r in reponses]
    assert not any("database is locked" in r["texte"] for r in reponses)
    apres = _etat(env)
    assert apres["lots"] == avant["lots"] + 1  # one run
    assert apres["a_payer"] == 0 and apres["payees_deux_fois"] == 0  # every line paid, none twice
    # One answer is the run's page, the other says there was nothing left to pay.
    textes = html.unescape(" ".join(r["texte"] for r in reponses))
    assert len(re.findall(r"Lot P\d{4}-\d{6} prêt", textes)) == 1
    assert re.search(r"Aucun lot n'a été créé|Aucun remboursement validé n'attend de paiement", textes)
