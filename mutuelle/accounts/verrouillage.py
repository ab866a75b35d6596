"""Lockout parameters for django-axes: one counter per ACCOUNT.

``cle_compte`` turns whatever was typed (member number, NIR, any spacing or case, or a staff
username) into one key: ``compte:<id>`` for an account, a hash for an identifier that names none, so
unknown identifiers lock exactly like known ones (no enumeration through the lockout page). The
threshold and the duration are the mutuelle's settings.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

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
