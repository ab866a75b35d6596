"""Documents issued to members: each PDF is kept, with the hash of its verification code, so anyone
holding the paper can check it at ``/verifier/`` and the member can download it again."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from mutuelle.members.models import Adherent, Contrat


class TypeDocument(models.TextChoices):
    CARTE_TIERS_PAYANT = "carte_tp", _("Carte de tiers payant")
    ATTESTATION_DROITS = "attestation_droits", _("Attestation de droits")
    ATTESTATION_FISCALE = "attestation_fiscale", _("Attestation fiscale")
    RELEVE = "releve", _("Relevé de prestations")
    BULLETIN = "bulletin", _("Bulletin d'adhésion")
    AIDES = "aides", _("Attestation ACS / CSS")
    PRISE_EN_CHARGE = "prise_en_charge", _("Réponse à une demande de prise en charge")
    ESTIMATION = "estimation", _("Estimation d'un devis")


class Impression(models.TextChoices):
    AUCUNE = "", _("Non")
    A_IMPRIMER = "a_imprimer", _("À imprimer et envoyer")
    IMPRIME = "imprime", _("Imprimé et envoyé")


class Document(models.Model):
    adherent = models.ForeignKey(Adherent, verbose_name="adhérent", on_delete=models.PROTECT, related_name="documents")
    contrat = models.ForeignKey(
        Contrat, verbose_name="contrat", on_delete=models.PROTECT, related_name="documents", null=True, blank=True
    )
    type_document = models.CharField("type", max_length=24, choices=TypeDocument.choices)
    titre = models.CharField("titre", max_length=200)
    parametres = models.JSONField("paramètres", default=dict, blank=True)
    fichier = models.FileField("PDF", upload_to="documents/%Y/%m/")
    empreinte = models.CharField("SHA-256 du PDF", max_length=64)
    pages = models.PositiveSmallIntegerField("pages", default=1)
    code_empreinte = models.CharField("SHA-256 du code de vérification", max_length=64, unique=True)
    initiales = models.CharField("initiales affichées à la vérification", max_length=40)
    signature = models.CharField(
        "empreinte du contenu",
        max_length=64,
        blank=True,
        help_text="Pour la carte : change quand un bénéficiaire, la formule ou la validité change.",
    )
    emis_le = models.DateTimeField("émis le", auto_now_add=True)
    valide_du = models.DateField("valable du", null=True, blank=True)
    valide_jusqu_au = models.DateField("valable jusqu'au", null=True, blank=True)
    remplace_le = models.DateTimeField("remplacé le", null=True, blank=True)
    demande_par = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="demandé par",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    impression = models.CharField(
        "envoi postal", max_length=12, choices=Impression.choices, default=Impression.AUCUNE, blank=True
    )
    imprime_le = models.DateTimeField("imprimé le", null=True, blank=True)

    class Meta:
        verbose_name = "document"
        verbose_name_plural = "documents"
        ordering = ["-emis_le", "-pk"]
        indexes = [models.Index(fields=["adherent", "type_document", "-emis_le"], name="document_adherent_type")]

    def __str__(self) -> str:
        return f"{self.titre} — {self.adherent.numero}"

    def periode(self) -> str:
        """What the document covers, for its file name: a tax year, a relevé's dates, a card's year,
        the day an attestation was issued."""
        p = self.parametres or {}
        if self.type_document == TypeDocument.ATTESTATION_FISCALE and p.get("annee"):
            return str(p["annee"])
        if self.type_document == TypeDocument.RELEVE and p.get("du") and p.get("au"):
            return f"{p['du']} au {p['au']}"
        if self.type_document == TypeDocument.BULLETIN and p.get("contrat"):
            return str(p["contrat"])
        du, au = self.valide_du, self.valide_jusqu_au
        if self.type_document == TypeDocument.CARTE_TIERS_PAYANT and du and au:
            return str(du.year) if du.year == au.year else f"{du:%Y-%m-%d} au {au:%Y-%m-%d}"
        return f"{timezone.localtime(self.emis_le):%Y-%m-%d}" if self.emis_le else ""

    def nom_fichier(self, *, numero: bool = False) -> str:
        """The downloaded file's name: « Relevé de prestations 2025-12-01 au 2026-11-30.pdf »,
        « Attestation fiscale 2025.pdf »; with ``numero``, the member's number too (a broker's files)."""
        morceaux = [str(self.get_type_document_display()).replace("/", "-"), self.periode()]
        if numero:
            morceaux.append(self.adherent.numero)
        return " ".join(m for m in morceaux if m) + ".pdf"
