"""Role checks for views. Every back-office view declares who may use it; checks run server-side."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse

from mutuelle.accounts.models import STAFF_ROLES


def gestion_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """The mutuelle's staff only (handlers, supervisors, administrators): others get 403,
    anonymous visitors the login page."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        user = request.user
        if not user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if getattr(user, "role", None) not in STAFF_ROLES or not user.is_active:
            raise PermissionDenied("Réservé aux gestionnaires de la mutuelle.")
        return view(request, *args, **kwargs)

    return wrapper
