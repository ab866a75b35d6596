"""Browsers an account logs in from, and the sessions it has open.

A browser is known by a random token in a signed cookie (``COOKIE``), the same for every account
that logs in on it; each account keeps its own ``Appareil`` row for it (the token's SHA-256), so a
member revoking a browser does not touch anyone else's. Under the access-code policy a browser must
be trusted (a second factor passed on it) before the 6-digit code is enough; under every policy a
login from a browser the account never used is emailed to its owner.
"""

from __future__ import annotations

import hashlib
import re
import secrets
import time
from datetime import UTC, datetime, timedelta
from importlib import import_module
from typing import Any

from django.conf import settings
from django.core import signing
from django.core.mail import send_mail
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext

from mutuelle.accounts.models import Appareil, SessionCompte, User
from mutuelle.core.actions import Action
from mutuelle.core.langues import dans_sa_langue
from mutuelle.core.services import journal_ecrire, mutuelle_ou_rien

COOKIE = "mutuelle_appareil"
COOKIE_SEL = "mutuelle.accounts.appareil"
COOKIE_JOURS = 400  # browsers cap cookies at 400 days
NOUVEL_APPAREIL = "_appareil_jeton"  # the token to set in the cookie on the response

_NAVIGATEURS = [
    ("Edge", re.compile(r"Edg/")),
    ("Opera", re.compile(r"OPR/")),
    ("Firefox", re.compile(r"Firefox/")),
    ("Chrome", re.compile(r"(Chrome|Chromium|CriOS)/")),
    ("Safari", re.compile(r"Safari/")),
]
_SYSTEMES = [
    ("Android", re.compile(r"Android")),
    ("iPhone", re.compile(r"iPhone")),
    ("iPad", re.compile(r"iPad")),
    ("Windows", re.compile(r"Windows")),
    ("macOS", re.compile(r"Macintosh|Mac OS X")),
    ("Linux", re.compile(r"Linux|X11")),
]


def libelle(user_agent: str) -> str:
    """ "Firefox sur Windows": what a person recognises of their browser, nothing more."""
    navigateur = next((nom for nom, motif in _NAVIGATEURS if motif.search(user_agent)), "Navigateur")
    systeme = next((nom for nom, motif in _SYSTEMES if motif.search(user_agent)), "système inconnu")
    return f"{navigateur} sur {systeme}"


def _empreinte(jeton: str) -> str:
    return hashlib.sha256(jeton.encode()).hexdigest()


def jeton_du_navigateur(request: HttpRequest) -> str | None:
    brut = request.COOKIES.get(COOKIE)
    if not brut:
        return None
    try:
        valeur = signing.loads(brut, salt=COOKIE_SEL, max_age=COOKIE_JOURS * 86400)
    except signing.BadSignature:
        return None
    return str(valeur) if isinstance(valeur, str) and len(valeur) < 100 else None


def appareil_de(request: HttpRequest, user: User) -> Appareil | None:
    jeton = jeton_du_navigateur(request)
    if jeton is None:
        return None
    return Appareil.objects.filter(user=user, empreinte=_empreinte(jeton)).first()


NOUVEL_APPAREIL_JOURS = 7


def appareil_nouveau_depuis(request: HttpRequest | None, user: Any) -> datetime | None:
    """A risk signal for a change of money or identity: when the browser this request comes from was
    first seen on the account, if that was within ``NOUVEL_APPAREIL_JOURS`` and the account had
    logged in from another browser before (the owner's usual one). None otherwise, or unknown."""
    if request is None or not getattr(user, "pk", None):
        return None
    cle = request.session.session_key if hasattr(request, "session") else None
    ouverte = (
        SessionCompte.objects.filter(session_key=cle, user=user).select_related("appareil").first() if cle else None
    )
    appareil = ouverte.appareil if ouverte is not None and ouverte.appareil is not None else appareil_de(request, user)
    if appareil is None or appareil.cree_le < timezone.now() - timedelta(days=NOUVEL_APPAREIL_JOURS):
        return None
    plus_ancien = Appareil.objects.filter(user=user, cree_le__lt=appareil.cree_le).exclude(pk=appareil.pk).exists()
    return appareil.cree_le if plus_ancien else None


def de_confiance(request: HttpRequest, user: User) -> bool:
    appareil = appareil_de(request, user)
    return appareil is not None and appareil.de_confiance


@transaction.atomic
def connexion_enregistrer(request: HttpRequest, user: User, *, confiance: bool) -> Appareil:
    """After a complete login: the browser's row for this account (created, seen, trusted if a second
    factor was just passed), the session's row, and the email when the browser is new to the account."""
    jeton = jeton_du_navigateur(request)
    if jeton is None:
        jeton = secrets.token_urlsafe(32)
        request.session[NOUVEL_APPAREIL] = jeton
    now = timezone.now()
    ua = request.META.get("HTTP_USER_AGENT", "")
    premier = not Appareil.objects.filter(user=user).exists()
    appareil, cree = Appareil.objects.get_or_create(
        user=user, empreinte=_empreinte(jeton), defaults={"libelle": libelle(ua), "vu_le": now}
    )
    appareil.vu_le = now
    if appareil.revoque_le is not None:  # a revoked browser starts again from untrusted
        appareil.revoque_le, appareil.de_confiance_le = None, None
    if confiance and appareil.de_confiance_le is None:
        appareil.de_confiance_le = now
        journal_ecrire(action=Action.APPAREIL_APPROUVE, par=user, target=user, request=request)
    appareil.save()
    if request.session.session_key:
        SessionCompte.objects.update_or_create(
            session_key=request.session.session_key,
            defaults={"user": user, "appareil": appareil, "libelle": appareil.libelle},
        )
    if cree and not premier:
        _nouvel_appareil_signaler(user, appareil)
    return appareil


