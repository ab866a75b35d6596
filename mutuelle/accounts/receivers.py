"""Every authentication event goes to the audit log, with time, account, IP and browser; never a
secret, a token or a full identifier (a NIR typed in the login form is not written anywhere)."""

from __future__ import annotations

from typing import Any

from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver
from django.http import HttpRequest

from mutuelle.accounts.identifiants import compte_pour
from mutuelle.accounts.models import SessionCompte, User
from mutuelle.core.actions import Action
from mutuelle.core.langues import langue_de
from mutuelle.core.services import journal_ecrire


def _compte(credentials: dict[str, Any]) -> User | None:
    if credentials.get("identifiant"):
        return compte_pour(str(credentials["identifiant"]))
    if credentials.get("username"):
        return User.objects.filter(username=str(credentials["username"])).first()
    return None


def _adherent(user: User | None) -> Any:
    return getattr(user, "adherent", None) if user is not None else None


@receiver(user_logged_in)
def connexion_reussie(sender: Any, request: HttpRequest | None, user: User, **kwargs: Any) -> None:
    adherent = _adherent(user)
    journal_ecrire(action=Action.CONNEXION_REUSSIE, par=user, target=user, adherent=adherent, request=request)
    if request is not None and adherent is not None:
        # On a new device too, the member's space opens in the language they chose
        # (core.middleware.LangueMiddleware sets the cookie on the answer).
        request.langue_preferee = langue_de(adherent)  # type: ignore[attr-defined]


@receiver(user_logged_out)
def deconnexion(sender: Any, request: HttpRequest | None, user: User | None, **kwargs: Any) -> None:
    if user is not None:
        journal_ecrire(action=Action.DECONNEXION, par=user, target=user, adherent=_adherent(user), request=request)
    session_key = getattr(getattr(request, "session", None), "session_key", None)
    if session_key:
        SessionCompte.objects.filter(session_key=session_key).delete()


@receiver(user_login_failed)
def connexion_echouee(sender: Any, credentials: dict[str, Any], request: HttpRequest | None = None, **kw: Any) -> None:
    if request is not None:
        from mutuelle.accounts.limites import echec_compter

        echec_compter(request)  # the per-address throttle counts failures only
    user = _compte(credentials)
    if user is None:
        raison = "identifiant inconnu"
    elif getattr(request, "axes_locked_out", False):
        raison = "compte verrouillé"
    elif not user.is_active:
        raison = "compte non activé"
    else:
        raison = "secret ou vérification incorrects"
    journal_ecrire(
        action=Action.CONNEXION_ECHOUEE,
        par=None,
        target=user,
        adherent=_adherent(user),
        request=request,
        message=f"{raison} ({getattr(request, 'path', '')})"[:500],
    )


@receiver(user_locked_out)
def verrouillage(sender: Any, request: HttpRequest | None, username: str = "", **kwargs: Any) -> None:
    user = None
    if username.startswith("compte:"):
        user = User.objects.filter(pk=int(username.split(":", 1)[1])).first()
    journal_ecrire(action=Action.COMPTE_VERROUILLE, par=None, target=user, adherent=_adherent(user), request=request)
