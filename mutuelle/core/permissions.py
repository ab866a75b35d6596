"""Role checks for views. Every back-office view declares who may use it; checks run server-side."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase

from mutuelle.accounts.models import STAFF_ROLES, Role

R = TypeVar("R", bound=HttpResponseBase)

SUPERVISION_ROLES = frozenset({Role.RESPONSABLE, Role.ADMINISTRATEUR})


def roles_required(
    roles: frozenset[str], message: str
) -> Callable[[Callable[..., R]], Callable[..., R | HttpResponse]]:
    """Only users with one of ``roles``: others get 403, anonymous visitors the login page."""

    def decorator(view: Callable[..., R]) -> Callable[..., R | HttpResponse]:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> R | HttpResponse:
            user = request.user
            if not user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if getattr(user, "role", None) not in roles or not user.is_active:
                raise PermissionDenied(message)
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


# The mutuelle's staff: handlers, supervisors, administrators.
gestion_required = roles_required(STAFF_ROLES, "Réservé aux gestionnaires de la mutuelle.")
# Supervisors and administrators.
responsable_required = roles_required(SUPERVISION_ROLES, "Réservé aux responsables de gestion.")
