"""The mutuelle's own configuration (one row) and the audit log every state change writes to."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models

from mutuelle.core import actions, delais
from mutuelle.core.validators import (
    validate_couleur,
    validate_numero_amc,
    validate_siren,
)


def fin_apres_debut(name: str, *, debut: str = "date_debut", fin: str = "date_fin") -> models.CheckConstraint:
    """A period [debut, fin] with an open end allowed: the end, when given, is not before the start."""
    return models.CheckConstraint(
        condition=models.Q(**{f"{fin}__isnull": True}) | models.Q(**{f"{fin}__gte": models.F(debut)}),
        name=name,
    )


class TimeStampedModel(models.Model):
    cree_le = models.DateTimeField("créé le", auto_now_add=True)
    modifie_le = models.DateTimeField("modifié le", auto_now=True)

    class Meta:
        abstract = True


class PolitiqueConnexion(models.TextChoices):
    NUMERO_ADHERENT = "numero_adherent", "Numéro d'adhérent (ou NIR) et mot de passe"
    NIR_CODE = "nir_code", "NIR et code d'accès à 6 chiffres"


code_postal_validator = RegexValidator(r"^\d{5}$", "Un code postal comporte 5 chiffres.")
telephone_validator = RegexValidator(
    r"^(\+33 ?|0)[1-9]( ?\d{2}){4}$", "Indiquez un numéro français, par exemple 01 23 45 67 89."
)


class Mutuelle(TimeStampedModel):
    """The mutuelle running this installation: one row, edited in the admin."""

    singleton = models.PositiveSmallIntegerField(default=1, unique=True, editable=False)
    raison_sociale = models.CharField("raison sociale", max_length=200)
    nom_court = models.CharField("nom d'usage", max_length=80)
    numero_amc = models.CharField(
        "numéro AMC",
        max_length=10,
        validators=[validate_numero_amc],
        help_text="Numéro de l'organisme complémentaire, imprimé sur la carte de tiers payant.",
    )
    type_convention = models.CharField(
        "type de convention",
        max_length=3,
        default="TP",
        validators=[RegexValidator(r"^[A-Z0-9]{2,3}$", "2 ou 3 lettres ou chiffres en majuscules.")],
        help_text="Imprimé sur la carte de tiers payant : le type de convention de tiers payant.",
    )
    critere_routage = models.CharField(
        "critère de routage",
        max_length=10,
        default="",
        blank=True,
        validators=[RegexValidator(r"^[A-Z0-9]*$", "Lettres majuscules et chiffres seulement.")],
        help_text="Imprimé sur la carte : l'aiguillage vers l'opérateur de tiers payant (vide : le numéro AMC).",
    )
    telephone_professionnels = models.CharField(
        "téléphone des professionnels de santé",
        max_length=20,
        blank=True,
        validators=[telephone_validator],
        help_text="Imprimé sur la carte de tiers payant, pour les prises en charge.",
    )
    siren = models.CharField("SIREN", max_length=9, validators=[validate_siren])
    immatriculation = models.CharField(
        "mention légale",
        max_length=200,
        blank=True,
        help_text="Par exemple : mutuelle soumise au livre II du Code de la mutualité.",
    )
    adresse_ligne1 = models.CharField("adresse", max_length=120)
    adresse_ligne2 = models.CharField("complément d'adresse", max_length=120, blank=True)
    code_postal = models.CharField("code postal", max_length=5, validators=[code_postal_validator])
    ville = models.CharField("ville", max_length=80)
    telephone = models.CharField("téléphone", max_length=20, validators=[telephone_validator])
    horaires = models.CharField(
        "horaires d'ouverture",
        max_length=200,
        help_text="Par exemple : du lundi au vendredi, 9 h – 18 h.",
    )
    email_contact = models.EmailField("email de contact")
    domaine_officiel = models.CharField(
        "domaine officiel",
        max_length=120,
        validators=[RegexValidator(r"^[a-z0-9.-]+\.[a-z]{2,}$", "Un nom de domaine, sans https://.")],
        help_text="Affiché sur la page de connexion pour aider les adhérents à déjouer le hameçonnage.",
    )
    couleur_principale = models.CharField(
        "couleur principale", max_length=7, default="#1d5c4d", validators=[validate_couleur]
    )
    couleur_secondaire = models.CharField(
        "couleur secondaire", max_length=7, default="#e9f3ef", validators=[validate_couleur]
    )
    logo = models.FileField("logo (SVG ou PNG)", upload_to="mutuelle/", blank=True)
    politique_connexion = models.CharField(
        "politique de connexion des adhérents",
        max_length=20,
        choices=PolitiqueConnexion.choices,
        default=PolitiqueConnexion.NUMERO_ADHERENT,
    )
    seuil_verrouillage = models.PositiveSmallIntegerField(
        "échecs avant verrouillage",
        default=3,
        validators=[MinValueValidator(1), MaxValueValidator(20)],
    )
    duree_verrouillage_minutes = models.PositiveSmallIntegerField(
        "durée du verrouillage (minutes)",
        default=30,
        validators=[MinValueValidator(1), MaxValueValidator(24 * 60)],
    )
    seuil_revue_depassement_pct = models.PositiveSmallIntegerField(
        "revue manuelle au-delà d'un dépassement de (% de la BR)",
        default=100,
        validators=[MinValueValidator(0), MaxValueValidator(2000)],
        help_text="Une ligne dont le dépassement dépasse ce pourcentage de la base va en revue manuelle.",
    )
    seuil_revue_montant = models.DecimalField(
        "revue manuelle au-delà d'une part mutuelle de (€)",
        max_digits=12,
        decimal_places=2,
        default=500,
        validators=[MinValueValidator(0)],
    )
    rib_validation_gestionnaire = models.BooleanField(
        "un gestionnaire valide chaque nouveau RIB",
        default=True,
        help_text="Sinon, de nouvelles coordonnées bancaires s'appliquent dès leur saisie (après réauthentification).",
    )
    iban_emetteur = models.CharField(
        "IBAN du compte de paiement",
        max_length=34,
        blank=True,
        help_text="Le compte que la mutuelle débite pour payer les remboursements (fichiers de virement SEPA).",
    )
    bic_emetteur = models.CharField("BIC du compte de paiement", max_length=11, blank=True)

    class Meta:
        verbose_name = "mutuelle"
        verbose_name_plural = "mutuelle"
        constraints = [
            models.CheckConstraint(condition=models.Q(singleton=1), name="mutuelle_une_seule_ligne"),
        ]

    def __str__(self) -> str:
        return self.nom_court


class AuditLog(models.Model):
    """Append-only journal: who did what to which object, with old and new values.

    Written by ``core.services.journal_ecrire`` in the same transaction as the change it records.
    Never holds a secret, a token or a full NIR (see docs/security.md).
    """

    cree_le = models.DateTimeField("date", auto_now_add=True, db_index=True)
    # The journal is append-only (a PostgreSQL trigger refuses UPDATE and DELETE, see
    # ``core.journaux``): deleting an account or a member leaves the rows as they were, pointing at
    # an id that no longer exists, with the par's name kept in ``acteur_libelle``.
    acteur = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="acteur",
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    acteur_libelle = models.CharField("acteur (libellé)", max_length=150, blank=True)
    action = models.CharField(
        "action",
        max_length=100,
        db_index=True,
        validators=[RegexValidator(r"^[a-z_]+(\.[a-z_]+)+$", "Code d'action namespacé attendu.")],
    )
    cible_type = models.CharField("type de l'objet", max_length=100, blank=True)
    cible_id = models.CharField("identifiant de l'objet", max_length=64, blank=True)
    cible_libelle = models.CharField("objet", max_length=200, blank=True)
    adherent = models.ForeignKey(
        "members.Adherent",
        verbose_name="adhérent concerné",
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    ancienne_valeur = models.JSONField("ancienne valeur", null=True, blank=True)
    nouvelle_valeur = models.JSONField("nouvelle valeur", null=True, blank=True)
    message = models.CharField("message", max_length=500, blank=True)
    ip = models.GenericIPAddressField("adresse IP", null=True, blank=True)
    user_agent = models.CharField("navigateur", max_length=300, blank=True)

    class Meta:
        verbose_name = "entrée du journal d'audit"
        verbose_name_plural = "journal d'audit"
        ordering = ["-cree_le", "-id"]
        indexes = [models.Index(fields=["cible_type", "cible_id"], name="audit_cible_idx")]

    def __str__(self) -> str:
        return f"{self.cree_le:%d/%m/%Y %H:%M} {self.action} {self.cible_libelle}"

    @property
    def action_actuelle(self) -> str:
        """The row's action by today's code (a row written before a code was renamed keeps its old one)."""
        action = actions.action_de(self.action)
        return str(action.value) if action is not None else self.action

    @property
    def action_libelle(self) -> str:
        """What was done, in words (``core.actions``)."""
        action = actions.action_de(self.action)
        return str(action.label) if action is not None else self.action


class Sequence(models.Model):
    """Named counters for business numbers (member numbers, contract numbers…).

    Incremented under ``select_for_update`` by ``core.services.sequence_suivante``: no gaps from races,
    no duplicates, on SQLite and PostgreSQL alike.
    """

    nom = models.CharField("nom", max_length=50, unique=True)
    valeur = models.PositiveBigIntegerField("dernière valeur", default=0)

    class Meta:
        verbose_name = "séquence"
        verbose_name_plural = "séquences"

    def __str__(self) -> str:
        return f"{self.nom} = {self.valeur}"


class ReglageFile(models.Model):
    """A queue's service level in working days, set by supervisors (``core.delais``: the defaults)."""

    file = models.CharField("file", max_length=30, unique=True, choices=delais.CHOIX)
    delai_jours = models.PositiveSmallIntegerField(
        "délai de traitement (jours ouvrés)", validators=[MinValueValidator(1), MaxValueValidator(60)]
    )

    class Meta:
        verbose_name = "niveau de service d'une file"
        verbose_name_plural = "niveaux de service des files"
        ordering = ["file"]

    def __str__(self) -> str:
        return f"{self.get_file_display()} : {self.delai_jours} j ouvrés"
