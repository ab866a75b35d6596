"""Each kind of request, described once: the queue it waits in, the decisions that close it, whether a
file must come with it, and the typed payload (``Demande.donnees``) it carries.

The payload is checked when the request is written (``valider``): what a request asks for is never a
free dictionary. It is stored as JSON (dates as ISO text, amounts as decimal strings) and read back
typed (``lire``) by whoever applies it. A field's ``title`` is how the request's pages name it.
What happens when a handler decides is ``requests.services.AU_TRAITEMENT``, one entry per kind.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any, ClassVar, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from mutuelle.members.models import Civilite, Qualite, Sexe
from mutuelle.requests.models import Circonstance, Decision, TypeDemande


class Donnees(BaseModel):
    """A request's payload: nothing but its fields, each of its type."""

    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)
    # Fields kept for the handler's work but not listed on the request's pages.
    caches: ClassVar[frozenset[str]] = frozenset()

    @classmethod
    def lignes(cls, donnees: dict[str, Any]) -> list[tuple[str, str, Any]]:
        """(field, label, stored value) of what the request asks, in the fields' order."""
        return [
            (nom, str(champ.title or nom), donnees[nom])
            for nom, champ in cls.model_fields.items()
            if nom in donnees and nom not in cls.caches
        ]


class Aucune(Donnees):
    """A kind that carries its data in its own columns (the line contested, the bank details…)."""


# A broker's request names its contract; a member's concerns the contract in force.
_CONTRAT = Field(default=None, title="Contrat", max_length=20)


class EtatCivil(Donnees):
    civilite: Civilite = Field(title="Civilité")
    nom: str = Field(title="Nom", min_length=1, max_length=100)
    nom_naissance: str = Field(default="", title="Nom de naissance", max_length=100)


class AjoutBeneficiaire(Donnees):
    qualite: Qualite = Field(title="Qualité")
    prenom: str = Field(title="Prénom", min_length=1, max_length=100)
    nom: str = Field(title="Nom", min_length=1, max_length=100)
    date_naissance: date = Field(title="Date de naissance")
    sexe: Sexe = Field(title="Sexe")
    nir: str = Field(title="N° de sécurité sociale", max_length=15)
    nir_personnel: bool = Field(title="NIR personnel")
    caches = frozenset({"nir_personnel"})
    date_effet: date = Field(title="Couvert à partir du")
    contrat: str | None = _CONTRAT


class RetraitBeneficiaire(Donnees):
    beneficiaire: int = Field(title="Bénéficiaire (identifiant)", gt=0)
    caches = frozenset({"beneficiaire"})
    nom_complet: str = Field(default="", title="Bénéficiaire", max_length=250)
    date_sortie: date = Field(title="Couvert jusqu'au")
    contrat: str | None = _CONTRAT


class ChangementFormule(Donnees):
    formule: str = Field(title="Nouvelle formule", min_length=1, max_length=20)
    date_effet: date = Field(title="Prend effet le")
    contrat: str | None = _CONTRAT


class Resiliation(Donnees):
    date_fin: date = Field(title="Fin du contrat le")
    motif: str = Field(title="Motif", min_length=1, max_length=200)
    contrat: str | None = _CONTRAT


class FeuilleSoins(Donnees):
    circonstance: Circonstance = Field(title="Circonstance")
    date_soins: date = Field(title="Date des soins")
    montant: Decimal = Field(title="Montant payé", ge=0, max_digits=12, decimal_places=2)


@dataclass(frozen=True)
class Genre:
    file: str  # the back-office queue it waits in, and so its service level (core.delais)
    decisions: tuple[str, ...]  # what may close it
    donnees: type[Donnees] = Aucune
    justificatif: bool = True  # at least one file comes with it
    modification: bool = False  # « appliquée », it changes the member's file or contract


_CHANGEMENT = (Decision.APPLIQUEE, Decision.REFUSEE)

GENRES: dict[str, Genre] = {
    TypeDemande.DOCUMENT: Genre("documents", (Decision.TRAITE,)),
    TypeDemande.CONTESTATION: Genre("contestations", (Decision.MAINTENU, Decision.CORRIGE), justificatif=False),
    TypeDemande.RIB: Genre("rib", (Decision.RIB_VALIDE, Decision.RIB_REFUSE)),
    TypeDemande.PRISE_EN_CHARGE: Genre("prises_en_charge", (Decision.ACCORD, Decision.ACCORD_PARTIEL, Decision.REFUS)),
    TypeDemande.FEUILLE_SOINS: Genre(
        "feuilles_soins", (Decision.LIQUIDEE, Decision.REFUSEE), FeuilleSoins, justificatif=False
    ),
    TypeDemande.ETAT_CIVIL: Genre("modifications", _CHANGEMENT, EtatCivil, modification=True),
    TypeDemande.AJOUT_BENEFICIAIRE: Genre("modifications", _CHANGEMENT, AjoutBeneficiaire, modification=True),
    TypeDemande.RETRAIT_BENEFICIAIRE: Genre("modifications", _CHANGEMENT, RetraitBeneficiaire, modification=True),
    TypeDemande.CHANGEMENT_FORMULE: Genre("contrats", _CHANGEMENT, ChangementFormule, modification=True),
    TypeDemande.RESILIATION: Genre("contrats", _CHANGEMENT, Resiliation, modification=True),
}


class DonneesInvalides(ValueError):
    """The payload does not fit its kind; the message names the field, in French."""


def _message(exc: ValidationError, schema: type[Donnees]) -> str:
    erreurs = []
    for erreur in exc.errors():
        nom = str(erreur["loc"][0]) if erreur["loc"] else ""
        champ = schema.model_fields.get(nom)
        libelle = champ.title if champ is not None and champ.title else nom
        quoi = {"missing": "manquant", "extra_forbidden": "inattendu"}.get(erreur["type"], "invalide")
        erreurs.append(f"{libelle} : {quoi}")
    return "Demande incomplète ou invalide (" + " ; ".join(erreurs) + ")."


def valider(type_demande: str, donnees: dict[str, Any] | None) -> dict[str, Any]:
    """The payload of a new request of this kind, checked and as stored (JSON)."""
    schema = GENRES[type_demande].donnees
    try:
        return schema.model_validate(donnees or {}).model_dump(mode="json", exclude_none=True)
    except ValidationError as exc:
        raise DonneesInvalides(_message(exc, schema)) from exc


D = TypeVar("D", bound=Donnees)


def lire(schema: type[D], donnees: dict[str, Any]) -> D:
    """A stored payload, typed (checked again: a row written before a rule changed says so)."""
    try:
        return schema.model_validate(donnees)
    except ValidationError as exc:
        raise DonneesInvalides(_message(exc, schema)) from exc
