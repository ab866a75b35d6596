"""Services that create and change members, contracts and rights. Each validates with
``full_clean``, runs in one transaction and writes its audit row in it."""

from __future__ import annotations

from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone
from stdnum import luhn

from mutuelle.core.actions import Action
from mutuelle.core.services import journal_ecrire, sequence_suivante
from mutuelle.formules.models import Formule
from mutuelle.members.comptes import compte_adherent_creer
from mutuelle.members.models import (
    Adherent,
    Beneficiaire,
    Contrat,
    ContratFormule,
    DroitPeriode,
    Employeur,
    Qualite,
    TypeContrat,
    TypeDroit,
)

if TYPE_CHECKING:
    from mutuelle.brokers.models import Courtier

# Member numbers: an 8-digit counter and a Luhn check digit (a typo on the phone is caught).
ADHERENT_SEQUENCE_START = 10_000_001


def adherent_numero_next() -> str:
    body = str(sequence_suivante(nom="adherent", start=ADHERENT_SEQUENCE_START))
    return body + str(luhn.calc_check_digit(body))


def contrat_numero_next(*, type_contrat: str) -> str:
    prefix = "COL" if type_contrat == TypeContrat.COLLECTIF else "IND"
    return f"{prefix}-{sequence_suivante(nom='contrat', start=1):07d}"


@transaction.atomic
def adherent_creer(*, par: Any = None, **fields: Any) -> Adherent:
    adherent = Adherent(**fields)
    adherent.numero = adherent_numero_next()
    adherent.full_clean()
    adherent.save()
    journal_ecrire(
        action=Action.ADHERENT_CREE,
        par=par,
        target=adherent,
        adherent=adherent,
        new={"numero": adherent.numero, "nom": adherent.nom, "prenom": adherent.prenom},
    )
    if adherent.user_id is None:
        compte_adherent_creer(adherent=adherent, par=par)  # inactive until the member activates it
    return adherent


@transaction.atomic
def contrat_creer(
    *,
    adherent: Adherent,
    formule: Formule,
    date_debut: date,
    type_contrat: str = TypeContrat.INDIVIDUEL,
    employeur: Employeur | None = None,
    courtier: Courtier | None = None,
    par: Any = None,
) -> Contrat:
    """Open a contract: its first formula, and the member as its principal beneficiary with rights."""
    contrat = Contrat(
        adherent=adherent,
        type_contrat=type_contrat,
        employeur=employeur,
        courtier=courtier,
        date_debut=date_debut,
    )
    contrat.numero = contrat_numero_next(type_contrat=type_contrat)
    contrat.full_clean()
    contrat.save()
    periode = ContratFormule(contrat=contrat, formule=formule, date_debut=date_debut)
    periode.full_clean()
    periode.save()
    journal_ecrire(
        action=Action.CONTRAT_CREE,
        par=par,
        target=contrat,
        adherent=adherent,
        new={
            "numero": contrat.numero,
            "formule": formule.code,
            "date_debut": date_debut,
            "type": type_contrat,
        },
    )
    beneficiaire_ajouter(
        contrat=contrat,
        qualite=Qualite.ASSURE,
        nom=adherent.nom,
        prenom=adherent.prenom,
        date_naissance=adherent.date_naissance,
        sexe=adherent.sexe,
        nir=adherent.nir,
        date_entree=date_debut,
        par=par,
    )
    return contrat


@transaction.atomic
def beneficiaire_ajouter(*, contrat: Contrat, date_entree: date, par: Any = None, **fields: Any) -> Beneficiaire:
    """Add a person to a contract, with a standard rights period from the date of entry."""
    if date_entree < contrat.date_debut:
        raise ValidationError({"date_entree": "Un bénéficiaire ne peut pas entrer avant le début du contrat."})
    beneficiaire = Beneficiaire(contrat=contrat, date_entree=date_entree, **fields)
    beneficiaire.full_clean()
    beneficiaire.save()
    droit_periode_ajouter(
        beneficiaire=beneficiaire,
        type_droit=TypeDroit.STANDARD,
        date_debut=date_entree,
        date_fin=contrat.date_fin,
        par=par,
    )
    journal_ecrire(
        action=Action.BENEFICIAIRE_AJOUTE,
        par=par,
        target=beneficiaire,
        adherent=contrat.adherent,
        new={
            "contrat": contrat.numero,
            "qualite": beneficiaire.qualite,
            "date_entree": date_entree,
        },
    )
    return beneficiaire


@transaction.atomic
def droit_periode_ajouter(
    *,
    beneficiaire: Beneficiaire,
    type_droit: str,
    date_debut: date,
    date_fin: date | None = None,
    reference: str = "",
    par: Any = None,
) -> DroitPeriode:
    droit = DroitPeriode(
        beneficiaire=beneficiaire,
        type_droit=type_droit,
        date_debut=date_debut,
        date_fin=date_fin,
        reference=reference,
    )
    droit.full_clean()
    droit.save()
    journal_ecrire(
        action=Action.DROIT_AJOUTE,
        par=par,
        target=droit,
        adherent=beneficiaire.contrat.adherent,
        new={"type": type_droit, "du": date_debut, "au": date_fin},
    )
    return droit


