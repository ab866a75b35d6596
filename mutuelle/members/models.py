"""Members, their families, their contracts and rights.

- ``Adherent``: the policy holder (the person who signs and pays).
- ``Contrat``: individual, or under an employer's collective contract; its formula changes by date
  (``ContratFormule``).
- ``Beneficiaire``: every person covered by a contract, the member included, identified as the Sécu
  does (NIR + date of birth + rang gémellaire).
- ``DroitPeriode``: periods of rights (standard, ACS, CSS) per beneficiary: the history a member
  must be able to prove.
- ``Cotisation``: the premium schedule and what was paid (for the attestation fiscale).

Validation lives in ``clean()`` (called by the services through ``full_clean``) and, where the
database can hold it, in constraints.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from mutuelle.core.iban import iban_masque
from mutuelle.core.models import TimeStampedModel, code_postal_validator, fin_apres_debut, telephone_validator
from mutuelle.core.validators import validate_nir, validate_siren
from mutuelle.formules.models import MONEY, Formule
from regles.nir import nir_compact, nir_mask


class Sexe(models.TextChoices):
    HOMME = "1", _("Homme")
    FEMME = "2", _("Femme")


class Civilite(models.TextChoices):
    MONSIEUR = "M.", _("Monsieur")
    MADAME = "Mme", _("Madame")


class PreferenceCourrier(models.TextChoices):
    EMAIL = "email", _("Par email (espace adhérent)")
    PAPIER = "papier", _("Par courrier postal")


def _overlap_q(date_debut, date_fin) -> models.Q:
    """Rows whose [date_debut, date_fin] (open end = None) meets the given period."""
    q = models.Q(date_fin__isnull=True) | models.Q(date_fin__gte=date_debut)
    if date_fin is not None:
        q &= models.Q(date_debut__lte=date_fin)
    return q


def _check_nir_matches_person(nir: str, *, sexe: str | None, date_naissance) -> dict[str, str]:
    """A person's own NIR carries their sex and year (and month when known) of birth."""
    errors: dict[str, str] = {}
    compact = nir_compact(nir or "")
    if len(compact) != 15:
        return errors
    if sexe and compact[0] in "1278" and {"1": "1", "7": "1", "2": "2", "8": "2"}[compact[0]] != sexe:
        errors["nir"] = "Le premier chiffre du NIR ne correspond pas au sexe indiqué."
    if date_naissance is not None and compact[1:3].isdigit():
        if int(compact[1:3]) != date_naissance.year % 100:
            errors["nir"] = "L'année de naissance du NIR ne correspond pas à la date de naissance."
        elif 1 <= int(compact[3:5]) <= 12 and int(compact[3:5]) != date_naissance.month:
            errors["nir"] = "Le mois de naissance du NIR ne correspond pas à la date de naissance."
    return errors


class Employeur(TimeStampedModel):
    """A company holding a collective contract for its employees."""

    raison_sociale = models.CharField("raison sociale", max_length=200)
    siren = models.CharField("SIREN", max_length=9, unique=True, validators=[validate_siren])
    adresse = models.CharField("adresse", max_length=200)
    code_postal = models.CharField("code postal", max_length=5, validators=[code_postal_validator])
    ville = models.CharField("ville", max_length=80)
    email_contact = models.EmailField("email du service RH", blank=True)

    class Meta:
        verbose_name = "employeur"
        verbose_name_plural = "employeurs"
        ordering = ["raison_sociale"]

    def __str__(self) -> str:
        return self.raison_sociale


