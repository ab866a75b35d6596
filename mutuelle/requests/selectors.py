"""What other apps read of the requests: the prior approvals in force."""

from __future__ import annotations

from contextlib import suppress
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils import timezone

from mutuelle.core.actions import Action, action_de, codes
from mutuelle.core.models import AuditLog
from mutuelle.formules.models import Formule
from mutuelle.members.models import Beneficiaire, Civilite, CoordonneesBancaires, Qualite, Sexe, StatutRib
from mutuelle.requests.genres import GENRES
from mutuelle.requests.models import Circonstance, Demande
from regles.money import euros

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
        action__in=codes(Action.EMAIL_CHANGE, Action.ADHERENT_MODIFIE)
    )
    email_le = next(
        (
            timezone.localtime(a.cree_le).date()
            for a in changements.order_by("-cree_le")
            if action_de(a.action) == Action.EMAIL_CHANGE or "email" in (a.nouvelle_valeur or {})
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


def demande_donnees(demande: Demande, *, masquer: bool = False) -> list[tuple[str, Any]]:
    """What the request asks to change, in words: its kind's fields (``requests.genres``) with their
    labels. ``masquer``: the member's own page shows a NIR masked, as the profile does (the handler's
    page shows it whole, to check it)."""
    from regles.nir import nir_mask

    lisibles = {"circonstance": Circonstance, "qualite": Qualite, "sexe": Sexe, "civilite": Civilite}
    resultat = []
    for cle, libelle, valeur in GENRES[demande.type_demande].donnees.lignes(demande.donnees):
        if cle == "formule":
            valeur = Formule.objects.filter(code=valeur).values_list("libelle", flat=True).first() or valeur
        if isinstance(valeur, str):
            # Dates and amounts are kept as ISO text and decimal strings: shown the French way.
            if cle.startswith("date") and len(valeur) == 10:
                with suppress(ValueError):
                    valeur = date.fromisoformat(valeur).strftime("%d/%m/%Y")
            elif cle == "montant":
                with suppress(InvalidOperation):
                    valeur = euros(Decimal(valeur))
        if cle == "nir" and masquer and isinstance(valeur, str) and valeur:
            valeur = nir_mask(valeur)
        choix = lisibles.get(cle)
        resultat.append((libelle, dict(choix.choices).get(valeur, valeur) if choix else valeur))
    return resultat
