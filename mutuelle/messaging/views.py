"""Messaging pages: the member's under /espace/messagerie/ (their own threads only, 404 otherwise), the
handler's thread under /gestion/messages/ (the queue itself is the back office's "messages" queue)."""

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
from mutuelle.backoffice.views import apres_decision, file_courante
from mutuelle.claims.selectors_famille import lignes_famille
from mutuelle.core.services import audit_log
from mutuelle.members.models import Adherent
from mutuelle.messaging.forms import MessageForm, NouveauFilForm, ReponseForm
from mutuelle.messaging.models import Fil, ModeleReponse, PieceMessage, StatutFil, SujetFil
from mutuelle.messaging.services import (
    MessageRefuse,
    fil_clore,
    fil_creer,
    fil_lire,
    message_ecrire,
    reponse_ecrire,
)
from mutuelle.requests.models import Demande, TypeDemande

PAR_PAGE = 20


def _adherent(request: HttpRequest) -> Adherent:
    return request.adherent  # type: ignore[attr-defined]


def _piece(piece: PieceMessage) -> FileResponse:
    return FileResponse(piece.fichier.open("rb"), as_attachment=True, filename=piece.nom, content_type=piece.type_mime)


def _envoyer(form: Any, action: Any) -> Any:
    """Run a messaging service; a refusal goes on the form and None is returned."""
    try:
        return action()
    except MessageRefuse as exc:
        form.add_error(None, str(exc))
        return None


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
        fil = _envoyer(
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
        envoye = _envoyer(
            form,
            lambda: message_ecrire(
                fil=fil, texte=form.cleaned_data["texte"], envois=form.envois, par=request.user, request=request
            ),
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
    return _piece(piece)


# -- handler ----------------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@never_cache
def gestion_fil(request: HttpRequest, numero: str) -> HttpResponse:
    fil = get_object_or_404(Fil.objects.select_related("adherent", "ligne", "demande"), numero=numero)
    form = ReponseForm(request.POST or None, request.FILES or None, request=request)
    if request.method == "POST" and "inserer" in request.POST:
        # "Insérer le modèle": the chosen answer fills the text box, nothing is sent (works without JS).
        modele = ModeleReponse.objects.filter(actif=True, pk=request.POST.get("modele") or 0).first()
        texte = request.POST.get("texte", "")
        if modele is not None:
            texte = f"{texte.rstrip()}\n\n{modele.texte}".strip() if texte.strip() else modele.texte
        form = ReponseForm(
            initial={"texte": texte, "modele": modele, "interne": bool(request.POST.get("interne"))}, request=request
        )
    elif request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        envoye = _envoyer(
            form,
            lambda: reponse_ecrire(
                fil=fil,
                texte=data["texte"],
                envois=form.envois,
                par=request.user,
                interne=data["interne"],
                clore=data["clore"],
                request=request,
            ),
        )
        if envoye is not None:
            if data["interne"]:
                messages.success(request, gettext("Note interne ajoutée."))
                return redirect("messaging_gestion:fil", numero=fil.numero)
            messages.success(request, f"Réponse envoyée à {fil.adherent} : un email l'a prévenu(e), sans le contenu.")
            return apres_decision(request, "messaging_gestion:fil", numero=fil.numero)
    audit_log(
        action="messaging.fil.consulte",
        target=fil,
        adherent=fil.adherent,
        request=request,
        message=f"Consultation depuis la file {file_courante(request) or '—'}",
    )
    fil_lire(fil=fil, par_la_mutuelle=True)
    return render(
        request,
        "messaging/gestion_fil.html",
        {
            "fil": fil,
            "fil_messages": fil.messages.select_related("auteur").prefetch_related("pieces"),
            "form": form,
            "autres_fils": Fil.objects.filter(adherent=fil.adherent).exclude(pk=fil.pk)[:10],
            "file": file_courante(request),
            "StatutFil": StatutFil,
        },
        status=400 if form.errors else 200,
    )


@require_GET
@never_cache
def gestion_piece(request: HttpRequest, numero: str, pk: int) -> FileResponse:
    piece = (
        PieceMessage.objects.select_related("message__fil__adherent").filter(pk=pk, message__fil__numero=numero).first()
    )
    if piece is None:
        raise Http404("Pièce introuvable.")
    fil = piece.message.fil
    audit_log(
        action="messaging.piece.consultee", target=fil, adherent=fil.adherent, request=request, message=piece.nom[:100]
    )
    return _piece(piece)