class Adherent(TimeStampedModel):
    numero = models.CharField("numéro d'adhérent", max_length=12, unique=True, editable=False)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name="compte",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="adherent",
    )
    civilite = models.CharField("civilité", max_length=3, choices=Civilite.choices)
    nom = models.CharField("nom d'usage", max_length=100)
    nom_naissance = models.CharField("nom de naissance", max_length=100, blank=True)
    prenom = models.CharField("prénom", max_length=100)
    date_naissance = models.DateField("date de naissance")
    sexe = models.CharField("sexe", max_length=1, choices=Sexe.choices)
    nir = models.CharField("NIR", max_length=15, unique=True, validators=[validate_nir])
    email = models.EmailField("email", blank=True)
    # The language of what the mutuelle sends the member: documents, emails, notifications (set by
    # the footer's switch; see docs/architecture.md « Languages »).
    langue = models.CharField("langue", max_length=5, choices=[("fr", "Français"), ("en", "English")], default="fr")
    telephone_mobile = models.CharField("téléphone mobile", max_length=20, blank=True, validators=[telephone_validator])
    telephone_fixe = models.CharField("téléphone fixe", max_length=20, blank=True, validators=[telephone_validator])
    adresse_ligne1 = models.CharField("adresse", max_length=120)
    adresse_ligne2 = models.CharField("complément d'adresse", max_length=120, blank=True)
    code_postal = models.CharField("code postal", max_length=5, validators=[code_postal_validator])
    ville = models.CharField("ville", max_length=80)
    preference_courrier = models.CharField(
        "envoi des courriers",
        max_length=10,
        choices=PreferenceCourrier.choices,
        default=PreferenceCourrier.EMAIL,
    )

    class Meta:
        verbose_name = "adhérent"
        verbose_name_plural = "adhérents"
        ordering = ["nom", "prenom"]
        indexes = [models.Index(fields=["nom", "prenom"], name="adherent_nom_idx")]

    def __str__(self) -> str:
        return f"{self.prenom} {self.nom} ({self.numero})"

    def clean(self) -> None:
        if self.nir:
            self.nir = nir_compact(self.nir)
        errors = _check_nir_matches_person(self.nir, sexe=self.sexe, date_naissance=self.date_naissance)
        if self.nom_naissance == self.nom:
            self.nom_naissance = ""
        if errors:
            raise ValidationError(errors)

    @property
    def nir_masque(self) -> str:
        return nir_mask(self.nir)

    @property
    def nom_complet(self) -> str:
        return f"{self.get_civilite_display()} {self.prenom} {self.nom}"


class TypeContrat(models.TextChoices):
    INDIVIDUEL = "individuel", _("Individuel")
    COLLECTIF = "collectif", _("Collectif (entreprise)")


class StatutContrat(models.TextChoices):
    ACTIF = "actif", _("Actif")
    SUSPENDU = "suspendu", _("Suspendu")
    RESILIE = "resilie", _("Résilié")


class Contrat(TimeStampedModel):
    numero = models.CharField("numéro de contrat", max_length=20, unique=True, editable=False)
    adherent = models.ForeignKey(Adherent, verbose_name="adhérent", on_delete=models.PROTECT, related_name="contrats")
    type_contrat = models.CharField("type", max_length=12, choices=TypeContrat.choices)
    employeur = models.ForeignKey(
        Employeur,
        verbose_name="employeur",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="contrats",
    )
    courtier = models.ForeignKey(
        "brokers.Courtier",  # brokers stand above members: named, not imported
        verbose_name="courtier",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="contrats",
    )
    date_debut = models.DateField("date d'effet")
    date_fin = models.DateField("date de fin", null=True, blank=True)
    statut = models.CharField("statut", max_length=10, choices=StatutContrat.choices, default=StatutContrat.ACTIF)
    motif_fin = models.CharField("motif de fin", max_length=200, blank=True)

    class Meta:
        verbose_name = "contrat"
        verbose_name_plural = "contrats"
        ordering = ["-date_debut", "numero"]
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(type_contrat="collectif") & models.Q(employeur__isnull=False))
                | (models.Q(type_contrat="individuel") & models.Q(employeur__isnull=True)),
                name="contrat_collectif_a_un_employeur",
            ),
            fin_apres_debut("contrat_fin_apres_debut"),
            models.CheckConstraint(
                condition=~models.Q(statut="resilie") | models.Q(date_fin__isnull=False),
                name="contrat_resilie_a_une_fin",
            ),
        ]

    def __str__(self) -> str:
        return self.numero

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if self.type_contrat == TypeContrat.COLLECTIF and not self.employeur_id:
            errors["employeur"] = "Un contrat collectif est rattaché à un employeur."
        if self.type_contrat == TypeContrat.INDIVIDUEL and self.employeur_id:
            errors["employeur"] = "Un contrat individuel n'a pas d'employeur."
        if self.date_fin and self.date_debut and self.date_fin < self.date_debut:
            errors["date_fin"] = "La date de fin précède la date d'effet."
        if self.statut == StatutContrat.RESILIE and not self.date_fin:
            errors["date_fin"] = "Un contrat résilié a une date de fin."
        if errors:
            raise ValidationError(errors)


