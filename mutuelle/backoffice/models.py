"""The back office's own state: who has taken which item of a work queue, and each queue's service level."""

from __future__ import annotations

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.validators import MaxValueValidator, MinValueValidator
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


class ReglageFile(models.Model):
    """A queue's service level in working days, set by supervisors (the queues' defaults otherwise)."""

    file = models.CharField("file", max_length=30, unique=True)
    delai_jours = models.PositiveSmallIntegerField(
        "délai de traitement (jours ouvrés)", validators=[MinValueValidator(1), MaxValueValidator(60)]
    )

    class Meta:
        verbose_name = "niveau de service d'une file"
        verbose_name_plural = "niveaux de service des files"

    def __str__(self) -> str:
        return f"{self.file} : {self.delai_jours} j ouvrés"
