"""What brokers do and what handlers decide about it: new memberships (affiliations), contract changes
filed for a client, the firm's broker accounts, documents issued for a client. Each service checks its
input with the members' own model rules, runs in one transaction and writes its audit rows in it."""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.mail import send_mail
from django.db import transaction
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from mutuelle.accounts.appareils import toutes_sessions_fermer
from mutuelle.accounts.models import JetonCompte, ObjetJeton, Role, User
from mutuelle.accounts.services import jeton_creer
from mutuelle.brokers.models import Affiliation, Courtier, StatutAffiliation
from mutuelle.core.actions import Action
from mutuelle.core.calendrier import jours_ouvres_apres
from mutuelle.core.delais import delai
from mutuelle.core.iban import iban_verifier
from mutuelle.core.services import journal_ecrire, mutuelle_ou_rien, sequence_suivante
from mutuelle.documents.services import lettre_bienvenue
from mutuelle.formules.models import Formule
from mutuelle.members.comptes import activation_envoyer
from mutuelle.members.models import (
    Adherent,
    Beneficiaire,
    Contrat,
    CoordonneesBancaires,
    Qualite,
    StatutContrat,
    StatutRib,
)
from mutuelle.members.services import adherent_creer, beneficiaire_ajouter, contrat_creer
from mutuelle.requests.models import Demande, StatutDemande, TypeDemande
from mutuelle.requests.services import DemandeRefusee, Envoi, demande_creer, pieces_transaction

# The changes a broker may file on a client's contract (each validated by a handler).
TYPES_DEMANDE_COURTIER = (TypeDemande.CHANGEMENT_FORMULE, TypeDemande.AJOUT_BENEFICIAIRE, TypeDemande.RESILIATION)
DATE_EFFET_MAX_JOURS = 366

CHAMPS_PROSPECT = (
    "civilite",
    "nom",
    "nom_naissance",
    "prenom",
    "date_naissance",
    "sexe",
    "nir",
    "email",
    "telephone_mobile",
    "adresse_ligne1",
    "adresse_ligne2",
    "code_postal",
    "ville",
)
CHAMPS_BENEFICIAIRE = ("qualite", "nom", "prenom", "date_naissance", "sexe", "nir", "nir_personnel", "rang_gemellaire")


class AffiliationRefusee(Exception):
    """The membership cannot be submitted or decided as asked; the message says why."""


def _messages(exc: ValidationError) -> list[str]:
    if hasattr(exc, "error_dict"):
        return [f"{m}" for erreurs in exc.error_dict.values() for e in erreurs for m in e.messages]
    return list(exc.messages)


def formule_vendable(formule: Formule, on: date) -> bool:
    return formule.date_lancement <= on and (formule.date_retrait is None or formule.date_retrait >= on)


def _beneficiaire_verifier(donnees: dict[str, Any], date_effet: date, rang: int) -> list[str]:
    """One person to cover, checked with the ``Beneficiaire`` model's own rules (NIR key, sex, birth date)."""
    personne = Beneficiaire(date_entree=date_effet, **{c: donnees.get(c) for c in CHAMPS_BENEFICIAIRE})
    try:
        personne.full_clean(exclude=["contrat"], validate_unique=False, validate_constraints=False)
    except ValidationError as exc:
        return [f"Bénéficiaire {rang} ({donnees.get('prenom', '')}) : {m}" for m in _messages(exc)]
    if personne.qualite == Qualite.ASSURE:
        return [f"Bénéficiaire {rang} : l'assuré principal est le souscripteur, pas un autre bénéficiaire."]
    return []


