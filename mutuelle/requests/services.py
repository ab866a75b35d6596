"""Requests: created by the member with their files, moved by the handler, told to the member at each
step. Files are checked and rewritten (``fichiers.assainir``) before anything is written, so a refused
file leaves no request and no file behind."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.text import format_lazy, get_valid_filename
from django.utils.translation import gettext_lazy

from mutuelle.accounts.appareils import appareil_nouveau_depuis
from mutuelle.accounts.permissions import Droit, peut
from mutuelle.accounts.services import email_adherent
from mutuelle.claims.estimation import EstimationImpossible, LigneDevis, estimer
from mutuelle.claims.models import Decompte
from mutuelle.claims.selectors import ACCORD_VALIDITE_MOIS
from mutuelle.claims.services import (
    accord_prealable_enregistrer,
    consommation_verrouiller,
    feuille_soins_decompter,
    ligne_corriger,
)
from mutuelle.core.actions import Action, codes
from mutuelle.core.calendrier import jours_ouvres_apres, plus_mois
from mutuelle.core.delais import delai
from mutuelle.core.models import AuditLog
from mutuelle.core.services import journal_ecrire, mutuelle_lire, sequence_suivante
from mutuelle.documents.contenus import Contenu
from mutuelle.documents.models import TypeDocument
from mutuelle.documents.services import document_emettre
from mutuelle.formules.models import Formule
from mutuelle.members.models import Adherent, Beneficiaire, Contrat, CoordonneesBancaires, StatutRib
from mutuelle.members.selectors import contrat_en_cours
from mutuelle.members.services import (
    adherent_etat_civil_modifier,
    beneficiaire_ajouter,
    beneficiaire_retirer,
    contrat_formule_changer,
    contrat_resilier,
    rib_activer,
    rib_refuser,
)
from mutuelle.notifications.models import Categorie
from mutuelle.notifications.services import alerte_espace, notifier
from mutuelle.requests.devis import devis_conserver
from mutuelle.requests.fichiers import FichierRefuse, FichierSain, VirusDetecte, assainir
from mutuelle.requests.genres import (
    GENRES,
    AjoutBeneficiaire,
    ChangementFormule,
    DonneesInvalides,
    EtatCivil,
    Resiliation,
    RetraitBeneficiaire,
    lire,
    valider,
)
from mutuelle.requests.models import (
    STATUTS_OUVERTS,
    Decision,
    Demande,
    EvenementDemande,
    PieceJointe,
    StatutDemande,
    TypeDemande,
)
from regles.money import ZERO, euros

# Which step may follow which (the handler's buttons are built from it).
TRANSITIONS: dict[str, tuple[str, ...]] = {
    StatutDemande.RECUE: (StatutDemande.EN_COURS, StatutDemande.COMPLEMENT, StatutDemande.TRAITEE),
    StatutDemande.EN_COURS: (StatutDemande.COMPLEMENT, StatutDemande.TRAITEE),
    StatutDemande.COMPLEMENT: (StatutDemande.EN_COURS, StatutDemande.TRAITEE),
    StatutDemande.TRAITEE: (),
}
DECISIONS: dict[str, tuple[str, ...]] = {type_: genre.decisions for type_, genre in GENRES.items()}
MODIFICATIONS = tuple(type_ for type_, genre in GENRES.items() if genre.modification)
# What the journal records when a handler moves a request.
ACTION_DE_STATUT: dict[str, Action] = {
    StatutDemande.EN_COURS: Action.DEMANDE_PRISE,
    StatutDemande.COMPLEMENT: Action.DEMANDE_COMPLEMENT,
    StatutDemande.TRAITEE: Action.DEMANDE_TRAITEE,
}


class DemandeRefusee(Exception):
    """The request cannot be saved or moved; the message says why."""


@dataclass(frozen=True)
class Envoi:
    nom: str
    fichier: FichierSain


def fichiers_verifier(fichiers: list[UploadedFile], *, request: HttpRequest | None = None) -> list[Envoi]:
    """Check every file before any is kept; the first refusal names the file. A virus is audited."""
    from django.conf import settings

    if len(fichiers) > settings.MUTUELLE_PIECES_MAX:
        raise DemandeRefusee(f"Envoyez au plus {settings.MUTUELLE_PIECES_MAX} fichiers à la fois.")
    envois = []
    for upload in fichiers:
        nom = get_valid_filename((upload.name or "document").rsplit("/", 1)[-1])[:120] or "document"
        if upload.size is not None and upload.size > settings.MUTUELLE_PIECE_TAILLE_MAX:
            raise DemandeRefusee(f"« {nom} » : ce fichier dépasse {settings.MUTUELLE_PIECE_TAILLE_MAX // 2**20} Mo.")
        try:
            sain = assainir(upload.read())
        except VirusDetecte as exc:
            journal_ecrire(
                action=Action.VIRUS_DETECTE,
                par=getattr(request, "user", None) if request and request.user.is_authenticated else None,
                request=request,
                message=f"{nom[:60]} : {exc.signature}"[:200],
            )
            raise DemandeRefusee(f"« {nom} » : {exc}") from exc
        except FichierRefuse as exc:
            raise DemandeRefusee(f"« {nom} » : {exc}") from exc
        envois.append(Envoi(nom=nom, fichier=sain))
    return envois


def pieces_enregistrer(envois: list[Envoi], modele: type[Any], **liens: Any) -> list[str]:
    """Save checked files as rows of ``modele`` (a request's or a message's attachments) under a
    server-made name; returns the stored paths, to delete them if the transaction fails."""
    chemins: list[str] = []
    for envoi in envois:
        piece = modele(
            nom=envoi.nom,
            type_mime=envoi.fichier.type_mime,
            taille=len(envoi.fichier.contenu),
            pages=envoi.fichier.pages,
            sha256=envoi.fichier.sha256,
            **liens,
        )
        piece.fichier.save(
            f"{uuid.uuid4().hex}.{envoi.fichier.extension}", ContentFile(envoi.fichier.contenu), save=False
        )
        chemins.append(piece.fichier.name)
        piece.save()
    return chemins


def _pieces_enregistrer(demande: Demande, envois: list[Envoi], *, par_la_mutuelle: bool = False) -> list[str]:
    return pieces_enregistrer(envois, PieceJointe, demande=demande, par_la_mutuelle=par_la_mutuelle)


def supprimer_fichiers(chemins: list[str]) -> None:
    from django.core.files.storage import default_storage

    for chemin in chemins:
        default_storage.delete(chemin)


@contextmanager
def pieces_transaction() -> Iterator[list[str]]:
    """A transaction that writes files: the caller adds each stored path to the list; if the
    transaction fails, those files are deleted too, so a refusal leaves neither row nor file."""
    chemins: list[str] = []
    try:
        with transaction.atomic():
            yield chemins
    except Exception:
        supprimer_fichiers(chemins)
        raise


def _lien(demande: Demande) -> str:
    return reverse("requests:detail", kwargs={"numero": demande.numero})


def _notifier(demande: Demande, titre: Any, texte: Any = "") -> None:
    notifier(
        adherent=demande.adherent,
        categorie=Categorie.REPONSE,
        cle=f"demande:{demande.pk}:{demande.statut}:{demande.evenements.count()}",
        titre=titre,
        texte=texte,
        lien=_lien(demande),
    )


def demande_creer(
    *,
    adherent: Adherent,
    type_demande: str,
    envois: list[Envoi],
    par: Any,
    objet: str = "",
    motif: str = "",
    ligne: Any = None,
    demande_liee: Demande | None = None,
    coordonnees: Any = None,
    commentaire: str = "",
    champs: dict[str, Any] | None = None,
    request: HttpRequest | None = None,
) -> Demande:
    """A new request with its (already checked) files, due after the mutuelle's service level."""
    if ligne is not None and ligne.contrat.adherent_id != adherent.pk:
        raise DemandeRefusee("Ce remboursement n'est pas le vôtre.")
    if demande_liee is not None and demande_liee.adherent_id != adherent.pk:
        raise DemandeRefusee("Cette demande n'est pas la vôtre.")
    genre = GENRES[type_demande]
    if genre.justificatif and not envois:
        raise DemandeRefusee("Joignez au moins un fichier.")
    champs = dict(champs or {})
    try:
        champs["donnees"] = valider(type_demande, champs.get("donnees"))
    except DonneesInvalides as exc:
        raise DemandeRefusee(str(exc)) from exc
    jours = delai(genre.file)
    with pieces_transaction() as chemins:
        annee = timezone.localdate().year
        demande = Demande.objects.create(
            numero=f"D{annee}-{sequence_suivante(nom=f'demande-{annee}'):06d}",
            adherent=adherent,
            type_demande=type_demande,
            objet=objet,
            motif=motif,
            ligne=ligne,
            demande_liee=demande_liee,
            coordonnees=coordonnees,
            commentaire=commentaire.strip()[:2000],
            echeance=jours_ouvres_apres(timezone.localdate(), jours),
            **champs,
        )
        chemins += _pieces_enregistrer(demande, envois)
        EvenementDemande.objects.create(demande=demande, vers=StatutDemande.RECUE, par=par)
        journal_ecrire(
            action=Action.DEMANDE_CREEE,
            par=par,
            target=demande,
            adherent=adherent,
            request=request,
            new={"type": type_demande, "fichiers": len(envois), "ligne": getattr(ligne, "pk", None)},
        )
        _notifier(
            demande,
            format_lazy(gettext_lazy("Votre demande n° {numero} est bien reçue"), numero=demande.numero),
            format_lazy(
                gettext_lazy("{type} : réponse prévue au plus tard le {le}."),
                type=demande.get_type_demande_display(),
                le=f"{demande.echeance:%d/%m/%Y}",
            ),
        )
    return demande


