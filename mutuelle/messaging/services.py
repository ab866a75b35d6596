"""Messaging: a member opens a thread or writes in one, a handler answers (or leaves an internal note),
each side's reading is recorded. The member is told of an answer by a notification whose email says
only that there is a new message: the content stays behind the login."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy

from mutuelle.core.actions import Action
from mutuelle.core.calendrier import jours_ouvres_apres
from mutuelle.core.delais import delai
from mutuelle.core.services import journal_ecrire, sequence_suivante
from mutuelle.members.models import Adherent
from mutuelle.messaging.models import Fil, Message, PieceMessage, StatutFil
from mutuelle.notifications.models import Categorie
from mutuelle.notifications.services import notifier
from mutuelle.requests.services import Envoi, pieces_enregistrer, pieces_transaction

TEXTE_MAX = 5000


class MessageRefuse(Exception):
    """The message cannot be sent; the text says why."""


def _echeance() -> Any:
    return jours_ouvres_apres(timezone.localdate(), delai("messages"))


def _texte(texte: str) -> str:
    texte = (texte or "").replace("\r\n", "\n").strip()
    if not texte:
        raise MessageRefuse("Écrivez votre message.")
    if len(texte) > TEXTE_MAX:
        raise MessageRefuse(f"Votre message dépasse {TEXTE_MAX} caractères : raccourcissez-le ou joignez un fichier.")
    return texte


def _message(fil: Fil, chemins: list[str], *, texte: str, envois: list[Envoi], par: Any, **champs: Any) -> Message:
    """One message and its files (their stored paths go to ``chemins``, deleted if the transaction fails)."""
    message = Message.objects.create(fil=fil, auteur=par, texte=texte, **champs)
    chemins += pieces_enregistrer(envois, PieceMessage, message=message)
    return message


def fil_creer(
    *,
    adherent: Adherent,
    sujet: str,
    objet: str,
    texte: str,
    envois: list[Envoi],
    par: Any,
    ligne: Any = None,
    demande: Any = None,
    request: HttpRequest | None = None,
) -> Fil:
    """A member writes to the mutuelle: a new thread, waiting for an answer within the service level."""
    texte = _texte(texte)
    objet = (objet or "").strip()[:120]
    if not objet:
        raise MessageRefuse("Donnez un objet à votre message.")
    if ligne is not None and ligne.contrat.adherent_id != adherent.pk:
        raise MessageRefuse("Ce remboursement n'est pas le vôtre.")
    if demande is not None and demande.adherent_id != adherent.pk:
        raise MessageRefuse("Cette demande n'est pas la vôtre.")
    with pieces_transaction() as chemins:
        maintenant = timezone.now()
        annee = timezone.localdate().year
        fil = Fil.objects.create(
            numero=f"M{annee}-{sequence_suivante(nom=f'fil-{annee}'):06d}",
            adherent=adherent,
            sujet=sujet,
            objet=objet,
            ligne=ligne,
            demande=demande,
            statut=StatutFil.A_TRAITER,
            dernier_message_le=maintenant,
            attente_depuis=maintenant,
            echeance=_echeance(),
        )
        _message(fil, chemins, texte=texte, envois=envois, par=par)
        journal_ecrire(
            action=Action.FIL_CREE,
            par=par,
            target=fil,
            adherent=adherent,
            request=request,
            new={"sujet": sujet, "fichiers": len(envois)},
        )
    return fil


def message_ecrire(
    *, fil: Fil, texte: str, envois: list[Envoi], par: Any, request: HttpRequest | None = None
) -> Message:
    """The member writes again in one of their threads: it waits for the mutuelle again."""
    texte = _texte(texte)
    with pieces_transaction() as chemins:
        fil = Fil.objects.select_for_update().get(pk=fil.pk)
        if fil.statut == StatutFil.CLOS:
            raise MessageRefuse("Cette conversation est close : écrivez un nouveau message.")
        maintenant = timezone.now()
        message = _message(fil, chemins, texte=texte, envois=envois, par=par)
        if fil.statut != StatutFil.A_TRAITER:
            fil.statut = StatutFil.A_TRAITER
            fil.attente_depuis = maintenant
            fil.echeance = _echeance()
        fil.dernier_message_le = maintenant
        fil.save(update_fields=["statut", "attente_depuis", "echeance", "dernier_message_le"])
        journal_ecrire(
            action=Action.MESSAGE_ECRIT,
            par=par,
            target=fil,
            adherent=fil.adherent,
            request=request,
            new={"fichiers": len(envois)},
        )
    return message


def reponse_ecrire(
    *,
    fil: Fil,
    texte: str,
    envois: list[Envoi],
    par: Any,
    interne: bool = False,
    clore: bool = False,
    request: HttpRequest | None = None,
) -> Message:
    """A handler answers (the member is told, without the content), or leaves an internal note that
    the member never sees and that does not end the wait."""
    texte = _texte(texte)
    with pieces_transaction() as chemins:
        fil = Fil.objects.select_for_update().select_related("adherent").get(pk=fil.pk)
        if interne:
            message = _message(fil, chemins, texte=texte, envois=envois, par=par, de_la_mutuelle=True, interne=True)
            journal_ecrire(action=Action.NOTE_ECRITE, par=par, target=fil, adherent=fil.adherent, request=request)
            return message
        maintenant = timezone.now()
        attente = {}
        if fil.statut == StatutFil.A_TRAITER:
            attente = {"attente_depuis": fil.attente_depuis, "echeance": fil.echeance}
        message = _message(fil, chemins, texte=texte, envois=envois, par=par, de_la_mutuelle=True, **attente)
        ancien = fil.statut
        fil.statut = StatutFil.CLOS if clore else StatutFil.REPONDU
        fil.attente_depuis = None
        fil.echeance = None
        fil.dernier_message_le = maintenant
        fil.save(update_fields=["statut", "attente_depuis", "echeance", "dernier_message_le"])
        # The member's messages are read once answered.
        fil.messages.filter(de_la_mutuelle=False, lu_le__isnull=True).update(lu_le=maintenant)
        journal_ecrire(
            action=Action.REPONSE_ENVOYEE,
            par=par,
            target=fil,
            adherent=fil.adherent,
            request=request,
            old={"statut": ancien},
            new={"statut": fil.statut, "fichiers": len(envois)},
        )
        notifier(
            adherent=fil.adherent,
            categorie=Categorie.MESSAGE,
            cle=f"message:{message.pk}",
            titre=gettext_lazy("Vous avez un nouveau message de votre mutuelle"),
            lien=reverse("messaging:fil", kwargs={"numero": fil.numero}),
        )
    return message


def fil_clore(*, fil: Fil, par: Any, request: HttpRequest | None = None) -> Fil:
    """The member (or a handler) closes a thread that needs nothing more."""
    with transaction.atomic():
        fil = Fil.objects.select_for_update().get(pk=fil.pk)
        if fil.statut == StatutFil.CLOS:
            return fil
        ancien = fil.statut
        fil.statut = StatutFil.CLOS
        fil.attente_depuis = None
        fil.echeance = None
        fil.save(update_fields=["statut", "attente_depuis", "echeance"])
        journal_ecrire(
            action=Action.FIL_CLOS,
            par=par,
            target=fil,
            adherent=fil.adherent,
            request=request,
            old={"statut": ancien},
            new={"statut": fil.statut},
        )
    return fil


def fil_lire(*, fil: Fil, par_la_mutuelle: bool) -> int:
    """Read receipts: the other side's messages are marked read when a thread is opened."""
    messages = fil.messages.filter(lu_le__isnull=True, interne=False, de_la_mutuelle=not par_la_mutuelle)
    return messages.update(lu_le=timezone.now())


def non_lus(adherent: Adherent) -> int:
    """The mutuelle's messages the member has not opened yet (the header's count)."""
    return Message.objects.filter(
        fil__adherent=adherent, de_la_mutuelle=True, interne=False, lu_le__isnull=True
    ).count()
