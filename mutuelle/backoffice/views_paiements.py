"""Payment runs in the back office (/gestion/paiements/): the runs and their transfers for handlers;
running one now, downloading its file and importing the bank's report for supervisors (the screen
table in ``backoffice/permissions.py`` says who)."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from mutuelle.accounts.permissions import Droit, peut
from mutuelle.backoffice.forms_paiements import RetourBanqueForm
from mutuelle.core.templatetags.format_fr import euros
from mutuelle.payments.models import LotPaiement, StatutVirement
from mutuelle.payments.services import (
    PaiementImpossible,
    lot_transmettre,
    paiements_executer,
    resume_a_payer,
    retour_integrer,
)


@require_GET
@never_cache
def lots(request: HttpRequest) -> HttpResponse:
    page = Paginator(
        LotPaiement.objects.select_related("cree_par")
        .annotate(
            rejetes=Count("virements", filter=Q(virements__statut=StatutVirement.REJETE)),
            acceptes=Count("virements", filter=Q(virements__statut=StatutVirement.ACCEPTE)),
        )
        .order_by("-cree_le", "-pk"),
        30,
    ).get_page(request.GET.get("page"))

    return render(
        request,
        "payments/lots.html",
        {
            "page": page,
            "superviseur": peut(request.user, Droit.SUPERVISER),
            "form": RetourBanqueForm(),
            "resume": resume_a_payer(),
        },
    )


@require_GET
@never_cache
def sans_coordonnees(request: HttpRequest) -> HttpResponse:
    """The tiers-payant payees the mutuelle owes money to and cannot pay: who, why, how much, since
    when; the directory's page to complete each one."""

    resume = resume_a_payer()
    page = Paginator(resume.professionnels_sans_compte, 50).get_page(request.GET.get("page"))
    return render(request, "payments/sans_coordonnees.html", {"resume": resume, "page": page})


@require_POST
def lancer(request: HttpRequest) -> HttpResponse:
    try:
        faits = paiements_executer(par=request.user, request=request)
    except PaiementImpossible as exc:
        messages.error(request, str(exc))
        return redirect("payments:lots")
    if not faits:
        resume = resume_a_payer()
        bloques = resume.lignes_sans_compte_adherent + resume.lignes_sans_compte_professionnel
        if bloques:
            messages.warning(
                request,
                f"Aucun lot n'a été créé : les {bloques} remboursement(s) validé(s) qui attendent un paiement n'ont "
                f"pas de compte bancaire où être versés ({resume.lignes_sans_compte_adherent} pour des adhérents, "
                f"{resume.lignes_sans_compte_professionnel} pour des professionnels en tiers payant).",
            )
        else:
            messages.info(request, "Aucun remboursement validé n'attend de paiement : aucun lot n'a été créé.")
        return redirect("payments:lots")
    for lot in faits:
        messages.success(
            request,
            f"Lot {lot.numero} prêt : {lot.nb_virements} virement(s) pour {lot.nb_lignes} remboursement(s), "
            f"{euros(lot.total)}. Téléchargez le fichier pour la banque.",
        )
    return redirect("payments:lot", numero=faits[-1].numero)


@require_POST
def retour(request: HttpRequest) -> HttpResponse:
    form = RetourBanqueForm(request.POST, request.FILES)
    if not form.is_valid():
        for erreur in form.errors.get("fichier", []):
            messages.error(request, str(erreur))
        return redirect("payments:lots")
    fichier = form.cleaned_data["fichier"]
    try:
        resultat = retour_integrer(nom=fichier.name, contenu=fichier.read(), par=request.user, request=request)
    except PaiementImpossible as exc:
        messages.error(request, str(exc))
        return redirect("payments:lots")
    messages.success(
        request,
        f"Retour de la banque intégré pour le lot {resultat.retour.lot.numero} : {resultat.acceptes} virement(s) "
        f"accepté(s), {resultat.rejetes} rejeté(s).",
    )
    if resultat.conflits:
        messages.warning(
            request,
            f"{len(resultat.conflits)} virement(s) déjà accepté(s) sont maintenant signalés rejetés "
            f"({', '.join(resultat.conflits[:3])}) : voyez-les avec la banque, rien n'a été changé pour eux.",
        )
    return redirect("payments:lot", numero=resultat.retour.lot.numero)


@require_GET
@never_cache
def lot(request: HttpRequest, numero: str) -> HttpResponse:
    lot = get_object_or_404(LotPaiement.objects.select_related("cree_par"), numero=numero)
    statut = request.GET.get("statut", "")
    virements = lot.virements.select_related("adherent").order_by("pk")
    if statut in StatutVirement.values:
        virements = virements.filter(statut=statut)
    page = Paginator(virements, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "payments/lot.html",
        {
            "lot": lot,
            "page": page,
            "statut": statut,
            "statuts": StatutVirement.choices,
            "retours": lot.retours.select_related("recu_par"),
            "superviseur": peut(request.user, Droit.SUPERVISER),
        },
    )


@require_POST
def fichier(request: HttpRequest, numero: str) -> HttpResponse:
    """The file for the bank, downloaded by a supervisor: a POST, since it marks the run as sent (a
    link prefetched or followed by a crawler must change nothing)."""
    lot = get_object_or_404(LotPaiement, numero=numero)
    if not lot.sha256:
        messages.error(request, f"Le fichier du lot {lot.numero} n'est pas encore produit.")
        return redirect("payments:lot", numero=lot.numero)
    lot = lot_transmettre(lot=lot, par=request.user, request=request)
    reponse = HttpResponse(lot.contenu.encode("utf-8"), content_type="application/xml")
    reponse["Content-Disposition"] = f'attachment; filename="{lot.numero}.xml"'
    return reponse