def demande_completer(
    *, demande: Demande, envois: list[Envoi], commentaire: str, par: Any, request: HttpRequest | None = None
) -> Demande:
    """The member answers a request for more: files and/or a comment; the request goes back to the handler."""
    if not demande.ouverte:
        raise DemandeRefusee("Cette demande est close : ouvrez-en une nouvelle.")
    if not envois and not commentaire.strip():
        raise DemandeRefusee("Joignez un fichier ou écrivez un message.")
    with pieces_transaction() as chemins:
        demande = Demande.objects.select_for_update().get(pk=demande.pk)
        chemins += _pieces_enregistrer(demande, envois)
        ancien = demande.statut
        if demande.statut == StatutDemande.COMPLEMENT:
            demande.statut = StatutDemande.EN_COURS
            demande.save(update_fields=["statut"])
        EvenementDemande.objects.create(
            demande=demande, de=ancien, vers=demande.statut, par=par, message=commentaire.strip()[:2000]
        )
        journal_ecrire(
            action=Action.DEMANDE_COMPLETEE,
            par=par,
            target=demande,
            adherent=demande.adherent,
            request=request,
            new={"fichiers": len(envois)},
        )
    return demande


@transaction.atomic
def demande_avancer(
    *,
    demande: Demande,
    vers: str,
    par: Any,
    message: str = "",
    decision: str = "",
    montant_corrige: Decimal | None = None,
    request: HttpRequest | None = None,
) -> Demande:
    """The handler moves a request; each step is an event, an audit row and a notification."""
    demande = Demande.objects.select_for_update().get(pk=demande.pk)
    if vers not in TRANSITIONS[demande.statut]:
        raise DemandeRefusee(
            f"Une demande « {demande.get_statut_display().lower()} » ne peut pas passer à "
            f"« {StatutDemande(vers).label.lower()} »."
        )
    message = message.strip()
    if vers == StatutDemande.COMPLEMENT and not message:
        raise DemandeRefusee("Dites à l'adhérent ce qu'il doit envoyer.")
    if vers == StatutDemande.TRAITEE:
        if decision not in DECISIONS[demande.type_demande]:
            raise DemandeRefusee("Choisissez la décision.")
        if decision == Decision.CORRIGE and montant_corrige is None:
            raise DemandeRefusee("Indiquez la part de la mutuelle après correction.")
        if not message:
            raise DemandeRefusee("Écrivez la réponse à l'adhérent.")
        demande.decision = decision
        demande.reponse = message
        demande.montant_corrige = montant_corrige if decision == Decision.CORRIGE else None
        demande.traitee_le = timezone.now()
        demande.traitee_par = par
    if vers == StatutDemande.TRAITEE and AU_TRAITEMENT[demande.type_demande](
        demande, decision=decision, message=message, montant_corrige=montant_corrige, par=par, request=request
    ):
        return demande  # a first validation only (four-eyes): the request stays with the handlers
    ancien = demande.statut
    demande.statut = vers
    demande.save()
    EvenementDemande.objects.create(demande=demande, de=ancien, vers=vers, par=par, message=message)
    journal_ecrire(
        action=ACTION_DE_STATUT[vers],
        par=par,
        target=demande,
        adherent=demande.adherent,
        request=request,
        old={"statut": ancien},
        new={"statut": vers, "decision": decision},
    )
    titres = {
        StatutDemande.EN_COURS: gettext_lazy("Votre demande n° {numero} est en cours de traitement"),
        StatutDemande.COMPLEMENT: gettext_lazy("Nous avons besoin d'un complément pour votre demande n° {numero}"),
        StatutDemande.TRAITEE: gettext_lazy("Votre demande n° {numero} est traitée"),
    }
    _notifier(demande, format_lazy(titres[StatutDemande(vers)], numero=demande.numero), message)
    return demande


