"""What the back office reads: the search, and the member file's tabs."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpRequest

from mutuelle.claims.models import LigneRemboursement
from mutuelle.core.models import AuditLog
from mutuelle.members.models import Adherent, Beneficiaire, Cotisation
from mutuelle.members.services import rib_actif
from mutuelle.notifications.services import preferences
from mutuelle.payments.models import Virement
from mutuelle.payments.services import montant_en_attente_de_rib
from regles.nir import nir_compact

RECHERCHE_MAX = 100
RESULTATS_MAX = 50

ONGLETS = {
    "identite": "Identité",
    "contrat": "Contrat et bénéficiaires",
    "cotisations": "Cotisations",
    "remboursements": "Remboursements",
    "demandes": "Demandes",
    "documents": "Documents",
    "paiements": "Paiements",
    "messages": "Messages",
    "connexions": "Connexions",
    "journal": "Journal",
}


@dataclass
class Resultats:
    critere: str = ""
    adherents: list[Adherent] = field(default_factory=list)
    # The query named one person without doubt (a number): the file opens directly.
    exact: bool = False
    erreur: str = ""
    tronque: bool = False


def _date(texte: str) -> date | None:
    for fmt in ("%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y", "%Y-%m-%d"):
        try:
            return datetime.strptime(texte, fmt).date()  # noqa: DTZ007 - a date typed, no time in it
        except ValueError:
            continue
    return None


def _familles(beneficiaires: Any) -> list[Adherent]:
    ids = beneficiaires.values_list("contrat__adherent_id", flat=True)
    return list(Adherent.objects.filter(pk__in=ids)[:RESULTATS_MAX])


def rechercher(q: str) -> Resultats:
    """Find members by member number, NIR (theirs or a beneficiary's), décompte number, date of birth,
    or name. Every criterion is a parameterised ORM lookup: ``icontains`` escapes ``%`` and ``_``."""
    q = " ".join(q.split())[:RECHERCHE_MAX]
    compact = q.replace(" ", "").replace(".", "").upper()
    if re.fullmatch(r"[0-9]{1}[0-9]{4}[0-9AB][0-9]{7}([0-9]{2})?", compact):
        nir = nir_compact(compact) if len(compact) == 15 else compact
        adherents = list(Adherent.objects.filter(nir__startswith=nir)[:RESULTATS_MAX])
        if not adherents:
            adherents = _familles(Beneficiaire.objects.filter(nir__startswith=nir))
        return Resultats(critere="NIR", adherents=adherents, exact=True)
    if re.fullmatch(r"[A-Z]{0,3}[0-9]{6,12}", compact) and Adherent.objects.filter(numero=compact).exists():
        return Resultats(
            critere="numéro d'adhérent", adherents=list(Adherent.objects.filter(numero=compact)), exact=True
        )
    if compact.isdigit():
        numero = int(compact)
        if numero < 2**63:
            ids = LigneRemboursement.objects.filter(decompte__numero=numero).values_list(
                "contrat__adherent_id", flat=True
            )
            adherents = list(Adherent.objects.filter(pk__in=ids)[:RESULTATS_MAX])
            return Resultats(critere="numéro de décompte", adherents=adherents, exact=True)
    naissance = _date(q)
    if naissance is not None:
        adherents = list(Adherent.objects.filter(date_naissance=naissance)[:RESULTATS_MAX])
        adherents += [a for a in _familles(Beneficiaire.objects.filter(date_naissance=naissance)) if a not in adherents]
        return Resultats(critere="date de naissance", adherents=adherents[:RESULTATS_MAX])
    if len(q) < 2:
        return Resultats(erreur="Tapez au moins deux lettres d'un nom, ou un numéro.")
    mots = q.split(" ")[:4]
    filtre = Q()
    for mot in mots:
        filtre &= Q(nom__icontains=mot) | Q(prenom__icontains=mot) | Q(nom_naissance__icontains=mot)
    qs = Adherent.objects.filter(filtre).order_by("nom", "prenom", "numero")
    adherents = list(qs[: RESULTATS_MAX + 1])
    return Resultats(critere="nom", adherents=adherents[:RESULTATS_MAX], tronque=len(adherents) > RESULTATS_MAX)


def onglet_contexte(adherent: Adherent, onglet: str, request: HttpRequest) -> dict[str, Any]:
    """What one tab of the member file shows (only that tab is read)."""
    page = request.GET.get("page")
    if onglet == "identite":
        modifications = adherent.modifications_proposees.select_related("proposee_par", "decidee_par").order_by(
            "-proposee_le"
        )[:10]
        return {"rib": rib_actif(adherent), "preferences": preferences(adherent), "modifications": modifications}
    if onglet == "contrat":
        contrats = adherent.contrats.select_related(
            "employeur", "courtier__user", "courtier__cabinet", "affiliation"
        ).prefetch_related("formules__formule", "beneficiaires__droits")
        return {"contrats": contrats}
    if onglet == "cotisations":
        cotisations = Cotisation.objects.filter(contrat__adherent=adherent).select_related("contrat")
        return {"page": Paginator(cotisations.order_by("-echeance"), 24).get_page(page)}
    if onglet == "remboursements":
        lignes = (
            LigneRemboursement.objects.filter(contrat__adherent=adherent)
            .select_related("beneficiaire", "decompte")
            .defer("trace")
            .order_by("-date_soins", "-pk")
        )
        return {"page": Paginator(lignes, 30).get_page(page)}
    if onglet == "demandes":
        return {"page": Paginator(adherent.demandes.order_by("-cree_le"), 30).get_page(page)}
    if onglet == "documents":
        return {"page": Paginator(adherent.documents.order_by("-pk"), 30).get_page(page)}
    if onglet == "paiements":
        virements = Virement.objects.filter(adherent=adherent).select_related("lot").order_by("-pk")
        return {
            "page": Paginator(virements, 30).get_page(page),
            "en_attente_de_rib": montant_en_attente_de_rib(adherent),
            "comptes": adherent.coordonnees_bancaires.all(),
        }
    if onglet == "messages":
        return {"page": Paginator(adherent.fils.all(), 30).get_page(page)}
    if onglet == "connexions":
        journal = AuditLog.objects.filter(adherent=adherent, action__startswith="accounts.login").select_related(
            "acteur"
        )
        sessions = adherent.user.sessions_ouvertes.all() if adherent.user is not None else []
        return {"page": Paginator(journal, 30).get_page(page), "sessions": sessions}

    journal = AuditLog.objects.filter(adherent=adherent).select_related("acteur")
    return {"page": Paginator(journal, 50).get_page(page)}
