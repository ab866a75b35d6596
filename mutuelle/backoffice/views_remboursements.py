"""The handlers' review queue: lines waiting for a decision, each with its explanation."""

from __future__ import annotations

import uuid
from pathlib import Path

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.db.models import Count, Q, Sum
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from mutuelle.accounts.permissions import SUPERVISION_ROLES, gestion_required, responsable_required
from mutuelle.backoffice.forms_remboursements import ACTIONS, DecisionForm, DepotNoemieForm
from mutuelle.backoffice.services import AffectationRefusee, affectation_de, detenteur_verifier
from mutuelle.backoffice.views import apres_decision, file_courante
from mutuelle.claims.models import FichierNoemie, LigneRemboursement, Statut, StatutFichier
from mutuelle.claims.selectors import lignes_a_revoir
from mutuelle.claims.services import ligne_transition
from mutuelle.claims.tasks import noemie_ingest_file
from mutuelle.core.actions import Action
from mutuelle.core.services import journal_ecrire

REGLES = [
    ("Dépassement", "Dépassement au-delà du seuil"),
    ("Part mutuelle", "Montant au-delà du seuil"),
    ("accord préalable", "Accord préalable manquant"),
    ("renouvellement", "Renouvellement non écoulé"),
    ("différente du calcul", "Écart avec la part Sécu"),
]
VERS = {"valider": Statut.VALIDE, "ajuster": Statut.VALIDE, "complement": Statut.COMPLEMENT, "rejeter": Statut.REJETE}


@gestion_required
@never_cache
def revue_liste(request: HttpRequest) -> HttpResponse:
    statut = request.GET.get("statut") or ""
    regle = request.GET.get("regle") or ""
    if statut not in {"", Statut.EN_COURS, Statut.COMPLEMENT}:
        statut = ""
    if regle not in {r for r, _ in REGLES}:
        regle = ""
    lignes = lignes_a_revoir(statut=statut or None, regle=regle or None)
    page = Paginator(lignes, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "claims/revue_liste.html",
        {
            "page": page,
            "total": page.paginator.count,
            "statut": statut,
            "regle": regle,
            "regles": REGLES,
            "statuts": [(Statut.EN_COURS, Statut.EN_COURS.label), (Statut.COMPLEMENT, Statut.COMPLEMENT.label)],
        },
    )


@gestion_required
@never_cache
@require_http_methods(["GET", "POST"])
def revue_detail(request: HttpRequest, pk: int) -> HttpResponse:
    ligne = get_object_or_404(
        LigneRemboursement.objects.select_related(
            "beneficiaire", "contrat__adherent", "nature", "garantie", "formule", "decompte__fichier"
        ),
        pk=pk,
    )
    form = DecisionForm(request.POST or None)
    conflit = False
    if request.method == "POST" and form.is_valid():
        action = form.cleaned_data["action"]
        try:
            detenteur_verifier(ligne, request.user)
            ligne_transition(
                ligne=ligne,
                vers=VERS[action],
                par=request.user,
                motif=form.cleaned_data["motif"] or "",
                montant_amc=form.cleaned_data["montant_amc"] if action == "ajuster" else None,
                evenement_vu=form.cleaned_data["evenement_vu"],
            )
        except AffectationRefusee as exc:
            form.add_error(None, str(exc))
            conflit = True
        except ValidationError as exc:
            for message in exc.messages:
                form.add_error(None, message)
            conflit = any(e.code == "etat_change" for e in getattr(exc, "error_list", ()))
            ligne.refresh_from_db()  # the page shows the line as it is now
        else:
            messages.success(
                request, f"Ligne {ligne.decompte.numero}-{ligne.numero} : {ACTIONS[action].lower()}, c'est fait."
            )
            if file_courante(request):
                return apres_decision(request, "claims:revue_liste", sauf=ligne)
            suivante = lignes_a_revoir(statut=Statut.EN_COURS).exclude(pk=ligne.pk).first()
            return redirect("claims:revue_detail", pk=suivante.pk) if suivante else redirect("claims:revue_liste")
    with transaction.atomic():
        # Health data read by a handler: who looked at whose care, and when.
        journal_ecrire(
            action=Action.LIGNE_CONSULTEE,
            target=ligne,
            adherent=ligne.contrat.adherent,
            request=request,
            message="Consultation depuis la file de revue",
        )
    evenements = list(ligne.evenements.select_related("par"))
    return render(
        request,
        "claims/revue_detail.html",
        {
            "ligne": ligne,
            "form": form,
            # The line as this page shows it (after a refused decision, as it is now).
            "evenement_vu": max((e.pk for e in evenements), default=""),
            "evenements": evenements,
            "peut_decider": ligne.statut in {Statut.EN_COURS, Statut.COMPLEMENT},
            "actions": ACTIONS,
            "detenteur": affectation_de(ligne),
        },
        # A decision not applied says so: 409 when someone else holds the line or it moved since,
        # 400 for what the form itself refuses.
        status=409 if conflit else (400 if form.errors else 200),
    )


