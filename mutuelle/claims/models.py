"""The reimbursement pipeline: NOEMIE files received, their décomptes and lines, statuses, rejets.

A ``LigneRemboursement`` is one act: the Sécu's figures as received, the mutuelle's share computed by
the rules engine with its explanation trace, and a status that only changes through
``claims.services.ligne_transition`` following ``TRANSITIONS``.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from mutuelle.formules.models import MONEY, Formule, Garantie
from mutuelle.members.models import Beneficiaire, Contrat
from mutuelle.referentiel.models import NaturePrestation
from regles.moteur import Etape, TraceDecoder, TraceEncoder, trace_lue
from regles.postes import Poste


class Domaine(models.TextChoices):
    """The domains of care a prior approval covers."""

    OPTIQUE = "optique", _("Optique")
    DENTAIRE = "dentaire", _("Dentaire")
    AUDIO = "audio", _("Aides auditives")
    HOSPITALISATION = "hospitalisation", _("Hospitalisation")


class StatutFichier(models.TextChoices):
    EN_COURS = "en_cours", "En cours d'intégration"
    INTEGRE = "integre", "Intégré"
    REJETE = "rejete", "Rejeté"


class FichierNoemie(models.Model):
    nom = models.CharField("nom du fichier", max_length=255)
    sha256 = models.CharField("empreinte SHA-256", max_length=64)
    taille = models.PositiveBigIntegerField("taille (octets)")
    emetteur = models.PositiveBigIntegerField("organisme émetteur", null=True, blank=True)
    sequence = models.PositiveBigIntegerField("numéro de séquence", null=True, blank=True)
    date_creation = models.DateField("créé par la caisse le", null=True, blank=True)
    statut = models.CharField("statut", max_length=10, choices=StatutFichier.choices)
    erreurs = models.JSONField("erreurs", default=list, blank=True)
    nb_decomptes = models.PositiveIntegerField("décomptes", default=0)
    nb_lignes = models.PositiveIntegerField("lignes", default=0)
    nb_rejets = models.PositiveIntegerField("signalements", default=0)
    total_depense = models.DecimalField("total dépensé", **MONEY, default=0)
    total_amo = models.DecimalField("total versé par la Sécurité sociale", **MONEY, default=0)
    # Now, unless a past file is replayed (the demo's years, another system's history taken over).
    recu_le = models.DateTimeField("reçu le", default=timezone.now)
    integre_le = models.DateTimeField("intégré le", null=True, blank=True)
    recu_par = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="déposé par",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    # While a file is being integrated, its décomptes wait in per-partition spool files here
    # (relative to MEDIA_ROOT), cut into lots; the folder is removed once the file is integrated.
    dossier_lots = models.CharField("dossier des lots", max_length=200, blank=True)
    nb_actes = models.PositiveIntegerField("actes annoncés", default=0)

    class Meta:
        verbose_name = "fichier NOEMIE"
        verbose_name_plural = "fichiers NOEMIE"
        ordering = ["-recu_le"]
        constraints = [
            # A file counts once: by content, and by issuer and sequence number (rejected files aside).
            models.UniqueConstraint(
                fields=["sha256"], condition=~models.Q(statut="rejete"), name="fichier_noemie_contenu_unique"
            ),
            models.UniqueConstraint(
                fields=["emetteur", "sequence"],
                condition=~models.Q(statut="rejete"),
                name="fichier_noemie_sequence_unique",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.nom} ({self.get_statut_display()})"


class LotNoemie(models.Model):
    """A slice of a file's décomptes, integrated in one transaction: the unit of resumption.

    The décomptes of a file are spread over partitions by contract (all the acts of a family fall in
    one partition, so ceilings and renewal periods are consumed in file order); each partition is cut
    into lots of a few thousand acts, processed in ``rang`` order. Partitions run in parallel."""

    fichier = models.ForeignKey(FichierNoemie, verbose_name="fichier", on_delete=models.CASCADE, related_name="lots")
    partition = models.PositiveSmallIntegerField("partition")
    rang = models.PositiveIntegerField("rang dans la partition")
    debut = models.PositiveBigIntegerField("début (octet)")
    fin = models.PositiveBigIntegerField("fin (octet)")
    nb_actes = models.PositiveIntegerField("actes")
    fait = models.BooleanField("intégré", default=False)
    nb_lignes = models.PositiveIntegerField("lignes", default=0)
    nb_rejets = models.PositiveIntegerField("signalements", default=0)
    nb_revue = models.PositiveIntegerField("en revue", default=0)
    integre_le = models.DateTimeField("intégré le", null=True, blank=True)

    class Meta:
        verbose_name = "lot d'intégration"
        verbose_name_plural = "lots d'intégration"
        ordering = ["fichier", "partition", "rang"]
        constraints = [
            models.UniqueConstraint(fields=["fichier", "partition", "rang"], name="lot_unique_par_partition"),
            models.CheckConstraint(condition=models.Q(fin__gte=models.F("debut")), name="lot_fin_apres_debut"),
        ]

    def __str__(self) -> str:
        return f"{self.fichier.nom} — partition {self.partition}, lot {self.rang}"


class OrigineDecompte(models.TextChoices):
    NOEMIE = "noemie", "Flux NOEMIE de la Sécurité sociale"
    FEUILLE_SOINS = "feuille_soins", "Feuille de soins saisie par un gestionnaire"
    CONTESTATION = "contestation", "Correction après une contestation"


class Decompte(models.Model):
    fichier = models.ForeignKey(
        FichierNoemie,
        verbose_name="fichier",
        on_delete=models.PROTECT,
        related_name="decomptes",
        null=True,
        blank=True,
        help_text="Vide pour une feuille de soins saisie à la main.",
    )
    origine = models.CharField(
        "origine", max_length=16, choices=OrigineDecompte.choices, default=OrigineDecompte.NOEMIE
    )
    reference = models.CharField(
        "référence",
        max_length=40,
        blank=True,
        help_text="La demande de l'adhérent, pour une feuille de soins ou une correction après contestation.",
    )
    lot = models.ForeignKey(
        LotNoemie, verbose_name="lot", null=True, blank=True, on_delete=models.SET_NULL, related_name="decomptes"
    )
    numero = models.PositiveBigIntegerField("numéro de décompte (DCT_ORD_NUM)")
    tiers_payant = models.BooleanField("payé au professionnel (tiers payant)", default=False)
    date_paiement_amo = models.DateField("payé par la Sécurité sociale le", null=True, blank=True)

    class Meta:
        verbose_name = "décompte"
        verbose_name_plural = "décomptes"
        ordering = ["fichier", "numero"]
        constraints = [
            models.UniqueConstraint(fields=["fichier", "numero"], name="decompte_unique_par_fichier"),
            models.CheckConstraint(
                condition=models.Q(origine="noemie", fichier__isnull=False)
                | models.Q(origine__in=["feuille_soins", "contestation"], fichier__isnull=True),
                name="decompte_fichier_selon_origine",
            ),
        ]

    def __str__(self) -> str:
        return f"Décompte {self.numero}"


class Statut(models.TextChoices):
    EN_COURS = "en_cours_d_analyse", _("En cours d'analyse")
    COMPLEMENT = "complement_d_information_necessaire", _("Complément d'information nécessaire")
    VALIDE = "valide", _("Validé, paiement à venir")
    PAYE = "paye", _("Remboursement effectué")
    REJETE = "rejete", _("Rejeté")
    # Validated with nothing for the mutuelle to pay (the Sécu covered it all, a ceiling reached, a
    # renewal period not over): the line's life ends there, it never waits for a payment.
    SANS_OBJET = "sans_objet", _("Sans objet : rien à verser")


# What the mutuelle has paid or decided to pay. A line still being analysed (or waiting for a
# document) has an amount that may change: it is counted apart, and for now in the reste à charge.
STATUTS_ACQUIS = (Statut.PAYE, Statut.VALIDE)
STATUTS_EN_ATTENTE = (Statut.EN_COURS, Statut.COMPLEMENT)


# The only allowed status changes; anything else is refused by claims.services.ligne_transition.
TRANSITIONS: dict[str, frozenset[str]] = {
    Statut.EN_COURS: frozenset({Statut.VALIDE, Statut.SANS_OBJET, Statut.COMPLEMENT, Statut.REJETE}),
    Statut.COMPLEMENT: frozenset({Statut.EN_COURS, Statut.REJETE}),
    Statut.VALIDE: frozenset({Statut.PAYE}),
    Statut.PAYE: frozenset(),
    Statut.REJETE: frozenset({Statut.EN_COURS}),
    Statut.SANS_OBJET: frozenset(),
}


class LigneRemboursement(models.Model):
    # Indexes are few on purpose (a million lines a month go in): the unique (décompte, numéro) and
    # (bénéficiaire, date) indexes serve the décompte and beneficiary lookups, (contrat, date) the
    # member space.
    # No foreign-key constraint in the database either (db_constraint=False): on PostgreSQL each one
    # is a deferred trigger per row that locks the referenced row (FOR KEY SHARE) at commit, about a
    # quarter of an ingestion's time. The ingestion takes every id from the database in the same
    # transaction (the décompte's just inserted), and the ORM still refuses to delete a décompte,
    # beneficiary, contract, formula, guarantee or nature that lines point to (PROTECT is enforced by
    # Django, not by the constraint); ``claims.integrity.orphelins`` checks it after the fact.
    decompte = models.ForeignKey(
        Decompte,
        verbose_name="décompte",
        on_delete=models.PROTECT,
        related_name="lignes",
        db_index=False,
        db_constraint=False,
    )
    numero = models.PositiveIntegerField("numéro de ligne (PRS_ORD_NUM)")
    beneficiaire = models.ForeignKey(
        Beneficiaire,
        verbose_name="bénéficiaire",
        on_delete=models.PROTECT,
        related_name="lignes",
        db_index=False,
        db_constraint=False,
    )
    contrat = models.ForeignKey(
        Contrat,
        verbose_name="contrat",
        on_delete=models.PROTECT,
        related_name="lignes",
        db_index=False,
        db_constraint=False,
    )
    formule = models.ForeignKey(
        Formule, verbose_name="formule", on_delete=models.PROTECT, related_name="+", db_index=False, db_constraint=False
    )
    garantie = models.ForeignKey(
        Garantie,
        verbose_name="garantie",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="lignes",
        db_index=False,
        db_constraint=False,
    )
    nature = models.ForeignKey(
        NaturePrestation,
        verbose_name="nature de prestation",
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
        db_constraint=False,
    )
    poste = models.CharField("poste", max_length=40)
    date_soins = models.DateField("date des soins")
    date_fin_soins = models.DateField("fin des soins", null=True, blank=True)
    quantite = models.PositiveIntegerField("quantité", default=1)
    # The Sécu's figures, as received.
    montant_depense = models.DecimalField("montant dépensé", **MONEY)
    base_remboursement = models.DecimalField("base de remboursement", **MONEY)
    taux_amo = models.DecimalField("taux de la Sécurité sociale", max_digits=5, decimal_places=4)
    montant_amo = models.DecimalField("versé par la Sécurité sociale", **MONEY)
    participation_forfaitaire = models.DecimalField("participation forfaitaire", **MONEY, default=0)
    franchise = models.DecimalField("franchises", **MONEY, default=0)
    depassement = models.DecimalField("dépassement", **MONEY, default=0)
    praticien_identifiant = models.CharField("professionnel (RPPS/ADELI)", max_length=11, blank=True)
    praticien_specialite = models.CharField("spécialité", max_length=2, blank=True)
    praticien_secteur = models.PositiveSmallIntegerField("secteur", default=1)
    praticien_optam = models.BooleanField("OPTAM", default=False)
    finess = models.CharField("établissement (FINESS)", max_length=9, blank=True)
    parcours_soins = models.BooleanField("dans le parcours de soins", default=True)
    exoneration = models.PositiveSmallIntegerField("motif d'exonération", default=0)
    # The mutuelle's share, computed by the rules engine.
    montant_amc = models.DecimalField("part de la mutuelle", **MONEY)
    reste_a_charge = models.DecimalField("reste à charge", **MONEY)
    # A rejected line pays nothing: ``montant_amc`` is 0 and the reste à charge all that the Sécu
    # left. What the engine had computed is kept here for the handler, and given back if the line is
    # reopened (``claims.services.ligne_transition``).
    montant_amc_calcule = models.DecimalField(
        "part de la mutuelle calculée avant le rejet", **MONEY, null=True, blank=True
    )
    trace = models.JSONField("explication du calcul", default=list, encoder=TraceEncoder, decoder=TraceDecoder)
    statut = models.CharField("statut", max_length=40, choices=Statut.choices, default=Statut.EN_COURS)
    motif_revue = models.CharField("motif de la revue manuelle", max_length=300, blank=True)
    cree_le = models.DateTimeField("créée le", auto_now_add=True)
    modifie_le = models.DateTimeField("modifiée le", auto_now=True)
    # What identifies an act the Sécu sent, whatever file carries it: issuer, décompte number, line
    # number, beneficiary and date of care (``claims.services.cle_noemie``). Unique, so the same
    # décompte re-sent under another sequence number is never integrated, nor paid, twice. Empty for
    # the lines that do not come from NOEMIE (paper claims, régularisations).
    cle_noemie = models.CharField("acte reçu (clé NOEMIE)", max_length=80, blank=True, default="")

    class Meta:
        verbose_name = "ligne de remboursement"
        verbose_name_plural = "lignes de remboursement"
        ordering = ["-date_soins", "decompte", "numero"]
        constraints = [
            # The idempotency key: a line of a décompte of a file exists once.
            models.UniqueConstraint(fields=["decompte", "numero"], name="ligne_unique_par_decompte"),
            # An act received from the Sécu is integrated once, whatever file (or sequence) carries it.
            models.UniqueConstraint(
                fields=["cle_noemie"], condition=~models.Q(cle_noemie=""), name="ligne_acte_noemie_recu_une_fois"
            ),
            models.CheckConstraint(
                condition=models.Q(montant_amc__gte=0) & models.Q(montant_amo__gte=0) & models.Q(reste_a_charge__gte=0),
                name="ligne_montants_positifs",
            ),
            models.CheckConstraint(condition=models.Q(statut__in=[s.value for s in Statut]), name="ligne_statut_connu"),
        ]
        indexes = [
            # Covering on PostgreSQL: the ingestion reads each lot's beneficiaries' history under
            # ceilings and renewal periods from the index alone (an index-only scan, not ~1 kB of
            # heap row per past line). Elsewhere a plain (bénéficiaire, date) index.
            models.Index(
                fields=["beneficiaire", "date_soins"],
                include=["garantie", "poste", "montant_amc", "quantite", "statut"],
                name="ligne_beneficiaire_histo_idx",
            ),
            models.Index(fields=["statut"], name="ligne_statut_idx"),
            # The member space lists a family's lines (its contracts) newest first: this index replaces
            # the plain contract index, so ingestion pays nothing more for it.
            models.Index(fields=["contrat", "-date_soins"], name="ligne_contrat_date_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.decompte} ligne {self.numero}"

    @property
    def poste_libelle(self) -> str:
        """What a member reads for the act ("Consultation et visite de généraliste"): the
        nomenclature's own labels are capitals without accents."""
        try:
            return gettext(Poste(self.poste).label)
        except ValueError:
            return self.nature.libelle.capitalize()

    @property
    def versement_prevu_le(self) -> Any:
        """The execution date of the accepted transfer that pays this line, while it is still to
        come (``versement_le`` is annotated by the member's lists and set by the detail page)."""
        le = getattr(self, "versement_le", None)
        return le if self.statut == Statut.PAYE and le is not None and le > timezone.localdate() else None

    @property
    def en_attente(self) -> bool:
        """The mutuelle's share is not decided yet (``STATUTS_EN_ATTENTE``)."""
        return self.statut in STATUTS_EN_ATTENTE

    @property
    def reste_a_charge_actuel(self) -> Decimal:
        """What the member has out of pocket today: a share still being analysed is not paid, so it
        stays in the reste à charge until it is decided (as the totals count it)."""
        return self.reste_a_charge + (self.montant_amc if self.en_attente else Decimal("0.00"))

    @property
    def statut_affiche(self) -> str:
        """The status as the member reads it: a transfer the bank accepted for a later day is not
        yet a reimbursement made."""
        if self.versement_prevu_le is not None:
            return gettext("Virement en cours")
        return self.get_statut_display()

    @property
    def etapes(self) -> list[Etape]:
        """The explanation of the computation, step by step (rendered in French when read)."""
        return trace_lue(self.trace)


