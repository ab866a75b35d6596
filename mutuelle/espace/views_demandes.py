"""The member's requests under /espace/demandes/ (and the contest from a reimbursement): send a
document, estimate a devis, ask for a prior approval, change the family or the civil status, a paper
claim. A member reaches only their own requests and files (404 otherwise); files are served as
attachments, never inline. The handlers' side is ``backoffice.views_demandes``."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from mutuelle.accounts.permissions import adherent_requis
from mutuelle.claims.estimation import EstimationImpossible
from mutuelle.claims.estimation import estimer as estimer_ligne
from mutuelle.claims.selectors_famille import lignes_famille
from mutuelle.core.telechargements import en_piece_jointe
from mutuelle.espace.forms_demandes import (
    AjoutBeneficiaireForm,
    ComplementForm,
    ContestationForm,
    EnvoiDocumentForm,
    EtatCivilForm,
    FeuilleSoinsForm,
    LigneDevisForm,
    LigneDevisPecForm,
    PriseEnChargeForm,
    RetraitBeneficiaireForm,
)
from mutuelle.members.models import Adherent, Beneficiaire, Qualite
from mutuelle.members.selectors import beneficiaires_couverts, contrat_en_cours
from mutuelle.requests.models import (
    STATUTS_OUVERTS,
    Demande,
    ObjetDocument,
    PieceJointe,
    TypeDemande,
)
from mutuelle.requests.selectors import demande_donnees
from mutuelle.requests.services import (
    SOINS_PAR_DOMAINE,
    DemandeRefusee,
    demande_completer,
    demande_creer,
    estimation_enregistrer,
    feuille_soins_demander,
    modification_demander,
    prise_en_charge_demander,
)

PAR_PAGE = 20


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
            "donnees": demande_donnees(demande, masquer=True),
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
    return en_piece_jointe(piece.fichier, piece.nom, piece.type_mime)


LIGNES_DEVIS = 6


@require_http_methods(["GET", "POST"])
@adherent_requis
@never_cache
def estimer(request: HttpRequest) -> HttpResponse:
    """« Estimer un devis »: up to six lines, computed at once by the rules engine."""
    from django.forms import formset_factory

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

    document = estimation_enregistrer(
        adherent=_adherent(request), resultats=resultats, total=total, par=request.user, request=request
    )
    return redirect("documents:telecharger", document.pk)


def _vers_prise_en_charge(resultats: list[Any]) -> str:
    """The prior-approval form's address, pre-filled with these lines, when they make one request
    (one person, one domain that needs an approval); empty otherwise."""
    from urllib.parse import urlencode

    from django.urls import reverse

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
