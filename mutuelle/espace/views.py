"""The member space ("Mon espace"): dashboard, reimbursements, spending, notifications, preferences.

Every view takes the member from the session (``adherent_requis``) and reads through
``mutuelle.claims.selectors_famille``, which only ever look inside the member's family: another family's
line is not found (404), whatever id is put in the URL."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext, ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from mutuelle.accounts.permissions import adherent_requis
from mutuelle.claims import selectors_famille as selectors
from mutuelle.claims.models import LigneRemboursement, Statut
from mutuelle.core.exports import csv_reponse, nombre, texte
from mutuelle.core.templatetags.format_fr import pourcent
from mutuelle.espace.charts import graphique_depenses
from mutuelle.espace.forms import FiltresForm, PreferencesForm
from mutuelle.members.models import Adherent
from mutuelle.notifications.models import Categorie, Notification
from mutuelle.notifications.services import notifications_lire, preferences_modifier
from mutuelle.notifications.services import preferences as preferences_de
from mutuelle.payments.services import montant_en_attente_de_rib
from mutuelle.requests.comparaison import comparaisons

PAR_PAGE = 25


def _adherent(request: HttpRequest) -> Adherent:
    return request.adherent  # type: ignore[attr-defined]


@require_GET
@adherent_requis
def tableau_de_bord(request: HttpRequest) -> HttpResponse:

    adherent = _adherent(request)
    contexte = {
        "adherent": adherent,
        "en_attente": list(selectors.en_attente(adherent)[:5]),
        "derniers": selectors.avec_devis(selectors.pour_liste(selectors.lignes_famille(adherent))[:6]),
        "personnes": [p for p in selectors.personnes_famille(adherent) if p.couvert],
        # Money the mutuelle owes and cannot pay for want of a valid bank account.
        "attend_un_rib": montant_en_attente_de_rib(adherent),
        "notifications_recentes": list(
            Notification.objects.filter(adherent=adherent, lue_le__isnull=True, categorie=Categorie.REPONSE).order_by(
                "-cree_le", "-pk"
            )[:3]
        ),
    }
    return render(request, "espace/tableau_de_bord.html", contexte)


@require_GET
@adherent_requis
def remboursements(request: HttpRequest) -> HttpResponseBase:
    adherent = _adherent(request)
    personnes = selectors.personnes_famille(adherent)
    form = FiltresForm(request.GET or None, personnes=personnes)
    qs = selectors.lignes_filtrees(adherent, form.filtres())
    if request.GET.get("export") == "csv":
        return _export_csv(selectors.pour_liste(qs))
    page = Paginator(selectors.pour_liste(qs), PAR_PAGE).get_page(request.GET.get("page"))
    page.object_list = selectors.avec_devis(page.object_list)
    parametres = request.GET.copy()
    parametres.pop("page", None)
    parametres.pop("export", None)
    contexte = {
        "form": form,
        "page": page,
        "totaux": selectors.totaux(qs),
        "filtre": parametres.urlencode(),
        "filtre_actif": any(v for k, v in parametres.items()),
        "plusieurs_personnes": len(personnes) > 1,
    }
    return render(request, "espace/remboursements.html", contexte)


def _export_csv(qs: Any) -> StreamingHttpResponse:
    """The selection as CSV for a French spreadsheet."""
    entete = [
        "Date des soins",
        "Bénéficiaire",
        "Acte",
        "Code",
        "Montant dépensé",
        "Base de remboursement",
        "Taux Sécurité sociale",
        "Remboursé par la Sécurité sociale",
        "Participation forfaitaire et franchises",
        "Remboursé par la mutuelle",
        "Reste à charge",
        "Statut",
        "Payé à",
        "Professionnel de santé",
    ]

    def lignes() -> Iterator[list[str]]:
        ligne: LigneRemboursement
        for ligne in qs.iterator(chunk_size=500):
            yield [
                f"{ligne.date_soins:%d/%m/%Y}",
                texte(f"{ligne.beneficiaire.prenom} {ligne.beneficiaire.nom}"),
                texte(ligne.nature.libelle),
                str(ligne.nature.code),
                nombre(ligne.montant_depense),
                nombre(ligne.base_remboursement),
                pourcent(ligne.taux_amo).replace("\u00a0", " "),
                nombre(ligne.montant_amo),
                nombre(ligne.participation_forfaitaire + ligne.franchise),
                nombre(ligne.montant_amc),
                nombre(ligne.reste_a_charge),
                ligne.statut_affiche,
                "Professionnel de santé" if ligne.decompte.tiers_payant else "Adhérent",
                texte(getattr(ligne, "etablissement_nom", None) or getattr(ligne, "praticien_nom", None) or ""),
            ]

    return csv_reponse(f"remboursements-{timezone.localdate():%Y-%m-%d}.csv", entete, lignes())


@require_GET
@adherent_requis
def remboursement(request: HttpRequest, pk: int) -> HttpResponse:
    detail = selectors.detail(_adherent(request), pk)
    if detail is None:
        raise Http404("Ce remboursement n'existe pas dans votre espace.")

    ligne = detail.ligne
    contexte = {
        "d": detail,
        "ligne": ligne,
        "devis": comparaisons([ligne]).get(ligne.pk),
        "repartition": _repartition(ligne),
        "statuts_visibles_motif": {Statut.COMPLEMENT, Statut.REJETE},
    }
    return render(request, "espace/remboursement.html", contexte)


def _repartition(ligne: LigneRemboursement) -> list[tuple[str, str, Any, str, str]]:
    """The three shares of what was spent, with their place on a 0–100 bar (SVG coordinates are
    written as plain strings: a localised "12,5" would not parse)."""
    # A régularisation after a contest spends nothing: its bar is the mutuelle's share alone.
    base = ligne.montant_depense or (ligne.montant_amo + ligne.montant_amc + ligne.reste_a_charge) or Decimal(1)
    parts = [
        ("secu", "Sécurité sociale", ligne.montant_amo),
        ("mutuelle", "Mutuelle", ligne.montant_amc),
        ("reste", "Reste à charge", ligne.reste_a_charge),
    ]
    x = 0.0
    resultat = []
    for cle, libelle, montant in parts:
        largeur = round(float(montant / base) * 100, 2)
        resultat.append((cle, libelle, montant, f"{x:.2f}", f"{largeur:.2f}"))
        x += largeur
    return resultat


@require_GET
@adherent_requis
def depenses(request: HttpRequest) -> HttpResponse:
    adherent = _adherent(request)
    annees = selectors.annees(adherent)
    aujourdhui = timezone.localdate()
    try:
        annee = int(request.GET.get("annee", ""))
    except ValueError:
        annee = annees[0] if annees else aujourdhui.year
    if annees and annee not in annees:
        annee = annees[0]
    familles = selectors.depenses_par_famille(adherent, annee)
    contexte = {
        "annees": annees,
        "annee": annee,
        "familles": familles,
        "total": selectors.somme(familles, f"Total {annee}"),
        "par_annee": selectors.depenses_par_annee(adherent),
        "graphique": graphique_depenses(familles),
        "titre_graphique": f"Dépenses {annee} par type de soins",
        "plafonds": selectors.plafonds_restants(adherent, on=aujourdhui),
        "aujourdhui": aujourdhui,
    }
    return render(request, "espace/depenses.html", contexte)


@require_GET
@adherent_requis
def notifications(request: HttpRequest) -> HttpResponse:
    adherent = _adherent(request)
    qs = Notification.objects.filter(adherent=adherent).order_by("-cree_le", "-pk")
    page = Paginator(qs, PAR_PAGE).get_page(request.GET.get("page"))
    return render(request, "espace/notifications.html", {"page": page})


@require_POST
@adherent_requis
def notification_ouvrir(request: HttpRequest, pk: int) -> HttpResponse:
    """Mark the notification read, then go to what it is about (a path of this site, set by us)."""
    adherent = _adherent(request)
    notification = Notification.objects.filter(adherent=adherent, pk=pk).first()
    if notification is None:
        raise Http404("Cette notification n'existe pas dans votre espace.")
    notifications_lire(adherent=adherent, pk=pk)
    lien = notification.lien if notification.lien.startswith("/") and not notification.lien.startswith("//") else ""
    return redirect(lien or "espace:notifications")


@require_POST
@adherent_requis
def notifications_tout_lire(request: HttpRequest) -> HttpResponse:
    n = notifications_lire(adherent=_adherent(request))
    messages.success(
        request,
        ngettext("%(n)s notification marquée comme lue.", "%(n)s notifications marquées comme lues.", n) % {"n": n},
    )
    return redirect("espace:notifications")


@require_http_methods(["GET", "POST"])
@adherent_requis
def preferences(request: HttpRequest) -> HttpResponse:
    adherent = _adherent(request)
    form = PreferencesForm(request.POST or None, instance=preferences_de(adherent))
    if request.method == "POST" and form.is_valid():
        preferences_modifier(adherent=adherent, par=request.user, request=request, **form.cleaned_data)
        messages.success(request, gettext("Vos préférences de communication sont enregistrées."))
        return redirect("espace:preferences")
    return render(
        request,
        "espace/preferences.html",
        {"form": form, "adherent": adherent, "status": 400 if request.method == "POST" else 200},
        status=400 if request.method == "POST" else 200,
    )
