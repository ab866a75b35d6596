"""The lockout under simultaneous attempts: no more than the threshold is ever tried.

The attack: N POSTs to /connexion/ at the same moment (N - 1 wrong passwords, one right, each from
its own address). Each request found the account unlocked before any had counted its failure, so up
to five wrong guesses were answered normally and the right password logged in every time. Real
requests to a real server (a thread per request, each with its own database connection) on
PostgreSQL, Argon2 as in production.
"""

from __future__ import annotations

import http.client
import re
import threading
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlencode, urlsplit

import pytest

from mutuelle.accounts.models import Role
from tests.factories import UserFactory

pytestmark = [pytest.mark.verrouillage, pytest.mark.postgres]

BON = "la-bonne-phrase-secrete-2026"


@pytest.fixture
def serveur() -> Iterator[str]:
    """A threaded server of its own, one thread per request as in production. Not the session's
    ``live_server``: the browser tests make that one answer one request at a time (their in-memory
    SQLite), and a sequential server holding the first connection while the others wait at the
    start would never reach them."""
    from django.core.handlers.wsgi import WSGIHandler
    from django.core.servers.basehttp import ThreadedWSGIServer, WSGIRequestHandler

    class Silencieux(WSGIRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            pass

    class Serveur(ThreadedWSGIServer):
        request_queue_size = 64  # every attempt connects before the start

    httpd = Serveur(("127.0.0.1", 0), Silencieux, allow_reuse_address=False)
    httpd.set_app(WSGIHandler())
    fil = threading.Thread(target=httpd.serve_forever, daemon=True)
    fil.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()
        fil.join(10)


def _essai(base: str, adresse: str, identifiant: str, secret: str, depart: threading.Barrier) -> int:
    """GET the login page for its CSRF token, then POST the credentials from ``adresse``, all the
    threads' POSTs released together."""
    hote = urlsplit(base)
    http = http_client(hote.hostname or "localhost", hote.port or 80, adresse)
    http.request("GET", "/connexion/")
    page = http.getresponse()
    corps = page.read().decode()
    cookie = page.getheader("Set-Cookie", "").split(";")[0]
    jeton = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', corps)
    assert jeton is not None and cookie.startswith("csrftoken=")
    data = urlencode({"csrfmiddlewaretoken": jeton.group(1), "identifiant": identifiant, "secret": secret})
    http.close()
    http = http_client(hote.hostname or "localhost", hote.port or 80, adresse)
    http.connect()  # connected before the start, so that the POSTs leave together
    depart.wait(timeout=30)
    http.request(
        "POST",
        "/connexion/",
        body=data,
        headers={"Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie},
    )
    reponse = http.getresponse()
    reponse.read()
    http.close()
    return reponse.status


def http_client(hote: str, port: int, adresse: str) -> http.client.HTTPConnection:
    # Every address of 127.0.0.0/8 is this machine's loopback: each attempt comes from its own IP.
    return http.client.HTTPConnection(hote, port, timeout=60, source_address=(adresse, 0))


def _rafale(base: str, identifiant: str, n: int) -> list[int]:
    secrets = [f"mauvais-secret-{i:02d}-xyz" for i in range(n - 1)] + [BON]
    depart = threading.Barrier(n)
    statuts: list[int] = [0] * n
    erreurs: list[BaseException] = []

    def lancer(i: int) -> None:
        try:
            statuts[i] = _essai(base, f"127.0.{1 + i // 200}.{1 + i % 200}", identifiant, secrets[i], depart)
        except BaseException as exc:
            erreurs.append(exc)
            depart.abort()

    fils = [threading.Thread(target=lancer, args=(i,)) for i in range(n)]
    for fil in fils:
        fil.start()
    for fil in fils:
        fil.join(120)
    assert not erreurs, erreurs
    return statuts


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("n", [12, 20, 30])
def test_simultaneous_attempts_never_try_more_than_the_threshold(serveur: str, settings: Any, n: int):
    from axes.models import AccessAttempt

    from tests.factories import MutuelleFactory

    MutuelleFactory()
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.Argon2PasswordHasher"]
    settings.MUTUELLE_LIMITE_IP = "1000/m"
    user: Any = UserFactory(username=f"membre-course-{n}", role=Role.GESTIONNAIRE)
    user.set_password(BON)
    user.save()

    statuts = _rafale(serveur, user.username, n)

    # 429: locked; 200: a wrong password answered; 302: the right one. Never a 500.
    assert set(statuts) <= {200, 302, 429}, statuts
    # Every password checked and wrong is a failure on the account's counter (a failure answered 429
    # was still tried: its check ran before the lockout). Tried = failures + success.
    echecs = sum(
        AccessAttempt.objects.filter(username=f"compte:{user.pk}").values_list("failures_since_start", flat=True)
    )
    # At most three wrong guesses; the right password may have been checked too, only before the
    # third failure (it then passes, as it would have alone): at most four checks in all.
    assert echecs <= 3, (echecs, statuts)
    assert echecs + statuts.count(302) <= 4, (echecs, statuts)
    assert statuts.count(429) >= n - 4, statuts