# -- what a handler's decision does, one entry per kind ----------------------------------------------
# Each is called inside demande_avancer's transaction once the decision is checked against the
# kind's (GENRES[...].decisions) and before the request is closed; True means « not closed yet ».


def _rien_de_plus(demande: Demande, **decision: Any) -> bool:
    return False


def _prise_en_charge_decider(
    demande: Demande, *, decision: str, message: str, montant_corrige: Decimal | None, par: Any, request: Any
) -> bool:
    """The amount granted (all, part or nothing of what the engine computes today), the prior approval
    the claims will find, the answer letter, and the practitioner told when tiers payant applies."""
    calcule = _prise_en_charge_calculer(demande)
    if decision == Decision.ACCORD:
        demande.montant_accorde = calcule
    elif decision == Decision.ACCORD_PARTIEL:
        if montant_corrige is None or not ZERO < montant_corrige < calcule:
            raise DemandeRefusee(
                f"Pour un accord partiel, indiquez un montant entre 0 et {euros(calcule)} (le montant calculé)."
            )
        demande.montant_accorde = montant_corrige
    else:
        demande.montant_accorde = ZERO
    demande.montant_corrige = None
    demande.montant_estime = calcule
    if decision in (Decision.ACCORD, Decision.ACCORD_PARTIEL) and demande.beneficiaire is not None:
        accord_prealable_enregistrer(
            demande=demande,
            beneficiaire=demande.beneficiaire,
            domaine=demande.domaine,
            le=timezone.localdate(demande.traitee_le),
            montant=demande.montant_accorde,
            par=par,
        )
    demande.document = _reponse_prise_en_charge(demande, decision=decision, message=message, par=par)
    if decision != Decision.REFUS and demande.email_professionnel:
        _professionnel_informer(demande, request=request, par=par)
    return False


