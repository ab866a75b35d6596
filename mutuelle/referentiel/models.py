"""Reference data: the prestation nomenclature, practitioners and health establishments."""

from __future__ import annotations

from django.db import models

from mutuelle.core.models import TimeStampedModel, code_postal_validator
from mutuelle.core.validators import validate_adeli, validate_finess, validate_rpps
from regles.postes import POSTE_CHOICES, Poste


class NaturePrestation(TimeStampedModel):
    """One code of the SNDS nomenclature IR_NAT_V (``PRS_NAT_REF`` in NOEMIE), with its poste."""

    code = models.PositiveIntegerField("code (PRS_NAT)", unique=True)
    code_b2 = models.CharField(
        "lettre-clé B2",
        max_length=40,
        blank=True,
        db_index=True,
        help_text="Une ou plusieurs clés séparées par « / » (par exemple PH4/PG4).",
    )
    libelle = models.CharField("libellé", max_length=200)
    poste = models.CharField("poste de garantie", max_length=40, choices=POSTE_CHOICES, default=Poste.AUTRE.value)
    date_ouverture = models.DateField("ouvert le", null=True, blank=True)
    date_fermeture = models.DateField("fermé le", null=True, blank=True)
    observation = models.CharField("observation", max_length=200, blank=True)
    source = models.CharField(
        "source",
        max_length=60,
        default="manuel",
        help_text="IR_NAT_V (chargé par commande) ou manuel (ajouté dans l'administration).",
    )

    class Meta:
        verbose_name = "nature de prestation"
        verbose_name_plural = "natures de prestation"
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(date_fermeture__isnull=True)
                | models.Q(date_ouverture__isnull=True)
                | models.Q(date_fermeture__gte=models.F("date_ouverture")),
                name="nature_fermeture_apres_ouverture",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.code_b2} — {self.libelle}" if self.code_b2 else f"{self.code} — {self.libelle}"

    @property
    def cles_b2(self) -> list[str]:
        return [k.strip() for k in self.code_b2.split("/") if k.strip()]


class Secteur(models.TextChoices):
    SECTEUR_1 = "1", "Secteur 1 (tarifs conventionnels)"
    SECTEUR_2 = "2", "Secteur 2 (honoraires libres)"
    NON_CONVENTIONNE = "3", "Non conventionné"


class Specialite(models.TextChoices):
    """Codes of the practitioner's specialty (``PSE_SPE_COD``), the most frequent ones."""

    MEDECINE_GENERALE = "01", "Médecine générale"
    ANESTHESIE = "02", "Anesthésie-réanimation"
    CARDIOLOGIE = "03", "Cardiologie"
    CHIRURGIE_GENERALE = "04", "Chirurgie générale"
    DERMATOLOGIE = "05", "Dermatologie et vénérologie"
    RADIOLOGIE = "06", "Radiologie"
    GYNECOLOGIE_OBSTETRIQUE = "07", "Gynécologie obstétrique"
    GASTRO_ENTEROLOGIE = "08", "Gastro-entérologie"
    MEDECINE_INTERNE = "09", "Médecine interne"
    ORL = "11", "Oto-rhino-laryngologie"
    PEDIATRIE = "12", "Pédiatrie"
    PNEUMOLOGIE = "13", "Pneumologie"
    RHUMATOLOGIE = "14", "Rhumatologie"
    OPHTALMOLOGIE = "15", "Ophtalmologie"
    STOMATOLOGIE = "18", "Stomatologie"
    CHIRURGIEN_DENTISTE = "19", "Chirurgien-dentiste"
    SAGE_FEMME = "21", "Sage-femme"
    INFIRMIER = "24", "Infirmier"
    KINESITHERAPEUTE = "26", "Masseur-kinésithérapeute"
    PEDICURE_PODOLOGUE = "27", "Pédicure-podologue"
    ORTHOPHONISTE = "28", "Orthophoniste"
    ORTHOPTISTE = "29", "Orthoptiste"
    LABORATOIRE = "30", "Laboratoire d'analyses médicales"
    NEUROLOGIE = "32", "Neurologie"
    PSYCHIATRIE = "33", "Psychiatrie"
    DENTISTE_ODF = "36", "Chirurgien-dentiste spécialiste en orthopédie dento-faciale"
    ENDOCRINOLOGIE = "42", "Endocrinologie et métabolisme"
    PHARMACIEN = "50", "Pharmacien"
    OPTICIEN = "64", "Opticien-lunetier"
    AUDIOPROTHESISTE = "65", "Audioprothésiste"


