"""« Mes documents » in the member space, and the public page that checks a document's code.

Member views sit behind ``adherent_requis`` and read documents through the member's own rows: a
document of another family answers 404. The verification page needs no login, is rate-limited per
IP, and says only what ``document_verifier`` returns.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from mutuelle.accounts.limites import ip_limitee, reponse_limite_ip
from mutuelle.accounts.permissions import adherent_requis
from mutuelle.core.actions import Action
from mutuelle.core.services import journal_ecrire, mutuelle_lire
from mutuelle.documents import contenus
from mutuelle.documents.contenus import Contenu, DocumentIndisponible
from mutuelle.documents.models import Document, TypeDocument
from mutuelle.documents.rendu import datamatrix_svg
from mutuelle.documents.services import (
    carte_courante,
    code_lisible,
    code_normaliser,
    document_emettre,
    document_verifier,
)
from mutuelle.espace.forms_documents import FiscaleForm, ReleveForm, VerificationForm
from mutuelle.members.models import Adherent

PAR_PAGE = 20


def _adherent(request: HttpRequest) -> Adherent:
    return request.adherent  # type: ignore[attr-defined]


def _formulaires(adherent: Adherent, data: Any = None) -> dict[str, Any]:
    return {
        "releve": ReleveForm(data if data is not None and data.get("type") == TypeDocument.RELEVE else None),
        "fiscale": FiscaleForm(
            data if data is not None and data.get("type") == TypeDocument.ATTESTATION_FISCALE else None,
            annees=contenus.annees_fiscales(adherent),
        ),
    }


def _page(request: HttpRequest, adherent: Adherent, formulaires: dict[str, Any], status: int = 200) -> HttpResponse:
    historique = Paginator(Document.objects.filter(adherent=adherent).order_by("-emis_le", "-pk"), PAR_PAGE)
    return render(
        request,
        "documents/mes_documents.html",
        {
            "formulaires": formulaires,
            "aides": contenus.a_des_aides(adherent),
            "page": historique.get_page(request.GET.get("page")),
            "types": TypeDocument,
        },
        status=status,
    )


@require_GET
@adherent_requis
@never_cache
def mes_documents(request: HttpRequest) -> HttpResponse:
    adherent = _adherent(request)
    return _page(request, adherent, _formulaires(adherent))


def _contenu(adherent: Adherent, type_document: str, formulaires: dict[str, Any]) -> Contenu | None:
    """The document asked for, or None when its form has errors (shown on the page)."""
    mutuelle = mutuelle_lire()
    constructeurs: dict[str, Callable[[], Contenu]] = {
        TypeDocument.ATTESTATION_DROITS: lambda: contenus.attestation_droits(adherent, mutuelle),
        TypeDocument.BULLETIN: lambda: contenus.bulletin(adherent, mutuelle),
        TypeDocument.AIDES: lambda: contenus.aides(adherent, mutuelle),
    }
    if type_document in constructeurs:
        return constructeurs[type_document]()
    if type_document == TypeDocument.RELEVE:
        form = formulaires["releve"]
        if not form.is_valid():
            return None
        return contenus.releve(adherent, mutuelle, du=form.cleaned_data["du"], au=form.cleaned_data["au"])
    if type_document == TypeDocument.ATTESTATION_FISCALE:
        form = formulaires["fiscale"]
        if not form.is_valid():
            return None
        return contenus.attestation_fiscale(adherent, mutuelle, annee=form.cleaned_data["annee"])
    raise Http404("Document inconnu.")


@require_POST
@adherent_requis
def emettre(request: HttpRequest, type_document: str) -> HttpResponseBase:
    adherent = _adherent(request)
    if type_document not in TypeDocument.values:
        raise Http404("Document inconnu.")
    if ip_limitee(
        request,
        groupe="mutuelle.documents.emission",
        taux=settings.MUTUELLE_LIMITE_DOCUMENTS,
        cle="user",
        action=Action.EMISSION_LIMITEE,
    ):
        return reponse_limite_ip(request, "documents/trop_de_documents.html")
    data = request.POST.copy()
    data["type"] = type_document
    formulaires = _formulaires(adherent, data)
    try:
        if type_document == TypeDocument.CARTE_TIERS_PAYANT:
            document = carte_courante(adherent=adherent, demande_par=request.user, request=request)
        else:
            contenu = _contenu(adherent, type_document, formulaires)
            if contenu is None:
                return _page(request, adherent, formulaires, status=400)
            document = document_emettre(adherent=adherent, contenu=contenu, demande_par=request.user, request=request)
    except DocumentIndisponible as exc:
        messages.error(request, str(exc))
        return _page(request, adherent, formulaires, status=400)
    if request.POST.get("retour") == "carte" and type_document == TypeDocument.ATTESTATION_DROITS:
        # Asked from the card's page: back to it, where the attestation is now listed and kept offline.
        messages.success(request, _("Votre attestation de droits est prête ; elle est gardée avec votre carte."))
        return redirect("documents:carte")
    return redirect("documents:telecharger", document.pk)


@require_GET
@adherent_requis
@never_cache
def telecharger(request: HttpRequest, pk: int) -> FileResponse:
    document = get_object_or_404(Document, pk=pk, adherent=_adherent(request))
    # The web app's service worker fetches the card and the attestation once to keep them offline
    # (a document's file never changes): the audit row says so rather than « téléchargé ».
    hors_ligne = request.headers.get("X-Mutuelle-Hors-Ligne") == "1"
    journal_ecrire(
        action=Action.DOCUMENT_GARDE_HORS_LIGNE if hors_ligne else Action.DOCUMENT_TELECHARGE,
        par=request.user,
        target=document,
        adherent=document.adherent,
        request=request,
    )
    return FileResponse(
        document.fichier.open("rb"), as_attachment=True, filename=document.nom_fichier(), content_type="application/pdf"
    )


@require_GET
@adherent_requis
@never_cache
def carte(request: HttpRequest) -> HttpResponse:
    """The card on a phone's screen, with its Data Matrix; the same data as the PDF. The web app's
    service worker keeps this page, the card's PDF and the attestation de droits listed on it for use
    without network (``core/sw.js``): the page says when it was saved and until when each is valid."""
    adherent = _adherent(request)
    try:
        contenu = contenus.carte_tiers_payant(adherent, mutuelle_lire())
        document = carte_courante(adherent=adherent, demande_par=request.user, request=request, contenu=contenu)
    except DocumentIndisponible as exc:
        messages.error(request, str(exc))
        return redirect("documents:liste")
    aujourdhui = timezone.localdate()
    # The attestation de droits kept beside the card for offline use: the newest one still valid.
    attestation = (
        Document.objects.filter(
            adherent=adherent,
            type_document=TypeDocument.ATTESTATION_DROITS,
            remplace_le__isnull=True,
            valide_jusqu_au__gte=aujourdhui,
        )
        .order_by("-emis_le")
        .first()
    )
    return render(
        request,
        "documents/carte.html",
        {
            **contenu.contexte,
            "adherent": adherent,
            "document": document,
            "attestation": attestation,
            "enregistree_le": timezone.localtime(),
            "datamatrix_svg": datamatrix_svg(contenu.contexte["donnees"]),
        },
    )


# -- public verification ----------------------------------------------------------------------------


def _limite(request: HttpRequest) -> bool:
    return ip_limitee(
        request,
        groupe="mutuelle.documents.verification",
        taux=settings.MUTUELLE_LIMITE_VERIFICATION,
        methode="GET",
        action=Action.VERIFICATION_LIMITEE,
    )


@require_GET
@never_cache
def verifier(request: HttpRequest) -> HttpResponseBase:
    if "code" in request.GET:
        form = VerificationForm(request.GET)
        if form.is_valid():
            return redirect("documents_publics:verifier_code", code_lisible(code_normaliser(form.cleaned_data["code"])))
        return render(request, "documents/verifier.html", {"form": form}, status=400)
    return render(request, "documents/verifier.html", {"form": VerificationForm()})


@require_GET
@never_cache
def verifier_code(request: HttpRequest, code: str) -> HttpResponse:
    if _limite(request):
        return reponse_limite_ip(request, "documents/trop_de_verifications.html")
    resultat = document_verifier(code)
    return render(
        request,
        "documents/verifier.html",
        {
            "form": VerificationForm(initial={"code": code[:30]}),
            "resultat": resultat,
            "cherche": True,
            "aujourdhui": timezone.localdate(),
        },
        status=200 if resultat else 404,
    )
