"""Idle and absolute session timeouts, and ``Cache-Control: no-store`` on authenticated pages."""

from __future__ import annotations

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib.auth import SESSION_KEY, logout
from django.http import HttpRequest, HttpResponse
from django.utils.cache import add_never_cache_headers

DERNIERE_ACTIVITE = "_derniere_activite"
CONNEXION = "_connexion_le"
REAUTH = "_reauthentifie_le"
SECOND_FACTEUR = "_second_facteur"  # how the second step was passed ("aucun" for members without one)


def delai_inactivite(user: object) -> int:
    if getattr(user, "role", "adherent") != "adherent":
        return int(settings.MUTUELLE_SESSION_IDLE_STAFF_SECONDS)
    return int(settings.MUTUELLE_SESSION_IDLE_SECONDS)


class SessionExpiryMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and not user.is_authenticated and SESSION_KEY in request.session:
            # A session whose account can no longer log in (disabled, deleted, or its password
            # changed): ended now, so that it does not come back to life if the account is enabled again.
            request.session.flush()
        if user is not None and user.is_authenticated:
            now = time.time()
            idle = delai_inactivite(user)
            last = request.session.get(DERNIERE_ACTIVITE, now)
            started = request.session.get(CONNEXION, now)
            if now - last > idle or now - started > settings.SESSION_COOKIE_AGE:
                logout(request)
                request.session["_expiree"] = True
            elif getattr(user, "second_facteur_obligatoire", False) and request.session.get(SECOND_FACTEUR) in (
                None,
                "aucun",
            ):
                # Staff and brokers: a session opened without a second factor (by any path) ends here.
                logout(request)
            else:
                request.session[DERNIERE_ACTIVITE] = now
                request.session.setdefault(CONNEXION, now)
        response = self.get_response(request)
        if user is not None and user.is_authenticated:
            add_never_cache_headers(response)  # no-store: nothing personal stays in a shared browser's cache
        return response