def _contestation_decider(
    demande: Demande, *, decision: str, montant_corrige: Decimal | None, par: Any, **_: Any
) -> bool:
    """Corrected: the difference is paid, a régularisation line validated for the next payment run."""
    if decision == Decision.CORRIGE and demande.ligne is not None:
        from django.core.exceptions import ValidationError

        assert montant_corrige is not None
        try:
            ligne_corriger(ligne=demande.ligne, montant=montant_corrige, reference=demande.numero, par=par)
        except ValidationError as exc:
            raise DemandeRefusee(" ".join(exc.messages)) from exc
    return False


def _feuille_soins_decider(demande: Demande, *, decision: str, **_: Any) -> bool:
    if (
        decision == Decision.LIQUIDEE
        and not Decompte.objects.filter(reference=demande.numero, origine="feuille_soins").exists()
    ):
        raise DemandeRefusee("Saisissez les actes de la feuille de soins : le remboursement se calcule avec eux.")
    return False


def _modification_decider(demande: Demande, *, decision: str, par: Any, request: Any, **_: Any) -> bool:
    if decision == Decision.APPLIQUEE:
        _modification_appliquer(demande, par=par, request=request)
    return False


def _rib_decider(demande: Demande, *, decision: str, par: Any, request: Any, **_: Any) -> bool:
    """Validated: the bank details apply, unless a second person must confirm first (four-eyes)."""
    if demande.coordonnees is None:
        return False
    if decision == Decision.RIB_VALIDE and _second_valideur_requis(demande, par, request=request):
        return True  # a first validation, recorded: the account waits for a second person
    if decision == Decision.RIB_VALIDE:
        rib_activer(rib=demande.coordonnees, par=par, request=request)
    else:
        rib_refuser(rib=demande.coordonnees, par=par, request=request)
    return False


AU_TRAITEMENT: dict[str, Callable[..., bool]] = {
    TypeDemande.DOCUMENT: _rien_de_plus,
    TypeDemande.CONTESTATION: _contestation_decider,
    TypeDemande.RIB: _rib_decider,
    TypeDemande.PRISE_EN_CHARGE: _prise_en_charge_decider,
    TypeDemande.FEUILLE_SOINS: _feuille_soins_decider,
    **dict.fromkeys(MODIFICATIONS, _modification_decider),
}


