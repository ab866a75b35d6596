"""The broker space (« espace courtier », under ``/courtier/``).

Every view sits behind ``courtier_requis`` and reads through ``mutuelle.brokers.selectors``, which
scope everything to the broker's portfolio (the firm's, for its administrator): a contract, a
membership or a document outside it answers 404. No view here reads care, amounts of care, prior
approvals or health documents; ``EspaceCourtierMiddleware`` answers 404 to a broker session on every
URL outside this space and the account pages.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date, timedelta
from functools import wraps
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q, Sum
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from mutuelle.accounts.views import connexion as connexion_commune
from mutuelle.brokers import selectors
from mutuelle.brokers.models import Courtier, StatutAffiliation
from mutuelle.brokers.services import (
    AffiliationRefusee,
    affiliation_soumettre,
    courtier_activer,
    courtier_inviter,
    demande_courtier,
    invitation_renvoyer,
    prochain_anniversaire,
)
from mutuelle.core.actions import Action
from mutuelle.core.exports import csv_reponse, nombre, texte
from mutuelle.core.services import journal_ecrire, mutuelle_lire
from mutuelle.documents import contenus
from mutuelle.documents.contenus import DocumentIndisponible
from mutuelle.documents.models import Document, TypeDocument
from mutuelle.documents.services import carte_courante, document_emettre
from mutuelle.espace_courtier.forms import (
    AffiliationForm,
    AjoutBeneficiaireCourtierForm,
    ChangementFormuleForm,
    CommissionsForm,
    InvitationForm,
    PersonnesFormSet,
    PortefeuilleForm,
    ResiliationForm,
)
from mutuelle.members.models import ContratFormule, Cotisation
from mutuelle.requests.models import TypeDemande
from mutuelle.requests.services import DemandeRefusee

PAR_PAGE = 25


def courtier_requis(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    """Brokers only: a visitor logs in at the broker entry point; members and staff get a 403.
    Sets ``request.courtier``."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path(), login_url=reverse("courtier:connexion"))
        courtier = selectors.courtier_de(request.user)
        if courtier is None:
            raise PermissionDenied("L'espace courtier est réservé aux courtiers partenaires de la mutuelle.")
        request.courtier = courtier  # type: ignore[attr-defined]
        return view(request, *args, **kwargs)

    return wrapper