def affiliation_verifier(
    *, prospect: dict[str, Any], beneficiaires: list[dict[str, Any]], formule: Formule, date_effet: date
) -> list[str]:
    """Every problem of a membership as typed, each a sentence the broker can act on (empty: all good)."""
    erreurs: list[str] = []
    aujourdhui = timezone.localdate()
    personne = Adherent(**{c: prospect.get(c, "") for c in CHAMPS_PROSPECT})
    try:
        # Uniqueness (an existing member's NIR) is the handler's check: a broker must not learn who
        # is already a member of the mutuelle by typing a NIR.
        personne.full_clean(exclude=["numero", "user"], validate_unique=False, validate_constraints=False)
    except ValidationError as exc:
        erreurs += _messages(exc)
    if not prospect.get("email"):
        erreurs.append("L'email du futur adhérent est nécessaire : il y reçoit le lien d'activation de son espace.")
    if date_effet < aujourdhui:
        erreurs.append("La date d'effet ne peut pas être passée.")
    elif date_effet > aujourdhui + timedelta(days=DATE_EFFET_MAX_JOURS):
        erreurs.append("La date d'effet est à moins d'un an.")
    if not formule_vendable(formule, date_effet):
        erreurs.append(f"La formule « {formule} » n'est pas commercialisée à la date d'effet.")
    for rang, donnees in enumerate(beneficiaires, start=1):
        erreurs += _beneficiaire_verifier(donnees, date_effet, rang)
    cles = [(b.get("nir"), b.get("date_naissance"), b.get("rang_gemellaire", 1)) for b in beneficiaires]
    if len(set(cles)) != len(cles):
        erreurs.append("Une même personne figure deux fois parmi les bénéficiaires.")
    return erreurs


def _jsonable(donnees: dict[str, Any]) -> dict[str, Any]:
    return {k: (v.isoformat() if isinstance(v, date) else v) for k, v in donnees.items()}


def affiliation_soumettre(
    *,
    courtier: Courtier,
    prospect: dict[str, Any],
    beneficiaires: list[dict[str, Any]],
    formule: Formule,
    date_effet: date,
    titulaire: str,
    iban: str,
    bic: str,
    bulletin: Envoi,
    request: HttpRequest | None = None,
) -> Affiliation:
    """A broker's new membership, with the signed bulletin (already checked by ``fichiers_verifier``),
    queued for the handlers. Nothing is kept if anything is wrong."""
    erreurs = affiliation_verifier(
        prospect=prospect, beneficiaires=beneficiaires, formule=formule, date_effet=date_effet
    )
    try:
        compte = iban_verifier(iban, bic)
    except ValidationError as exc:
        erreurs += _messages(exc)
    if not titulaire.strip():
        erreurs.append("Indiquez le titulaire du compte.")
    if erreurs:
        raise AffiliationRefusee(" ".join(erreurs))
    with pieces_transaction() as chemins:
        annee = timezone.localdate().year
        affiliation = Affiliation(
            numero=f"A{annee}-{sequence_suivante(nom=f'affiliation-{annee}'):05d}",
            courtier=courtier,
            formule=formule,
            date_effet=date_effet,
            beneficiaires=[_jsonable(b) for b in beneficiaires],
            titulaire=titulaire.strip(),
            iban=compte.iban,
            bic=compte.bic,
            bulletin_nom=bulletin.nom,
            bulletin_sha256=bulletin.fichier.sha256,
            echeance=jours_ouvres_apres(timezone.localdate(), delai("affiliations")),
            **{c: prospect.get(c, "") or "" for c in CHAMPS_PROSPECT},
        )
        affiliation.nir = "".join(affiliation.nir.split())
        affiliation.bulletin.save(
            f"{uuid.uuid4().hex}.{bulletin.fichier.extension}", ContentFile(bulletin.fichier.contenu), save=False
        )
        chemins.append(affiliation.bulletin.name)
        affiliation.save()
        journal_ecrire(
            action=Action.AFFILIATION_SOUMISE,
            par=courtier.user,
            target=affiliation,
            request=request,
            new={
                "numero": affiliation.numero,
                "formule": formule.code,
                "date_effet": date_effet,
                "personnes": 1 + len(beneficiaires),
            },
        )
    return affiliation


