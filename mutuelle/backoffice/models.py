"""The back office's own state: who has taken which item of a work queue, and the four-eyes changes."""

from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models


class Affectation(models.Model):
    """An item of a work queue taken by a handler (or given to one by a supervisor): others see it as
    taken. One live assignment per item; it goes when the handler lets the item go."""

    type_objet = models.ForeignKey(ContentType, verbose_name="type", on_delete=models.CASCADE, related_name="+")
    objet_id = models.PositiveBigIntegerField("identifiant")
    file = models.CharField("file", max_length=30)
    gestionnaire = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="gestionnaire", on_delete=models.CASCADE, related_name="affectations"
    )
    par = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="attribué par",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    le = models.DateTimeField("pris le", auto_now=True)

    class Meta:
        verbose_name = "élément pris en charge"
        verbose_name_plural = "éléments pris en charge"
        constraints = [models.UniqueConstraint(fields=["type_objet", "objet_id"], name="affectation_unique")]
        indexes = [models.Index(fields=["file", "gestionnaire"], name="affectation_file_idx")]

    def __str__(self) -> str:
        return f"{self.file} #{self.objet_id} → {self.gestionnaire}"


class StatutModification(models.TextChoices):
    EN_ATTENTE = "en_attente", "En attente d'un second valideur"
    APPLIQUEE = "appliquee", "Validée et appliquée"
    REFUSEE = "refusee", "Refusée"
    PERIMEE = "perimee", "Caduque (les données ont changé entre-temps)"


class ModificationProposee(models.Model):
    """A change to a member's identity, contact, contract broker or premium payment proposed by one
    member of staff and applied only once a responsable — another person — approves it (four-eyes).

    ``avant`` holds the values the proposer saw: the change is applied only if they are still the
    values on file, so an approval never overwrites what changed in between."""

    type_objet = models.ForeignKey(ContentType, verbose_name="type", on_delete=models.PROTECT, related_name="+")
    objet_id = models.PositiveBigIntegerField("identifiant")
    cible = models.CharField("objet", max_length=20)
    libelle = models.CharField("objet modifié", max_length=200)
    adherent = models.ForeignKey(
        "members.Adherent", verbose_name="adhérent", on_delete=models.PROTECT, related_name="modifications_proposees"
    )
    avant = models.JSONField("valeurs actuelles")
    apres = models.JSONField("valeurs proposées")
    motif = models.TextField("motif", max_length=1000)
    signaux = models.JSONField("signaux de risque", default=list, blank=True)
    statut = models.CharField(
        "statut", max_length=12, choices=StatutModification.choices, default=StatutModification.EN_ATTENTE
    )
    proposee_par = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="proposée par", on_delete=models.PROTECT, related_name="+"
    )
    proposee_le = models.DateTimeField("proposée le", auto_now_add=True)
    decidee_par = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="décidée par",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decidee_le = models.DateTimeField("décidée le", null=True, blank=True)
    motif_refus = models.TextField("motif du refus", blank=True, max_length=1000)

    class Meta:
        verbose_name = "modification à valider"
        verbose_name_plural = "modifications à valider"
        ordering = ["proposee_le", "pk"]
        constraints = [
            # One pending change per object: a second proposal waits for the first to be decided.
            models.UniqueConstraint(
                fields=["type_objet", "objet_id"],
                condition=models.Q(statut="en_attente"),
                name="modification_une_en_attente",
            ),
            models.CheckConstraint(
                condition=models.Q(statut="en_attente") | models.Q(decidee_le__isnull=False),
                name="modification_decidee_datee",
            ),
        ]
        indexes = [models.Index(fields=["statut", "proposee_le"], name="modification_statut_idx")]

    def __str__(self) -> str:
        return f"{self.libelle} — {self.get_statut_display()}"
