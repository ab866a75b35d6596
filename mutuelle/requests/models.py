"""Requests members send the mutuelle (a document, a contest…), the files attached, and each step
of their handling. The member follows the status; the handler works them from a queue."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from mutuelle.claims.models import (
    Domaine,  # prior approvals are the claims' (AccordPrealable)
    LigneRemboursement,
)
from mutuelle.members.models import Adherent
from regles.money import euros
from regles.moteur import Etape, TraceDecoder, TraceEncoder, trace_lue


class TypeDemande(models.TextChoices):
    DOCUMENT = "document", _("Envoi d'un document")
    CONTESTATION = "contestation", _("Contestation d'un remboursement")
    RIB = "rib", _("Changement de coordonnées bancaires")
    PRISE_EN_CHARGE = "prise_en_charge", _("Demande de prise en charge")
    AJOUT_BENEFICIAIRE = "ajout_beneficiaire", _("Ajout d'un bénéficiaire")
    RETRAIT_BENEFICIAIRE = "retrait_beneficiaire", _("Retrait d'un bénéficiaire")
    ETAT_CIVIL = "etat_civil", _("Changement d'état civil")
    FEUILLE_SOINS = "feuille_soins", _("Feuille de soins")
    CHANGEMENT_FORMULE = "changement_formule", _("Changement de formule")
    RESILIATION = "resiliation", _("Résiliation du contrat")


class Circonstance(models.TextChoices):
    ETRANGER = "etranger", _("Soins à l'étranger")
    NON_CONVENTIONNE = "non_conventionne", _("Praticien non conventionné")
    SANS_TELETRANSMISSION = "sans_teletransmission", _("Pas de télétransmission (feuille papier)")
    MEDECINE_DOUCE = "medecine_douce", _("Ostéopathe, chiropracteur… (facture, non remboursé par la Sécu)")


class StatutDemande(models.TextChoices):
    RECUE = "recue", _("Reçue")
    EN_COURS = "en_cours", _("En cours de traitement")
    COMPLEMENT = "complement", _("Complément demandé")
    TRAITEE = "traitee", _("Traitée")


STATUTS_OUVERTS = (StatutDemande.RECUE, StatutDemande.EN_COURS, StatutDemande.COMPLEMENT)


class ObjetDocument(models.TextChoices):
    REMBOURSEMENT = "remboursement", _("Un remboursement pour lequel une information est demandée")
    DEMANDE = "demande", _("Une de mes demandes en cours")
    AUTRE = "autre", _("Autre chose")


class MotifContestation(models.TextChoices):
    MONTANT = "montant", _("Le montant remboursé me semble faux")
    NON_REMBOURSE = "non_rembourse", _("Ce soin aurait dû être remboursé")
    BENEFICIAIRE = "beneficiaire", _("Le bénéficiaire ou la date ne sont pas les bons")
    DOUBLON = "doublon", _("Ce soin a été remboursé deux fois ou ne me concerne pas")
    AUTRE = "autre", _("Autre raison")


class Decision(models.TextChoices):
    TRAITE = "traite", _("Document pris en compte")
    MAINTENU = "maintenu", _("Remboursement maintenu")
    CORRIGE = "corrige", _("Remboursement corrigé")
    RIB_VALIDE = "rib_valide", _("Coordonnées bancaires validées")
    RIB_REFUSE = "rib_refuse", _("Coordonnées bancaires refusées")
    LIQUIDEE = "liquidee", _("Remboursement calculé")
    APPLIQUEE = "appliquee", _("Modification appliquée")
    REFUSEE = "refusee", _("Modification refusée")
    ACCORD = "accord", _("Accord")
    ACCORD_PARTIEL = "accord_partiel", _("Accord partiel")
    REFUS = "refus", _("Refus")


class Demande(models.Model):
    numero = models.CharField("numéro", max_length=20, unique=True, editable=False)
    adherent = models.ForeignKey(Adherent, verbose_name="adhérent", on_delete=models.PROTECT, related_name="demandes")
    type_demande = models.CharField("type", max_length=24, choices=TypeDemande.choices)
    statut = models.CharField("statut", max_length=12, choices=StatutDemande.choices, default=StatutDemande.RECUE)
    objet = models.CharField("concerne", max_length=20, choices=ObjetDocument.choices, blank=True)
    motif = models.CharField("motif", max_length=20, choices=MotifContestation.choices, blank=True)
    ligne = models.ForeignKey(
        LigneRemboursement,
        verbose_name="remboursement",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="demandes",
    )
    coordonnees = models.ForeignKey(
        "members.CoordonneesBancaires",
        verbose_name="coordonnées bancaires",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="demandes",
    )
    demande_liee = models.ForeignKey(
        "self", verbose_name="demande concernée", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    commentaire = models.TextField("commentaire de l'adhérent", max_length=2000, blank=True)
    domaine = models.CharField("domaine", max_length=16, choices=Domaine.choices, blank=True)
    donnees = models.JSONField(
        "modification demandée", default=dict, blank=True, help_text="Ce que l'adhérent demande de changer."
    )
    beneficiaire = models.ForeignKey(
        "members.Beneficiaire",
        verbose_name="bénéficiaire",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="demandes",
    )
    courtier = models.ForeignKey(
        "brokers.Courtier",
        verbose_name="déposée par le courtier",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="demandes",
        help_text="Une demande déposée par le courtier du contrat pour son client.",
    )
    professionnel = models.CharField("professionnel de santé", max_length=150, blank=True)
    email_professionnel = models.EmailField(
        "email du professionnel", blank=True, help_text="Il reçoit l'accord pour pratiquer le tiers payant."
    )
    montant_estime = models.DecimalField(
        "part mutuelle calculée", max_digits=12, decimal_places=2, null=True, blank=True
    )
    montant_accorde = models.DecimalField(
        "part mutuelle accordée", max_digits=12, decimal_places=2, null=True, blank=True
    )
    document = models.ForeignKey(
        "documents.Document",
        verbose_name="courrier de réponse",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    cree_le = models.DateTimeField("reçue le", auto_now_add=True)
    echeance = models.DateField("à traiter avant le")
    decision = models.CharField("décision", max_length=20, choices=Decision.choices, blank=True)
    reponse = models.TextField("réponse à l'adhérent", max_length=2000, blank=True)
    montant_corrige = models.DecimalField(
        "part mutuelle après correction", max_digits=12, decimal_places=2, null=True, blank=True
    )
    traitee_le = models.DateTimeField("traitée le", null=True, blank=True)
    traitee_par = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="traitée par", on_delete=models.SET_NULL, null=True, blank=True
    )
    # Four-eyes: new bank details with a risk signal are applied only once a second, different person
    # (a responsable) confirms the first validation (``requests.services.demande_avancer``).
    premiere_validation_par = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="première validation par",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    premiere_validation_le = models.DateTimeField("première validation le", null=True, blank=True)
    # A risk signal kept with the request: it was made from a browser new to the account (first seen
    # then), the account having logged in from another one before (``accounts.appareils``).
    appareil_nouveau_le = models.DateTimeField("depuis un navigateur nouveau, vu le", null=True, blank=True)

    class Meta:
        verbose_name = "demande"
        verbose_name_plural = "demandes"
        ordering = ["-cree_le", "-pk"]
        indexes = [
            models.Index(fields=["adherent", "-cree_le"], name="demande_adherent_idx"),
            models.Index(fields=["statut", "echeance"], name="demande_file_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(type_demande="contestation") | models.Q(ligne__isnull=False),
                name="demande_contestation_a_une_ligne",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.numero} — {self.get_type_demande_display()}"

    @property
    def ouverte(self) -> bool:
        return self.statut in STATUTS_OUVERTS

    @property
    def repondue_en_retard(self) -> bool:
        """Closed after its due date (the service level was missed)."""
        from django.utils import timezone

        return self.traitee_le is not None and timezone.localtime(self.traitee_le).date() > self.echeance


class PieceJointe(models.Model):
    """A file attached to a request, as rewritten by ``fichiers.assainir``; its name on disk is
    generated by the server, the member's name for it is only shown."""

    demande = models.ForeignKey(Demande, verbose_name="demande", on_delete=models.CASCADE, related_name="pieces")
    fichier = models.FileField("fichier", upload_to="demandes/%Y/%m/")
    nom = models.CharField("nom donné par l'adhérent", max_length=120)
    type_mime = models.CharField("type", max_length=40)
    taille = models.PositiveIntegerField("taille (octets)")
    pages = models.PositiveSmallIntegerField("pages", default=1)
    sha256 = models.CharField("SHA-256", max_length=64)
    ajoutee_le = models.DateTimeField("ajoutée le", auto_now_add=True)
    par_la_mutuelle = models.BooleanField("ajoutée par la mutuelle", default=False)

    class Meta:
        verbose_name = "pièce jointe"
        verbose_name_plural = "pièces jointes"
        ordering = ["ajoutee_le", "pk"]

    def __str__(self) -> str:
        return self.nom