@transaction.atomic
def contrat_formule_changer(*, contrat: Contrat, formule: Formule, date_effet: date, par: Any = None) -> ContratFormule:
    """Change a contract's formula from a date: the current period closes the day before."""
    contrat = Contrat.objects.select_for_update().get(pk=contrat.pk)
    courante = contrat.formules.filter(date_fin__isnull=True).select_related("formule").first()
    if courante is None:
        raise ValidationError("Ce contrat n'a pas de formule en cours à modifier.")
    if courante.formule_id == formule.pk:
        raise ValidationError(f"Le contrat a déjà la formule « {formule} ».")
    if date_effet <= courante.date_debut:
        raise ValidationError(
            {
                "date_effet": f"Le changement doit prendre effet après le {courante.date_debut:%d/%m/%Y}, "
                "début de la formule en cours."
            }
        )
    if contrat.date_fin is not None and date_effet > contrat.date_fin:
        raise ValidationError({"date_effet": "Le contrat aura pris fin à cette date."})
    if formule.date_retrait is not None and date_effet > formule.date_retrait:
        raise ValidationError({"formule": f"La formule « {formule} » n'est plus commercialisée à cette date."})
    ancienne = courante.formule.code
    courante.date_fin = date_effet - timedelta(days=1)
    courante.full_clean()
    courante.save(update_fields=["date_fin"])
    nouvelle = ContratFormule(contrat=contrat, formule=formule, date_debut=date_effet, date_fin=contrat.date_fin)
    nouvelle.full_clean()
    nouvelle.save()
    journal_ecrire(
        action=Action.FORMULE_CHANGEE,
        par=par,
        target=contrat,
        adherent=contrat.adherent,
        old={"formule": ancienne},
        new={"formule": formule.code, "date_effet": date_effet},
    )
    return nouvelle


@transaction.atomic
def contrat_resilier(*, contrat: Contrat, date_fin: date, motif: str, par: Any = None) -> Contrat:
    """End a contract: its formula period, its beneficiaries' cover and their rights end that day."""
    from mutuelle.members.models import StatutContrat

    contrat = Contrat.objects.select_for_update().get(pk=contrat.pk)
    if contrat.statut == StatutContrat.RESILIE:
        raise ValidationError(f"Le contrat {contrat.numero} est déjà résilié.")
    if date_fin < contrat.date_debut:
        raise ValidationError({"date_fin": "La résiliation ne peut pas précéder la date d'effet."})
    if not motif.strip():
        raise ValidationError({"motif_fin": "Indiquez le motif de la résiliation."})
    if contrat.formules.filter(date_debut__gt=date_fin).exists():
        raise ValidationError({"date_fin": "Un changement de formule est prévu après cette date."})
    old = {"statut": contrat.statut, "date_fin": contrat.date_fin}
    contrat.statut = StatutContrat.RESILIE
    contrat.date_fin = date_fin
    contrat.motif_fin = motif.strip()
    contrat.full_clean()
    contrat.save(update_fields=["statut", "date_fin", "motif_fin", "modifie_le"])
    contrat.formules.filter(date_fin__isnull=True).update(date_fin=date_fin)
    contrat.beneficiaires.filter(date_sortie__isnull=True).update(date_sortie=date_fin)
    DroitPeriode.objects.filter(beneficiaire__contrat=contrat, date_fin__isnull=True).update(date_fin=date_fin)
    DroitPeriode.objects.filter(beneficiaire__contrat=contrat, date_fin__gt=date_fin).update(date_fin=date_fin)
    journal_ecrire(
        action=Action.CONTRAT_RESILIE,
        par=par,
        target=contrat,
        adherent=contrat.adherent,
        old=old,
        new={"statut": contrat.statut, "date_fin": date_fin, "motif": contrat.motif_fin},
    )
    return contrat


COORDONNEES = ("telephone_mobile", "telephone_fixe", "adresse_ligne1", "adresse_ligne2", "code_postal", "ville")


@transaction.atomic
def adherent_coordonnees_modifier(
    *, adherent: Adherent, valeurs: dict[str, Any], par: Any = None, request: Any = None
) -> list[str]:
    """The member's phones, postal address and mailing preference; validated by the model, audited
    field by field. Returns the fields changed."""
    champs = [*COORDONNEES, "preference_courrier"]
    avant = {c: getattr(adherent, c) for c in champs}
    for champ in champs:
        if champ in valeurs:
            setattr(adherent, champ, (valeurs[champ] or "").strip())
    adherent.full_clean()
    changes = [c for c in champs if getattr(adherent, c) != avant[c]]
    if changes:
        adherent.save(update_fields=[*changes, "modifie_le"])
        journal_ecrire(
            action=Action.COORDONNEES_MODIFIEES,
            par=par,
            target=adherent,
            adherent=adherent,
            request=request,
            old={c: avant[c] for c in changes},
            new={c: getattr(adherent, c) for c in changes},
        )
    return changes


