"""Accounts: one user model for members, staff and brokers, told apart by their role."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    ADHERENT = "adherent", _("Adhérent")
    GESTIONNAIRE = "gestionnaire", _("Gestionnaire")
    RESPONSABLE = "responsable", _("Responsable de gestion")
    ADMINISTRATEUR = "administrateur", _("Administrateur")
    COURTIER = "courtier", _("Courtier")


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

    @property
    def second_facteur_obligatoire(self) -> bool:
        """Staff and brokers never enter without a second factor; members choose."""
        return self.role != Role.ADHERENT


class ObjetJeton(models.TextChoices):
    ACTIVATION = "activation", _("Activation du compte")
    SECRET = "secret", _("Nouveau mot de passe")
    EMAIL = "email", _("Confirmation d'une nouvelle adresse email")


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
    # The new address an email-change link confirms (empty for the other links).
    donnee = models.EmailField("nouvelle adresse", blank=True)

    class Meta:
        verbose_name = "lien à usage unique"
        verbose_name_plural = "liens à usage unique"
        ordering = ["-cree_le"]
        indexes = [models.Index(fields=["user", "objet"], name="jeton_user_objet_idx")]

    def __str__(self) -> str:
        return f"{self.get_objet_display()} — {self.user}"


class TypeCourrier(models.TextChoices):
    ACTIVATION = "activation", _("Code d'activation")
    SECRET = "secret", _("Code pour un nouveau mot de passe")
    BIENVENUE = "bienvenue", _("Lettre de bienvenue")
    RELEVE = "releve", _("Relevé de prestations")
    COORDONNEES = "coordonnees", _("Changement de coordonnées par la mutuelle")


class StatutCourrier(models.TextChoices):
    A_IMPRIMER = "a_imprimer", _("À imprimer")
    IMPRIME = "imprime", _("Imprimé et posté")
    ANNULE = "annule", _("Annulé")


class LotCourriers(models.Model):
    """Letters printed together: one merged PDF for the printer, kept until the handler confirms the
    batch is printed (it may hold codes in clear), then deleted."""

    pdf = models.FileField("PDF du lot", upload_to="courriers/lots/%Y/%m/", blank=True)
    nb_courriers = models.PositiveIntegerField("courriers")
    nb_pages = models.PositiveIntegerField("pages")
    cree_le = models.DateTimeField("préparé le", auto_now_add=True)
    cree_par = models.ForeignKey(
        User, verbose_name="préparé par", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    confirme_le = models.DateTimeField("impression confirmée le", null=True, blank=True)
    confirme_par = models.ForeignKey(
        User, verbose_name="confirmé par", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        verbose_name = "lot de courriers"
        verbose_name_plural = "lots de courriers"
        ordering = ["-cree_le"]

    def __str__(self) -> str:
        return f"Lot {self.pk} ({self.nb_courriers} courriers)"


class Courrier(models.Model):
    """A letter to print and post: a code for a member without an email on file (the database keeps
    only the code's SHA-256), a welcome letter, or a paper relevé."""

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
    lot = models.ForeignKey(
        LotCourriers, verbose_name="lot", null=True, blank=True, on_delete=models.SET_NULL, related_name="courriers"
    )
    pages = models.PositiveSmallIntegerField("pages", default=1)

    class Meta:
        verbose_name = "courrier à imprimer"
        verbose_name_plural = "courriers à imprimer"
        ordering = ["statut", "cree_le"]

    def __str__(self) -> str:
        return f"{self.get_type_courrier_display()} — {self.adherent}"


class CodeSecours(models.Model):
    """A single-use recovery code for when the authenticator is lost. Hashed like a password (the
    code has ~50 bits of entropy, so a plain digest would not do); shown once, when generated."""

    user = models.ForeignKey(User, verbose_name="compte", on_delete=models.CASCADE, related_name="codes_secours")
    empreinte = models.CharField("empreinte", max_length=200)
    cree_le = models.DateTimeField("créé le", auto_now_add=True)
    utilise_le = models.DateTimeField("utilisé le", null=True, blank=True)

    class Meta:
        verbose_name = "code de secours"
        verbose_name_plural = "codes de secours"

    def __str__(self) -> str:
        return f"Code de secours de {self.user}"


class CleAcces(models.Model):
    """A passkey (WebAuthn credential): the authenticator keeps the private key, we keep the public one."""

    user = models.ForeignKey(User, verbose_name="compte", on_delete=models.CASCADE, related_name="cles_acces")
    nom = models.CharField("nom", max_length=60)
    credential_id = models.BinaryField("identifiant de la clé", max_length=1024)
    credential_id_b64 = models.CharField("identifiant (base64url)", max_length=1400, unique=True)
    cle_publique = models.BinaryField("clé publique", max_length=2048)
    compteur = models.PositiveBigIntegerField("compteur de signatures", default=0)
    transports = models.CharField("transports", max_length=120, blank=True)
    cree_le = models.DateTimeField("ajoutée le", auto_now_add=True)
    utilisee_le = models.DateTimeField("dernière utilisation", null=True, blank=True)

    class Meta:
        verbose_name = "clé d'accès"
        verbose_name_plural = "clés d'accès"
        ordering = ["cree_le"]

    def __str__(self) -> str:
        return f"{self.nom} — {self.user}"


class Appareil(models.Model):
    """A browser an account has logged in from, known by a random token in a signed cookie (only the
    token's SHA-256 is kept). Trusted once a second factor was passed on it (the access-code policy
    asks for one on every new browser); the member can revoke it."""

    user = models.ForeignKey(User, verbose_name="compte", on_delete=models.CASCADE, related_name="appareils")
    empreinte = models.CharField("empreinte", max_length=64)
    libelle = models.CharField("navigateur", max_length=120)
    cree_le = models.DateTimeField("première connexion", auto_now_add=True)
    vu_le = models.DateTimeField("dernière connexion")
    de_confiance_le = models.DateTimeField("de confiance depuis", null=True, blank=True)
    revoque_le = models.DateTimeField("révoqué le", null=True, blank=True)

    class Meta:
        verbose_name = "appareil"
        verbose_name_plural = "appareils"
        ordering = ["-vu_le"]
        constraints = [models.UniqueConstraint(fields=["user", "empreinte"], name="appareil_user_empreinte_uniq")]

    def __str__(self) -> str:
        return f"{self.libelle} — {self.user}"

    @property
    def de_confiance(self) -> bool:
        return self.de_confiance_le is not None and self.revoque_le is None


class SessionCompte(models.Model):
    """Which sessions an account has open, so that "log out my other sessions" can end them."""

    user = models.ForeignKey(User, verbose_name="compte", on_delete=models.CASCADE, related_name="sessions_ouvertes")
    session_key = models.CharField("clé de session", max_length=40, unique=True)
    appareil = models.ForeignKey(Appareil, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    libelle = models.CharField("navigateur", max_length=120, blank=True)
    cree_le = models.DateTimeField("ouverte le", auto_now_add=True)

    class Meta:
        verbose_name = "session ouverte"
        verbose_name_plural = "sessions ouvertes"
        ordering = ["-cree_le"]

    def __str__(self) -> str:
        return f"Session de {self.user} ({self.libelle})"