def _second_valideur_requis(demande: Demande, par: Any, *, request: HttpRequest | None) -> bool:
    """Four-eyes on new bank details that look risky (``controle_rib`` signals: a holder of another
    name, the account of another family, an email changed within 30 days) or that the validating
    handler could have arranged (they changed the member's contact data within 30 days): the first
    validation is recorded and the account waits; a responsable other than that person confirms.
    Returns True when this call only recorded a first validation."""
    from datetime import timedelta

    from mutuelle.requests.selectors import EMAIL_RECENT_JOURS, controle_rib

    controle = controle_rib(demande)
    signaux = list(controle.signaux) if controle else []
    a_touche = AuditLog.objects.filter(
        adherent=demande.adherent,
        acteur=par if getattr(par, "pk", None) else None,
        action__in=codes(Action.ADHERENT_MODIFIE, Action.EMAIL_CHANGEMENT_SIGNALE, Action.MODIFICATION_PROPOSEE),
        cree_le__gte=timezone.now() - timedelta(days=EMAIL_RECENT_JOURS),
    ).exists()
    if a_touche:
        signaux.append("La personne qui valide a modifié les coordonnées de l'adhérent ces 30 derniers jours.")
    premier = demande.premiere_validation_par
    if premier is None and not signaux:
        return False
    if premier is None:
        ancien = demande.statut  # demande_avancer sets the new status after this step
        demande.premiere_validation_par = par
        demande.premiere_validation_le = timezone.now()
        demande.statut = StatutDemande.EN_COURS
        demande.save(update_fields=["premiere_validation_par", "premiere_validation_le", "statut"])
        if ancien != StatutDemande.EN_COURS:
            EvenementDemande.objects.create(demande=demande, de=ancien, vers=StatutDemande.EN_COURS, par=par)
        journal_ecrire(
            action=Action.RIB_PREMIERE_VALIDATION,
            par=par,
            target=demande,
            adherent=demande.adherent,
            request=request,
            new={"signaux": signaux},
        )
        return True
    if premier.pk == getattr(par, "pk", None) or not peut(par, Droit.SUPERVISER):
        raise DemandeRefusee(
            f"Ces coordonnées bancaires ont été validées une première fois par {premier} : un responsable, "
            "autre que cette personne, doit confirmer."
        )
    journal_ecrire(
        action=Action.RIB_SECONDE_VALIDATION,
        par=par,
        target=demande,
        adherent=demande.adherent,
        request=request,
        old={"premiere_validation_par": str(premier)},
        new={"signaux": signaux},
    )
    return False


def en_retard(demande: Demande, on: date | None = None) -> bool:
    return demande.ouverte and demande.echeance < (on or timezone.localdate())


def rib_demander(
    *,
    adherent: Adherent,
    titulaire: str,
    iban: str,
    bic: str,
    scan: Envoi,
    par: Any,
    request: HttpRequest | None = None,
) -> Demande:
    """New bank details with the RIB scan: a request a handler checks (the account is used once
    validated), or applied at once when the mutuelle trusts them. The member is told by email at the
    address on file either way."""

    with transaction.atomic():
        if CoordonneesBancaires.objects.filter(adherent=adherent, statut=StatutRib.EN_ATTENTE).exists():
            raise DemandeRefusee(
                "Un changement de coordonnées bancaires est déjà en cours de vérification : attendez sa réponse."
            )
        rib = CoordonneesBancaires.objects.create(adherent=adherent, titulaire=titulaire.strip(), iban=iban, bic=bic)
        journal_ecrire(
            action=Action.RIB_DEMANDE,
            par=par,
            target=rib,
            adherent=adherent,
            request=request,
            new={"iban": rib.iban_masque, "bic": bic},
        )
        demande = demande_creer(
            adherent=adherent,
            type_demande=TypeDemande.RIB,
            envois=[scan],
            par=par,
            coordonnees=rib,
            commentaire=f"Titulaire : {rib.titulaire} — IBAN {rib.iban_masque} — BIC {bic}",
            request=request,
        )

        nouveau = appareil_nouveau_depuis(request, par)
        if nouveau is not None:
            demande.appareil_nouveau_le = nouveau
            demande.save(update_fields=["appareil_nouveau_le"])
        if not mutuelle_lire().rib_validation_gestionnaire:
            demande = demande_avancer(
                demande=demande,
                vers=StatutDemande.TRAITEE,
                par=None,
                decision=Decision.RIB_VALIDE,
                message="Vos nouvelles coordonnées bancaires sont enregistrées.",
                request=request,
            )

        alerte_espace(
            adherent,
            gettext_lazy("Nouvelles coordonnées bancaires enregistrées"),
            format_lazy(
                gettext_lazy(
                    "Compte {iban}. Si vous n'êtes pas à l'origine de ce changement, appelez-nous sans attendre."
                ),
                iban=rib.iban_masque,
            ),
        )
        if adherent.email:
            transaction.on_commit(
                lambda: email_adherent(
                    adherent,
                    gettext_lazy("vos coordonnées bancaires"),
                    "requests/email_rib.txt",
                    {"iban": rib.iban_masque, "immediat": not mutuelle_lire().rib_validation_gestionnaire},
                )
            )
    return demande


