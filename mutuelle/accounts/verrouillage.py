"""Lockout parameters for django-axes: one counter per ACCOUNT.

``cle_compte`` turns whatever was typed (member number, NIR, any spacing or case, or a staff
username) into one key: ``compte:<id>`` for an account, a hash for an identifier that names none, so
unknown identifiers lock exactly like known ones (no enumeration through the lockout page). The
threshold and the duration are the mutuelle's settings.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from typing import Any

from django.db import connection, transaction
from django.http import HttpRequest
from django.utils import timezone

from mutuelle.accounts.identifiants import cle_anonyme, compte_pour, est_identifiant_adherent
from mutuelle.accounts.models import User
from mutuelle.core.services import mutuelle_ou_rien

DEFAUT_SEUIL = 3
DEFAUT_DUREE = timedelta(minutes=30)


def cle_compte(request: HttpRequest | None, credentials: dict[str, Any] | None) -> str:
    credentials = credentials or {}
    # django-axes hands a username over under the form's field name ("identifiant"): what was typed
    # decides whether it names a member (number or NIR) or staff (a username).
    identifiant = str(credentials.get("identifiant") or "")
    if identifiant and est_identifiant_adherent(identifiant):
        user = compte_pour(identifiant)
        return f"compte:{user.pk}" if user is not None else cle_anonyme(identifiant)
    username = str(credentials.get("username") or identifiant or "")
    if not username and request is not None:
        username = str(request.POST.get("username", "") or request.POST.get("identifiant", ""))
    staff = User.objects.filter(username=username).only("pk").first() if username else None
    return f"compte:{staff.pk}" if staff is not None else cle_anonyme(username)


# The first key of the advisory locks that serialise the attempts on one account (see ``essai``);
# claims' consumption locks take another.
VERROU_ESSAI = 0x4C4B


@contextmanager
def essai(request: HttpRequest | None, credentials: dict[str, Any]) -> Iterator[str]:
    """One attempt at an account's secret (password, access code, second factor, identity check,
    letter code): the lockout is checked, the secret verified and a failure counted as one step.

    Attempts on the same account wait for each other, so that however many arrive at once (each
    from its own address), no more than the threshold are ever tried: without it, N simultaneous
    requests all found the account unlocked before any had counted its failure. On PostgreSQL, a
    transaction advisory lock per account key (two accounts never wait for each other); on SQLite,
    the write lock that every transaction takes at its start (``transaction_mode: IMMEDIATE`` in the
    settings), with a busy timeout so that a queued attempt waits rather than fails. Yields the
    account's key."""
    cle = cle_compte(request, credentials)
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                # Signed 32-bit, as pg_advisory_xact_lock(int, int) takes it.
                cursor.execute(
                    "SELECT pg_advisory_xact_lock(%s, %s)", [VERROU_ESSAI, zlib.crc32(cle.encode()) - (1 << 31)]
                )
        yield cle


def seuil(request: HttpRequest | None = None, credentials: Any = None) -> int:
    mutuelle = mutuelle_ou_rien()
    return mutuelle.seuil_verrouillage if mutuelle is not None else DEFAUT_SEUIL


def duree(request: HttpRequest | None = None) -> timedelta:
    mutuelle = mutuelle_ou_rien()
    return timedelta(minutes=mutuelle.duree_verrouillage_minutes) if mutuelle is not None else DEFAUT_DUREE


def verrouille_jusqua(cle: str) -> datetime | None:
    """When the lockout of this key ends, if it is locked now: counted as django-axes counts (the
    failures of the last ``duree`` on every record of the key), it ends when enough of the most
    recent failures have aged out."""
    from axes.models import AccessAttempt

    limite, periode = seuil(), duree()
    rows = AccessAttempt.objects.filter(username=cle, attempt_time__gte=timezone.now() - periode).order_by(
        "-attempt_time"
    )
    total = 0
    for attempt_time, failures in rows.values_list("attempt_time", "failures_since_start"):
        total += failures
        if total >= limite:
            fin: datetime = attempt_time + periode
            return fin
    return None


def deverrouiller(cle: str) -> int:
    """Forget the failures of a key (after a reset by email link, or a handler's unlock)."""
    from axes.models import AccessAttempt

    deleted, _ = AccessAttempt.objects.filter(username=cle).delete()
    return deleted