class EvenementLigne(models.Model):
    """One status change of a line: who, when, from what to what, and why."""

    # Written with the ids just drawn for the lines at ingestion (COPY): no per-row
    # constraint, for the reason given on LigneRemboursement; the ORM still cascades deletions.
    ligne = models.ForeignKey(
        LigneRemboursement,
        verbose_name="ligne",
        on_delete=models.CASCADE,
        related_name="evenements",
        db_constraint=False,
    )
    de = models.CharField("ancien statut", max_length=40, blank=True)
    vers = models.CharField("nouveau statut", max_length=40, choices=Statut.choices)
    # Append-only, like the audit journal (``core.journaux``): an account deleted leaves its id here.
    par = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="par",
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
        db_index=False,
    )
    # When it happened: now, unless past history is replayed (``ligne_transition(le=...)``).
    le = models.DateTimeField("le", default=timezone.now)
    motif = models.CharField("motif", max_length=300, blank=True)

    class Meta:
        verbose_name = "événement"
        verbose_name_plural = "historique des statuts"
        ordering = ["ligne", "le", "pk"]

    def __str__(self) -> str:
        return f"{self.de or '—'} → {self.vers}"


class MotifRejet(models.TextChoices):
    INCONNU = "beneficiaire_inconnu", "Bénéficiaire inconnu de la mutuelle"
    SANS_DROITS = "sans_droits", "Pas de droits ouverts à la date des soins"
    CODE = "prestation_non_liquidable", "Prestation que la mutuelle ne peut pas liquider"
    DEJA_RECU = "deja_recu", "Acte déjà reçu dans un autre fichier"


