"""What the Typst documents print, as JSON: every sentence translated, every date and amount formatted.

A Typst template (``mutuelle/documents/typst/*.typ``) places values as text and never reads them as
markup, so nothing here needs escaping. The frame (``entete``) mirrors ``documents/pdf/_base.html``:
the mutuelle, the addressee, the title and its date, the verification code. Called inside
``dans_sa_langue``: the sentences are in the member's language, dates and amounts in French form.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _

from mutuelle.core.templatetags.format_fr import euros
from mutuelle.documents.rendu import qr_svg


def _date(jour: Any) -> str:
    return f"{jour:%d/%m/%Y}" if jour else ""


def entete(contexte: dict[str, Any]) -> dict[str, Any]:
    """The frame of a document: what ``_base.html`` prints around its body."""
    mutuelle, adherent, titre = contexte["mutuelle"], contexte["adherent"], contexte["titre"]
    adresse = mutuelle.adresse_ligne1 + (f", {mutuelle.adresse_ligne2}" if mutuelle.adresse_ligne2 else "")
    etabli = _("Établi le %(le)s") % {"le": _date(contexte["emis_le"])}
    if contexte.get("valide_jusqu_au"):
        etabli += _(", valable jusqu'au %(au)s") % {"au": _date(contexte["valide_jusqu_au"])}
    verification = contexte.get("verification")
    return {
        "langue": (get_language() or "fr")[:2],
        "titre": titre,
        "auteur": mutuelle.nom_court,
        "description": f"{titre} — {adherent.prenom} {adherent.nom}, "
        + _("adhérent n° %(numero)s") % {"numero": adherent.numero},
        "couleurs": {"principale": mutuelle.couleur_principale, "secondaire": mutuelle.couleur_secondaire},
        "mutuelle": {
            "nom": mutuelle.nom_court,
            "lignes": [
                mutuelle.raison_sociale,
                f"{adresse}, {mutuelle.code_postal} {mutuelle.ville}",
                f"{mutuelle.telephone} — {mutuelle.email_contact} — SIREN {mutuelle.siren} — "
                f"n° AMC {mutuelle.numero_amc}",
            ],
        },
        "destinataire": {
            "nom": f"{adherent.get_civilite_display()} {adherent.prenom} {adherent.nom}",
            "lignes": [
                ligne
                for ligne in (
                    adherent.adresse_ligne1,
                    adherent.adresse_ligne2,
                    f"{adherent.code_postal} {adherent.ville}",
                )
                if ligne.strip()
            ],
            "numero": _("Adhérent n° %(numero)s") % {"numero": adherent.numero},
        },
        "etabli": etabli + ".",
        "pied": f"{mutuelle.nom_court} — {titre}",
        "mot_page": _("Page"),
        "verification": {
            "qr": qr_svg(verification["url"]),
            "alt": _("Code QR de vérification de ce document"),
            "libelle": _("Code de vérification :"),
            "code": verification["code"],
            "texte": _(
                "Pour vérifier que ce document a bien été émis par %(nom)s, scannez le code ou saisissez-le sur "
                "%(page)s"
            )
            % {"nom": mutuelle.nom_court, "page": verification["page"]},
        }
        if verification
        else None,
    }


def releve(contexte: dict[str, Any]) -> dict[str, Any]:
    """The relevé de prestations (context: ``contenus.releve``): per person, each act's date, care,
    who gave it, the amounts and the status, then the totals; a share still being analysed reads
    « en cours » with its computed amount, as on the member's list."""
    en_cours = _("en cours")
    groupes = []
    for groupe in contexte["groupes"]:
        lignes = []
        for ligne in groupe.lignes:
            soins = ligne.poste_libelle + (f" {_('(tiers payant)')}" if ligne.decompte.tiers_payant else "")
            soins = soins.replace(" %", "\u00a0%")  # « 65 % » is never split at the end of a line
            lignes.append(
                {
                    "date": _date(ligne.date_soins),
                    "soins": soins,
                    "pro": ligne.etablissement_nom or ligne.praticien_nom or "",
                    "depense": euros(ligne.montant_depense),
                    "secu": euros(ligne.montant_amo),
                    "mutuelle": euros(ligne.montant_amc),
                    "en_cours": en_cours if ligne.en_attente else "",
                    "reste": euros(ligne.reste_a_charge_actuel),
                    "statut": str(ligne.statut_affiche),
                }
            )
        t = groupe.total
        groupes.append(
            {
                "nom": groupe.nom,
                "lignes": lignes,
                "total_libelle": _("Total %(nom)s") % {"nom": groupe.nom},
                "total": [euros(t.depense), euros(t.secu), euros(t.mutuelle), euros(t.reste)],
            }
        )
    total, nb = contexte["total"], contexte["nb"]
    return {
        "intro": ngettext(
            "Les soins de votre famille du %(du)s au %(au)s et ce que la Sécurité sociale et %(nom)s en ont "
            "remboursé : %(nb)s acte.",
            "Les soins de votre famille du %(du)s au %(au)s et ce que la Sécurité sociale et %(nom)s en ont "
            "remboursé : %(nb)s actes.",
            nb,
        )
        % {"du": _date(contexte["du"]), "au": _date(contexte["au"]), "nom": contexte["mutuelle"].nom_court, "nb": nb},
        "entetes": [
            _("Date"),
            _("Soins"),
            _("Dépensé"),
            _("Sécurité sociale"),
            _("Mutuelle"),
            _("Reste à charge"),
            _("Statut"),
        ],
        "groupes": groupes,
        "vide": _("Aucun soin n'a été enregistré pour votre famille sur cette période."),
        "famille": {
            "titre": _("Total de la famille"),
            "entetes": [_("Actes"), _("Dépensé"), _("Sécurité sociale"), _("Mutuelle"), _("Reste à charge")],
            "valeurs": [
                str(total.nombre),
                euros(total.depense),
                euros(total.secu),
                euros(total.mutuelle),
                euros(total.reste),
            ],
        },
        "note": _(
            "Dont %(montant)s de part mutuelle encore en cours d'analyse ou en attente d'un complément "
            "(« en cours », le montant calculé entre parenthèses), comptés pour l'instant dans le reste à charge."
        )
        % {"montant": euros(total.en_cours)}
        if total.en_cours
        else "",
    }


# Each Typst template and what it prints.
CORPS: dict[str, Callable[[dict[str, Any]], dict[str, Any]]] = {
    "releve.typ": releve,
}


def donnees(template: str, contexte: dict[str, Any]) -> dict[str, Any]:
    """The JSON a Typst template reads: the frame, and the document's own body under ``corps``."""
    return {**entete(contexte), "corps": CORPS[template](contexte)}
