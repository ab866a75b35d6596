"""Brokers (courtiers), their firms (cabinets), the firms' commission rates, and the new memberships
(affiliations) brokers submit for the mutuelle's handlers to accept."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models

from mutuelle.core.iban import iban_masque
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


class TauxCommission(models.Model):
    """The share of the premiums collected that the mutuelle pays a firm, per formula, from a date."""

    cabinet = models.ForeignKey(Cabinet, verbose_name="cabinet", on_delete=models.CASCADE, related_name="taux")
    formule = models.ForeignKey(
        "formules.Formule", verbose_name="formule", on_delete=models.PROTECT, related_name="taux_commission"
    )
    taux = models.DecimalField(
        "taux (%)",
        max_digits=5,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
        help_text="Pourcentage des cotisations encaissées reversé au cabinet.",
    )
    date_debut = models.DateField("à partir du")

    class Meta:
        verbose_name = "taux de commission"
        verbose_name_plural = "taux de commission"
        ordering = ["cabinet", "formule", "-date_debut"]
        constraints = [
            models.UniqueConstraint(fields=["cabinet", "formule", "date_debut"], name="taux_commission_unique"),
            models.CheckConstraint(
                condition=models.Q(taux__gte=0) & models.Q(taux__lte=100), name="taux_commission_0_a_100"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.cabinet} — {self.formule} : {self.taux} % depuis le {self.date_debut:%d/%m/%Y}"


class StatutAffiliation(models.TextChoices):
    SOUMISE = "soumise", "Transmise à la mutuelle"
    ACCEPTEE = "acceptee", "Acceptée"
    REFUSEE = "refusee", "Refusée"


class Affiliation(TimeStampedModel):
    """A new membership a broker enters for a prospect, with the signed bulletin; a handler checks it
    and, on acceptance, the member, the contract, its beneficiaries and the bank account are created.

    ``beneficiaires`` holds the other people to cover, as the broker typed them (checked against the
    ``Beneficiaire`` model's own rules when submitted and again on acceptance)."""

    numero = models.CharField("numéro", max_length=20, unique=True, editable=False)
    courtier = models.ForeignKey(
        Courtier, verbose_name="courtier", on_delete=models.PROTECT, related_name="affiliations"
    )
    statut = models.CharField(
        "statut", max_length=10, choices=StatutAffiliation.choices, default=StatutAffiliation.SOUMISE
    )
    civilite = models.CharField("civilité", max_length=3)
    nom = models.CharField("nom d'usage", max_length=100)
    nom_naissance = models.CharField("nom de naissance", max_length=100, blank=True)
    prenom = models.CharField("prénom", max_length=100)
    date_naissance = models.DateField("date de naissance")
    sexe = models.CharField("sexe", max_length=1)
    nir = models.CharField("NIR", max_length=15)
    email = models.EmailField("email")
    telephone_mobile = models.CharField("téléphone mobile", max_length=20, blank=True)
    adresse_ligne1 = models.CharField("adresse", max_length=120)
    adresse_ligne2 = models.CharField("complément d'adresse", max_length=120, blank=True)
    code_postal = models.CharField("code postal", max_length=5)
    ville = models.CharField("ville", max_length=80)
    formule = models.ForeignKey(
        "formules.Formule", verbose_name="formule", on_delete=models.PROTECT, related_name="affiliations"
    )
    date_effet = models.DateField("date d'effet")
    beneficiaires = models.JSONField("autres bénéficiaires", default=list, blank=True)
    titulaire = models.CharField("titulaire du compte", max_length=100)
    iban = models.CharField("IBAN", max_length=34)
    bic = models.CharField("BIC", max_length=11)
    bulletin = models.FileField("bulletin signé", upload_to="affiliations/%Y/%m/")
    bulletin_nom = models.CharField("nom du fichier", max_length=120)
    bulletin_sha256 = models.CharField("SHA-256 du bulletin", max_length=64)
    echeance = models.DateField("à traiter avant le")
    motif_refus = models.TextField("motif du refus", max_length=2000, blank=True)
    traitee_le = models.DateTimeField("traitée le", null=True, blank=True)
    traitee_par = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="traitée par",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    contrat = models.OneToOneField(
        "members.Contrat",
        verbose_name="contrat créé",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="affiliation",
    )

    class Meta:
        verbose_name = "affiliation"
        verbose_name_plural = "affiliations"
        ordering = ["-cree_le", "-pk"]
        indexes = [models.Index(fields=["statut", "echeance"], name="affiliation_file_idx")]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(statut="acceptee") | models.Q(contrat__isnull=False),
                name="affiliation_acceptee_a_un_contrat",
            ),
            models.CheckConstraint(
                condition=~models.Q(statut="refusee") | ~models.Q(motif_refus=""),
                name="affiliation_refusee_a_un_motif",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.numero} — {self.prenom} {self.nom}"

    @property
    def iban_masque(self) -> str:

        return iban_masque(self.iban)

    @property
    def ouverte(self) -> bool:
        return self.statut == StatutAffiliation.SOUMISE
