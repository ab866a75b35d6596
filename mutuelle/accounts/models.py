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


class ObjetJeton(models.TextChoices):
    ACTIVATION = "activation", "Activation du compte"
    SECRET = "secret", "Nouveau mot de passe"


class JetonCompte(models.Model):
    """A single-use link sent by email (activation, new secret). Only its SHA-256 is kept: the link
    itself exists in the email alone. Using one cancels every other live link of the account."""

    user = models.ForeignKey(User, verbose_name="compte", on_delete=models.CASCADE, related_name="jetons")
    objet = models.CharField("objet", max_length=20, choices=ObjetJeton.choices)
    empreinte = models.CharField("empreinte", max_length=64, unique=True)
    cree_le = models.DateTimeField("créé le", auto_now_add=True)
    expire_le = models.DateTimeField("expire le")
    utilise_le = models.DateTimeField("utilisé le", null=True, blank=True)
    annule_le = models.DateTimeField("annulé le", null=True, blank=True)

    class Meta:
        verbose_name = "lien à usage unique"
        verbose_name_plural = "liens à usage unique"
        ordering = ["-cree_le"]
        indexes = [models.Index(fields=["user", "objet"], name="jeton_user_objet_idx")]

    def __str__(self) -> str:
        return f"{self.get_objet_display()} — {self.user}"


class TypeCourrier(models.TextChoices):
    ACTIVATION = "activation", "Code d'activation"
    SECRET = "secret", "Code pour un nouveau mot de passe"


class StatutCourrier(models.TextChoices):
    A_IMPRIMER = "a_imprimer", "À imprimer"
    IMPRIME = "imprime", "Imprimé et posté"
    ANNULE = "annule", "Annulé"


class Courrier(models.Model):
    """A letter to print and post (members without an email on file). The PDF carries a single-use
    code; the database keeps only the code's SHA-256."""

    adherent = models.ForeignKey(
        "members.Adherent", verbose_name="adhérent", on_delete=models.CASCADE, related_name="courriers"
    )
    type_courrier = models.CharField("courrier", max_length=20, choices=TypeCourrier.choices)
    statut = models.CharField(
        "statut", max_length=20, choices=StatutCourrier.choices, default=StatutCourrier.A_IMPRIMER
    )
    pdf = models.FileField("PDF", upload_to="courriers/%Y/%m/")
    code_empreinte = models.CharField("empreinte du code", max_length=64, blank=True)
    code_expire_le = models.DateTimeField("code valable jusqu'au", null=True, blank=True)
    code_utilise_le = models.DateTimeField("code utilisé le", null=True, blank=True)
    cree_le = models.DateTimeField("demandé le", auto_now_add=True)
    imprime_le = models.DateTimeField("imprimé le", null=True, blank=True)
    imprime_par = models.ForeignKey(
        User, verbose_name="imprimé par", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = "courrier à imprimer"
        verbose_name_plural = "courriers à imprimer"
        ordering = ["statut", "cree_le"]

    def __str__(self) -> str:
        return f"{self.get_type_courrier_display()} — {self.adherent}"
