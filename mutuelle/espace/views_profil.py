"""« Mon profil »: identity (read-only), contact details, bank details. A new bank account asks for
the secret again (and the app's code when one is enrolled), comes with the RIB scan, is checked by a
handler unless the mutuelle trusts it at once, and is told to the email on file."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods

from mutuelle.accounts.permissions import adherent_requis
from mutuelle.accounts.views_securite import reauthentification
from mutuelle.core.actions import Action
from mutuelle.core.services import journal_ecrire
from mutuelle.espace.forms_profil import CoordonneesForm, RibForm
from mutuelle.members.models import Adherent, CoordonneesBancaires, ExportDonnees, StatutRib
from mutuelle.members.services import adherent_coordonnees_modifier, rib_actif
from mutuelle.requests.services import DemandeRefusee, rib_demander


def _adherent(request: HttpRequest) -> Adherent:
    return request.adherent  # type: ignore[attr-defined]


@require_http_methods(["GET", "POST"])
@adherent_requis
@never_cache
def profil(request: HttpRequest) -> HttpResponse:
    adherent = _adherent(request)
    form = CoordonneesForm(request.POST or None, instance=Adherent.objects.get(pk=adherent.pk))
    if request.method == "POST" and form.is_valid():
        try:
            changes = adherent_coordonnees_modifier(
                adherent=adherent, valeurs=form.cleaned_data, par=request.user, request=request
            )
        except ValidationError as exc:
            for champ, erreurs in exc.message_dict.items():
                form.add_error(champ if champ in form.fields else None, erreurs)
        else:
            messages.success(
                request,
                gettext("Vos coordonnées sont enregistrées.")
                if changes
                else gettext("Aucune modification à enregistrer."),
            )
            return redirect("espace:profil")
    en_attente = (
        CoordonneesBancaires.objects.filter(adherent=adherent, statut=StatutRib.EN_ATTENTE)
        .prefetch_related("demandes")
        .first()
    )
    return render(
        request,
        "espace/profil.html",
        {
            "adherent": adherent,
            "form": form,
            "rib": rib_actif(adherent),
            "rib_en_attente": en_attente,
            "demande_rib": en_attente.demandes.first() if en_attente else None,
        },
        status=400 if form.errors else 200,
    )


@sensitive_post_parameters("iban", "bic")
@require_http_methods(["GET", "POST"])
@adherent_requis
@reauthentification
@never_cache
def rib(request: HttpRequest) -> HttpResponse:
    adherent = _adherent(request)
    form = RibForm(request.POST or None, request.FILES or None, request=request)
    if request.method == "POST" and form.is_valid() and form.verifie and form.envoi:
        try:
            demande = rib_demander(
                adherent=adherent,
                titulaire=form.cleaned_data["titulaire"],
                iban=form.verifie.iban,
                bic=form.verifie.bic,
                scan=form.envoi,
                par=request.user,
                request=request,
            )
        except DemandeRefusee as exc:
            form.add_error(None, str(exc))
        else:
            if demande.statut == "traitee":
                messages.success(request, gettext("Vos nouvelles coordonnées bancaires sont enregistrées."))
            else:
                messages.success(
                    request,
                    gettext(
                        "Votre demande est enregistrée. Un gestionnaire vérifie le RIB ; d'ici là, vos remboursements "
                        "restent versés sur votre compte actuel."
                    ),
                )
            return redirect("espace:profil")
    return render(request, "espace/rib.html", {"form": form}, status=400 if form.errors else 200)


@require_http_methods(["GET", "POST"])
@adherent_requis
@never_cache
def donnees(request: HttpRequest) -> HttpResponse:
    """« Mes données »: ask for the archive, see the ones made."""
    from mutuelle.espace.donnees import ExportRefuse, export_demander

    adherent = _adherent(request)
    if request.method == "POST":
        try:
            export_demander(adherent=adherent, par=request.user, request=request)
        except ExportRefuse as exc:
            messages.error(request, str(exc))
        else:
            messages.success(
                request,
                gettext(
                    "Votre archive est en préparation. Vous recevrez un email avec le lien de téléchargement "
                    "(valable 7 jours) ; elle se télécharge aussi depuis cette page."
                )
                if adherent.email
                else gettext(
                    "Votre archive est en préparation : revenez sur cette page pour la télécharger (valable 7 jours)."
                ),
            )
        return redirect("espace:donnees")
    from django.utils import timezone

    exports = ExportDonnees.objects.filter(adherent=adherent)[:10]
    return render(request, "espace/donnees.html", {"exports": exports, "maintenant": timezone.now()})


@require_http_methods(["GET"])
@adherent_requis
@never_cache
def donnees_telecharger(request: HttpRequest, jeton: str) -> HttpResponseBase:
    """The link of the email that says the archive is ready."""
    from django.http import Http404

    from mutuelle.espace.donnees import export_par_lien

    export = export_par_lien(adherent=_adherent(request), jeton=jeton)
    if export is None or not export.fichier:
        raise Http404("Ce lien a expiré ou ne correspond à aucune archive : demandez-en une nouvelle.")
    return _archive(request, export)


@require_http_methods(["GET"])
@adherent_requis
@reauthentification
@never_cache
def donnees_archive(request: HttpRequest, pk: int) -> HttpResponseBase:
    """A ready archive from « Mes données » itself, once the secret was typed again: the way for a
    member without an email, and for one whose email went astray."""
    from django.http import Http404

    from mutuelle.espace.donnees import export_de

    export = export_de(adherent=_adherent(request), pk=pk)
    if export is None or not export.fichier:
        raise Http404("Cette archive n'est pas (ou plus) disponible : demandez-en une nouvelle.")
    return _archive(request, export)


def _archive(request: HttpRequest, export: Any) -> HttpResponseBase:
    from django.http import FileResponse
    from django.utils import timezone

    adherent = _adherent(request)
    export.telecharge_le = timezone.now()
    export.save(update_fields=["telecharge_le"])
    journal_ecrire(action=Action.EXPORT_TELECHARGE, par=request.user, target=export, adherent=adherent, request=request)
    return FileResponse(
        export.fichier.open("rb"),
        as_attachment=True,
        filename=f"mes-donnees-{export.pret_le:%Y-%m-%d}.zip",
        content_type="application/zip",
    )