@transaction.atomic
def appareil_approuver(request: HttpRequest, user: User, response: HttpResponse) -> HttpResponse:
    """Trust this browser for the account without a login (a link or a letter code just proved the
    email or postal address, as a second factor would)."""
    jeton = jeton_du_navigateur(request)
    if jeton is None:
        jeton = secrets.token_urlsafe(32)
        request.session[NOUVEL_APPAREIL] = jeton
    now = timezone.now()
    appareil, _ = Appareil.objects.get_or_create(
        user=user,
        empreinte=_empreinte(jeton),
        defaults={"libelle": libelle(request.META.get("HTTP_USER_AGENT", "")), "vu_le": now},
    )
    appareil.de_confiance_le, appareil.revoque_le = now, None
    appareil.save(update_fields=["de_confiance_le", "revoque_le"])
    journal_ecrire(action=Action.APPAREIL_APPROUVE, par=None, target=user, request=request)
    return cookie_poser(request, response)


def cookie_poser(request: HttpRequest, response: HttpResponse) -> HttpResponse:
    """Set the browser's cookie when a login just gave it a token."""
    jeton = request.session.pop(NOUVEL_APPAREIL, None) if hasattr(request, "session") else None
    if jeton:
        response.set_cookie(
            COOKIE,
            signing.dumps(jeton, salt=COOKIE_SEL),
            max_age=COOKIE_JOURS * 86400,
            httponly=True,
            secure=settings.SESSION_COOKIE_SECURE,
            samesite="Lax",
        )
    return response


def _email_de(user: User) -> str:
    adherent = getattr(user, "adherent", None)
    return (adherent.email if adherent is not None else "") or user.email


def _nouvel_appareil_signaler(user: User, appareil: Appareil) -> None:
    email = _email_de(user)
    if not email:
        return
    mutuelle = mutuelle_ou_rien()
    contexte = {
        "user": user,
        "appareil": appareil,
        "mutuelle": mutuelle,
        "le": timezone.localtime(appareil.cree_le),
        "adresse": settings.MUTUELLE_BASE_URL + "/compte/securite/",
    }
    from mutuelle.accounts.services import sujet_email

    with dans_sa_langue(user):
        message = render_to_string("accounts/email_nouvel_appareil.txt", contexte)
        sujet = sujet_email(gettext("nouvelle connexion à votre compte"))
    transaction.on_commit(lambda: send_mail(sujet, message, None, [email]))


@transaction.atomic
def appareil_revoquer(*, user: User, appareil_id: int, request: HttpRequest | None = None) -> bool:
    appareil = Appareil.objects.filter(user=user, pk=appareil_id, revoque_le__isnull=True).first()
    if appareil is None:
        return False
    appareil.revoque_le = timezone.now()
    appareil.save(update_fields=["revoque_le"])
    for session in SessionCompte.objects.filter(user=user, appareil=appareil):
        _session_fermer(session)
    journal_ecrire(action=Action.APPAREIL_RETIRE, par=user, target=user, request=request, new={"appareil": appareil.pk})
    return True


def _session_fermer(session: SessionCompte) -> None:
    store = import_module(settings.SESSION_ENGINE).SessionStore
    store(session_key=session.session_key).delete()
    session.delete()


def sessions_ouvertes(user: User, actuelle: str | None = None) -> list[tuple[SessionCompte, datetime]]:
    """The account's sessions still alive, with their last activity (rows of sessions that expired,
    ended or went idle are dropped on the way); ``actuelle`` is the session asking, alive by definition."""
    from mutuelle.accounts.middleware import CONNEXION, DERNIERE_ACTIVITE, delai_inactivite

    store = import_module(settings.SESSION_ENGINE).SessionStore
    vivantes = []
    maintenant = time.time()
    for session in SessionCompte.objects.filter(user=user):
        if session.session_key == actuelle:
            vivantes.append((session, datetime.fromtimestamp(maintenant, tz=UTC)))
            continue
        data = store(session_key=session.session_key).load()
        derniere = float(data.get(DERNIERE_ACTIVITE) or data.get(CONNEXION) or 0)
        if str(data.get("_auth_user_id")) == str(user.pk) and maintenant - derniere <= delai_inactivite(user):
            vivantes.append((session, datetime.fromtimestamp(derniere, tz=UTC)))
        else:
            session.delete()
    return vivantes


@transaction.atomic
def autres_sessions_fermer(*, request: HttpRequest, user: User) -> int:
    """ "Log out my other sessions": every session of the account but this one ends now."""
    n = 0
    for session in SessionCompte.objects.filter(user=user).exclude(session_key=request.session.session_key or ""):
        _session_fermer(session)
        n += 1
    journal_ecrire(action=Action.SESSIONS_FERMEES, par=user, target=user, request=request, new={"sessions": n})
    return n


def confiance_retirer(user: User, *, sauf: Appareil | None = None) -> int:
    """After a new secret, no browser trusted before it skips the second step any more (a browser an
    attacker trusted with a stolen code is cut off); ``sauf`` is the browser that set it, if logged in."""
    appareils = Appareil.objects.filter(user=user, de_confiance_le__isnull=False)
    if sauf is not None:
        appareils = appareils.exclude(pk=sauf.pk)
    return appareils.update(de_confiance_le=None)


def toutes_sessions_fermer(user: User) -> None:
    """After a new secret: nothing opened before it survives (Django's hash check does it too)."""
    for session in SessionCompte.objects.filter(user=user):
        _session_fermer(session)
