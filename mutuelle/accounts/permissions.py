"""Role checks for views, run server-side: the staff's roles, and the member space's gate.

The base floor: nothing here imports a domain app. A member is recognised by the account's reverse
relation (``user.adherent``, declared by ``members.Adherent``), not by importing the model."""

from __future__ import annotations

from collections.abc import Callable
from enum import StrEnum
from functools import wraps
from typing import Any, TypeVar

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase

from mutuelle.accounts.models import STAFF_ROLES, Role

V = Callable[..., HttpResponseBase]

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


def adherent_requis(view: V) -> V:
    """Members only: the visitor logs in first; staff and brokers get a 403 (the member space shows a
    family's health data, which is theirs alone). Sets ``request.adherent``."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        user = request.user
        if not user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        # The reverse accessor raises an AttributeError subclass when the account has no member.
        adherent = getattr(user, "adherent", None) if getattr(user, "role", None) == Role.ADHERENT else None
        if adherent is None:
            raise PermissionDenied("L'espace adhérent est réservé aux adhérents de la mutuelle.")
        request.adherent = adherent  # type: ignore[attr-defined]
        return view(request, *args, **kwargs)

    return wrapper


# -- what each staff role may do (the back office's screens table, backoffice/permissions.py, maps
# each screen to one of these) --------------------------------------------------------------------


class Droit(StrEnum):
    TRAITER = "traiter"  # work the queues, open a member file, search
    SUPERVISER = "superviser"  # dashboards, reassignment, NOEMIE upload, exports


DROITS_PAR_ROLE: dict[str, frozenset[Droit]] = {
    Role.GESTIONNAIRE: frozenset({Droit.TRAITER}),
    Role.RESPONSABLE: frozenset({Droit.TRAITER, Droit.SUPERVISER}),
    Role.ADMINISTRATEUR: frozenset({Droit.TRAITER, Droit.SUPERVISER}),
}


def droits(user: object) -> frozenset[Droit]:
    if not getattr(user, "is_authenticated", False) or not getattr(user, "is_active", False):
        return frozenset()
    return DROITS_PAR_ROLE.get(getattr(user, "role", ""), frozenset())


def peut(user: object, droit: Droit | str) -> bool:
    return Droit(droit) in droits(user)