@transaction.atomic
def beneficiaire_retirer(
    *, beneficiaire: Beneficiaire, date_sortie: date, par: Any = None, request: Any = None
) -> Beneficiaire:
    """A person leaves the contract on ``date_sortie`` (included); their open rights periods close then."""
    if beneficiaire.qualite == Qualite.ASSURE:
        raise ValidationError("L'assuré principal ne peut pas être retiré : c'est le contrat qui prend fin.")
    if date_sortie < beneficiaire.date_entree:
        raise ValidationError({"date_sortie": "La date de sortie précède l'entrée de cette personne au contrat."})
    avant = beneficiaire.date_sortie
    beneficiaire.date_sortie = date_sortie
    beneficiaire.full_clean()
    beneficiaire.save(update_fields=["date_sortie", "modifie_le"])
    DroitPeriode.objects.filter(beneficiaire=beneficiaire, date_debut__lte=date_sortie).filter(
        models.Q(date_fin__isnull=True) | models.Q(date_fin__gt=date_sortie)
    ).update(date_fin=date_sortie)
    journal_ecrire(
        action=Action.BENEFICIAIRE_RETIRE,
        par=par,
        target=beneficiaire,
        adherent=beneficiaire.contrat.adherent,
        request=request,
        old={"date_sortie": avant},
        new={"date_sortie": date_sortie},
    )
    return beneficiaire


@transaction.atomic
def adherent_etat_civil_modifier(
    *, adherent: Adherent, nom: str, nom_naissance: str, civilite: str, par: Any = None, request: Any = None
) -> Adherent:
    """A change of name or civility (marriage, divorce…), after a handler checked the document."""
    avant = {"nom": adherent.nom, "nom_naissance": adherent.nom_naissance, "civilite": adherent.civilite}
    adherent.nom, adherent.nom_naissance, adherent.civilite = nom.strip(), nom_naissance.strip(), civilite
    adherent.full_clean()
    adherent.save(update_fields=["nom", "nom_naissance", "civilite", "modifie_le"])
    journal_ecrire(
        action=Action.ETAT_CIVIL_MODIFIE,
        par=par,
        target=adherent,
        adherent=adherent,
        request=request,
        old=avant,
        new={"nom": adherent.nom, "nom_naissance": adherent.nom_naissance, "civilite": adherent.civilite},
    )
    return adherent


# -- bank details -------------------------------------------------------------------------------------


def rib_actif(adherent: Adherent) -> Any:
    """The account reimbursements are paid into now (None if the member gave none)."""
    from mutuelle.members.models import CoordonneesBancaires, StatutRib

    return CoordonneesBancaires.objects.filter(adherent=adherent, statut=StatutRib.ACTIF).first()


@transaction.atomic
def rib_activer(*, rib: Any, par: Any = None, request: Any = None) -> Any:
    """The checked account becomes the one paid into; the previous one is kept, marked replaced."""
    from mutuelle.members.models import CoordonneesBancaires, StatutRib

    rib = CoordonneesBancaires.objects.select_for_update().get(pk=rib.pk)
    ancien = (
        CoordonneesBancaires.objects.select_for_update()
        .filter(adherent_id=rib.adherent_id, statut=StatutRib.ACTIF)
        .first()
    )
    if ancien is not None:
        ancien.statut = StatutRib.REMPLACE
        ancien.save(update_fields=["statut", "modifie_le"])
    rib.statut = StatutRib.ACTIF
    rib.actif_depuis = timezone.now()
    rib.save(update_fields=["statut", "actif_depuis", "modifie_le"])
    journal_ecrire(
        action=Action.RIB_ACTIVE,
        par=par,
        target=rib,
        adherent=rib.adherent,
        request=request,
        old={"iban": ancien.iban_masque} if ancien else None,
        new={"iban": rib.iban_masque},
    )
    return rib


@transaction.atomic
def rib_refuser(*, rib: Any, par: Any = None, request: Any = None) -> Any:
    from mutuelle.members.models import StatutRib

    rib.statut = StatutRib.REFUSE
    rib.save(update_fields=["statut", "modifie_le"])
    actuel = rib_actif(rib.adherent)  # what stays in use: the journal has the old value and the refused one
    journal_ecrire(
        action=Action.RIB_REFUSE,
        par=par,
        target=rib,
        adherent=rib.adherent,
        request=request,
        old={"iban": actuel.iban_masque} if actuel else None,
        new={"iban": rib.iban_masque},
    )
    return rib