class Praticien(TimeStampedModel):
    """A health professional, identified by RPPS (or ADELI for those not yet in RPPS)."""

    rpps = models.CharField("RPPS", max_length=11, unique=True, null=True, blank=True, validators=[validate_rpps])
    adeli = models.CharField("ADELI", max_length=9, unique=True, null=True, blank=True, validators=[validate_adeli])
    civilite = models.CharField("civilité", max_length=10, blank=True)
    nom = models.CharField("nom", max_length=100)
    prenom = models.CharField("prénom", max_length=100, blank=True)
    specialite = models.CharField("spécialité", max_length=2, choices=Specialite.choices)
    secteur = models.CharField(
        "secteur conventionnel", max_length=1, choices=Secteur.choices, default=Secteur.SECTEUR_1
    )
    optam = models.BooleanField(
        "adhérent OPTAM / OPTAM-CO",
        default=False,
        help_text="Option de pratique tarifaire maîtrisée (médecins de secteur 2).",
    )
    code_postal = models.CharField("code postal", max_length=5, blank=True, validators=[code_postal_validator])
    ville = models.CharField("ville", max_length=80, blank=True)
    # Where the mutuelle pays its share under tiers payant (empty: the payee is listed for a handler).
    iban = models.CharField("IBAN (tiers payant)", max_length=34, blank=True)
    bic = models.CharField("BIC", max_length=11, blank=True)
    iban_rejete_le = models.DateTimeField(
        "IBAN rejeté par la banque le",
        null=True,
        blank=True,
        help_text="Un virement vers ce compte a été rejeté : corrigez l'IBAN puis videz ce champ.",
    )

    class Meta:
        verbose_name = "praticien"
        verbose_name_plural = "praticiens"
        ordering = ["nom", "prenom"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(rpps__isnull=False) | models.Q(adeli__isnull=False),
                name="praticien_rpps_ou_adeli",
            ),
            models.CheckConstraint(
                condition=models.Q(optam=False) | models.Q(secteur="2"),
                name="praticien_optam_secteur_2",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.civilite} {self.prenom} {self.nom}".strip()

    @property
    def identifiant(self) -> str:
        return self.rpps or self.adeli or ""


class CategorieEtablissement(models.TextChoices):
    PUBLIC = "public", "Établissement public"
    PRIVE_NON_LUCRATIF = "prive_non_lucratif", "Privé à but non lucratif"
    PRIVE = "prive", "Clinique privée"


class Etablissement(TimeStampedModel):
    finess = models.CharField("FINESS", max_length=9, unique=True, validators=[validate_finess])
    raison_sociale = models.CharField("raison sociale", max_length=200)
    categorie = models.CharField("catégorie", max_length=20, choices=CategorieEtablissement.choices)
    adresse = models.CharField("adresse", max_length=200, blank=True)
    code_postal = models.CharField("code postal", max_length=5, validators=[code_postal_validator])
    ville = models.CharField("ville", max_length=80)
    # Where the mutuelle pays its share under tiers payant (empty: the payee is listed for a handler).
    iban = models.CharField("IBAN (tiers payant)", max_length=34, blank=True)
    bic = models.CharField("BIC", max_length=11, blank=True)
    iban_rejete_le = models.DateTimeField(
        "IBAN rejeté par la banque le",
        null=True,
        blank=True,
        help_text="Un virement vers ce compte a été rejeté : corrigez l'IBAN puis videz ce champ.",
    )

    class Meta:
        verbose_name = "établissement de santé"
        verbose_name_plural = "établissements de santé"
        ordering = ["raison_sociale"]

    def __str__(self) -> str:
        return f"{self.raison_sociale} ({self.ville})"
