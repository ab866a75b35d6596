"""Members log in with their member number or NIR and their password."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import ModelBackend
from django.http import HttpRequest

from mutuelle.accounts.identifiants import compte_pour
from mutuelle.accounts.models import User


class IdentifiantBackend(ModelBackend):
    """``authenticate(request, identifiant=…, password=…)``. An unknown identifier still costs one
    password hash, and an inactive account is checked like an active one: the answer takes the same
    time whatever the case (no enumeration by timing)."""

    def authenticate(  # type: ignore[override]
        self, request: HttpRequest | None, identifiant: str | None = None, password: str | None = None, **kwargs: Any
    ) -> User | None:
        if identifiant is None or password is None:
            return None
        user = compte_pour(identifiant)
        if user is None:
            User().set_password(password)  # the same work as for a real account
            return None
        if user.check_password(password) and user.is_active:
            return user
        return None