def administrateur_requis(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    @wraps(view)
    @courtier_requis
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not _courtier(request).administrateur_cabinet:
            raise PermissionDenied("Réservé à l'administrateur du cabinet.")
        return view(request, *args, **kwargs)

    return wrapper


def _courtier(request: HttpRequest) -> Courtier:
    return request.courtier  # type: ignore[attr-defined]


@never_cache
def connexion(request: HttpRequest) -> HttpResponse:
    """The brokers' own entry point: the same login, second factor included, landing on the portfolio."""

    return connexion_commune(request, portail="courtier")


# -- home and portfolio ------------------------------------------------------------------------------


@require_GET
@courtier_requis
def accueil(request: HttpRequest) -> HttpResponse:
    courtier = _courtier(request)
    contrats = selectors.portefeuille(courtier)
    chiffres = contrats.aggregate(
        actifs=Count("pk", filter=Q(statut="actif")),
        suspendus=Count("pk", filter=Q(statut="suspendu")),
        resilies=Count("pk", filter=Q(statut="resilie")),
        impayes=Count("pk", filter=Q(impaye__gt=0)),
    )
    contexte = {
        "courtier": courtier,
        "chiffres": chiffres,
        "affiliations": list(selectors.affiliations(courtier)[:5]),
        "en_attente": selectors.affiliations(courtier).filter(statut=StatutAffiliation.SOUMISE).count(),
        "demandes": list(selectors.demandes(courtier)[:5]),
    }
    return render(request, "brokers/accueil.html", contexte)


def _portefeuille_filtre(request: HttpRequest) -> tuple[PortefeuilleForm, Any]:
    courtier = _courtier(request)
    courtiers = list(selectors.courtiers_visibles(courtier))
    form = PortefeuilleForm(request.GET or None, courtiers=courtiers)
    qs: Any = selectors.portefeuille(courtier)  # annotated: formule_actuelle, impaye, nb_beneficiaires
    if form.is_valid():
        d = form.cleaned_data
        if d.get("q"):
            mots = d["q"].strip()
            qs = qs.filter(
                Q(adherent__nom__icontains=mots)
                | Q(adherent__prenom__icontains=mots)
                | Q(adherent__numero=mots.replace(" ", ""))
                | Q(numero__iexact=mots)
            )
        if d.get("statut"):
            qs = qs.filter(statut=d["statut"])
        if d.get("formule"):
            qs = qs.filter(formule_actuelle=d["formule"].libelle)
        if d.get("cotisations") == "impayees":
            qs = qs.filter(impaye__gt=0)
        elif d.get("cotisations") == "a_jour":
            qs = qs.filter(impaye__lte=0)
        if d.get("courtier"):
            qs = qs.filter(courtier_id=d["courtier"])
    return form, qs


@require_GET
@courtier_requis
def portefeuille(request: HttpRequest) -> HttpResponseBase:
    form, qs = _portefeuille_filtre(request)
    if request.GET.get("export") == "csv":
        journal_ecrire(
            action=Action.PORTEFEUILLE_EXPORTE,
            par=request.user,
            request=request,
            new={"filtre": request.GET.urlencode()[:200]},
        )
        return _portefeuille_csv(qs)
    page = Paginator(qs, PAR_PAGE).get_page(request.GET.get("page"))
    parametres = request.GET.copy()
    parametres.pop("page", None)
    parametres.pop("export", None)
    return render(
        request,
        "brokers/portefeuille.html",
        {
            "form": form,
            "page": page,
            "filtre": parametres.urlencode(),
            "filtre_actif": any(v for v in parametres.values()),
            "plusieurs_courtiers": "courtier" in form.fields,
        },
    )


def _portefeuille_csv(qs: Any) -> HttpResponseBase:
    entete = [
        "Contrat",
        "N° d'adhérent",
        "Adhérent",
        "Formule",
        "Date d'effet",
        "Date de fin",
        "Statut",
        "Cotisations",
        "Impayé",
        "Bénéficiaires",
        "Courtier",
    ]

    def lignes() -> Iterator[list[str]]:
        contrat: Any
        for contrat in qs.iterator(chunk_size=500):
            yield [
                contrat.numero,
                contrat.adherent.numero,
                texte(f"{contrat.adherent.prenom} {contrat.adherent.nom}"),
                texte(contrat.formule_actuelle or ""),
                f"{contrat.date_debut:%d/%m/%Y}",
                f"{contrat.date_fin:%d/%m/%Y}" if contrat.date_fin else "",
                contrat.get_statut_display(),
                "Impayé" if contrat.impaye > 0 else "À jour",
                nombre(contrat.impaye),
                str(contrat.nb_beneficiaires),
                texte(str(contrat.courtier.user) if contrat.courtier else ""),
            ]

    return csv_reponse(f"portefeuille-{timezone.localdate():%Y-%m-%d}.csv", entete, lignes())


@require_GET
@courtier_requis
def contrat(request: HttpRequest, numero: str) -> HttpResponse:
    courtier = _courtier(request)
    c = selectors.contrat(courtier, numero)
    aujourdhui = timezone.localdate()
    cotisations = Cotisation.objects.filter(contrat=c, echeance__lte=aujourdhui).order_by("-echeance")
    journal_ecrire(
        action=Action.CONTRAT_CONSULTE_COURTIER, par=request.user, target=c, adherent=c.adherent, request=request
    )
    return render(
        request,
        "brokers/contrat.html",
        {
            "contrat": c,
            "adherent": c.adherent,
            "formules": ContratFormule.objects.filter(contrat=c).select_related("formule").order_by("-date_debut"),
            "beneficiaires": c.beneficiaires.order_by("date_entree", "date_naissance"),
            "cotisations": cotisations[:12],
            "limite_impaye": selectors.limite_impaye(aujourdhui),
            "cotisations_totaux": cotisations.aggregate(appele=Sum("montant"), paye=Sum("montant_paye")),
            "demandes": selectors.demandes(courtier).filter(donnees__contrat=c.numero)[:20],
            "documents": selectors.documents(courtier).filter(contrat=c).order_by("-emis_le")[:10],
            "types_documents": [(t, TypeDocument(t).label) for t in selectors.DOCUMENTS_COURTIER],
            "modifiable": c.statut != "resilie",
            "anniversaire": prochain_anniversaire(c, aujourdhui),
        },
    )


# -- documents -------------------------------------------------------------------------------------------


@require_POST
@courtier_requis
def document_emettre_vue(request: HttpRequest, numero: str, type_document: str) -> HttpResponseBase:
    """Issue an attestation, a card or the bulletin for a client, as in the member space; the issue and
    every download are audited with the broker as the par."""
    courtier = _courtier(request)
    c = selectors.contrat(courtier, numero)
    if type_document not in selectors.DOCUMENTS_COURTIER:
        raise Http404("Ce document n'est pas disponible dans l'espace courtier.")
    adherent = c.adherent
    mutuelle = mutuelle_lire()
    try:
        if type_document == TypeDocument.CARTE_TIERS_PAYANT:
            contenu = contenus.carte_tiers_payant(adherent, mutuelle)
        elif type_document == TypeDocument.ATTESTATION_DROITS:
            contenu = contenus.attestation_droits(adherent, mutuelle)
        else:
            contenu = contenus.bulletin(adherent, mutuelle)
        if contenu.contrat is None or contenu.contrat.pk != c.pk:
            # The member's contract in force is not the one this broker placed.
            raise DocumentIndisponible("Le contrat en cours de cet adhérent n'est pas dans votre portefeuille.")
        if type_document == TypeDocument.CARTE_TIERS_PAYANT:
            document = carte_courante(adherent=adherent, demande_par=request.user, request=request, contenu=contenu)
        else:
            document = document_emettre(adherent=adherent, contenu=contenu, demande_par=request.user, request=request)
    except DocumentIndisponible as exc:
        messages.error(request, str(exc).replace("votre", "son").replace("Votre", "Son"))
        return redirect("courtier:contrat", numero)
    return redirect("courtier:document", document.pk)


@require_GET
@courtier_requis
@never_cache
def document_telecharger(request: HttpRequest, pk: int) -> FileResponse:
    courtier = _courtier(request)
    document: Document | None = (
        Document.objects.filter(
            pk=pk,
            type_document__in=selectors.DOCUMENTS_COURTIER,
            contrat__in=selectors.portefeuille(courtier).values("pk"),
        )
        .select_related("adherent")
        .first()
    )
    if document is None:
        raise Http404("Ce document n'est pas dans votre portefeuille.")
    journal_ecrire(
        action=Action.DOCUMENT_TELECHARGE_COURTIER,
        par=request.user,
        target=document,
        adherent=document.adherent,
        request=request,
        new={"type": document.type_document},
    )
    return FileResponse(
        document.fichier.open("rb"),
        as_attachment=True,
        filename=document.nom_fichier(numero=True),
        content_type="application/pdf",
    )


# -- contract changes ------------------------------------------------------------------------------------

CHANGEMENTS = {
    "formule": TypeDemande.CHANGEMENT_FORMULE,
    "beneficiaire": TypeDemande.AJOUT_BENEFICIAIRE,
    "resiliation": TypeDemande.RESILIATION,
}


@require_http_methods(["GET", "POST"])
@courtier_requis
def changement(request: HttpRequest, numero: str, sorte: str) -> HttpResponse:
    courtier = _courtier(request)
    c: Any = selectors.contrat(courtier, numero)
    if sorte not in CHANGEMENTS:
        raise Http404("Ce changement n'existe pas.")
    if c.statut == "resilie":
        messages.error(request, f"Le contrat {c.numero} est résilié : il ne peut plus être modifié.")
        return redirect("courtier:contrat", numero)
    type_demande = CHANGEMENTS[sorte]
    data = request.POST if request.method == "POST" else None
    fichiers = request.FILES if request.method == "POST" else None
    anniversaire = prochain_anniversaire(c)
    form: Any
    if sorte == "formule":
        form = ChangementFormuleForm(
            data, fichiers, request=request, actuelle=c.formule_actuelle or "", date_effet=anniversaire
        )
    elif sorte == "resiliation":
        form = ResiliationForm(data, fichiers, request=request, initial={"date_fin": anniversaire - timedelta(days=1)})
    else:
        form = AjoutBeneficiaireCourtierForm(data, fichiers, request=request, contrat=c)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        if sorte == "formule":
            donnees: dict[str, Any] = {"formule": d["formule"].code, "date_effet": anniversaire}
            justificatif = form.envoi
        elif sorte == "resiliation":
            donnees = {"date_fin": d["date_fin"], "motif": d["motif"].strip()}
            justificatif = form.envoi
        else:
            donnees = form.donnees()
            justificatif = form.envois[0]
        try:
            demande = demande_courtier(
                courtier=courtier,
                contrat=c,
                type_demande=type_demande,
                donnees=donnees,
                justificatif=justificatif,
                commentaire=d.get("commentaire", ""),
                request=request,
            )
        except DemandeRefusee as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(
                request,
                f"Demande n° {demande.numero} transmise à la mutuelle : réponse prévue au plus tard le "
                f"{demande.echeance:%d/%m/%Y}.",
            )
            return redirect("courtier:contrat", numero)
    return render(
        request,
        "brokers/changement.html",
        {
            "contrat": c,
            "form": form,
            "sorte": sorte,
            "titre": TypeDemande(type_demande).label,
            "anniversaire": anniversaire,
        },
        status=400 if request.method == "POST" else 200,
    )


# -- new memberships --------------------------------------------------------------------------------------


@require_GET
@courtier_requis
def affiliations(request: HttpRequest) -> HttpResponse:
    qs = selectors.affiliations(_courtier(request))
    statut = request.GET.get("statut", "")
    if statut in StatutAffiliation.values:
        qs = qs.filter(statut=statut)
    page = Paginator(qs, PAR_PAGE).get_page(request.GET.get("page"))
    return render(
        request, "brokers/affiliations.html", {"page": page, "statut": statut, "statuts": StatutAffiliation.choices}
    )


@require_http_methods(["GET", "POST"])
@courtier_requis
def affiliation_nouvelle(request: HttpRequest) -> HttpResponse:
    courtier = _courtier(request)
    post = request.method == "POST"
    form = AffiliationForm(request.POST if post else None, request.FILES if post else None, request=request)
    personnes = PersonnesFormSet(request.POST if post else None, prefix="personne")
    if post and form.is_valid() and personnes.is_valid():
        nir = "".join(form.cleaned_data["nir"].split())
        autres = [f.personne(nir) for f in personnes.forms if f.has_changed() and f.cleaned_data]
        try:
            affiliation = affiliation_soumettre(
                courtier=courtier,
                prospect=form.prospect(),
                beneficiaires=autres,
                formule=form.cleaned_data["formule"],
                date_effet=form.cleaned_data["date_effet"],
                titulaire=form.cleaned_data["titulaire"],
                iban=form.cleaned_data["iban"],
                bic=form.cleaned_data.get("bic") or "",
                bulletin=form.envoi,
                request=request,
            )
        except AffiliationRefusee as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(
                request,
                f"Affiliation n° {affiliation.numero} transmise à la mutuelle : réponse prévue au plus tard le "
                f"{affiliation.echeance:%d/%m/%Y}.",
            )
            return redirect("courtier:affiliation", affiliation.numero)
    return render(
        request,
        "brokers/affiliation_nouvelle.html",
        {"form": form, "personnes": personnes},
        status=400 if post else 200,
    )


@require_GET
@courtier_requis
def affiliation(request: HttpRequest, numero: str) -> HttpResponse:
    a = selectors.affiliation(_courtier(request), numero)
    return render(request, "brokers/affiliation.html", {"affiliation": a})


# -- commissions ---------------------------------------------------------------------------------------------


def _trimestre_precedent(aujourdhui: date) -> tuple[date, date]:
    debut_courant = date(aujourdhui.year, 3 * ((aujourdhui.month - 1) // 3) + 1, 1)
    fin = debut_courant - timedelta(days=1)
    return date(fin.year, 3 * ((fin.month - 1) // 3) + 1, 1), fin


@require_GET
@courtier_requis
def commissions(request: HttpRequest) -> HttpResponseBase:
    courtier = _courtier(request)
    du, au = _trimestre_precedent(timezone.localdate())
    choisie = "du" in request.GET or "au" in request.GET
    form = CommissionsForm(request.GET if choisie else None, initial={"du": du, "au": au})
    if form.is_bound:
        if not form.is_valid():
            return render(request, "brokers/commissions.html", {"form": form, "lignes": None}, status=400)
        du, au = form.cleaned_data["du"], form.cleaned_data["au"]
    lignes = selectors.commissions(courtier, du=du, au=au)
    if request.GET.get("export") == "csv":
        return csv_reponse(
            f"commissions-{du:%Y%m%d}-{au:%Y%m%d}.csv",
            ["Contrat", "Adhérent", "Formule", "Courtier", "Cotisations encaissées", "Taux", "Commission"],
            (
                [
                    ligne.contrat.numero,
                    texte(f"{ligne.contrat.adherent.prenom} {ligne.contrat.adherent.nom}"),
                    texte(ligne.formule),
                    texte(ligne.courtier),
                    nombre(ligne.encaisse),
                    "variable" if ligne.variable else (nombre(ligne.taux) if ligne.taux is not None else "non défini"),
                    nombre(ligne.commission),
                ]
                for ligne in lignes
            ),
        )
    return render(
        request,
        "brokers/commissions.html",
        {
            "form": form,
            "du": du,
            "au": au,
            "lignes": lignes,
            "total_encaisse": sum((ligne.encaisse for ligne in lignes), selectors.ZERO),
            "total_commission": sum((ligne.commission for ligne in lignes), selectors.ZERO),
            "sans_taux": any(ligne.taux is None and not ligne.variable for ligne in lignes),
        },
    )


# -- the firm's brokers ---------------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@administrateur_requis
def cabinet(request: HttpRequest) -> HttpResponse:
    administrateur = _courtier(request)
    form = InvitationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            nouveau = courtier_inviter(administrateur=administrateur, request=request, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, " ".join(exc.messages))
        else:
            messages.success(
                request,
                f"Invitation envoyée à {nouveau.user.email} : le lien d'activation est valable "
                f"{settings.MUTUELLE_LIEN_SECONDES // 60} minutes.",
            )
            return redirect("courtier:cabinet")
    courtiers = (
        Courtier.objects.filter(cabinet_id=administrateur.cabinet_id)
        .select_related("user")
        .annotate(nb_contrats=Count("contrats", filter=Q(contrats__statut="actif")))
        .order_by("user__last_name", "user__first_name")
    )
    return render(
        request,
        "brokers/cabinet.html",
        {"cabinet": administrateur.cabinet, "courtiers": courtiers, "form": form, "moi": administrateur},
        status=400 if request.method == "POST" else 200,
    )


@require_POST
@administrateur_requis
def courtier_acces(request: HttpRequest, pk: int) -> HttpResponse:
    administrateur = _courtier(request)
    cible = Courtier.objects.select_related("user").filter(pk=pk, cabinet_id=administrateur.cabinet_id).first()
    if cible is None:
        raise Http404("Ce courtier n'est pas de votre cabinet.")
    if request.POST.get("renvoyer"):
        try:
            invitation_renvoyer(administrateur=administrateur, courtier=cible, request=request)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, f"Nouvelle invitation envoyée à {cible.user.email}.")
        return redirect("courtier:cabinet")
    actif = request.POST.get("actif") == "1"
    try:
        courtier_activer(administrateur=administrateur, courtier=cible, actif=actif, request=request)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, f"Accès de {cible.user} {'rouvert' if actif else 'fermé'}.")
    return redirect("courtier:cabinet")
