"""What other apps read of the requests: the prior approvals in force."""

from __future__ import annotations

from collections import defaultdict
from contextlib import suppress
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils import timezone

from mutuelle.core.calendrier import plus_mois
from mutuelle.requests.models import (
    Decision,
    Demande,
    Domaine,
    TypeDemande,
)
from regles.money import euros

# How long an agreement holds from the day of the decision (the answer letter says so).
ACCORD_VALIDITE_MOIS = 6


def domaine_du_poste(poste: str) -> str:
    """The prior-approval domain of a poste of cover, or "" when it has none."""
    if poste.startswith("optique"):
        return Domaine.OPTIQUE
    if poste.startswith("dentaire") or poste == "orthodontie":
        return Domaine.DENTAIRE
    if poste.startswith("audio"):
        return Domaine.AUDIO
    if poste.startswith("hospitalisation") or poste in ("chambre_particuliere", "forfait_journalier"):
        return Domaine.HOSPITALISATION
    return ""


@dataclass(frozen=True, slots=True)
class Accord:
    """A prior approval granted (fully or partly): for whom, which domain, from when to when, how much."""

    numero: str
    beneficiaire_id: int
    domaine: str
    du: date
    au: date
    montant: Decimal

    def couvre(self, domaine: str, on: date) -> bool:
        return self.domaine == domaine and self.du <= on <= self.au


def accords_par_beneficiaire() -> dict[int, list[Accord]]:
    """Every agreement ever granted, by beneficiary (few rows: one per approved devis)."""

    accords: dict[int, list[Accord]] = defaultdict(list)
    rows = Demande.objects.filter(
        type_demande=TypeDemande.PRISE_EN_CHARGE,
        decision__in=[Decision.ACCORD, Decision.ACCORD_PARTIEL],
        beneficiaire__isnull=False,
        traitee_le__isnull=False,
        montant_accorde__isnull=False,
    ).values_list("numero", "beneficiaire_id", "domaine", "traitee_le", "montant_accorde")
    for numero, beneficiaire_id, domaine, traitee_le, montant in rows:
        du = timezone.localdate(traitee_le)
        accords[beneficiaire_id].append(
            Accord(
                numero, beneficiaire_id, domaine, du, plus_mois(du, ACCORD_VALIDITE_MOIS), montant or Decimal("0.00")
            )
        )
    return accords


# -- checking new bank details ----------------------------------------------------------------------

EMAIL_RECENT_JOURS = 30


@dataclass(frozen=True)
class ControleRib:
    """What the handler checking new bank details sees beside the scan: the whole IBAN (to compare it
    with the document), whether the holder's name is the family's, and the risk signals."""

    iban: str  # grouped by four, as printed on a RIB
    bic: str
    titulaire: str
    nom_concorde: bool
    autres_familles: list[str]  # member numbers of other families with the same IBAN
    email_change_le: date | None  # the member's email changed within 30 days (by anyone)
    appareil_nouveau_le: date | None = None  # asked from a browser new to the account, first seen then

    @property
    def signaux(self) -> list[str]:
        signaux = []
        if not self.nom_concorde:
            signaux.append("Le titulaire du compte ne porte le nom d'aucune personne du contrat.")
        if self.autres_familles:
            signaux.append(
                f"Ce compte est aussi celui d'une autre famille (adhérent n° {', '.join(self.autres_familles)})."
            )
        if self.email_change_le is not None:
            signaux.append(f"L'adresse email de l'adhérent a changé le {self.email_change_le:%d/%m/%Y}.")
        if self.appareil_nouveau_le is not None:
            signaux.append(
                "Demande faite depuis un navigateur utilisé pour la première fois sur ce compte le "
                f"{self.appareil_nouveau_le:%d/%m/%Y}."
            )
        return signaux


def _mots(texte: str) -> set[str]:
    import unicodedata

    simple = unicodedata.normalize("NFKD", texte).encode("ascii", "ignore").decode().upper()
    return {m for m in "".join(c if c.isalnum() else " " for c in simple).split() if len(m) > 1}


def controle_rib(demande: Demande) -> ControleRib | None:
    """For a request to change bank details; None for any other request."""
    from datetime import timedelta

    from mutuelle.core.models import AuditLog
    from mutuelle.members.models import Beneficiaire, CoordonneesBancaires, StatutRib

    rib = demande.coordonnees
    if rib is None:
        return None
    adherent = demande.adherent
    noms = {adherent.nom, adherent.nom_naissance} | set(
        Beneficiaire.objects.filter(contrat__adherent=adherent).values_list("nom", flat=True)
    )
    mots_famille = set().union(*(_mots(n) for n in noms if n))
    autres = sorted(
        set(
            CoordonneesBancaires.objects.filter(iban=rib.iban)
            .exclude(adherent=adherent)
            .exclude(statut__in=[StatutRib.REFUSE])
            .values_list("adherent__numero", flat=True)
        )
    )
    depuis = timezone.now() - timedelta(days=EMAIL_RECENT_JOURS)
    changements = AuditLog.objects.filter(adherent=adherent, cree_le__gte=depuis).filter(
        action__in=["accounts.email.changed", "members.adherent.changed"]
    )
    email_le = next(
        (
            timezone.localtime(a.cree_le).date()
            for a in changements.order_by("-cree_le")
            if a.action == "accounts.email.changed" or "email" in (a.nouvelle_valeur or {})
        ),
        None,
    )
    return ControleRib(
        iban=" ".join(rib.iban[i : i + 4] for i in range(0, len(rib.iban), 4)),
        bic=rib.bic,
        titulaire=rib.titulaire,
        nom_concorde=bool(_mots(rib.titulaire) & mots_famille),
        autres_familles=autres,
        email_change_le=email_le,
        appareil_nouveau_le=timezone.localtime(demande.appareil_nouveau_le).date()
        if demande.appareil_nouveau_le
        else None,
    )


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


def demande_donnees(demande: Demande, *, masquer: bool = False) -> list[tuple[str, Any]]:
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
