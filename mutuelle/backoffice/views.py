"""The back office under /gestion/: the work queues, the member file, the search, the NOEMIE
signalements and the supervisors' dashboard. Who may open what is decided by ``permissions.ECRANS``
(checked by the middleware before any of these views runs)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from mutuelle.accounts.models import STAFF_ROLES, User
from mutuelle.accounts.permissions import Droit, peut
from mutuelle.backoffice.files import FILES, Etat, File, avec_affectation, compteurs, elements, filtrer, lien
from mutuelle.backoffice.services import AffectationRefusee, affectation_liberer, affectation_prendre, prochain
from mutuelle.claims.models import RejetNoemie, Statut
from mutuelle.claims.services import ligne_transition, rejet_traiter
from mutuelle.core.actions import Action
from mutuelle.core.services import journal_ecrire
from mutuelle.members.models import Adherent, Beneficiaire

PAR_PAGE = 50
TRIS = {
    "echeance": "Échéance la plus proche",
    "ancien": "Les plus anciens d'abord",
    "recent": "Les plus récents d'abord",
}


def file_courante(request: HttpRequest) -> str:
    """The queue an item was opened from (``?file=``), when it is one."""
    cle = request.GET.get("file") or request.POST.get("file") or ""
    return cle if cle in FILES else ""


def _file(cle: str, user: Any = None) -> File:
    if cle not in FILES:
        raise Http404("File inconnue.")
    if user is not None and not peut(user, FILES[cle].droit):
        raise PermissionDenied("Cette file est traitée par les responsables.")
    return FILES[cle]


def apres_decision(request: HttpRequest, vue: str, *, sauf: Any = None, **kwargs: Any) -> HttpResponse:
    """After a decision: the next item of the queue the handler came from opens (taken for them);
    without a queue, or when it is empty, back to ``vue``."""
    cle = file_courante(request)
    if cle:
        suivant = prochain(file=FILES[cle], gestionnaire=request.user, request=request, sauf=sauf)  # type: ignore[arg-type]
        if suivant is not None:
            return redirect(lien(FILES[cle], suivant))
        messages.info(request, f"La file « {FILES[cle].libelle} » est vide : bravo.")
        return redirect("backoffice:file", cle=cle)
    return redirect(vue, **kwargs)


@require_GET
@never_cache
def accueil(request: HttpRequest) -> HttpResponse:
    aujourdhui = timezone.localdate()
    files = [(f, compteurs(f, request.user, aujourdhui)) for f in FILES.values() if peut(request.user, f.droit)]
    return render(
        request,
        "backoffice/accueil.html",
        {
            "files": files,
            "total_retard": sum(c["en_retard"] for _, c in files),
            "superviseur": peut(request.user, Droit.SUPERVISER),
        },
    )


@require_GET
@never_cache
def file(request: HttpRequest, cle: str) -> HttpResponse:
    file = _file(cle, request.user)
    etat = request.GET.get("etat", "")
    etat = etat if etat in Etat.LIBELLES else ""
    prise = request.GET.get("prise", "")
    prise = prise if prise in {"moi", "libres", "pris"} else ""
    tri = request.GET.get("tri", "echeance")
    tri = tri if tri in TRIS else "echeance"
    qs = filtrer(file, file.ouverts(), etat=etat, prise=prise, user=request.user)
    if tri == "recent":
        qs = qs.order_by(f"-{file.champ_recu}", "-pk")
    elif tri == "ancien":
        qs = qs.order_by(file.champ_recu, "pk")
    page = Paginator(avec_affectation(file, qs), PAR_PAGE).get_page(request.GET.get("page"))
    superviseur = peut(request.user, Droit.SUPERVISER)
    return render(
        request,
        "backoffice/file.html",
        {
            "file": file,
            "page": page,
            "lignes": elements(file, list(page.object_list)),
            "compteurs": compteurs(file, request.user),
            "etat": etat,
            "prise": prise,
            "tri": tri,
            "etats": Etat.LIBELLES,
            "tris": TRIS,
            "superviseur": superviseur,
            "gestionnaires": User.objects.filter(role__in=STAFF_ROLES, is_active=True).order_by("last_name")
            if superviseur
            else [],
            "lot_revue": cle == "revue",
        },
    )


def _objet(file: File, pk: str) -> Any:
    if not str(pk).isdigit():
        raise Http404("Élément introuvable.")
    objet = file.ouverts().filter(pk=int(pk)).first()
    if objet is None:
        raise Http404("Cet élément n'est plus dans la file : il a peut-être déjà été traité.")
    return objet


@require_POST
def suivant(request: HttpRequest, cle: str) -> HttpResponse:
    """ "Traiter le suivant": the oldest item due, taken for the handler, opens."""
    file = _file(cle, request.user)
    if not file.prise:
        return redirect(file.url(None))
    objet = prochain(file=file, gestionnaire=request.user, request=request)  # type: ignore[arg-type]
    if objet is None:
        messages.info(request, f"Rien à traiter dans « {file.libelle} ».")
        return redirect("backoffice:file", cle=cle)
    return redirect(lien(file, objet))


@require_POST
def prendre(request: HttpRequest, cle: str, pk: int) -> HttpResponse:
    file = _file(cle, request.user)
    objet = _objet(file, str(pk))
    try:
        affectation_prendre(file=file, objet=objet, gestionnaire=request.user, par=request.user, request=request)  # type: ignore[arg-type]
    except AffectationRefusee as exc:
        messages.error(request, str(exc))
        return redirect("backoffice:file", cle=cle)
    return redirect(lien(file, objet))


@require_POST
def liberer(request: HttpRequest, cle: str, pk: int) -> HttpResponse:
    file = _file(cle)
    objet = _objet(file, str(pk))
    try:
        if affectation_liberer(file=file, objet=objet, par=request.user, request=request):  # type: ignore[arg-type]
            messages.success(request, "Élément remis dans la file : un autre gestionnaire peut le prendre.")
    except AffectationRefusee as exc:
        messages.error(request, str(exc))
    return redirect("backoffice:file", cle=cle)


@require_POST
def reattribuer(request: HttpRequest, cle: str) -> HttpResponse:
    """A supervisor gives the checked items to a handler (each reassignment audited)."""
    file = _file(cle, request.user)
    gestionnaire = User.objects.filter(pk=request.POST.get("gestionnaire") or 0, role__in=STAFF_ROLES).first()
    ids = [int(i) for i in request.POST.getlist("element") if i.isdigit()][:PAR_PAGE]
    if gestionnaire is None or not ids:
        messages.error(request, "Cochez au moins un élément et choisissez le gestionnaire.")
        return redirect("backoffice:file", cle=cle)
    faits = 0
    for objet in file.ouverts().filter(pk__in=ids):
        try:
            affectation_prendre(file=file, objet=objet, gestionnaire=gestionnaire, par=request.user, request=request)  # type: ignore[arg-type]
            faits += 1
        except AffectationRefusee as exc:
            messages.error(request, str(exc))
    messages.success(request, f"{faits} élément(s) attribué(s) à {gestionnaire}.")
    return redirect("backoffice:file", cle=cle)


@require_POST
def revue_valider_lot(request: HttpRequest) -> HttpResponse:
    """Validate a page of reviewed lines at the computed amounts: each through the same transition
    service as one by one (its event, its audit row, its notification), each refusal named."""

    ids = [int(i) for i in request.POST.getlist("element") if i.isdigit()][:PAR_PAGE]
    if not ids:
        messages.error(request, "Cochez les lignes à valider.")
        return redirect("backoffice:file", cle="revue")
    faites = 0
    from mutuelle.backoffice.services import detenteur_verifier

    for ligne in FILES["revue"].ouverts().filter(pk__in=ids):
        try:
            detenteur_verifier(ligne, request.user)  # another handler's line is theirs to decide
            ligne_transition(ligne=ligne, vers=Statut.VALIDE, par=request.user, motif="Validée en lot après revue")
            faites += 1
        except Exception as exc:
            messages.error(request, f"Ligne {ligne.decompte.numero}-{ligne.numero} : {exc}")
    messages.success(request, f"{faites} ligne(s) validée(s) au montant calculé.")
    return redirect("backoffice:file", cle="revue")


@require_http_methods(["GET", "POST"])
@never_cache
def signalement(request: HttpRequest, pk: int) -> HttpResponse:
    """A NOEMIE line the mutuelle could not match: the handler looks for the person, then records
    what was done (attached, returned to the caisse…)."""
    from mutuelle.backoffice.forms import SignalementForm
    from mutuelle.backoffice.services import AffectationRefusee, affectation_de, detenteur_verifier

    rejet = get_object_or_404(RejetNoemie.objects.select_related("fichier", "traite_par"), pk=pk)
    form = SignalementForm(request.POST or None)
    conflit = False
    try:
        if request.method == "POST":
            detenteur_verifier(rejet, request.user)
    except AffectationRefusee as exc:
        form.is_valid()
        form.add_error(None, str(exc))
        conflit = True
    if request.method == "POST" and form.is_valid():
        rejet_traiter(rejet=rejet, commentaire=form.cleaned_data["commentaire"], par=request.user, request=request)
        messages.success(request, f"Signalement du décompte {rejet.decompte_numero} traité.")
        return apres_decision(request, "backoffice:file", sauf=rejet, cle="signalements")

    candidats = Beneficiaire.objects.filter(nir=rejet.nir).select_related("contrat__adherent")[:10]
    return render(
        request,
        "backoffice/signalement.html",
        {
            "rejet": rejet,
            "form": form,
            "candidats": candidats,
            "file": file_courante(request),
            "detenteur": affectation_de(rejet),
        },
        status=409 if conflit else (400 if form.errors else 200),
    )


@require_http_methods(["GET", "POST"])
@never_cache
def recherche(request: HttpRequest) -> HttpResponse:
    """The search is a POST: what is typed (a NIR, a name) never stands in a URL, so it reaches no
    access log, proxy log or browser history."""
    from mutuelle.backoffice.selectors import RECHERCHE_MAX, rechercher

    q = request.POST.get("q", "") if request.method == "POST" else ""
    erreur = ""
    resultats = None
    if len(q) > RECHERCHE_MAX:
        erreur = f"Votre recherche dépasse {RECHERCHE_MAX} caractères : raccourcissez-la."
    elif q.strip():
        resultats = rechercher(q)
        if resultats.erreur:
            erreur = resultats.erreur
        else:
            with transaction.atomic():
                journal_ecrire(
                    action=Action.RECHERCHE_FAITE,
                    request=request,
                    message=f"{resultats.critere} : {len(resultats.adherents)} résultat(s)",
                )
            if len(resultats.adherents) == 1 and resultats.exact:
                return redirect(
                    f"{reverse('backoffice:fiche', kwargs={'numero': resultats.adherents[0].numero})}?depuis=recherche"
                )
    return render(
        request,
        "backoffice/recherche.html",
        {"q": q[:RECHERCHE_MAX], "resultats": resultats, "erreur": erreur},
        status=400 if erreur else 200,
    )


@require_GET
@never_cache
def fiche(request: HttpRequest, numero: str) -> HttpResponse:
    from mutuelle.backoffice.selectors import ONGLETS, onglet_contexte

    adherent = get_object_or_404(Adherent.objects.select_related("user"), numero=numero)
    onglet = request.GET.get("onglet", "identite")
    if onglet not in ONGLETS:
        onglet = "identite"
    depuis = request.GET.get("depuis", "")
    depuis = depuis if depuis in FILES or depuis == "recherche" else ""
    with transaction.atomic():
        # Who opened whose file, which part of it, and from where: health data access is traceable.
        journal_ecrire(
            action=Action.FICHE_CONSULTEE,
            target=adherent,
            adherent=adherent,
            request=request,
            message=f"Onglet « {ONGLETS[onglet]} »"
            + (
                f", depuis {'la recherche' if depuis == 'recherche' else 'la file ' + FILES[depuis].libelle}"
                if depuis
                else ""
            ),
        )
    return render(
        request,
        "backoffice/fiche.html",
        {
            "adherent": adherent,
            "onglet": onglet,
            "onglets": ONGLETS,
            "onglet_libelle": ONGLETS[onglet],
            "depuis": depuis,
            **onglet_contexte(adherent, onglet, request),
        },
    )


@require_GET
@never_cache
def tableau_de_bord(request: HttpRequest) -> HttpResponse:
    from mutuelle.backoffice.tableau import PERIODES, tableau, tableau_csv

    if not peut(request.user, Droit.SUPERVISER):  # the middleware already refused; kept close to the data
        raise PermissionDenied
    jours = request.GET.get("jours", "30")
    jours_n = int(jours) if jours.isdigit() and int(jours) in PERIODES else 30
    donnees = tableau(jours=jours_n)
    export = request.GET.get("export", "")
    if export:
        reponse = tableau_csv(donnees, export)
        if reponse is None:
            raise Http404("Export inconnu.")
        with transaction.atomic():
            journal_ecrire(action=Action.TABLEAU_EXPORTE, request=request, message=f"{export}, {jours_n} jours")
        return reponse
    return render(request, "backoffice/tableau_de_bord.html", {"t": donnees, "jours": jours_n, "periodes": PERIODES})


# -- four-eyes on staff changes ---------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@never_cache
def modification_proposer(request: HttpRequest, numero: str, cible: str, pk: int) -> HttpResponse:
    """A handler proposes a change to a member's identity, contact, contract broker or premium
    payment; it waits for a responsable other than them (``backoffice.modifications``)."""
    from mutuelle.backoffice import modifications as m

    adherent = get_object_or_404(Adherent, numero=numero)
    if cible not in m.CIBLES:
        raise Http404("Élément inconnu.")
    c = m.CIBLES[cible]
    objet = m.objet_du_dossier(c, adherent, pk)
    if objet is None:  # only an object of this member's file
        raise Http404("Cet élément n'appartient pas à ce dossier.")
    en_attente = m.en_attente_pour(objet)
    post = request.method == "POST" and en_attente is None
    form = m.formulaire(c, objet, request.POST if post else None)
    motif = m.MotifForm(request.POST if post else None)
    if post and form.is_valid() and motif.is_valid():
        try:
            modif = m.proposer(
                cible=c, objet=objet, form=form, motif=motif.cleaned_data["motif"], par=request.user, request=request
            )
        except m.ModificationRefusee as exc:
            form.add_error(None, exc.messages[0])
        else:
            messages.success(
                request,
                "Modification enregistrée : elle sera appliquée quand un responsable, une autre personne que "
                "vous, l'aura validée.",
            )
            return redirect("backoffice:modification", pk=modif.pk)
    if not post and request.method == "GET":
        with transaction.atomic():
            journal_ecrire(
                action=Action.FICHE_CONSULTEE,
                target=adherent,
                adherent=adherent,
                request=request,
                message=f"Proposer une modification : {c.titre}",
            )
    return render(
        request,
        "backoffice/modification_proposer.html",
        {
            "adherent": adherent,
            "cible": c,
            "objet": objet,
            "libelle": c.libelle(objet),
            "form": form,
            "motif": motif,
            "en_attente": en_attente,
        },
        status=409 if request.method == "POST" and en_attente is not None else (400 if post else 200),
    )


@require_http_methods(["GET", "POST"])
@never_cache
def modification(request: HttpRequest, pk: int) -> HttpResponse:
    """A proposed change, old and new values side by side with its risk signals: a responsable other
    than the proposer approves or refuses it; the proposer may withdraw it."""
    from mutuelle.backoffice import modifications as m
    from mutuelle.backoffice.models import ModificationProposee, StatutModification
    from mutuelle.backoffice.services import AffectationRefusee, affectation_de, detenteur_verifier

    modif = get_object_or_404(
        ModificationProposee.objects.select_related("adherent", "proposee_par", "decidee_par"), pk=pk
    )
    erreur = ""
    status = 200
    if request.method == "POST":
        action = request.POST.get("action", "")
        try:
            if action in {"approuver", "refuser"}:
                detenteur_verifier(modif, request.user)
            if action == "approuver":
                modif = m.approuver(modif=modif, par=request.user, request=request)
                if modif.statut == StatutModification.PERIMEE:
                    messages.error(
                        request,
                        "Les données ont changé depuis la proposition : rien n'a été appliqué, la modification "
                        "est caduque. Proposez-la à nouveau si elle reste nécessaire.",
                    )
                else:
                    messages.success(request, f"Modification validée et appliquée : {modif.libelle}.")
                return apres_decision(request, "backoffice:modification", sauf=modif, pk=modif.pk)
            if action in {"refuser", "retirer"}:
                motif = request.POST.get("motif_refus", "")
                modif = m.refuser(modif=modif, par=request.user, motif=motif, request=request)
                fait = "retirée" if action == "retirer" else "refusée"
                messages.success(request, f"Modification {fait} : rien n'a changé.")
                return apres_decision(request, "backoffice:modification", sauf=modif, pk=modif.pk)
            erreur, status = "Action inconnue.", 400
        except AffectationRefusee as exc:
            erreur, status = str(exc), 409
        except m.ModificationRefusee as exc:
            erreur = exc.messages[0]
            status = 409 if exc.code in {"etat_change", "droit"} else 400
            modif.refresh_from_db()
    if request.method == "GET":
        with transaction.atomic():
            journal_ecrire(
                action=Action.MODIFICATION_CONSULTEE,
                target=modif,
                adherent=modif.adherent,
                request=request,
                message=modif.libelle,
            )
    return render(
        request,
        "backoffice/modification.html",
        {
            "modif": modif,
            "lignes": m.lignes(modif),
            "raison": m.peut_decider(modif, request.user),
            "proposant": modif.proposee_par_id == request.user.pk,
            "erreur": erreur,
            "file": file_courante(request),
            "detenteur": affectation_de(modif),
        },
        status=status,
    )
