"""What the mutuelle tells a member: in-app notifications, and the member's communication preferences.

A notification is written once per event (``cle``: the line and the status it reached), in the
transaction of the change; its email, when the member wants one, is sent by a Celery task after the
commit, and ``email_envoye_le`` makes the sending idempotent."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from mutuelle.members.models import Adherent


class Categorie(models.TextChoices):
    PAIEMENT = "paiement", _("Remboursement effectué")
    COMPLEMENT = "complement", _("Information demandée")
    REPONSE = "reponse", _("Réponse à une demande")
    INFORMATION = "information", _("Information")
    MESSAGE = "message", _("Nouveau message")


class Notification(models.Model):
    adherent = models.ForeignKey(
        Adherent, verbose_name="adhérent", on_delete=models.CASCADE, related_name="notifications", db_index=False
    )
    categorie = models.CharField("catégorie", max_length=12, choices=Categorie.choices)
    titre = models.CharField("titre", max_length=200)
    texte = models.CharField("texte", max_length=500, blank=True)
    lien = models.CharField("lien", max_length=200, blank=True)
    # Idempotency key of the event ("ligne:42:paye"): one notification per event, however often it is told.
    cle = models.CharField("clé de l'événement", max_length=80)
    montant = models.DecimalField("montant", max_digits=12, decimal_places=2, null=True, blank=True)
    cree_le = models.DateTimeField("créée le", auto_now_add=True)
    lue_le = models.DateTimeField("lue le", null=True, blank=True)
    email_envoye_le = models.DateTimeField("email envoyé le", null=True, blank=True)

    class Meta:
        verbose_name = "notification"
        verbose_name_plural = "notifications"
        ordering = ["-cree_le", "-pk"]
        constraints = [models.UniqueConstraint(fields=["adherent", "cle"], name="notification_unique_par_evenement")]
        indexes = [
            models.Index(fields=["adherent", "-cree_le"], name="notification_adherent_idx"),
            models.Index(fields=["adherent"], condition=models.Q(lue_le__isnull=True), name="notification_non_lue_idx"),
        ]

    def __str__(self) -> str:
        return self.titre


class PreferencesCommunication(models.Model):
    """« Mes préférences de communication ». Without a row, the defaults below apply."""

    adherent = models.OneToOneField(
        Adherent, verbose_name="adhérent", on_delete=models.CASCADE, related_name="preferences_communication"
    )
    email_paiement = models.BooleanField("un email à chaque remboursement effectué", default=True)
    resume_mensuel = models.BooleanField(
        "un résumé mensuel au lieu d'un email par remboursement",
        default=False,
        help_text="Un seul email au début de chaque mois, avec le total des remboursements du mois écoulé.",
    )
    email_complement = models.BooleanField("un email quand la mutuelle a besoin d'une information", default=True)
    email_reponse = models.BooleanField("un email quand la mutuelle répond à une demande ou vous écrit", default=True)
    releves_papier = models.BooleanField("recevoir aussi les relevés de remboursement par courrier", default=False)
    modifie_le = models.DateTimeField("modifiées le", auto_now=True)

    class Meta:
        verbose_name = "préférences de communication"
        verbose_name_plural = "préférences de communication"

    def __str__(self) -> str:
        return f"Préférences de {self.adherent}"


class ResumeMensuel(models.Model):
    """One monthly summary sent to a member: the row makes the monthly task idempotent."""

    adherent = models.ForeignKey(Adherent, verbose_name="adhérent", on_delete=models.CASCADE, related_name="+")
    mois = models.DateField("mois", help_text="Premier jour du mois résumé.")
    nombre = models.PositiveIntegerField("remboursements")
    total = models.DecimalField("total", max_digits=12, decimal_places=2)
    envoye_le = models.DateTimeField("envoyé le", auto_now_add=True)

    class Meta:
        verbose_name = "résumé mensuel"
        verbose_name_plural = "résumés mensuels"
        constraints = [models.UniqueConstraint(fields=["adherent", "mois"], name="resume_unique_par_mois")]

    def __str__(self) -> str:
        return f"{self.adherent} — {self.mois:%m/%Y}"
