"""Per-IP throttling of the authentication forms (django-ratelimit, counted in the cache).

The per-account lockout stops anyone guessing one account's secret; this stops one address trying
many accounts (credential stuffing). It applies the same way whatever the identifiers typed, so it
reveals nothing about which exist.

Only **failures** count (every ``user_login_failed``: a wrong password, code, identity check or
letter code), so the members of a company or of a mobile carrier behind one shared address, who
mostly succeed, are not shut out; a request over the limit is refused before anything is checked.
The recovery form, which never fails (the same answer whatever is typed), counts every request in a
group of its own (``GROUPE_OUBLI``). The figures are in docs/security.md.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django_ratelimit.core import get_usage, is_ratelimited

from mutuelle.core.actions import Action
from mutuelle.core.services import journal_ecrire

GROUPE = "mutuelle.accounts.authentification"
GROUPE_OUBLI = "mutuelle.accounts.oubli"


def ip_limitee(
    request: HttpRequest,
    *,
    groupe: str = GROUPE,
    taux: str | None = None,
    methode: str = "POST",
    cle: str = "ip",
    action: Action = Action.IP_LIMITEE,
    compter: bool | None = None,
) -> bool:
    """True once the client's IP (or another key such as ``user``) is over the limit. For the
    authentication group the request itself is not counted — its failure is, by ``echec_compter`` —
    unless ``compter``; any other group counts every request (POSTs by default). Going over is
    audited as ``action``."""
    if compter is None:
        compter = groupe != GROUPE
    taux = taux or (settings.MUTUELLE_LIMITE_IP if groupe == GROUPE else settings.MUTUELLE_LIMITE_IP_OUBLI)
    if compter:
        limitee = bool(is_ratelimited(request, group=groupe, key=cle, rate=taux, method=methode, increment=True))
    else:
        # Not counting this request: refused once the failures already counted reach the limit.
        usage = get_usage(request, group=groupe, key=cle, rate=taux, method=methode, increment=False)
        limitee = usage is not None and (usage["should_limit"] or usage["count"] >= usage["limit"])
    if limitee:
        journal_ecrire(action=action, par=None, request=request, message=request.path[:200])
    return limitee


def echec_compter(request: HttpRequest) -> None:
    """One failed check from this address (a wrong password, code, identity or letter code)."""
    # The same group, key, rate and method as the check in ``ip_limitee``: they make the counter's key.
    is_ratelimited(request, group=GROUPE, key="ip", rate=settings.MUTUELLE_LIMITE_IP, method="POST", increment=True)


def reponse_limite_ip(request: HttpRequest, template: str = "accounts/trop_de_tentatives.html") -> HttpResponse:
    response = render(request, template, status=429)
    response["Retry-After"] = "600"
    return response
