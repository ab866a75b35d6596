"""The handlers' pages for members' requests under /gestion/demandes/: the queue by due date, a
request with its steps and its files, and for a paper claim the acts keyed in for the engine. The
member's side is ``espace.views_demandes``."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from mutuelle.accounts.permissions import gestion_required
from mutuelle.backoffice.forms_demandes import ActeSaisiForm, TraitementForm
from mutuelle.backoffice.views import apres_decision, file_courante
from mutuelle.core.actions import Action
from mutuelle.core.services import journal_ecrire
from mutuelle.core.telechargements import en_piece_jointe
from mutuelle.requests.models import (
    STATUTS_OUVERTS,
    Decision,
    Demande,
    PieceJointe,
    StatutDemande,
    TypeDemande,
)
from mutuelle.requests.selectors import controle_rib, demande_donnees
from mutuelle.requests.services import (
    DECISIONS,
    TRANSITIONS,
    DemandeRefusee,
    demande_avancer,
    en_retard,
    feuille_soins_liquider,
)


@gestion_required
@require_GET
@never_cache
def file_attente(request: HttpRequest) -> HttpResponse:
    """The handlers' queue: open requests by due date, the late ones first and in red."""
    demandes = Demande.objects.select_related("adherent")
    statut = request.GET.get("statut", "ouvertes")
    if statut == "ouvertes":
        demandes = demandes.filter(statut__in=STATUTS_OUVERTS)
    elif statut in StatutDemande.values:
        demandes = demandes.filter(statut=statut)
    type_demande = request.GET.get("type", "")
    if type_demande in TypeDemande.values:
        demandes = demandes.filter(type_demande=type_demande)
    recherche = request.GET.get("q", "").strip()
    if recherche:
        demandes = demandes.filter(Q(numero__iexact=recherche) | Q(adherent__numero=recherche))
    page = Paginator(demandes.order_by("echeance", "cree_le", "pk"), 50).get_page(request.GET.get("page"))
    aujourdhui = timezone.localdate()
    return render(
        request,
        "requests/gestion_liste.html",
        {
            "page": page,
            "lignes": [(d, en_retard(d, aujourdhui) or d.repondue_en_retard) for d in page.object_list],
            "statut": statut,
            "type_demande": type_demande,
            "q": recherche,
            "statuts": StatutDemande.choices,
            "types": TypeDemande.choices,
            "en_retard_total": Demande.objects.filter(statut__in=STATUTS_OUVERTS, echeance__lt=aujourdhui).count(),
        },
    )


@gestion_required
@require_http_methods(["GET", "POST"])
@never_cache
def gestion_detail(request: HttpRequest, numero: str) -> HttpResponse:
    demande = get_object_or_404(
        Demande.objects.select_related("adherent", "ligne__beneficiaire", "traitee_par"), numero=numero
    )
    from mutuelle.backoffice.services import AffectationRefusee, detenteur_verifier

    form = TraitementForm(request.POST or None)
    conflit = False
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            detenteur_verifier(demande, request.user)
            demande_avancer(
                demande=demande,
                vers=data["vers"],
                par=request.user,
                message=data["message"],
                decision=data["decision"],
                montant_corrige=data["montant_corrige"],
                request=request,
            )
        except AffectationRefusee as exc:
            form.add_error(None, str(exc))
            conflit = True
        except DemandeRefusee as exc:
            form.add_error(None, str(exc))
        else:
            demande.refresh_from_db(fields=["statut", "premiere_validation_par"])
            if demande.statut != StatutDemande.TRAITEE and data["decision"] == Decision.RIB_VALIDE:
                messages.warning(
                    request,
                    f"Demande n° {demande.numero} : première validation enregistrée. Des signaux de risque "
                    "demandent qu'un responsable, autre que vous, confirme avant que le compte serve.",
                )
                return redirect("requests_gestion:detail", numero=demande.numero)
            messages.success(request, f"Demande n° {demande.numero} : étape enregistrée, l'adhérent est prévenu.")
            if file_courante(request) and demande.statut in (StatutDemande.TRAITEE, StatutDemande.COMPLEMENT):
                return apres_decision(request, "requests_gestion:detail", sauf=demande, numero=demande.numero)
            return redirect("requests_gestion:detail", numero=demande.numero)
    return _gestion_detail_page(request, demande, form, status=409 if conflit else None)