def _date(valeur: Any) -> Any:
    return date.fromisoformat(valeur) if isinstance(valeur, str) and valeur else valeur


def _courtier_informer(courtier: Courtier, sujet: str, template: str, contexte: dict[str, Any]) -> None:
    if not courtier.user.email:
        return
    mutuelle = mutuelle_ou_rien()
    send_mail(
        subject=f"{mutuelle.nom_court if mutuelle else 'La mutuelle'} — {sujet}",
        message=render_to_string(template, {"courtier": courtier, "mutuelle": mutuelle, **contexte}),
        from_email=None,
        recipient_list=[courtier.user.email],
    )


def _a_decider(affiliation: Affiliation) -> Affiliation:
    """The membership, locked, if it still waits for a decision."""
    affiliation = Affiliation.objects.select_for_update().select_related("courtier__user").get(pk=affiliation.pk)
    if affiliation.statut != StatutAffiliation.SOUMISE:
        raise AffiliationRefusee(
            f"L'affiliation {affiliation.numero} est déjà {affiliation.get_statut_display().lower()}."
        )
    return affiliation


def affiliation_accepter(*, affiliation: Affiliation, par: Any, request: HttpRequest | None = None) -> Affiliation:
    """The handler checked the bulletin: the member, the contract placed by the broker, the people
    covered and the bank account are created; the member gets the activation email and a welcome
    letter is queued for printing; the broker is told. All or nothing."""

    with transaction.atomic():
        affiliation = _a_decider(affiliation)
        if Adherent.objects.filter(nir=affiliation.nir).exists():
            raise AffiliationRefusee(
                "Cette personne est déjà adhérente (même NIR) : refusez l'affiliation, le courtier demandera "
                "un changement sur son contrat."
            )
        date_effet = max(affiliation.date_effet, timezone.localdate())
        try:
            adherent = adherent_creer(par=par, **{c: getattr(affiliation, c) for c in CHAMPS_PROSPECT})
            contrat = contrat_creer(
                adherent=adherent,
                formule=affiliation.formule,
                date_debut=date_effet,
                courtier=affiliation.courtier,
                par=par,
            )
            for donnees in affiliation.beneficiaires:
                champs = {c: donnees.get(c) for c in CHAMPS_BENEFICIAIRE if c in donnees}
                champs["date_naissance"] = _date(champs["date_naissance"])
                beneficiaire_ajouter(contrat=contrat, date_entree=date_effet, par=par, **champs)
        except ValidationError as exc:
            raise AffiliationRefusee("L'affiliation ne peut pas être créée : " + " ".join(_messages(exc))) from exc
        rib = CoordonneesBancaires.objects.create(
            adherent=adherent,
            titulaire=affiliation.titulaire,
            iban=affiliation.iban,
            bic=affiliation.bic,
            statut=StatutRib.ACTIF,
            actif_depuis=timezone.now(),
        )
        journal_ecrire(action=Action.RIB_ACTIVE, par=par, target=rib, adherent=adherent, new={"iban": rib.iban_masque})
        affiliation.statut = StatutAffiliation.ACCEPTEE
        affiliation.contrat = contrat
        affiliation.traitee_le = timezone.now()
        affiliation.traitee_par = par
        affiliation.save(update_fields=["statut", "contrat", "traitee_le", "traitee_par", "modifie_le"])
        journal_ecrire(
            action=Action.AFFILIATION_ACCEPTEE,
            par=par,
            target=affiliation,
            adherent=adherent,
            request=request,
            new={"contrat": contrat.numero, "adherent": adherent.numero},
        )
        activation_envoyer(adherent=adherent, request=request)
        lettre_bienvenue(adherent=adherent, par=par, request=request)
        _courtier_informer(
            affiliation.courtier,
            f"affiliation {affiliation.numero} acceptée",
            "brokers/email_affiliation.txt",
            {
                "affiliation": affiliation,
                "contrat": contrat,
                "lien": _lien_espace("courtier:contrat", numero=contrat.numero),
            },
        )
    return affiliation