# -- prior approvals ------------------------------------------------------------------------------------

SOINS_PAR_DOMAINE = {
    "optique": ("VU1", "M03", "V01", "M01"),
    "dentaire": ("CZ0", "CZ1", "PFM", "IMP", "TO"),
    "audio": ("PAZ", "PAU"),
    "hospitalisation": ("CPC", "FJ"),
}


def _prise_en_charge_calculer(demande: Demande) -> Decimal:
    """The mutuelle's share of the devis as the engine computes it today (consumption may have moved
    since the request was sent)."""

    estimations: list[Any] = []
    for ligne in demande.lignes_devis.all():
        try:
            resultat = estimer(
                LigneDevis(
                    beneficiaire=demande.beneficiaire,  # type: ignore[arg-type]
                    soin=ligne.soin,
                    date_soins=max(ligne.date_soins, timezone.localdate()),
                    montant=ligne.montant,
                    base=ligne.base,
                    secteur=ligne.secteur,
                    optam=ligne.optam,
                    quantite=ligne.quantite,
                ),
                avant=estimations,
            )
        except EstimationImpossible:
            continue
        estimations.append(resultat)
    return sum((e.mutuelle for e in estimations), ZERO)


def _reponse_prise_en_charge(demande: Demande, *, decision: str, message: str, par: Any) -> Any:
    """The answer as a PDF letter in the member's documents (verifiable like every document)."""

    aujourdhui = timezone.localdate()
    accord = decision in (Decision.ACCORD, Decision.ACCORD_PARTIEL)
    contenu = Contenu(
        type_document=TypeDocument.PRISE_EN_CHARGE,
        template="documents/pdf/prise_en_charge.html",
        titre=format_lazy(
            gettext_lazy("Réponse à votre demande de prise en charge n° {numero}"), numero=demande.numero
        ),
        contexte={
            "demande": demande,
            "lignes": list(demande.lignes_devis.all()),
            "decision": Decision(decision).label,
            "accord": accord,
            "montant": demande.montant_accorde,
            "message": message,
        },
        parametres={"demande": demande.numero, "decision": decision},
        contrat=demande.beneficiaire.contrat if demande.beneficiaire else None,
        valide_du=aujourdhui if accord else None,
        valide_jusqu_au=plus_mois(aujourdhui, ACCORD_VALIDITE_MOIS) if accord else None,
    )
    return document_emettre(adherent=demande.adherent, contenu=contenu, demande_par=par)


def prise_en_charge_demander(
    *,
    adherent: Adherent,
    beneficiaire: Any,
    domaine: str,
    professionnel: str,
    lignes: list[Any],
    email_professionnel: str = "",
    devis: Envoi,
    commentaire: str,
    par: Any,
    request: HttpRequest | None = None,
) -> Demande:
    """A prior-approval request: the devis file and its lines, each computed by the engine now, so the
    handler sees what the formula would pay; the answer is due in the mutuelle's working days."""

    if beneficiaire.contrat.adherent_id != adherent.pk:
        raise DemandeRefusee("Cette personne n'est pas couverte par votre contrat.")
    if not lignes:
        raise DemandeRefusee("Recopiez au moins une ligne du devis.")
    hors_domaine = [ligne.soin for ligne in lignes if ligne.soin not in SOINS_PAR_DOMAINE.get(domaine, ())]
    if hors_domaine:
        raise DemandeRefusee("Une ligne du devis ne relève pas du domaine choisi : vérifiez le soin de chaque ligne.")
    estimations: list[Any] = []
    for ligne in lignes:
        try:
            estimations.append(estimer(ligne, avant=estimations))
        except EstimationImpossible as exc:
            raise DemandeRefusee(str(exc)) from exc
    with transaction.atomic():
        demande = demande_creer(
            adherent=adherent,
            type_demande=TypeDemande.PRISE_EN_CHARGE,
            envois=[devis],
            par=par,
            commentaire=commentaire,
            champs={
                "domaine": domaine,
                "beneficiaire": beneficiaire,
                "professionnel": professionnel.strip()[:150],
                "email_professionnel": email_professionnel.strip(),
                "montant_estime": sum((e.mutuelle for e in estimations), ZERO),
            },
            request=request,
        )
        devis_conserver(estimations, demande=demande)
    return demande


