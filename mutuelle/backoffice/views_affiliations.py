"""The handlers' side of the brokers' new memberships (under ``/gestion/affiliations/``): read the
membership and its signed bulletin, accept it (the member and the contract are created) or refuse it
with a reason sent to the broker. Opened through the back office's « Affiliations » queue; access is
checked by ``EcransGestionMiddleware`` (``permissions.ECRANS``)."""

from __future__ import annotations

from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from mutuelle.backoffice.forms_affiliations import AffiliationDecisionForm
from mutuelle.backoffice.views import apres_decision, file_courante
from mutuelle.brokers.models import Affiliation, StatutAffiliation
from mutuelle.brokers.services import AffiliationRefusee, affiliation_accepter, affiliation_refuser
from mutuelle.core.actions import Action
from mutuelle.core.services import journal_ecrire
from mutuelle.members.models import Adherent


def _affiliation(numero: str) -> Affiliation:
    affiliation = (
        Affiliation.objects.select_related("courtier__user", "courtier__cabinet", "formule", "contrat", "traitee_par")
        .filter(numero=numero)
        .first()
    )
    if affiliation is None:
        raise Http404("Cette affiliation n'existe pas.")
    return affiliation


@require_http_methods(["GET", "POST"])
@never_cache
def affiliation(request: HttpRequest, numero: str) -> HttpResponse:
    a = _affiliation(numero)
    form = AffiliationDecisionForm(request.POST or None)
    if request.method == "POST" and not a.ouverte:
        form.add_error(None, f"Cette affiliation est déjà {a.get_statut_display().lower()} : rien n'a changé.")
    elif request.method == "POST" and form.is_valid():
        try:
            if form.cleaned_data["decision"] == StatutAffiliation.ACCEPTEE:
                a = affiliation_accepter(affiliation=a, par=request.user, request=request)
                messages.success(
                    request,
                    f"Affiliation acceptée : contrat {a.contrat.numero if a.contrat else ''} créé, lien d'activation "
                    "envoyé à l'adhérent, lettre de bienvenue à imprimer, courtier prévenu.",
                )
            else:
                affiliation_refuser(affiliation=a, motif=form.cleaned_data["motif"], par=request.user, request=request)
                messages.success(request, "Affiliation refusée : le courtier est prévenu par email.")
        except AffiliationRefusee as exc:
            form.add_error(None, str(exc))
        else:
            return apres_decision(request, "brokers_gestion:affiliation", sauf=a, numero=numero)
    deja = Adherent.objects.filter(nir=a.nir).first() if a.ouverte else None
    return render(
        request,
        "brokers/gestion_affiliation.html",
        {"affiliation": a, "form": form, "deja_adherent": deja, "file": file_courante(request)},
        status=400 if request.method == "POST" else 200,
    )


@require_GET
@never_cache
def bulletin(request: HttpRequest, numero: str) -> FileResponse:
    a = _affiliation(numero)
    journal_ecrire(action=Action.BULLETIN_CONSULTE, par=request.user, target=a, request=request)
    extension = a.bulletin.name.rsplit(".", 1)[-1]
    return FileResponse(a.bulletin.open("rb"), as_attachment=True, filename=f"bulletin-{a.numero}.{extension}")
