"""The handlers' screens for accounts under /gestion/comptes/: unlocking a member's account after an
identity check, and the letters to print (one batch PDF, then confirmed as printed)."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from mutuelle.accounts.forms import (
    DeverrouillageForm,
)
from mutuelle.accounts.models import Courrier, LotCourriers, StatutCourrier
from mutuelle.accounts.permissions import gestion_required
from mutuelle.accounts.services import lot_confirmer, lot_preparer
from mutuelle.core.actions import Action
from mutuelle.core.services import journal_ecrire
from mutuelle.members.comptes import compte_deverrouiller


@gestion_required
@never_cache
@require_http_methods(["GET", "POST"])
def deverrouiller(request: HttpRequest) -> HttpResponse:
    """Back office: unlock a member's account after an identity check with the caller."""
    # From the locked-accounts queue the member number is filled in; the identity check stays to do.
    numero = request.GET.get("numero", "")
    form = DeverrouillageForm(request.POST or None, initial={"numero": numero} if numero.isdigit() else None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        resultat = compte_deverrouiller(
            numero=data["numero"],
            date_naissance=data["date_naissance"],
            element=data["element"],
            valeur=data["valeur"],
            motif=data["motif"],
            par=request.user,
            request=request,
        )
        if resultat.ok:
            from mutuelle.backoffice.views import apres_decision

            messages.success(request, resultat.message)
            return apres_decision(request, "accounts_gestion:deverrouiller")
        form.add_error(None, resultat.message)
    return render(request, "accounts/deverrouiller.html", {"form": form})


@gestion_required
@never_cache
@require_http_methods(["GET", "POST"])
def courriers(request: HttpRequest) -> HttpResponse:
    """Back office: the letters to print (codes for members without an email, welcome letters, paper
    relevés). The chosen ones become one batch: a single PDF for the printer; the letters' own PDFs
    are deleted, the batch's once the handler confirms it is printed."""
    from django.core.paginator import Paginator

    if request.method == "POST":
        ids = [int(i) for i in request.POST.getlist("courrier") if i.isdigit()][:500]
        lot = lot_preparer(ids=ids, par=request.user, request=request) if ids else None
        if lot is None:
            messages.error(request, gettext("Cochez au moins un courrier à imprimer."))
        else:
            messages.success(
                request,
                f"Lot n° {lot.pk} prêt : {lot.nb_courriers} courrier(s), {lot.nb_pages} page(s). "
                "Téléchargez-le, imprimez-le en recto verso, puis confirmez l'impression.",
            )
        return redirect("accounts_gestion:courriers")
    a_imprimer = (
        Courrier.objects.select_related("adherent").filter(statut=StatutCourrier.A_IMPRIMER).order_by("cree_le")
    )
    page = Paginator(a_imprimer, 50).get_page(request.GET.get("page"))
    lots = LotCourriers.objects.select_related("cree_par", "confirme_par").order_by("confirme_le", "-cree_le")[:20]
    return render(request, "accounts/courriers.html", {"page": page, "lots": lots, "total": a_imprimer.count()})


@gestion_required
@never_cache
def lot_pdf(request: HttpRequest, pk: int) -> HttpResponseBase:
    from django.http import FileResponse, Http404

    lot = LotCourriers.objects.filter(pk=pk, confirme_le__isnull=True).first()
    if lot is None or not lot.pdf:
        raise Http404("Ce lot est déjà imprimé : son PDF a été supprimé.")
    journal_ecrire(action=Action.LOT_COURRIERS_TELECHARGE, target=lot, request=request)
    return FileResponse(
        lot.pdf.open("rb"), as_attachment=True, filename=f"lot-{lot.pk}.pdf", content_type="application/pdf"
    )


@gestion_required
@require_POST
def lot_confirmer_vue(request: HttpRequest, pk: int) -> HttpResponse:

    lot = get_object_or_404(LotCourriers, pk=pk, confirme_le__isnull=True)
    lot_confirmer(lot=lot, par=request.user, request=request)
    messages.success(request, f"Lot n° {lot.pk} imprimé : son PDF est supprimé.")
    return redirect("accounts_gestion:courriers")


@gestion_required
@never_cache
def courrier_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    from django.http import Http404

    courrier = Courrier.objects.select_related("adherent").filter(pk=pk, statut=StatutCourrier.A_IMPRIMER).first()
    if courrier is None or not courrier.pdf:
        raise Http404("Ce courrier n'est plus à imprimer.")
    journal_ecrire(action=Action.COURRIER_TELECHARGE, target=courrier, adherent=courrier.adherent, request=request)
    with courrier.pdf.open("rb") as fichier:
        response = HttpResponse(fichier.read(), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="courrier-{courrier.pk}.pdf"'
    return response