ACTES_SAISIS = 3  # the acts a handler can key in at once from a paper claim


CHAMPS_ACTE = ("code", "date_soins", "quantite", "montant", "base", "secteur")


def _gestion_detail_page(
    request: HttpRequest, demande: Demande, form: Any, *, saisie: Any = None, status: int | None = None
) -> HttpResponse:
    """The request's page for a handler; ``saisie`` is the paper claim's acts as typed, shown again
    with the errors when they could not be computed."""
    from mutuelle.backoffice.services import affectation_de

    controle = controle_rib(demande) if demande.type_demande == TypeDemande.RIB else None
    if controle is not None and request.method == "GET":
        # The whole IBAN was shown: who read it, and when.
        journal_ecrire(
            action=Action.RIB_CONSULTE,
            target=demande,
            adherent=demande.adherent,
            request=request,
            new={"signaux": len(controle.signaux)},
        )

    if saisie is not None:
        actes_saisis = [
            {champ: saisie.get(f"acte-{i}-{champ}", "") for champ in CHAMPS_ACTE} for i in range(ACTES_SAISIS)
        ]
    else:
        actes_saisis = [{"quantite": "1", "secteur": "1"} for _ in range(ACTES_SAISIS)]
        actes_saisis[0]["date_soins"] = (demande.donnees or {}).get("date_soins", "")
    return render(
        request,
        "requests/gestion_detail.html",
        {
            "actes_saisis": actes_saisis,
            "message_liquidation": saisie.get("message", "") if saisie is not None else "",
            "demande": demande,
            "lignes_devis": demande.lignes_devis.all(),
            "donnees": demande_donnees(demande),
            "pieces": demande.pieces.all(),
            "evenements": demande.evenements.select_related("par"),
            "form": form,
            "suivantes": TRANSITIONS[demande.statut],
            "decisions": [(d, Decision(d).label) for d in DECISIONS[demande.type_demande]],
            "en_retard": en_retard(demande) or demande.repondue_en_retard,
            "StatutDemande": StatutDemande,
            "detenteur": affectation_de(demande),
            "controle_rib": controle,
        },
        status=status or (400 if form.errors else 200),
    )


@gestion_required
@require_GET
@never_cache
def gestion_piece(request: HttpRequest, numero: str, pk: int) -> HttpResponseBase:
    piece = PieceJointe.objects.filter(pk=pk, demande__numero=numero).first()
    if piece is None:
        raise Http404("Pièce introuvable.")

    journal_ecrire(
        action=Action.PIECE_CONSULTEE, target=piece.demande, adherent=piece.demande.adherent, request=request
    )
    return en_piece_jointe(piece.fichier, piece.nom, piece.type_mime)


@gestion_required
@require_http_methods(["POST"])
def gestion_liquider(request: HttpRequest, numero: str) -> HttpResponse:
    """The handler keys in the acts of a paper claim: the engine computes them into reimbursement lines."""
    from django.forms import formset_factory

    demande = get_object_or_404(Demande, numero=numero, type_demande=TypeDemande.FEUILLE_SOINS)
    Formset = formset_factory(ActeSaisiForm, extra=0, min_num=1, max_num=20, validate_max=True)
    formset = Formset(request.POST, prefix="acte")
    if formset.is_valid() and demande.beneficiaire is not None:
        actes = [f.ligne_devis(demande.beneficiaire) for f in formset.forms if f.cleaned_data]
        try:
            lignes = feuille_soins_liquider(
                demande=demande, actes=actes, par=request.user, message=request.POST.get("message", ""), request=request
            )
        except DemandeRefusee as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, f"{len(lignes)} acte(s) calculé(s) : l'adhérent est prévenu.")
            return redirect("requests_gestion:detail", numero=demande.numero)
    else:
        for rang, f in enumerate(formset.forms, start=1):
            for champ, erreurs in f.errors.items():
                libelle = f.fields[champ].label if champ in f.fields else ""
                messages.error(request, f"Acte {rang}, {libelle} : {' '.join(str(e) for e in erreurs)}")
        for erreur in formset.non_form_errors():
            messages.error(request, str(erreur))
    # Nothing was written: the page again, with the acts as typed and what to correct.
    return _gestion_detail_page(request, demande, TraitementForm(), saisie=request.POST, status=400)
