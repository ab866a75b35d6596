"""The interface language: French, unless the visitor chose English with the switcher in the footer."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.middleware.locale import LocaleMiddleware
from django.utils import translation

from mutuelle.core.actions import Action
from mutuelle.core.langues import langue_de_code


class LangueMiddleware(LocaleMiddleware):
    """Like Django's, but the browser's Accept-Language is not followed: a mutuelle's French members
    often have browsers set to English, and they get the French interface (and Django's own messages
    in French) unless they choose English in the footer (the language cookie, and for a member their
    preference, restored at login)."""

    def process_request(self, request: HttpRequest) -> None:
        translation.activate(langue_de_code(request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)))
        request.LANGUAGE_CODE = translation.get_language()

    def process_response(self, request: HttpRequest, response: HttpResponseBase) -> HttpResponseBase:
        """A member who just logged in gets their preferred language's cookie (``accounts.receivers``)."""
        preferee = getattr(request, "langue_preferee", None)
        if preferee and preferee != request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, settings.LANGUAGE_CODE):
            response.set_cookie(
                settings.LANGUAGE_COOKIE_NAME,
                preferee,
                max_age=settings.LANGUAGE_COOKIE_AGE,
                path=settings.LANGUAGE_COOKIE_PATH,
                domain=settings.LANGUAGE_COOKIE_DOMAIN,
                secure=settings.LANGUAGE_COOKIE_SECURE,
                httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
                samesite=settings.LANGUAGE_COOKIE_SAMESITE,
            )
        return super().process_response(request, response)


def taille_max_requete(request: HttpRequest) -> int:
    """The largest body a request may send: a few kilobytes for a visitor (the login and recovery
    forms), the files of one sending for a member, a NOEMIE file for staff."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return int(settings.MUTUELLE_REQUETE_ANONYME_MAX)
    marge = 1024 * 1024  # the form's other fields and the multipart boundaries
    pieces = int(settings.MUTUELLE_PIECES_MAX) * int(settings.MUTUELLE_PIECE_TAILLE_MAX) + marge
    if getattr(user, "is_gestion", False):
        return max(pieces, int(settings.MUTUELLE_NOEMIE_UPLOAD_MAX) + marge)
    return pieces


class TailleRequeteMiddleware:
    """Refuse a body larger than the sender may send (``taille_max_requete``) with a 413 page, before
    a byte of it is read: Django reads a WSGI body up to its Content-Length only, so nothing larger
    is ever spooled to disk. A body without a length is read as empty. In production the proxy
    refuses larger bodies still earlier (``docs/operations.md``)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        try:
            longueur = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            longueur = -1
        maximum = taille_max_requete(request)
        if longueur < 0 or longueur > maximum:
            from django.shortcuts import render

            from mutuelle.core.services import journal_ecrire

            journal_ecrire(action=Action.REQUETE_TROP_GRANDE, request=request, message=f"{longueur} octets > {maximum}")
            reponse = render(
                request, "413.html", {"maximum_mo": max(1, maximum // (1024 * 1024)), "maximum": maximum}, status=413
            )
            reponse["Connection"] = "close"  # the unread body is not to be parsed as a next request
            return reponse
        return self.get_response(request)


class CaracteresNulsMiddleware:
    """A NUL character (``%00``) in the path or the query string answers 404 or 400 with the site's
    page: no address of the site holds one, and PostgreSQL refuses it in any query (it was a 500
    wherever a path segment reached the database: a member's file, a message thread, a contract).
    Form fields refuse it already (Django's ProhibitNullCharactersValidator)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        from django.shortcuts import render

        if "\x00" in request.path:
            return render(request, "404.html", status=404)
        if any("\x00" in cle or any("\x00" in v for v in valeurs) for cle, valeurs in request.GET.lists()):
            return render(request, "400.html", status=400)
        return self.get_response(request)


class AccesRefusesMiddleware:
    """An account that asks for an object it may not see (another family's reimbursement, another
    firm's contract: answered 404, or 403) leaves an audit row: who, which page, which ids. Walking
    the ids of other members (IDOR) shows in the journal. Secrets in a URL (links' tokens) are not
    written."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        user = getattr(request, "user", None)
        match = getattr(request, "resolver_match", None)
        if (
            response.status_code in (403, 404)
            and user is not None
            and user.is_authenticated
            and match is not None
            and match.kwargs
        ):
            from mutuelle.core.services import journal_ecrire

            ids = {k: ("…" if "jeton" in k or "token" in k else str(v)[:40]) for k, v in match.kwargs.items()}
            journal_ecrire(
                action=Action.ACCES_REFUSE,
                request=request,
                new={"page": match.view_name, "ids": ids, "reponse": response.status_code},
                message=f"{request.method} {match.view_name}",
            )
        return response
