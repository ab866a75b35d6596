"""The member's secure messaging under /espace/messagerie/: their own threads only (404 otherwise).
The handler's side is ``backoffice.views_messages`` (the queue itself is the back office's
"messages" queue)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from mutuelle.accounts.permissions import adherent_requis
from mutuelle.claims.selectors_famille import lignes_famille
from mutuelle.core.formulaires import ou_refus
from mutuelle.core.telechargements import en_piece_jointe
from mutuelle.espace.forms_messagerie import MessageForm, NouveauFilForm
from mutuelle.members.models import Adherent
from mutuelle.messaging.models import Fil, PieceMessage, SujetFil
from mutuelle.messaging.services import (
    MessageRefuse,
    fil_clore,
    fil_creer,
    fil_lire,
    message_ecrire,
)
from mutuelle.requests.models import Demande, TypeDemande

PAR_PAGE = 20


def _adherent(request: HttpRequest) -> Adherent:
    return request.adherent  # type: ignore[attr-defined]


# -- member -----------------------------------------------------------------------------------------


@require_GET
@adherent_requis
@never_cache
def liste(request: HttpRequest) -> HttpResponse:
    fils = (
        Fil.objects.filter(adherent=_adherent(request))
        .annotate(
            non_lus=Count(
                "messages",
                filter=Q(messages__de_la_mutuelle=True, messages__interne=False, messages__lu_le__isnull=True),
            )
        )
        .order_by("-dernier_message_le", "-pk")
    )
    page = Paginator(fils, PAR_PAGE).get_page(request.GET.get("page"))
    return render(request, "messaging/liste.html", {"page": page})


@require_http_methods(["GET", "POST"])
@adherent_requis
@never_cache
def nouveau(request: HttpRequest) -> HttpResponse:
    adherent = _adherent(request)
    source = request.POST if request.method == "POST" else request.GET
    # Optionally about one of the family's reimbursements or one of the member's requests.
    ligne = None
    demande = None
    if (pk := source.get("ligne", "")).isdigit():
        ligne = get_object_or_404(lignes_famille(adherent).select_related("beneficiaire"), pk=int(pk))
    if numero := source.get("demande", ""):
        demande = get_object_or_404(Demande, numero=numero, adherent=adherent)
    initial: dict[str, Any] = {}
    if ligne is not None:
        initial = {"sujet": SujetFil.REMBOURSEMENT, "objet": f"Remboursement des soins du {ligne.date_soins:%d/%m/%Y}"}
    elif demande is not None:
        sujet = SujetFil.PRISE_EN_CHARGE if demande.type_demande == TypeDemande.PRISE_EN_CHARGE else SujetFil.AUTRE
        initial = {"sujet": sujet, "objet": f"Ma demande n° {demande.numero}"}
    form = NouveauFilForm(request.POST or None, request.FILES or None, request=request, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        fil = ou_refus(
            form,
            lambda: fil_creer(
                adherent=adherent,
                sujet=data["sujet"],
                objet=data["objet"],
                texte=data["texte"],
                envois=form.envois,
                par=request.user,
                ligne=ligne,
                demande=demande,
                request=request,
            ),
            MessageRefuse,
        )
        if fil is not None:
            messages.success(
                request,
                gettext(
                    "Message envoyé (n° %(numero)s). Nous vous répondons au plus tard le %(le)s ; "
                    "vous serez prévenu par email."
                )
                % {"numero": fil.numero, "le": f"{fil.echeance:%d/%m/%Y}"},
            )
            return redirect("messaging:fil", numero=fil.numero)
    return render(
        request,
        "messaging/nouveau.html",
        {"form": form, "ligne": ligne, "demande": demande},
        status=400 if form.errors else 200,
    )


@require_http_methods(["GET", "POST"])
@adherent_requis
@never_cache
def fil(request: HttpRequest, numero: str) -> HttpResponse:
    fil = get_object_or_404(Fil.objects.select_related("ligne", "demande"), numero=numero, adherent=_adherent(request))
    form = MessageForm(request.POST or None, request.FILES or None, request=request)
    if request.method == "POST" and form.is_valid():
        envoye = ou_refus(
            form,
            lambda: message_ecrire(
                fil=fil, texte=form.cleaned_data["texte"], envois=form.envois, par=request.user, request=request
            ),
            MessageRefuse,
        )
        if envoye is not None:
            messages.success(request, gettext("Message envoyé."))
            return redirect("messaging:fil", numero=fil.numero)
    fil_lire(fil=fil, par_la_mutuelle=False)
    return render(
        request,
        "messaging/fil.html",
        {
            "fil": fil,
            "fil_messages": fil.messages.filter(interne=False).prefetch_related("pieces"),
            "form": form,
        },
        status=400 if form.errors else 200,
    )


@require_POST
@adherent_requis
def clore(request: HttpRequest, numero: str) -> HttpResponse:
    fil = get_object_or_404(Fil, numero=numero, adherent=_adherent(request))
    fil_clore(fil=fil, par=request.user, request=request)
    messages.success(request, gettext("Conversation close. Vous pouvez toujours nous écrire un nouveau message."))
    return redirect("messaging:liste")


@require_GET
@adherent_requis
@never_cache
def piece(request: HttpRequest, numero: str, pk: int) -> FileResponse:
    piece = PieceMessage.objects.filter(
        pk=pk, message__fil__numero=numero, message__fil__adherent=_adherent(request), message__interne=False
    ).first()
    if piece is None:
        raise Http404("Pièce introuvable.")
    return en_piece_jointe(piece.fichier, piece.nom, piece.type_mime)


# -- handler ----------------------------------------------------------------------------------------