class ContratFormule(models.Model):
    """Which formula a contract has, from which date (changes happen at dates)."""

    contrat = models.ForeignKey(Contrat, verbose_name="contrat", on_delete=models.CASCADE, related_name="formules")
    formule = models.ForeignKey(Formule, verbose_name="formule", on_delete=models.PROTECT, related_name="contrats")
    date_debut = models.DateField("du")
    date_fin = models.DateField("au", null=True, blank=True)

    class Meta:
        verbose_name = "formule du contrat"
        verbose_name_plural = "formules du contrat (historique)"
        ordering = ["contrat", "date_debut"]
        constraints = [
            models.UniqueConstraint(fields=["contrat", "date_debut"], name="contrat_formule_unique_debut"),
            models.UniqueConstraint(
                fields=["contrat"],
                condition=models.Q(date_fin__isnull=True),
                name="contrat_formule_une_seule_ouverte",
            ),
            fin_apres_debut("contrat_formule_fin_apres_debut"),
        ]

    def __str__(self) -> str:
        fin = f" au {self.date_fin:%d/%m/%Y}" if self.date_fin else ""
        return f"{self.formule} du {self.date_debut:%d/%m/%Y}{fin}"

    def clean(self) -> None:
        if self.date_fin and self.date_debut and self.date_fin < self.date_debut:
            raise ValidationError({"date_fin": "La date de fin précède la date de début."})
        if self.contrat_id and self.date_debut:
            contrat = self.contrat
            if self.date_debut < contrat.date_debut:
                raise ValidationError({"date_debut": "La formule ne peut pas commencer avant le contrat."})
            if (
                ContratFormule.objects.filter(contrat_id=self.contrat_id)
                .exclude(pk=self.pk)
                .filter(_overlap_q(self.date_debut, self.date_fin))
                .exists()
            ):
                raise ValidationError(
                    "Ce contrat a déjà une formule sur cette période : un changement de formule "
                    "ferme la précédente la veille de la date d'effet."
                )


class Qualite(models.TextChoices):
    ASSURE = "assure", _("Assuré principal")
    CONJOINT = "conjoint", _("Conjoint, concubin ou partenaire de PACS")
    ENFANT = "enfant", _("Enfant")
    AUTRE = "autre", _("Autre ayant droit")


class Beneficiaire(TimeStampedModel):
    """A person covered by a contract, known to the Sécu by NIR + date of birth + rang gémellaire.

    ``nir`` is the NIR under which the Sécu reimburses this person: their own (``nir_personnel``)
    or the NIR of the parent they are attached to (children, for instance).
    """

    contrat = models.ForeignKey(Contrat, verbose_name="contrat", on_delete=models.CASCADE, related_name="beneficiaires")
    qualite = models.CharField("qualité", max_length=10, choices=Qualite.choices)
    nom = models.CharField("nom", max_length=100)
    prenom = models.CharField("prénom", max_length=100)
    date_naissance = models.DateField("date de naissance")
    sexe = models.CharField("sexe", max_length=1, choices=Sexe.choices)
    nir = models.CharField("NIR", max_length=15, validators=[validate_nir])
    nir_personnel = models.BooleanField(
        "NIR personnel",
        default=True,
        help_text="Décoché : la personne est rattachée au NIR d'un parent (ouvrant droit).",
    )
    rang_gemellaire = models.PositiveSmallIntegerField(
        "rang gémellaire",
        default=1,
        validators=[MinValueValidator(1), MaxValueValidator(9)],
        help_text="Distingue des jumeaux rattachés au même NIR (1 en général).",
    )
    regime_local = models.BooleanField(
        "régime local d'Alsace-Moselle",
        default=False,
        help_text="Le régime local complète le ticket modérateur.",
    )
    date_entree = models.DateField("couvert depuis")
    date_sortie = models.DateField("couvert jusqu'au", null=True, blank=True)

    class Meta:
        verbose_name = "bénéficiaire"
        verbose_name_plural = "bénéficiaires"
        ordering = ["contrat", "date_naissance"]
        constraints = [
            models.UniqueConstraint(
                fields=["contrat", "nir", "date_naissance", "rang_gemellaire"],
                name="beneficiaire_unique_par_contrat",
            ),
            models.UniqueConstraint(
                fields=["contrat"],
                condition=models.Q(qualite="assure"),
                name="beneficiaire_un_assure_par_contrat",
            ),
            models.CheckConstraint(
                condition=models.Q(rang_gemellaire__gte=1) & models.Q(rang_gemellaire__lte=9),
                name="beneficiaire_rang_1_a_9",
            ),
            fin_apres_debut("beneficiaire_sortie_apres_entree", debut="date_entree", fin="date_sortie"),
        ]
        indexes = [models.Index(fields=["nir", "rang_gemellaire"], name="beneficiaire_nir_idx")]

    def __str__(self) -> str:
        return f"{self.prenom} {self.nom}"

    def clean(self) -> None:
        if self.nir:
            self.nir = nir_compact(self.nir)
        errors: dict[str, str] = {}
        if self.nir_personnel:
            errors.update(_check_nir_matches_person(self.nir, sexe=self.sexe, date_naissance=self.date_naissance))
        elif self.qualite == Qualite.ASSURE:
            errors["nir_personnel"] = "L'assuré principal est identifié par son propre NIR."
        if self.date_sortie and self.date_entree and self.date_sortie < self.date_entree:
            errors["date_sortie"] = "La date de sortie précède la date d'entrée."
        if errors:
            raise ValidationError(errors)

    @property
    def nir_masque(self) -> str:
        return nir_mask(self.nir)