def estimation_enregistrer(
    *, adherent: Adherent, resultats: list[Any], total: dict[str, Any], par: Any, request: HttpRequest | None = None
) -> Any:
    """A devis estimate saved by the member: its PDF in « Mes documents », and its lines kept as quoted
    with the rules' version, so that the member's line later reads « estimé X € — payé Y € »."""

    aujourdhui = timezone.localdate()
    with transaction.atomic():
        document = document_emettre(
            adherent=adherent,
            contenu=Contenu(
                type_document=TypeDocument.ESTIMATION,
                template="documents/pdf/estimation.html",
                titre=format_lazy(gettext_lazy("Estimation d'un devis du {le}"), le=f"{aujourdhui:%d/%m/%Y}"),
                contexte={"resultats": resultats, "total": total},
            ),
            demande_par=par,
            request=request,
        )
        devis_conserver(resultats, document=document)
    return document


# -- changes to the family and the civil status ----------------------------------------------------------


def _erreurs(exc: Any) -> str:
    from django.core.exceptions import ValidationError

    if isinstance(exc, ValidationError):
        return " ".join(exc.messages)
    return str(exc)


def _modification_appliquer(demande: Demande, *, par: Any, request: HttpRequest | None) -> None:
    """What the member (or the broker) asked, applied once a handler has checked the document."""
    from django.core.exceptions import ValidationError

    try:
        d = lire(GENRES[demande.type_demande].donnees, demande.donnees)
    except DonneesInvalides as exc:
        raise DemandeRefusee(f"La modification ne peut pas être appliquée : {exc}") from exc
    # A broker's request names its contract; a member's concerns the contract in force.
    contrat = getattr(d, "contrat", None)
    nomme = Contrat.objects.filter(numero=contrat, adherent=demande.adherent).first() if contrat else None
    try:
        match d:
            case ChangementFormule():
                if nomme is None:
                    raise DemandeRefusee("Le contrat de la demande n'existe plus.")
                contrat_formule_changer(
                    contrat=nomme, formule=Formule.objects.get(code=d.formule), date_effet=d.date_effet, par=par
                )
            case Resiliation():
                if nomme is None:
                    raise DemandeRefusee("Le contrat de la demande n'existe plus.")
                contrat_resilier(contrat=nomme, date_fin=d.date_fin, motif=d.motif, par=par)
            case AjoutBeneficiaire():
                en_cours = nomme or contrat_en_cours(demande.adherent, timezone.localdate())
                if en_cours is None:
                    raise DemandeRefusee("L'adhérent n'a plus de contrat en cours.")
                beneficiaire_ajouter(
                    contrat=en_cours,
                    date_entree=d.date_effet,
                    par=par,
                    qualite=d.qualite,
                    nom=d.nom,
                    prenom=d.prenom,
                    date_naissance=d.date_naissance,
                    sexe=d.sexe,
                    nir=d.nir,
                    nir_personnel=d.nir_personnel,
                )
            case RetraitBeneficiaire():
                beneficiaire = Beneficiaire.objects.get(pk=d.beneficiaire, contrat__adherent=demande.adherent)
                beneficiaire_retirer(beneficiaire=beneficiaire, date_sortie=d.date_sortie, par=par, request=request)
            case EtatCivil():
                adherent_etat_civil_modifier(
                    adherent=demande.adherent,
                    nom=d.nom,
                    nom_naissance=d.nom_naissance,
                    civilite=d.civilite,
                    par=par,
                    request=request,
                )
            case _:  # pragma: no cover - GENRES marks only these kinds as modifications
                raise AssertionError(demande.type_demande)
    except (ValidationError, Beneficiaire.DoesNotExist, Formule.DoesNotExist) as exc:
        raise DemandeRefusee(f"La modification ne peut pas être appliquée : {_erreurs(exc)}") from exc


def modification_demander(
    *,
    adherent: Adherent,
    type_demande: str,
    donnees: dict[str, Any],
    justificatif: Envoi,
    commentaire: str,
    par: Any,
    request: HttpRequest | None = None,
) -> Demande:
    """Ask to add or remove a beneficiary, or to change the civil status, with the supporting document."""
    ouverte = Demande.objects.filter(adherent=adherent, type_demande=type_demande, statut__in=STATUTS_OUVERTS)
    if type_demande == TypeDemande.ETAT_CIVIL and ouverte.exists():
        raise DemandeRefusee("Un changement d'état civil est déjà en cours : attendez sa réponse.")
    return demande_creer(
        adherent=adherent,
        type_demande=type_demande,
        envois=[justificatif],
        par=par,
        commentaire=commentaire,
        champs={"donnees": donnees},
        request=request,
    )


