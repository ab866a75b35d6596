"""The handlers' side of the secure messaging under /gestion/messages/: a thread with its answer form
and internal notes, and its files. The member's side is ``espace.views_messagerie``."""

from __future__ import annotations

from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from mutuelle.backoffice.forms_messages import ReponseForm
from mutuelle.backoffice.views import apres_decision, file_courante
from mutuelle.core.actions import Action
from mutuelle.core.formulaires import ou_refus
from mutuelle.core.services import journal_ecrire
from mutuelle.core.telechargements import en_piece_jointe
from mutuelle.messaging.models import Fil, ModeleReponse, PieceMessage, StatutFil
from mutuelle.messaging.services import (
    MessageRefuse,
    fil_lire,
    reponse_ecrire,
)


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
        envoye = ou_refus(
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
            MessageRefuse,
        )
        if envoye is not None:
            if data["interne"]:
                messages.success(request, gettext("Note interne ajoutée."))
                return redirect("messaging_gestion:fil", numero=fil.numero)
            messages.success(request, f"Réponse envoyée à {fil.adherent} : un email l'a prévenu(e), sans le contenu.")
            return apres_decision(request, "messaging_gestion:fil", numero=fil.numero)
    journal_ecrire(
        action=Action.FIL_CONSULTE,
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
    journal_ecrire(
        action=Action.PIECE_MESSAGE_CONSULTEE,
        target=fil,
        adherent=fil.adherent,
        request=request,
        message=piece.nom[:100],
    )
    return en_piece_jointe(piece.fichier, piece.nom, piece.type_mime)
