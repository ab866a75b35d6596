"""Accounts: one user model for members, staff and brokers, told apart by their role."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models


class Role(models.TextChoices):
    ADHERENT = "adherent", "Adhérent"
    GESTIONNAIRE = "gestionnaire", "Gestionnaire"
    RESPONSABLE = "responsable", "Responsable de gestion"
    ADMINISTRATEUR = "administrateur", "Administrateur"
    COURTIER = "courtier", "Courtier"


STAFF_ROLES = frozenset({Role.GESTIONNAIRE, Role.RESPONSABLE, Role.ADMINISTRATEUR})


class User(AbstractUser):
    role = models.CharField("rôle", max_length=20, choices=Role.choices, default=Role.ADHERENT)

    class Meta:
        verbose_name = "utilisateur"
        verbose_name_plural = "utilisateurs"
        constraints = [
            # Only staff roles may enter Django's admin.
            models.CheckConstraint(
                condition=models.Q(is_staff=False) | models.Q(role__in=sorted(r.value for r in STAFF_ROLES)),
                name="user_staff_role_only",
            ),
        ]

    def __str__(self) -> str:
        full = self.get_full_name()
        return full or self.username

    @property
    def is_gestion(self) -> bool:
        """Handlers, supervisors and administrators: the mutuelle's own staff."""
        return self.role in STAFF_ROLES