class TypeDroit(models.TextChoices):
    STANDARD = "standard", _("Droits au titre du contrat")
    ACS = "acs", _("Aide au paiement d'une complémentaire santé (ACS)")
    CSS = "css", _("Complémentaire santé solidaire (CSS)")


class DroitPeriode(TimeStampedModel):
    beneficiaire = models.ForeignKey(
        Beneficiaire, verbose_name="bénéficiaire", on_delete=models.CASCADE, related_name="droits"
    )
    type_droit = models.CharField("type", max_length=10, choices=TypeDroit.choices, default=TypeDroit.STANDARD)
    date_debut = models.DateField("du")
    date_fin = models.DateField("au", null=True, blank=True)
    reference = models.CharField(
        "référence",
        max_length=60,
        blank=True,
        help_text="Par exemple le numéro d'attestation ACS ou de décision CSS.",
    )

    class Meta:
        verbose_name = "période de droits"
        verbose_name_plural = "périodes de droits"
        ordering = ["beneficiaire", "date_debut"]
        constraints = [
            fin_apres_debut("droit_fin_apres_debut"),
            models.UniqueConstraint(fields=["beneficiaire", "type_droit", "date_debut"], name="droit_unique_debut"),
        ]

    def __str__(self) -> str:
        valeurs = {"droit": self.get_type_droit_display(), "du": f"{self.date_debut:%d/%m/%Y}"}
        if self.date_fin:
            return gettext("%(droit)s du %(du)s au %(au)s") % {**valeurs, "au": f"{self.date_fin:%d/%m/%Y}"}
        return gettext("%(droit)s du %(du)s") % valeurs

    def clean(self) -> None:
        if self.date_fin and self.date_debut and self.date_fin < self.date_debut:
            raise ValidationError({"date_fin": "La date de fin précède la date de début."})
        if (
            self.beneficiaire_id
            and self.date_debut
            and DroitPeriode.objects.filter(beneficiaire_id=self.beneficiaire_id, type_droit=self.type_droit)
            .exclude(pk=self.pk)
            .filter(_overlap_q(self.date_debut, self.date_fin))
            .exists()
        ):
            raise ValidationError("Une période de droits du même type couvre déjà ces dates.")


class ModePaiement(models.TextChoices):
    PRELEVEMENT = "prelevement", _("Prélèvement SEPA")
    VIREMENT = "virement", _("Virement")
    CHEQUE = "cheque", _("Chèque")
    PRECOMPTE = "precompte", _("Précompte sur salaire (employeur)")


