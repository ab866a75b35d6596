"""Per-IP throttling of the authentication forms (django-ratelimit, counted in the cache).

The per-account lockout stops anyone guessing one account's secret; this stops one address trying
many accounts (credential stuffing). It applies the same way whatever the identifiers typed, so it
reveals nothing about which exist.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django_ratelimit.core import is_ratelimited

from mutuelle.core.services import audit_log

GROUPE = "mutuelle.accounts.authentification"


def ip_limitee(
    request: HttpRequest,
    *,
    groupe: str = GROUPE,
    taux: str | None = None,
    methode: str = "POST",
    cle: str = "ip",
    action: str = "accounts.ip_throttled",
) -> bool:
    """Count this request (POSTs by default) against the client's IP, or another key such as
    ``user``; True once over the limit (the authentication forms' limit unless ``taux`` is given).
    Going over is audited as ``action``."""
    limitee = bool(
        is_ratelimited(
            request,
            group=groupe,
            key=cle,
            rate=taux or settings.MUTUELLE_LIMITE_IP,
            method=methode,
            increment=True,
        )
    )
    if limitee:
        audit_log(action=action, actor=None, request=request, message=request.path[:200])
    return limitee


def reponse_limite_ip(request: HttpRequest, template: str = "accounts/trop_de_tentatives.html") -> HttpResponse:
    response = render(request, template, status=429)
    response["Retry-After"] = "600"
    return response