@gestion_required
@never_cache
def fichiers_liste(request: HttpRequest) -> HttpResponse:
    page = Paginator(FichierNoemie.objects.select_related("recu_par"), 30).get_page(request.GET.get("page"))
    peut_deposer = getattr(request.user, "role", None) in SUPERVISION_ROLES
    return render(
        request, "claims/fichiers_liste.html", {"page": page, "form": DepotNoemieForm() if peut_deposer else None}
    )


@responsable_required
@require_http_methods(["POST"])
def fichier_depot(request: HttpRequest) -> HttpResponse:
    form = DepotNoemieForm(request.POST, request.FILES)
    if not form.is_valid():
        page = Paginator(FichierNoemie.objects.select_related("recu_par"), 30).get_page(1)
        return render(request, "claims/fichiers_liste.html", {"page": page, "form": form}, status=400)
    upload = form.cleaned_data["fichier"]
    folder = Path(settings.MEDIA_ROOT) / "noemie" / "depots"
    folder.mkdir(parents=True, exist_ok=True)
    safe = "".join(c if c.isalnum() or c in "-_." else "_" for c in Path(upload.name).name)[:100] or "fichier"
    path = folder / f"{timezone.now():%Y%m%d-%H%M%S}-{uuid.uuid4().hex[:8]}-{safe}"
    with path.open("wb") as out:
        for chunk in upload.chunks():
            out.write(chunk)
    async_result = noemie_ingest_file.delay(str(path), request.user.pk)
    if not settings.CELERY_TASK_ALWAYS_EAGER:
        messages.info(request, f"« {upload.name} » est déposé : son intégration est en cours.")
        return redirect("claims:fichiers_liste")
    result = async_result.get()
    if result["status"] == "ingested":
        messages.success(
            request,
            f"« {upload.name} » intégré : {result['decomptes']} décomptes, {result['lignes']} "
            f"lignes, {result['rejets']} signalements.",
        )
    elif result["status"] == "duplicate":
        messages.warning(request, result["errors"][0]["message"])
    elif result["status"] == "processing":
        messages.info(request, f"« {upload.name} » est en cours d'intégration.")
    else:
        messages.error(request, f"« {upload.name} » rejeté, rien n'a été intégré : {result['errors'][0]['message']}")
    return redirect("claims:fichiers_liste")


@gestion_required
@never_cache
def fichier_detail(request: HttpRequest, pk: int) -> HttpResponse:
    fichier = get_object_or_404(FichierNoemie.objects.select_related("recu_par"), pk=pk)
    rejets = Paginator(fichier.rejets.all(), 50).get_page(request.GET.get("page"))
    avancement = None
    if fichier.statut == StatutFichier.EN_COURS:
        lots = fichier.lots.aggregate(
            nb_lots=Count("pk"), lots=Count("pk", filter=Q(fait=True)), actes=Sum("nb_actes", filter=Q(fait=True))
        )
        actes = lots["actes"] or 0
        avancement = {**lots, "actes": actes, "pct": 100 * actes // max(fichier.nb_actes, 1)}
    return render(
        request, "claims/fichier_detail.html", {"fichier": fichier, "rejets": rejets, "avancement": avancement}
    )
