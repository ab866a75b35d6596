"""Requests: the member's pages under /espace/demandes/ (and the contest from a reimbursement), the
handler's queue under /gestion/demandes/. A member reaches only their own requests and files (404
otherwise); files are served as attachments, never inline."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import suppress
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import FileResponse, Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from mutuelle.accounts.permissions import adherent_requis, gestion_required
from mutuelle.backoffice.views import apres_decision, file_courante
from mutuelle.claims.selectors_famille import lignes_famille
from mutuelle.members.models import Adherent
from mutuelle.requests.forms import ComplementForm, ContestationForm, EnvoiDocumentForm, TraitementForm
from mutuelle.requests.models import (
    STATUTS_OUVERTS,
    Decision,
    Demande,
    ObjetDocument,
    PieceJointe,
    StatutDemande,
    TypeDemande,
)
from mutuelle.requests.services import (
    DECISIONS,
    TRANSITIONS,
    DemandeRefusee,
    demande_avancer,
    demande_completer,
    demande_creer,
    en_retard,
)
from regles.money import euros

PAR_PAGE = 20
LIBELLES_DONNEES = {
    "qualite": "Qualité",
    "prenom": "Prénom",
    "nom": "Nom",
    "nom_naissance": "Nom de naissance",
    "civilite": "Civilité",
    "date_naissance": "Date de naissance",
    "sexe": "Sexe",
    "nir": "N° de sécurité sociale",
    "date_effet": "Couvert à partir du",
    "nom_complet": "Bénéficiaire",
    "date_sortie": "Couvert jusqu'au",
    "circonstance": "Circonstance",
    "date_soins": "Date des soins",
    "montant": "Montant payé",
    "contrat": "Contrat",
    "formule": "Nouvelle formule",
    "date_fin": "Fin du contrat le",
    "motif": "Motif",
}


def _donnees(demande: Demande, *, masquer: bool = False) -> list[tuple[str, Any]]:
    """What the request asks to change, in words. ``masquer``: the member's own page shows a NIR
    masked, as the profile does (the handler's page shows it whole, to check it)."""
    from mutuelle.members.models import Civilite, Qualite, Sexe
    from mutuelle.requests.models import Circonstance
    from regles.nir import nir_mask

    lisibles = {"circonstance": Circonstance, "qualite": Qualite, "sexe": Sexe, "civilite": Civilite}
    resultat = []
    for cle, valeur in demande.donnees.items():
        if cle == "formule":
            from mutuelle.formules.models import Formule

            valeur = Formule.objects.filter(code=valeur).values_list("libelle", flat=True).first() or valeur
        if cle == "date_effet" and demande.type_demande == "changement_formule":
            resultat.append(("Prend effet le", valeur))
            continue
        if cle in LIBELLES_DONNEES and isinstance(valeur, str):
            # Dates and amounts are kept as ISO text and decimal strings: shown the French way.
            if cle.startswith("date") and len(valeur) == 10:
                with suppress(ValueError):
                    valeur = date.fromisoformat(valeur).strftime("%d/%m/%Y")
            elif cle == "montant":
                with suppress(InvalidOperation):
                    valeur = euros(Decimal(valeur))
        if cle == "nir" and masquer and isinstance(valeur, str) and valeur:
            valeur = nir_mask(valeur)
        if cle in LIBELLES_DONNEES:
            choix = lisibles.get(cle)
            resultat.append((LIBELLES_DONNEES[cle], dict(choix.choices).get(valeur, valeur) if choix else valeur))
    return resultat


def _adherent(request: HttpRequest) -> Adherent:
    return request.adherent  # type: ignore[attr-defined]


def _enregistrer(
    request: HttpRequest, form: Any, creer: Callable[[], Demande], message: Callable[[Demande], str]
) -> HttpResponse | None:
    """Create the request; on success tell the member and show it, otherwise the refusal goes on the
    form (and None lets the view render it again)."""
    try:
        demande = creer()
    except DemandeRefusee as exc:
        form.add_error(None, str(exc))
        return None
    messages.success(request, message(demande))
    return redirect("requests:detail", numero=demande.numero)


def _piece(piece: PieceJointe) -> FileResponse:
    return FileResponse(piece.fichier.open("rb"), as_attachment=True, filename=piece.nom, content_type=piece.type_mime)


# -- member -----------------------------------------------------------------------------------------


@require_GET
@adherent_requis
@never_cache
def liste(request: HttpRequest) -> HttpResponse:
    demandes = Demande.objects.filter(adherent=_adherent(request)).order_by("-cree_le", "-pk")
    page = Paginator(demandes, PAR_PAGE).get_page(request.GET.get("page"))
    return render(request, "requests/liste.html", {"page": page})


@require_http_methods(["GET", "POST"])
@adherent_requis
@never_cache
def envoyer_document(request: HttpRequest) -> HttpResponse:
    adherent = _adherent(request)
    initial: dict[str, Any] = {"objet": ObjetDocument.AUTRE}
    if request.GET.get("remboursement", "").isdigit():
        initial = {"objet": ObjetDocument.REMBOURSEMENT, "ligne": int(request.GET["remboursement"])}
    form = EnvoiDocumentForm(
        request.POST or None, request.FILES or None, adherent=adherent, request=request, initial=initial
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        reponse = _enregistrer(
            request,
            form,
            lambda: demande_creer(
                adherent=adherent,
                type_demande=TypeDemande.DOCUMENT,
                envois=form.envois,
                par=request.user,
                objet=data["objet"],
                ligne=data["ligne"] if data["objet"] == ObjetDocument.REMBOURSEMENT else None,
                demande_liee=data["demande_liee"] if data["objet"] == ObjetDocument.DEMANDE else None,
                commentaire=data["commentaire"],
                request=request,
            ),
            lambda demande: (
                gettext("Votre envoi est enregistré sous le n° %(numero)s. Nous le traitons au plus tard le %(le)s.")
                % {"numero": demande.numero, "le": f"{demande.echeance:%d/%m/%Y}"}
            ),
        )
        if reponse is not None:
            return reponse
    return render(request, "requests/envoyer_document.html", {"form": form}, status=400 if form.errors else 200)


@require_http_methods(["GET", "POST"])
@adherent_requis
@never_cache
def contester(request: HttpRequest, pk: int) -> HttpResponse:
    adherent = _adherent(request)
    ligne = get_object_or_404(lignes_famille(adherent).select_related("beneficiaire").defer("trace"), pk=pk)
    ouverte = Demande.objects.filter(ligne=ligne, type_demande=TypeDemande.CONTESTATION, statut__in=STATUTS_OUVERTS)
    if ouverte.exists():
        messages.info(request, gettext("Une contestation de ce remboursement est déjà en cours : suivez-la ici."))
        return redirect("requests:detail", numero=ouverte.get().numero)
    form = ContestationForm(request.POST or None, request.FILES or None, request=request)
    if request.method == "POST" and form.is_valid():
        reponse = _enregistrer(
            request,
            form,
            lambda: demande_creer(
                adherent=adherent,
                type_demande=TypeDemande.CONTESTATION,
                envois=form.envois,
                par=request.user,
                motif=form.cleaned_data["motif"],
                ligne=ligne,
                commentaire=form.cleaned_data["commentaire"],
                request=request,
            ),
            lambda demande: (
                gettext(
                    "Votre contestation est enregistrée sous le n° %(numero)s. "
                    "Un gestionnaire vous répond au plus tard le %(le)s."
                )
                % {"numero": demande.numero, "le": f"{demande.echeance:%d/%m/%Y}"}
            ),
        )
        if reponse is not None:
            return reponse
    return render(
        request, "requests/contester.html", {"form": form, "ligne": ligne}, status=400 if form.errors else 200
    )


@require_http_methods(["GET", "POST"])
@adherent_requis
@never_cache
def detail(request: HttpRequest, numero: str) -> HttpResponse:
    demande = get_object_or_404(
        Demande.objects.select_related("ligne__beneficiaire"), numero=numero, adherent=_adherent(request)
    )
    form = ComplementForm(request.POST or None, request.FILES or None, request=request)
    if request.method == "POST" and form.is_valid():
        try:
            demande_completer(
                demande=demande,
                envois=form.envois,
                commentaire=form.cleaned_data["commentaire"],
                par=request.user,
                request=request,
            )
        except DemandeRefusee as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, gettext("Votre complément est envoyé au gestionnaire."))
            return redirect("requests:detail", numero=demande.numero)
    return render(
        request,
        "requests/detail.html",
        {
            "demande": demande,
            "lignes_devis": demande.lignes_devis.all(),
            "donnees": _donnees(demande, masquer=True),
            "pieces": demande.pieces.all(),
            "evenements": demande.evenements.all(),
            "form": form,
        },
        status=400 if form.errors else 200,
    )


@require_GET
@adherent_requis
@never_cache
def piece(request: HttpRequest, numero: str, pk: int) -> FileResponse:
    piece = get_object_or_404(PieceJointe, pk=pk, demande__numero=numero, demande__adherent=_adherent(request))
    return _piece(piece)


LIGNES_DEVIS = 6


@require_http_methods(["GET", "POST"])
@adherent_requis
@never_cache
def estimer(request: HttpRequest) -> HttpResponse:
    """« Estimer un devis »: up to six lines, computed at once by the rules engine."""
    from django.forms import formset_factory

    from mutuelle.members.selectors import beneficiaires_couverts, contrat_en_cours
    from mutuelle.requests.estimation import EstimationImpossible
    from mutuelle.requests.estimation import estimer as estimer_ligne
    from mutuelle.requests.forms import LigneDevisForm

    adherent = _adherent(request)
    aujourdhui = timezone.localdate()
    contrat = contrat_en_cours(adherent, aujourdhui)
    beneficiaires = {b.pk: b for b in beneficiaires_couverts(contrat, aujourdhui)} if contrat else {}
    personnes = [(pk, f"{b.prenom} {b.nom}") for pk, b in beneficiaires.items()]
    Formset = formset_factory(LigneDevisForm, extra=0, min_num=1, max_num=LIGNES_DEVIS, validate_max=True)
    data = request.POST if request.method == "POST" else None
    if data is not None and "ajouter" in data:
        # « Ajouter une ligne »: the same lines, kept as typed, and one more (nothing is computed yet).
        copie = data.copy()
        lignes_saisies = str(copie.get("form-TOTAL_FORMS", "1") or "1")
        nombre = min((int(lignes_saisies) if lignes_saisies.isdigit() else 1) + 1, LIGNES_DEVIS)
        copie["form-TOTAL_FORMS"] = str(nombre)
        copie[f"form-{nombre - 1}-date_soins"] = copie.get(f"form-{nombre - 1}-date_soins") or aujourdhui.isoformat()
        copie[f"form-{nombre - 1}-secteur"] = copie.get(f"form-{nombre - 1}-secteur") or "1"
        return render(
            request,
            "requests/estimer.html",
            {
                "formset": Formset(copie, form_kwargs={"personnes": personnes}),
                "contrat": contrat,
                "max": LIGNES_DEVIS,
                "plus": min(nombre + 1, LIGNES_DEVIS),
                "sans_erreurs": True,
            },
        )
    lignes = request.GET.get("lignes", "1")
    n = min(max(int(lignes), 1), LIGNES_DEVIS) if lignes.isdigit() else 1
    initial = [{"date_soins": aujourdhui, "secteur": "1"} for _ in range(n)]
    formset = Formset(data, initial=None if data else initial, form_kwargs={"personnes": personnes})
    resultats: list[Any] = []
    if data is not None and formset.is_valid():
        for form in formset.forms:
            if not form.cleaned_data:
                continue
            try:
                ligne = form.ligne_devis(beneficiaires[form.cleaned_data["beneficiaire"]])
                resultats.append(estimer_ligne(ligne, avant=resultats))
            except EstimationImpossible as exc:
                form.add_error(None, str(exc))
    total = None
    if resultats and not any(f.errors for f in formset.forms):
        total = {
            "montant": sum(r.ligne.montant for r in resultats),
            "secu": sum(r.secu for r in resultats),
            "mutuelle": sum(r.mutuelle for r in resultats),
            "reste": sum(r.reste for r in resultats),
        }
    else:
        resultats = []
    if total is not None and data is not None and "enregistrer" in data:
        return _estimation_enregistrer(request, resultats, total)
    return render(
        request,
        "requests/estimer.html",
        {
            "formset": formset,
            "resultats": resultats,
            "total": total,
            "vers_prise_en_charge": _vers_prise_en_charge(resultats),
            "contrat": contrat,
            "max": LIGNES_DEVIS,
            "plus": min(len(formset.forms) + 1, LIGNES_DEVIS),
        },
        status=400 if data is not None and total is None else 200,
    )


def _estimation_enregistrer(request: HttpRequest, resultats: list[Any], total: dict[str, Any]) -> HttpResponse:
    """The estimate as a PDF in « Mes documents » (to keep, print, or show the practitioner)."""
    from mutuelle.requests.services import estimation_enregistrer

    document = estimation_enregistrer(
        adherent=_adherent(request), resultats=resultats, total=total, par=request.user, request=request
    )
    return redirect("documents:telecharger", document.pk)


def _vers_prise_en_charge(resultats: list[Any]) -> str:
    """The prior-approval form's address, pre-filled with these lines, when they make one request
    (one person, one domain that needs an approval); empty otherwise."""
    from urllib.parse import urlencode

    from django.urls import reverse

    from mutuelle.requests.services import SOINS_PAR_DOMAINE

    if not resultats or len({r.ligne.beneficiaire.pk for r in resultats}) != 1:
        return ""
    domaines = {d for d, codes in SOINS_PAR_DOMAINE.items() for r in resultats if r.ligne.soin in codes}
    if len(domaines) != 1 or any(
        all(r.ligne.soin not in codes for codes in SOINS_PAR_DOMAINE.values()) for r in resultats
    ):
        return ""
    parametres: dict[str, Any] = {"domaine": domaines.pop(), "beneficiaire": resultats[0].ligne.beneficiaire.pk}
    for i, r in enumerate(resultats):
        parametres.update(
            {
                f"l{i}-soin": r.ligne.soin,
                f"l{i}-date": r.ligne.date_soins.isoformat(),
                f"l{i}-montant": str(r.ligne.montant),
                f"l{i}-base": "" if r.ligne.base is None else str(r.ligne.base),
                f"l{i}-quantite": r.ligne.quantite,
                f"l{i}-secteur": "2o" if r.ligne.optam else str(r.ligne.secteur),
            }
        )
    return reverse("requests:prise_en_charge") + "?" + urlencode(parametres)


@require_http_methods(["GET", "POST"])
@adherent_requis
@never_cache
def prise_en_charge(request: HttpRequest) -> HttpResponse:
    """« Demande de prise en charge »: the devis and its lines, computed at once, answered by a handler."""
    from django.forms import formset_factory

    from mutuelle.members.selectors import beneficiaires_couverts, contrat_en_cours
    from mutuelle.requests.forms import LigneDevisPecForm, PriseEnChargeForm
    from mutuelle.requests.services import prise_en_charge_demander

    adherent = _adherent(request)
    aujourdhui = timezone.localdate()
    contrat = contrat_en_cours(adherent, aujourdhui)
    beneficiaires = {b.pk: b for b in beneficiaires_couverts(contrat, aujourdhui)} if contrat else {}
    personnes = [(pk, f"{b.prenom} {b.nom}") for pk, b in beneficiaires.items()]
    Formset = formset_factory(LigneDevisPecForm, extra=0, min_num=1, max_num=LIGNES_DEVIS, validate_max=True)
    data = request.POST if request.method == "POST" else None
    lignes = request.GET.get("lignes", "2")
    n = min(max(int(lignes), 1), LIGNES_DEVIS) if lignes.isdigit() else 2
    initial = [{"date_soins": aujourdhui, "secteur": "1"} for _ in range(n)]
    # Lines carried over from an estimate (« Demander une prise en charge avec ce devis »).
    repris = [
        {
            "soin": request.GET[f"l{i}-soin"],
            "date_soins": request.GET.get(f"l{i}-date") or aujourdhui,
            "montant": request.GET.get(f"l{i}-montant"),
            "base": request.GET.get(f"l{i}-base") or None,
            "quantite": request.GET.get(f"l{i}-quantite") or 1,
            "secteur": request.GET.get(f"l{i}-secteur") or "1",
        }
        for i in range(LIGNES_DEVIS)
        if request.GET.get(f"l{i}-soin")
    ]
    formset = Formset(
        data,
        prefix="ligne",
        initial=None if data else (repris or initial),
        form_kwargs={"personnes": personnes},
    )
    form = PriseEnChargeForm(
        data,
        request.FILES or None,
        personnes=personnes,
        request=request,
        initial={"domaine": request.GET.get("domaine"), "beneficiaire": request.GET.get("beneficiaire")},
    )
    if data is not None and form.is_valid() and formset.is_valid() and contrat is not None:
        beneficiaire = beneficiaires[form.cleaned_data["beneficiaire"]]
        lignes_devis = [f.ligne_devis(beneficiaire) for f in formset.forms if f.cleaned_data]
        reponse = _enregistrer(
            request,
            form,
            lambda: prise_en_charge_demander(
                adherent=adherent,
                beneficiaire=beneficiaire,
                domaine=form.cleaned_data["domaine"],
                professionnel=form.cleaned_data["professionnel"],
                email_professionnel=form.cleaned_data.get("email_professionnel") or "",
                lignes=lignes_devis,
                devis=form.envois[0],
                commentaire=form.cleaned_data["commentaire"],
                par=request.user,
                request=request,
            ),
            lambda demande: (
                gettext(
                    "Votre demande de prise en charge est enregistrée sous le n° %(numero)s. "
                    "Réponse au plus tard le %(le)s."
                )
                % {"numero": demande.numero, "le": f"{demande.echeance:%d/%m/%Y}"}
            ),
        )
        if reponse is not None:
            return reponse
    return render(
        request,
        "requests/prise_en_charge.html",
        {
            "form": form,
            "formset": formset,
            "contrat": contrat,
            "max": LIGNES_DEVIS,
            "plus": min(len(formset.forms) + 1, LIGNES_DEVIS),
        },
        status=400 if data is not None else 200,
    )


def _modification(request: HttpRequest, type_demande: str, form: Any, donnees: Any, titre: str) -> HttpResponse:
    """The shared end of the three family and civil-status requests."""
    from mutuelle.requests.services import modification_demander

    if request.method == "POST" and form.is_valid():
        reponse = _enregistrer(
            request,
            form,
            lambda: modification_demander(
                adherent=_adherent(request),
                type_demande=type_demande,
                donnees=donnees(),
                justificatif=form.envois[0],
                commentaire=form.cleaned_data.get("commentaire", ""),
                par=request.user,
                request=request,
            ),
            lambda demande: (
                gettext(
                    "Votre demande est enregistrée sous le n° %(numero)s : "
                    "un gestionnaire vérifie le justificatif et l'applique au plus tard le %(le)s."
                )
                % {"numero": demande.numero, "le": f"{demande.echeance:%d/%m/%Y}"}
            ),
        )
        if reponse is not None:
            return reponse
    return render(
        request, "requests/modification.html", {"form": form, "titre": titre}, status=400 if form.errors else 200
    )


@require_http_methods(["GET", "POST"])
@adherent_requis
@never_cache
def ajouter_beneficiaire(request: HttpRequest) -> HttpResponse:
    from mutuelle.members.selectors import contrat_en_cours
    from mutuelle.requests.forms import AjoutBeneficiaireForm

    contrat = contrat_en_cours(_adherent(request), timezone.localdate())
    form = AjoutBeneficiaireForm(
        request.POST or None,
        request.FILES or None,
        contrat=contrat,
        request=request,
        initial={"date_effet": timezone.localdate()},
    )
    if contrat is None:
        messages.error(request, gettext("Vous n'avez pas de contrat en cours."))
        return redirect("requests:liste")
    return _modification(
        request, TypeDemande.AJOUT_BENEFICIAIRE, form, lambda: form.donnees(), "Ajouter un bénéficiaire"
    )


@require_http_methods(["GET", "POST"])
@adherent_requis
@never_cache
def retirer_beneficiaire(request: HttpRequest) -> HttpResponse:
    from mutuelle.members.models import Beneficiaire, Qualite
    from mutuelle.requests.forms import RetraitBeneficiaireForm

    personnes = [
        (b.pk, f"{b.prenom} {b.nom}")
        for b in Beneficiaire.objects.filter(contrat__adherent=_adherent(request), date_sortie__isnull=True).exclude(
            qualite=Qualite.ASSURE
        )
    ]
    form = RetraitBeneficiaireForm(request.POST or None, request.FILES or None, personnes=personnes, request=request)

    def donnees() -> dict[str, Any]:
        return {
            "beneficiaire": form.cleaned_data["beneficiaire"],
            "nom_complet": dict(personnes)[form.cleaned_data["beneficiaire"]],
            "date_sortie": form.cleaned_data["date_sortie"].isoformat(),
        }

    return _modification(request, TypeDemande.RETRAIT_BENEFICIAIRE, form, donnees, "Retirer un bénéficiaire")


@require_http_methods(["GET", "POST"])
@adherent_requis
@never_cache
def etat_civil(request: HttpRequest) -> HttpResponse:
    from mutuelle.requests.forms import EtatCivilForm

    adherent = _adherent(request)
    form = EtatCivilForm(
        request.POST or None,
        request.FILES or None,
        request=request,
        initial={"civilite": adherent.civilite, "nom": adherent.nom, "nom_naissance": adherent.nom_naissance},
    )

    def donnees() -> dict[str, Any]:
        return {k: form.cleaned_data[k] for k in ("civilite", "nom", "nom_naissance")}

    return _modification(request, TypeDemande.ETAT_CIVIL, form, donnees, "Changer mon état civil")


@require_http_methods(["GET", "POST"])
@adherent_requis
@never_cache
def feuille_soins(request: HttpRequest) -> HttpResponse:
    """« Envoyer une feuille de soins »: care abroad, a non-conventionné practitioner, no electronic link."""
    from mutuelle.members.models import Beneficiaire
    from mutuelle.requests.forms import FeuilleSoinsForm
    from mutuelle.requests.services import feuille_soins_demander

    adherent = _adherent(request)
    beneficiaires = {
        b.pk: b for b in Beneficiaire.objects.filter(contrat__adherent=adherent).order_by("date_naissance")
    }
    personnes = [(pk, f"{b.prenom} {b.nom}") for pk, b in beneficiaires.items()]
    form = FeuilleSoinsForm(request.POST or None, request.FILES or None, personnes=personnes, request=request)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        reponse = _enregistrer(
            request,
            form,
            lambda: feuille_soins_demander(
                adherent=adherent,
                beneficiaire=beneficiaires[d["beneficiaire"]],
                circonstance=d["circonstance"],
                date_soins=d["date_soins"],
                montant=d["montant"],
                envois=form.envois,
                commentaire=d["commentaire"],
                par=request.user,
                request=request,
            ),
            lambda demande: (
                gettext(
                    "Votre feuille de soins est enregistrée sous le n° %(numero)s. "
                    "Nous calculons votre remboursement au plus tard le %(le)s."
                )
                % {"numero": demande.numero, "le": f"{demande.echeance:%d/%m/%Y}"}
            ),
        )
        if reponse is not None:
            return reponse
    return render(
        request,
        "requests/modification.html",
        {"form": form, "titre": "Envoyer une feuille de soins"},
        status=400 if form.errors else 200,
    )


# -- handler ----------------------------------------------------------------------------------------


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
    from mutuelle.core.services import audit_log
    from mutuelle.requests.selectors import controle_rib

    controle = controle_rib(demande) if demande.type_demande == TypeDemande.RIB else None
    if controle is not None and request.method == "GET":
        # The whole IBAN was shown: who read it, and when.
        audit_log(
            action="requests.rib.consulte",
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
            "donnees": _donnees(demande),
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
    from mutuelle.core.services import audit_log

    audit_log(action="requests.piece.consultee", target=piece.demande, adherent=piece.demande.adherent, request=request)
    return _piece(piece)


@gestion_required
@require_http_methods(["POST"])
def gestion_liquider(request: HttpRequest, numero: str) -> HttpResponse:
    """The handler keys in the acts of a paper claim: the engine computes them into reimbursement lines."""
    from django.forms import formset_factory

    from mutuelle.requests.forms import ActeSaisiForm
    from mutuelle.requests.services import feuille_soins_liquider

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