class Cotisation(TimeStampedModel):
    """One monthly premium call on a contract, and what was paid against it."""

    contrat = models.ForeignKey(Contrat, verbose_name="contrat", on_delete=models.PROTECT, related_name="cotisations")
    echeance = models.DateField("échéance", help_text="Premier jour du mois couvert.")
    montant = models.DecimalField("montant appelé", **MONEY)
    montant_paye = models.DecimalField("montant payé", **MONEY, default=0)
    date_paiement = models.DateField("payée le", null=True, blank=True)
    mode_paiement = models.CharField("mode de paiement", max_length=12, choices=ModePaiement.choices)

    class Meta:
        verbose_name = "cotisation"
        verbose_name_plural = "cotisations"
        ordering = ["contrat", "echeance"]
        constraints = [
            models.UniqueConstraint(fields=["contrat", "echeance"], name="cotisation_une_par_echeance"),
            models.CheckConstraint(condition=models.Q(montant__gte=0), name="cotisation_montant_positif"),
            models.CheckConstraint(
                condition=models.Q(montant_paye__gte=0) & models.Q(montant_paye__lte=models.F("montant")),
                name="cotisation_paye_entre_0_et_appele",
            ),
            models.CheckConstraint(
                condition=models.Q(montant_paye=0) | models.Q(date_paiement__isnull=False),
                name="cotisation_paiement_date",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.contrat} {self.echeance:%m/%Y}"

    @property
    def solde(self):
        return self.montant - self.montant_paye

    def clean(self) -> None:
        if self.echeance and self.echeance.day != 1:
            raise ValidationError({"echeance": "L'échéance est le premier jour du mois couvert."})
        if self.montant_paye and not self.date_paiement:
            raise ValidationError({"date_paiement": "Indiquez la date du paiement."})


class StatutRib(models.TextChoices):
    EN_ATTENTE = "en_attente", _("En attente de validation")
    ACTIF = "actif", _("Compte de remboursement")
    REMPLACE = "remplace", _("Remplacé")
    REFUSE = "refuse", _("Refusé")
    REJETE = "rejete", _("Rejeté par la banque")


class CoordonneesBancaires(TimeStampedModel):
    """The account the mutuelle pays a member's reimbursements into. A new one waits for a handler
    to check it against the RIB scan (unless the mutuelle trusts it at once); until then payments go
    to the active one. Shown masked everywhere (``iban_masque``), never written to logs."""

    adherent = models.ForeignKey(
        Adherent, verbose_name="adhérent", on_delete=models.PROTECT, related_name="coordonnees_bancaires"
    )
    titulaire = models.CharField("titulaire du compte", max_length=100)
    iban = models.CharField("IBAN", max_length=34)
    bic = models.CharField("BIC", max_length=11)
    statut = models.CharField("statut", max_length=12, choices=StatutRib.choices, default=StatutRib.EN_ATTENTE)
    actif_depuis = models.DateTimeField("actif depuis", null=True, blank=True)

    class Meta:
        verbose_name = "coordonnées bancaires"
        verbose_name_plural = "coordonnées bancaires"
        ordering = ["-cree_le", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["adherent"], condition=models.Q(statut="actif"), name="rib_un_seul_actif_par_adherent"
            ),
            models.UniqueConstraint(
                fields=["adherent"], condition=models.Q(statut="en_attente"), name="rib_un_seul_en_attente"
            ),
        ]

    def __str__(self) -> str:

        return f"{iban_masque(self.iban)} — {self.titulaire}"

    @property
    def iban_masque(self) -> str:

        return iban_masque(self.iban)


class StatutExport(models.TextChoices):
    EN_COURS = "en_cours", _("En préparation")
    PRET = "pret", _("Prête")
    EXPIRE = "expire", _("Expirée")
    ECHEC = "echec", _("Échec")


class ExportDonnees(models.Model):
    """« Mes données »: an archive of everything the mutuelle holds on a member and their family,
    made in the background, downloadable by that member for 7 days through an emailed link."""

    adherent = models.ForeignKey(Adherent, verbose_name="adhérent", on_delete=models.CASCADE, related_name="exports")
    statut = models.CharField("statut", max_length=10, choices=StatutExport.choices, default=StatutExport.EN_COURS)
    fichier = models.FileField("archive", upload_to="exports/%Y/%m/", blank=True)
    taille = models.PositiveBigIntegerField("taille (octets)", default=0)
    jeton_empreinte = models.CharField("SHA-256 du lien", max_length=64, unique=True)
    cree_le = models.DateTimeField("demandée le", auto_now_add=True)
    pret_le = models.DateTimeField("prête le", null=True, blank=True)
    expire_le = models.DateTimeField("expire le", null=True, blank=True)
    telecharge_le = models.DateTimeField("téléchargée le", null=True, blank=True)

    class Meta:
        verbose_name = "export de données personnelles"
        verbose_name_plural = "exports de données personnelles"
        ordering = ["-cree_le", "-pk"]

    def __str__(self) -> str:
        return f"Export {self.pk} — {self.adherent}"