# -- paper claims (feuilles de soins) ------------------------------------------------------------------


def feuille_soins_demander(
    *,
    adherent: Adherent,
    beneficiaire: Any,
    circonstance: str,
    date_soins: Any,
    montant: Decimal,
    envois: list[Envoi],
    commentaire: str,
    par: Any,
    request: HttpRequest | None = None,
) -> Demande:
    """A paper claim (care abroad, non-conventionné practitioner, no electronic link): the scans and
    what the member says of it; a handler keys in the acts."""
    if beneficiaire.contrat.adherent_id != adherent.pk:
        raise DemandeRefusee("Cette personne n'est pas couverte par votre contrat.")
    if date_soins > timezone.localdate():
        raise DemandeRefusee("La date des soins est dans le futur : indiquez la date où les soins ont eu lieu.")
    return demande_creer(
        adherent=adherent,
        type_demande=TypeDemande.FEUILLE_SOINS,
        envois=envois,
        par=par,
        commentaire=commentaire,
        champs={
            "beneficiaire": beneficiaire,
            "donnees": {
                "circonstance": circonstance,
                "date_soins": date_soins.isoformat(),
                "montant": str(montant),
            },
        },
        request=request,
    )


@transaction.atomic
def feuille_soins_liquider(
    *, demande: Demande, actes: list[Any], par: Any, message: str = "", request: HttpRequest | None = None
) -> list[Any]:
    """The handler's acts become reimbursement lines like any other: computed by the engine with the
    beneficiary's formula and consumption, validated (paid with the next run), explained, notified."""

    demande = Demande.objects.select_for_update().get(pk=demande.pk)
    if demande.type_demande != TypeDemande.FEUILLE_SOINS or not demande.ouverte:
        raise DemandeRefusee("Cette demande n'est pas une feuille de soins à traiter.")
    if not actes:
        raise DemandeRefusee("Saisissez au moins un acte.")
    if any(a.date_soins > timezone.localdate() for a in actes):
        raise DemandeRefusee("Un acte est daté dans le futur.")
    # Nobody else adds to this family's ceilings until the lines are committed (a NOEMIE lot, another
    # paper claim): the consumption read below stays true.
    consommation_verrouiller({acte.beneficiaire.contrat_id for acte in actes})
    resultats: list[Any] = []
    for acte in actes:
        try:
            resultats.append(estimer(acte, avant=resultats))
        except EstimationImpossible as exc:
            raise DemandeRefusee(f"{acte.soin} : {exc}") from exc
    try:
        lignes = feuille_soins_decompter(reference=demande.numero, numero=demande.pk, estimations=resultats, par=par)
    except EstimationImpossible as exc:
        raise DemandeRefusee(str(exc)) from exc
    total = sum((r.mutuelle for r in resultats), ZERO)
    demande_avancer(
        demande=demande,
        vers=StatutDemande.TRAITEE,
        par=par,
        decision=Decision.LIQUIDEE,
        message=message.strip() or f"Votre feuille de soins est traitée : la mutuelle vous rembourse {euros(total)}.",
        request=request,
    )
    Demande.objects.filter(pk=demande.pk).update(montant_accorde=total)
    return lignes


def _professionnel_informer(demande: Demande, *, request: HttpRequest | None, par: Any) -> None:
    """Under tiers payant the practitioner needs the agreement: it is emailed to the address the
    member gave, with the letter (the member chose to share it), after the commit."""
    from django.core.mail import EmailMessage
    from django.template.loader import render_to_string

    document = demande.document
    if document is None:
        return
    mutuelle = mutuelle_lire()
    corps = render_to_string(
        "requests/email_professionnel.txt",
        {"demande": demande, "mutuelle": mutuelle, "montant": demande.montant_accorde, "document": document},
    )
    with document.fichier.open("rb") as f:
        contenu = f.read()
    message = EmailMessage(
        subject=f"{mutuelle.nom_court} — accord de prise en charge n° {demande.numero}",
        body=corps,
        to=[demande.email_professionnel],
    )
    message.attach(f"accord-{demande.numero}.pdf", contenu, "application/pdf")
    transaction.on_commit(message.send)
    journal_ecrire(
        action=Action.PROFESSIONNEL_INFORME,
        par=par,
        target=demande,
        adherent=demande.adherent,
        request=request,
    )