class EvenementDemande(models.Model):
    """One step of a request: a change of status, a message to the member, a file added."""

    demande = models.ForeignKey(Demande, verbose_name="demande", on_delete=models.CASCADE, related_name="evenements")
    le = models.DateTimeField("le", auto_now_add=True)
    de = models.CharField("ancien statut", max_length=12, blank=True)
    vers = models.CharField("nouveau statut", max_length=12, choices=StatutDemande.choices)
    # Append-only, like the audit journal (``core.journaux``): an account deleted leaves its id here.
    par = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="par",
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        blank=True,
        related_name="+",
    )
    message = models.TextField("message à l'adhérent", max_length=2000, blank=True)

    class Meta:
        verbose_name = "étape d'une demande"
        verbose_name_plural = "étapes des demandes"
        ordering = ["le", "pk"]

    def __str__(self) -> str:
        return f"{self.demande.numero} → {self.get_vers_display()}"


class LigneDevisDemande(models.Model):
    """One line of a devis as the mutuelle quoted it: what the member typed, what the engine computed,
    and the version of the legal parameters it used. Kept for a prior-approval request (``demande``)
    and for an estimate the member saved (``document``, its PDF), so that when the act is paid the
    member reads « estimé X € — payé Y € » and why (``requests.comparaison``)."""

    demande = models.ForeignKey(
        Demande, verbose_name="demande", on_delete=models.CASCADE, related_name="lignes_devis", null=True, blank=True
    )
    document = models.ForeignKey(
        "documents.Document",
        verbose_name="estimation enregistrée",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="lignes_devis",
    )
    beneficiaire = models.ForeignKey(
        "members.Beneficiaire",
        verbose_name="bénéficiaire",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="lignes_devis",
    )
    poste = models.CharField("poste", max_length=40, blank=True)
    garantie = models.ForeignKey(
        "formules.Garantie", verbose_name="garantie appliquée", on_delete=models.SET_NULL, null=True, blank=True
    )
    reste = models.DecimalField("reste à charge calculé", max_digits=12, decimal_places=2, null=True, blank=True)
    trace = models.JSONField("détail du calcul", default=list, blank=True, encoder=TraceEncoder, decoder=TraceDecoder)
    parametres = models.CharField("version des paramètres légaux", max_length=16, blank=True)
    cree_le = models.DateTimeField("estimé le", default=timezone.now)
    soin = models.CharField("code", max_length=10)
    libelle = models.CharField("soin", max_length=120)
    date_soins = models.DateField("date prévue")
    quantite = models.PositiveSmallIntegerField("quantité", default=1)
    montant = models.DecimalField("prix", max_digits=12, decimal_places=2)
    base = models.DecimalField("base de remboursement", max_digits=12, decimal_places=2, null=True, blank=True)
    secteur = models.PositiveSmallIntegerField("secteur", default=1)
    optam = models.BooleanField("OPTAM", default=False)
    secu = models.DecimalField("part Sécurité sociale calculée", max_digits=12, decimal_places=2)
    mutuelle = models.DecimalField("part mutuelle calculée", max_digits=12, decimal_places=2)

    class Meta:
        verbose_name = "ligne de devis"
        verbose_name_plural = "lignes de devis"
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"{self.libelle} — {euros(self.montant)}"

    @property
    def etapes(self) -> list[Etape]:
        return trace_lue(self.trace)