def affiliation_refuser(
    *, affiliation: Affiliation, motif: str, par: Any, request: HttpRequest | None = None
) -> Affiliation:
    if not motif.strip():
        raise AffiliationRefusee("Écrivez au courtier pourquoi l'affiliation est refusée.")
    with transaction.atomic():
        affiliation = _a_decider(affiliation)
        affiliation.statut = StatutAffiliation.REFUSEE
        affiliation.motif_refus = motif.strip()[:2000]
        affiliation.traitee_le = timezone.now()
        affiliation.traitee_par = par
        affiliation.save(update_fields=["statut", "motif_refus", "traitee_le", "traitee_par", "modifie_le"])
        journal_ecrire(
            action=Action.AFFILIATION_REFUSEE,
            par=par,
            target=affiliation,
            request=request,
            new={"motif": affiliation.motif_refus[:200]},
        )
        _courtier_informer(
            affiliation.courtier,
            f"affiliation {affiliation.numero} refusée",
            "brokers/email_affiliation.txt",
            {"affiliation": affiliation, "lien": _lien_espace("courtier:affiliation", numero=affiliation.numero)},
        )
    return affiliation


def _lien_espace(nom: str, **kwargs: Any) -> str:
    return settings.MUTUELLE_BASE_URL + reverse(nom, kwargs=kwargs)


# -- contract changes ------------------------------------------------------------------------------------


def prochain_anniversaire(contrat: Contrat, on: date | None = None) -> date:
    """The contract's next anniversary date after ``on`` (a change of formula takes effect then)."""
    on = on or timezone.localdate()
    debut = contrat.date_debut
    annee = on.year
    while True:
        try:
            anniversaire = debut.replace(year=annee)
        except ValueError:  # 29 February
            anniversaire = date(annee, 3, 1)
        if anniversaire > on:
            return anniversaire
        annee += 1


def demande_courtier(
    *,
    courtier: Courtier,
    contrat: Contrat,
    type_demande: str,
    donnees: dict[str, Any],
    justificatif: Envoi,
    commentaire: str = "",
    request: HttpRequest | None = None,
) -> Demande:
    """A change the broker files for a client, with its signed document; a handler applies or refuses it.
    ``contrat`` must come from the broker's portfolio (``selectors.contrat``)."""
    if type_demande not in TYPES_DEMANDE_COURTIER:
        raise DemandeRefusee("Ce type de demande n'est pas ouvert aux courtiers.")
    if contrat.statut == StatutContrat.RESILIE:
        raise DemandeRefusee(f"Le contrat {contrat.numero} est résilié.")
    if (
        Demande.objects.filter(
            adherent=contrat.adherent,
            type_demande=type_demande,
            courtier__isnull=False,
            statut__in=[
                StatutDemande.RECUE,
                StatutDemande.EN_COURS,
                StatutDemande.COMPLEMENT,
            ],
        ).exists()
        and type_demande != TypeDemande.AJOUT_BENEFICIAIRE
    ):
        raise DemandeRefusee("Une demande du même type est déjà en cours pour ce contrat : attendez sa réponse.")
    donnees = {**_jsonable(donnees), "contrat": contrat.numero}
    return demande_creer(
        adherent=contrat.adherent,
        type_demande=type_demande,
        envois=[justificatif],
        par=courtier.user,
        commentaire=commentaire,
        champs={"donnees": donnees, "courtier": courtier},
        request=request,
    )


# -- the firm's broker accounts ------------------------------------------------------------------------


