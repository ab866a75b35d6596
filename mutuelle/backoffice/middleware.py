"""Every URL under ``/gestion/`` is checked against ``permissions.ECRANS`` before its view runs."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse

from mutuelle.backoffice.permissions import ECRANS, PREFIXE, peut_ouvrir


class EcransGestionMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(self, request: HttpRequest, view: Callable[..., Any], args: Any, kwargs: Any) -> Any:
        match = request.resolver_match
        nom = match.view_name if match is not None else ""
        if not request.path.startswith(PREFIXE) and nom not in ECRANS:
            return None
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not peut_ouvrir(request.user, nom):
            raise PermissionDenied("Cet écran du back office n'est pas ouvert à votre rôle.")
        return None