class RejetNoemie(models.Model):
    """A line the mutuelle could not match or liquidate: kept for handlers and the return to the caisse."""

    fichier = models.ForeignKey(FichierNoemie, verbose_name="fichier", on_delete=models.PROTECT, related_name="rejets")
    decompte_numero = models.PositiveBigIntegerField("décompte")
    ligne_numero = models.PositiveIntegerField("ligne")
    nir = models.CharField("NIR transmis", max_length=15)
    rang_gemellaire = models.PositiveSmallIntegerField("rang gémellaire", default=1)
    date_naissance = models.DateField("date de naissance transmise", null=True, blank=True)
    date_soins = models.DateField("date des soins")
    code_prestation = models.PositiveIntegerField("nature de prestation")
    montant_depense = models.DecimalField("montant dépensé", **MONEY)
    motif = models.CharField("motif", max_length=30, choices=MotifRejet.choices)
    detail = models.CharField("détail", max_length=300, blank=True)
    traite = models.BooleanField("traité", default=False)
    traite_le = models.DateTimeField("traité le", null=True, blank=True)
    traite_par = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="traité par",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    commentaire = models.CharField("suite donnée", max_length=500, blank=True)

    class Meta:
        verbose_name = "signalement NOEMIE"
        verbose_name_plural = "signalements NOEMIE"
        ordering = ["fichier", "decompte_numero", "ligne_numero"]
        constraints = [
            models.UniqueConstraint(
                fields=["fichier", "decompte_numero", "ligne_numero"], name="rejet_unique_par_ligne"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_motif_display()} — décompte {self.decompte_numero} ligne {self.ligne_numero}"


class AccordPrealable(models.Model):
    """A prior approval granted, fully or partly: for whom, which domain of care, from when to when and
    up to which share of the mutuelle. Written when a handler answers a request for prior approval
    (``requests``), read by the liquidation, which pays an act under approval without a handler while
    an approval of its domain is in force on the date of care and still covers the share."""

    numero = models.CharField("numéro de la demande", max_length=20, unique=True)
    demande = models.OneToOneField(
        "requests.Demande",  # requests stand above claims: named, not imported
        verbose_name="demande",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="accord",
    )
    beneficiaire = models.ForeignKey(
        Beneficiaire, verbose_name="bénéficiaire", on_delete=models.PROTECT, related_name="accords"
    )
    domaine = models.CharField("domaine", max_length=16, choices=Domaine.choices)
    date_debut = models.DateField("valable du")
    date_fin = models.DateField("valable jusqu'au")
    montant = models.DecimalField("part mutuelle accordée", **MONEY)
    cree_le = models.DateTimeField("créé le", auto_now_add=True)

    class Meta:
        verbose_name = "accord préalable"
        verbose_name_plural = "accords préalables"
        indexes = [models.Index(fields=["beneficiaire", "domaine"])]
        constraints = [
            models.CheckConstraint(condition=models.Q(montant__gte=0), name="accord_montant_positif"),
            models.CheckConstraint(
                condition=models.Q(date_fin__gte=models.F("date_debut")), name="accord_fin_apres_debut"
            ),
        ]

    def __str__(self) -> str:
        return f"Accord {self.numero}"

    def couvre(self, domaine: str, on: date) -> bool:
        return self.domaine == domaine and self.date_debut <= on <= self.date_fin
