"""Brokers (courtiers) and their firms (cabinets). The broker space comes with its own issue."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models

from mutuelle.core.models import TimeStampedModel
from mutuelle.core.validators import validate_siren


class Cabinet(TimeStampedModel):
    raison_sociale = models.CharField("raison sociale", max_length=200)
    siren = models.CharField("SIREN", max_length=9, unique=True, validators=[validate_siren])
    numero_orias = models.CharField(
        "numéro ORIAS",
        max_length=8,
        unique=True,
        validators=[RegexValidator(r"^\d{8}$", "Un numéro ORIAS comporte 8 chiffres.")],
    )
    email = models.EmailField("email", blank=True)
    telephone = models.CharField("téléphone", max_length=20, blank=True)

    class Meta:
        verbose_name = "cabinet de courtage"
        verbose_name_plural = "cabinets de courtage"
        ordering = ["raison_sociale"]

    def __str__(self) -> str:
        return self.raison_sociale


class Courtier(TimeStampedModel):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name="compte",
        on_delete=models.PROTECT,
        related_name="courtier",
    )
    cabinet = models.ForeignKey(Cabinet, verbose_name="cabinet", on_delete=models.PROTECT, related_name="courtiers")
    administrateur_cabinet = models.BooleanField(
        "administrateur du cabinet",
        default=False,
        help_text="Voit le portefeuille de tout le cabinet et gère ses courtiers.",
    )

    class Meta:
        verbose_name = "courtier"
        verbose_name_plural = "courtiers"
        ordering = ["cabinet", "user__last_name"]

    def __str__(self) -> str:
        return f"{self.user} ({self.cabinet})"
