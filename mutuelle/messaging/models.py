"""Secure messaging between a member and the mutuelle: threads (``Fil``) of plain-text messages with
checked attachments, internal notes the member never sees, read receipts on both sides."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from mutuelle.members.models import Adherent


class SujetFil(models.TextChoices):
    REMBOURSEMENT = "remboursement", _("Remboursement")
    PRISE_EN_CHARGE = "prise_en_charge", _("Prise en charge")
    COTISATION = "cotisation", _("Cotisation")
    ADHESION = "adhesion", _("Adhésion")
    AUTRE = "autre", _("Autre question")


class StatutFil(models.TextChoices):
    A_TRAITER = "a_traiter", _("En attente de réponse de la mutuelle")
    REPONDU = "repondu", _("Répondu")
    CLOS = "clos", _("Clos")


class Fil(models.Model):
    numero = models.CharField("numéro", max_length=20, unique=True, editable=False)
    adherent = models.ForeignKey(Adherent, verbose_name="adhérent", on_delete=models.PROTECT, related_name="fils")
    sujet = models.CharField("sujet", max_length=20, choices=SujetFil.choices)
    objet = models.CharField("objet", max_length=120)
    ligne = models.ForeignKey(
        "claims.LigneRemboursement",
        verbose_name="remboursement concerné",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    demande = models.ForeignKey(
        "requests.Demande",
        verbose_name="demande concernée",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    statut = models.CharField("statut", max_length=12, choices=StatutFil.choices, default=StatutFil.A_TRAITER)
    cree_le = models.DateTimeField("ouvert le", auto_now_add=True)
    dernier_message_le = models.DateTimeField("dernier message le")
    # While the member waits for an answer: since when, and by when it is due (working days).
    attente_depuis = models.DateTimeField("en attente depuis", null=True, blank=True)
    echeance = models.DateField("réponse attendue avant le", null=True, blank=True)

    class Meta:
        verbose_name = "fil de messages"
        verbose_name_plural = "fils de messages"
        ordering = ["-dernier_message_le", "-pk"]
        indexes = [
            models.Index(fields=["adherent", "-dernier_message_le"], name="fil_adherent_idx"),
            models.Index(fields=["statut", "echeance"], name="fil_statut_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(statut="a_traiter")
                | models.Q(attente_depuis__isnull=False, echeance__isnull=False),
                name="fil_attente_datee",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.numero} — {self.objet}"


class Message(models.Model):
    fil = models.ForeignKey(Fil, verbose_name="fil", on_delete=models.CASCADE, related_name="messages")
    auteur = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="auteur", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    de_la_mutuelle = models.BooleanField("écrit par la mutuelle", default=False)
    # A handler's note on the thread: never shown to the member.
    interne = models.BooleanField("note interne", default=False)
    texte = models.TextField("message", max_length=5000)
    cree_le = models.DateTimeField("envoyé le", auto_now_add=True)
    # Read by the other side (the member for the mutuelle's messages, a handler for the member's).
    lu_le = models.DateTimeField("lu le", null=True, blank=True)
    # On the answer that ended a member's wait: when the wait began and by when it was due.
    attente_depuis = models.DateTimeField("attente commencée le", null=True, blank=True)
    echeance = models.DateField("réponse attendue avant le", null=True, blank=True)

    class Meta:
        verbose_name = "message"
        verbose_name_plural = "messages"
        ordering = ["cree_le", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(interne=False) | models.Q(de_la_mutuelle=True), name="message_note_de_la_mutuelle"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.fil.numero} — {self.cree_le:%d/%m/%Y %H:%M}"


class PieceMessage(models.Model):
    """A file attached to a message, as rewritten by ``requests.fichiers.assainir``."""

    message = models.ForeignKey(Message, verbose_name="message", on_delete=models.CASCADE, related_name="pieces")
    fichier = models.FileField("fichier", upload_to="messages/%Y/%m/")
    nom = models.CharField("nom du fichier", max_length=120)
    type_mime = models.CharField("type", max_length=40)
    taille = models.PositiveIntegerField("taille (octets)")
    pages = models.PositiveSmallIntegerField("pages", default=1)
    sha256 = models.CharField("SHA-256", max_length=64)

    class Meta:
        verbose_name = "pièce jointe d'un message"
        verbose_name_plural = "pièces jointes des messages"
        ordering = ["pk"]

    def __str__(self) -> str:
        return self.nom


class ModeleReponse(models.Model):
    """A ready answer handlers start from (edited by supervisors in the administration)."""

    titre = models.CharField("titre", max_length=120, unique=True)
    texte = models.TextField("texte", max_length=5000)
    actif = models.BooleanField("proposé aux gestionnaires", default=True)

    class Meta:
        verbose_name = "modèle de réponse"
        verbose_name_plural = "modèles de réponse"
        ordering = ["titre"]

    def __str__(self) -> str:
        return self.titre