def courtier_inviter(
    *, administrateur: Courtier, prenom: str, nom: str, email: str, request: HttpRequest | None = None
) -> Courtier:
    """A firm administrator adds a broker: an inactive account, activated through an emailed link; the
    second factor is enrolled at the first login."""

    if not administrateur.administrateur_cabinet:
        raise PermissionError("Seul l'administrateur du cabinet ajoute des courtiers.")
    email = email.strip().lower()
    if not (prenom.strip() and nom.strip() and email):
        raise ValidationError("Indiquez le prénom, le nom et l'email du courtier.")
    if User.objects.filter(username__iexact=email).exists() or User.objects.filter(email__iexact=email).exists():
        raise ValidationError("Un compte existe déjà avec cet email.")
    with transaction.atomic():
        user = User(username=email, email=email, first_name=prenom.strip()[:150], last_name=nom.strip()[:150])
        user.role = Role.COURTIER
        user.is_active = False
        user.set_unusable_password()
        user.full_clean(exclude=["password"])
        user.save()
        courtier = Courtier.objects.create(user=user, cabinet=administrateur.cabinet)
        _invitation_envoyer(administrateur, courtier, request)
    return courtier


def _invitation_envoyer(administrateur: Courtier, courtier: Courtier, request: HttpRequest | None) -> None:
    """An activation link, or a new-password link once the broker has activated their access."""

    active = courtier.user.has_usable_password()
    objet = ObjetJeton.SECRET if active else ObjetJeton.ACTIVATION
    _jeton, lien = jeton_creer(user=courtier.user, objet=objet)
    journal_ecrire(
        action=Action.COURTIER_LIEN_ENVOYE if active else Action.COURTIER_INVITE,
        par=administrateur.user,
        target=courtier,
        request=request,
        new={"email": courtier.user.email, "cabinet": administrateur.cabinet.raison_sociale},
    )
    _courtier_informer(
        courtier,
        "choisissez un nouveau mot de passe" if active else "activez votre accès à l'espace courtier",
        "brokers/email_invitation.txt",
        {
            "lien": lien,
            "minutes": settings.MUTUELLE_LIEN_SECONDES // 60,
            "administrateur": administrateur,
            "nouveau_secret": active,
        },
    )


@transaction.atomic
def invitation_renvoyer(*, administrateur: Courtier, courtier: Courtier, request: HttpRequest | None = None) -> None:
    """A new link for a broker of the firm: to activate their access, or to choose a new password
    once activated (the second factor stays as it is). Earlier links stop working."""
    if not administrateur.administrateur_cabinet or courtier.cabinet_id != administrateur.cabinet_id:
        raise PermissionError("Ce courtier n'est pas de votre cabinet.")
    if not courtier.user.is_active and courtier.user.has_usable_password():
        raise ValidationError("L'accès de ce courtier est fermé : rouvrez-le d'abord.")
    _invitation_envoyer(administrateur, courtier, request)


def courtier_activer(
    *, administrateur: Courtier, courtier: Courtier, actif: bool, request: HttpRequest | None = None
) -> Courtier:
    """Close (or reopen) a broker's access; their contracts stay in the firm's portfolio. Closing ends
    their open sessions at once."""

    if not administrateur.administrateur_cabinet or courtier.cabinet_id != administrateur.cabinet_id:
        raise PermissionError("Ce courtier n'est pas de votre cabinet.")
    if courtier.pk == administrateur.pk:
        raise ValidationError("Vous ne pouvez pas fermer votre propre accès.")
    with transaction.atomic():
        user = courtier.user
        if user.is_active == actif:
            return courtier
        if actif and not user.has_usable_password():
            raise ValidationError("Ce courtier n'a pas encore activé son accès : renvoyez-lui une invitation.")
        user.is_active = actif
        user.save(update_fields=["is_active"])
        if not actif:
            toutes_sessions_fermer(user)
            # A link sent earlier must not reopen the access.
            JetonCompte.objects.filter(user=user, utilise_le__isnull=True, annule_le__isnull=True).update(
                annule_le=timezone.now()
            )
        journal_ecrire(
            action=Action.COURTIER_OUVERT if actif else Action.COURTIER_FERME,
            par=administrateur.user,
            target=courtier,
            request=request,
        )
    return courtier
