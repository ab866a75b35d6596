"""The public home page, a health check, and the demo's email outbox (staff only, DEBUG only)."""

from __future__ import annotations

import email
import email.policy
from email.message import EmailMessage
from pathlib import Path

from django.conf import settings
from django.contrib.admin.views.decorators import staff_member_required
from django.db import connection
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST
from django.views.i18n import set_language

from mutuelle.core import application
from mutuelle.core.langues import langue_choisie
from mutuelle.core.services import mutuelle_ou_rien


@require_GET
def accueil(request: HttpRequest) -> HttpResponse:
    """The public home page; a logged-in member goes straight to their space."""
    if request.user.is_authenticated and getattr(request.user, "role", None) == "adherent":
        return redirect("espace:accueil")
    if request.user.is_authenticated and getattr(request.user, "role", None) == "courtier":
        return redirect("courtier:accueil")
    return render(request, "core/accueil.html")


@require_GET
def contact(request: HttpRequest) -> HttpResponse:
    """How to reach the mutuelle: the secure messaging for members, the phone and its hours, and the
    postal address for what must be sent by letter (termination, formal contest)."""
    return render(request, "core/contact.html")


@require_GET
def marque_css(request: HttpRequest) -> HttpResponse:
    """The mutuelle's colours as a stylesheet (no inline <style>: the CSP forbids it). The colours are
    validated hex codes (``validate_couleur``); the URL carries the configuration's date, so a change
    is seen at once while the file stays cacheable."""
    mutuelle = mutuelle_ou_rien()
    if mutuelle is None:
        return HttpResponse("", content_type="text/css")
    css = f":root{{--brand:{mutuelle.couleur_principale};--brand-soft:{mutuelle.couleur_secondaire};}}\n"
    response = HttpResponse(css, content_type="text/css; charset=utf-8")
    response["Cache-Control"] = "public, max-age=3600"
    return response


@require_POST
def langue(request: HttpRequest) -> HttpResponse:
    """The footer's language switch: Django's ``set_language`` (the cookie, the redirect), and for a
    logged-in person the choice kept as their preference (``langue_choisie``), so the documents,
    emails and notifications the mutuelle sends them follow it."""
    response = set_language(request)
    choisie = request.POST.get("language", "")
    if request.user.is_authenticated and choisie in dict(settings.LANGUAGES):
        langue_choisie.send(sender=langue, user=request.user, langue=choisie, request=request)
    return response


@require_GET
def manifeste(request: HttpRequest) -> JsonResponse:
    """The web app's manifest: installing the site on a phone's home screen."""
    response = JsonResponse(
        application.manifeste(mutuelle_ou_rien()),
        content_type="application/manifest+json",
        json_dumps_params={"ensure_ascii": False},
    )
    response["Cache-Control"] = "public, max-age=3600"
    return response


@require_GET
def icone(request: HttpRequest, taille: int) -> HttpResponse:
    """The home-screen icon, drawn from the mutuelle's colour and initials."""
    if taille not in application.TAILLES_ICONES:
        raise Http404("Taille d'icône inconnue.")
    mutuelle = mutuelle_ou_rien()
    png = application.icone_png(
        taille=taille,
        couleur=mutuelle.couleur_principale if mutuelle else "#1d5c4d",
        texte=application.initiales_marque(mutuelle.nom_court if mutuelle else "Mutuelle"),
    )
    response = HttpResponse(png, content_type="image/png")
    response["Cache-Control"] = "public, max-age=86400"
    return response


@require_GET
def service_worker(request: HttpRequest) -> HttpResponse:
    """The service worker, served from the root so that it may answer for every page of the site.
    Browsers check it for updates on each visit; ``no-cache`` makes them ask the server every time."""
    response = render(
        request, "core/sw.js", application.contexte_service_worker(), content_type="text/javascript; charset=utf-8"
    )
    response["Cache-Control"] = "no-cache"
    return response


@require_GET
def hors_ligne(request: HttpRequest) -> HttpResponse:
    """What the web app shows for a page it cannot reach without network. It holds no personal data
    (the service worker keeps it for everyone): its script looks for a card saved on this device."""
    return render(request, "core/hors_ligne.html")


@require_GET
@never_cache
def sante(request: HttpRequest) -> JsonResponse:
    """Liveness and database check for load balancers."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return JsonResponse({"status": "ok"})


def _outbox_dir() -> Path:
    if not settings.MUTUELLE_OUTBOX_PAGE:
        raise Http404("La boîte d'envoi n'existe qu'en démonstration.")
    return Path(settings.EMAIL_FILE_PATH)


def _parse(path: Path) -> list[EmailMessage]:
    """The file backend writes one or more messages per file, separated by a line of dashes."""
    raw = path.read_bytes()
    chunks = [c for c in raw.split(b"\n" + b"-" * 79 + b"\n") if c.strip()]
    return [email.message_from_bytes(c.lstrip(b"\n"), policy=email.policy.default) for c in chunks]


def _body(message: EmailMessage) -> str:
    part = message.get_body(preferencelist=("plain", "html"))
    return part.get_content() if part is not None else ""


@staff_member_required
@never_cache
def outbox_list(request: HttpRequest) -> HttpResponse:
    folder = _outbox_dir()
    files = sorted(folder.glob("*.log"), key=lambda p: p.stat().st_mtime, reverse=True) if folder.exists() else []
    messages = []
    for path in files[:200]:
        for msg in _parse(path):
            messages.append({"file": path.name, "to": msg["To"], "subject": msg["Subject"], "date": msg["Date"]})
    return render(request, "core/outbox_list.html", {"emails": messages, "total_files": len(files)})


@staff_member_required
@never_cache
def outbox_detail(request: HttpRequest, name: str) -> HttpResponse:
    folder = _outbox_dir()
    path = (folder / name).resolve()
    if path.parent != folder.resolve() or not path.is_file() or path.suffix != ".log":
        raise Http404("Message introuvable.")
    messages = [
        {
            "to": m["To"],
            "subject": m["Subject"],
            "date": m["Date"],
            "from": m["From"],
            "body": _body(m),
        }
        for m in _parse(path)
    ]
    return render(request, "core/outbox_detail.html", {"emails": messages, "name": name})
