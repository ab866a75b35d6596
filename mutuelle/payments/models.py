"""Payments: SEPA credit-transfer runs (``LotPaiement``), one transfer per payee per run
(``Virement``), the reimbursement lines each transfer pays (``PaiementLigne``), and the bank's status
reports (``RetourBanque``).

Exactly once: a line belongs to at most one *live* transfer (partial unique constraint); a transfer
the bank rejected is no longer live, and its lines can be paid again once the bank details are fixed.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from mutuelle.core.iban import iban_masque
from mutuelle.formules.models import MONEY


class StatutLot(models.TextChoices):
    PREPARE = "prepare", _("Préparé (fichier à produire)")
    GENERE = "genere", _("Fichier produit, à transmettre à la banque")
    TRANSMIS = "transmis", _("Transmis à la banque")
    CLOS = "clos", _("Clos (retour de la banque intégré)")


class LotPaiement(models.Model):
    numero = models.CharField("numéro", max_length=20, unique=True, editable=False)
    cree_le = models.DateTimeField("préparé le", auto_now_add=True)
    cree_par = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="préparé par",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    date_execution = models.DateField("date d'exécution demandée")
    statut = models.CharField("statut", max_length=10, choices=StatutLot.choices, default=StatutLot.PREPARE)
    nb_virements = models.PositiveIntegerField("virements", default=0)
    nb_lignes = models.PositiveIntegerField("remboursements", default=0)
    total = models.DecimalField("montant total", **MONEY, default=0)
    # The pain.001 file, kept as produced: its content and its SHA-256.
    contenu = models.TextField("fichier pain.001", blank=True)
    sha256 = models.CharField("SHA-256 du fichier", max_length=64, blank=True)
    genere_le = models.DateTimeField("fichier produit le", null=True, blank=True)
    transmis_le = models.DateTimeField("transmis le", null=True, blank=True)

    class Meta:
        verbose_name = "lot de paiement"
        verbose_name_plural = "lots de paiement"
        ordering = ["-cree_le", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(statut="prepare") | ~models.Q(sha256=""), name="lot_genere_a_son_fichier"
            ),
        ]

    def __str__(self) -> str:
        return f"Lot {self.numero}"


class TypeBeneficiaire(models.TextChoices):
    ADHERENT = "adherent", _("Adhérent")
    PRATICIEN = "praticien", _("Professionnel de santé (tiers payant)")
    ETABLISSEMENT = "etablissement", _("Établissement (tiers payant)")


class StatutVirement(models.TextChoices):
    EMIS = "emis", _("Émis")
    ACCEPTE = "accepte", _("Accepté par la banque")
    REJETE = "rejete", _("Rejeté par la banque")


class Virement(models.Model):
    lot = models.ForeignKey(LotPaiement, verbose_name="lot", on_delete=models.PROTECT, related_name="virements")
    end_to_end_id = models.CharField("référence de bout en bout", max_length=35, unique=True)
    type_beneficiaire = models.CharField("bénéficiaire", max_length=14, choices=TypeBeneficiaire.choices)
    adherent = models.ForeignKey(
        "members.Adherent",
        verbose_name="adhérent",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="virements",
    )
    coordonnees = models.ForeignKey(
        "members.CoordonneesBancaires",
        verbose_name="compte de l'adhérent",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="virements",
    )
    praticien = models.ForeignKey(
        "referentiel.Praticien",
        verbose_name="professionnel",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    etablissement = models.ForeignKey(
        "referentiel.Etablissement",
        verbose_name="établissement",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # As sent: the account holder, the account, the amount and the text the payee reads.
    nom = models.CharField("titulaire", max_length=70)
    iban = models.CharField("IBAN", max_length=34)
    bic = models.CharField("BIC", max_length=11, blank=True)
    montant = models.DecimalField("montant", **MONEY)
    libelle = models.CharField("libellé", max_length=140)
    statut = models.CharField("statut", max_length=8, choices=StatutVirement.choices, default=StatutVirement.EMIS)
    motif_code = models.CharField("motif de rejet (code)", max_length=4, blank=True)
    motif = models.CharField("motif de rejet", max_length=200, blank=True)
    paye_le = models.DateField("payé le", null=True, blank=True)
    retour_le = models.DateTimeField("retour de la banque le", null=True, blank=True)

    class Meta:
        verbose_name = "virement"
        verbose_name_plural = "virements"
        ordering = ["lot", "pk"]
        constraints = [
            models.CheckConstraint(condition=models.Q(montant__gt=0), name="virement_montant_positif"),
            models.CheckConstraint(
                condition=(models.Q(type_beneficiaire="adherent") & models.Q(adherent__isnull=False))
                | (models.Q(type_beneficiaire="praticien") & models.Q(praticien__isnull=False))
                | (models.Q(type_beneficiaire="etablissement") & models.Q(etablissement__isnull=False)),
                name="virement_beneficiaire_renseigne",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.end_to_end_id} — {self.nom}"

    @property
    def iban_masque(self) -> str:

        return iban_masque(self.iban)


class PaiementLigne(models.Model):
    virement = models.ForeignKey(Virement, verbose_name="virement", on_delete=models.PROTECT, related_name="lignes")
    ligne = models.ForeignKey(
        "claims.LigneRemboursement", verbose_name="remboursement", on_delete=models.PROTECT, related_name="paiements"
    )
    montant = models.DecimalField("montant", **MONEY)
    # False once the bank rejected the transfer: the line may then be paid by another one.
    vivant = models.BooleanField("en vigueur", default=True)

    class Meta:
        verbose_name = "remboursement payé par un virement"
        verbose_name_plural = "remboursements payés par des virements"
        constraints = [
            models.UniqueConstraint(
                fields=["ligne"], condition=models.Q(vivant=True), name="ligne_un_seul_virement_vivant"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.virement} ← ligne {self.ligne_id}"


class RetourBanque(models.Model):
    """A status report (pain.002) the bank sent back, kept whole; the same file twice changes nothing."""

    nom = models.CharField("nom du fichier", max_length=200)
    sha256 = models.CharField("SHA-256", max_length=64, unique=True)
    contenu = models.TextField("contenu")
    message_id = models.CharField("identifiant du rapport", max_length=35)
    lot = models.ForeignKey(LotPaiement, verbose_name="lot", on_delete=models.PROTECT, related_name="retours")
    acceptes = models.PositiveIntegerField("virements acceptés", default=0)
    rejetes = models.PositiveIntegerField("virements rejetés", default=0)
    recu_le = models.DateTimeField("intégré le", auto_now_add=True)
    recu_par = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="intégré par",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = "retour de la banque"
        verbose_name_plural = "retours de la banque"
        ordering = ["-recu_le", "-pk"]

    def __str__(self) -> str:
        return f"{self.nom} ({self.lot})"
