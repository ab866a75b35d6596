"""Formulas (levels of cover) and their guarantees, with effect dates.

A guarantee says what the mutuelle pays for one *poste*. Percentages of the BR include the Sécu's
share (the market's convention: "200 % BR" means AMO + AMC together reach twice the BR).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from mutuelle.core.models import TimeStampedModel, fin_apres_debut
from mutuelle.core.templatetags.format_fr import euros, montant_fr
from regles.money import ZERO
from regles.moteur import TypeGarantie
from regles.postes import POSTE_CHOICES, Poste

MONEY: dict[str, Any] = {"max_digits": 12, "decimal_places": 2}


class Formule(TimeStampedModel):
    code = models.SlugField("code", max_length=30, unique=True)
    libelle = models.CharField("libellé", max_length=100)
    niveau = models.PositiveSmallIntegerField("niveau", help_text="1 pour l'entrée de gamme.")
    responsable = models.BooleanField(
        "contrat responsable",
        default=True,
        help_text="Respecte les planchers et plafonds des articles L871-1, R871-1 et R871-2 du CSS.",
    )
    description = models.TextField("description", blank=True)
    cotisation_mensuelle_adulte = models.DecimalField(
        "cotisation mensuelle par adulte", **MONEY, validators=[MinValueValidator(Decimal("0"))]
    )
    cotisation_mensuelle_enfant = models.DecimalField(
        "cotisation mensuelle par enfant", **MONEY, validators=[MinValueValidator(Decimal("0"))]
    )
    date_lancement = models.DateField("commercialisée depuis")
    date_retrait = models.DateField("retirée de la vente le", null=True, blank=True)

    class Meta:
        verbose_name = "formule"
        verbose_name_plural = "formules"
        ordering = ["niveau", "code"]
        constraints = [
            fin_apres_debut("formule_retrait_apres_lancement", debut="date_lancement", fin="date_retrait"),
        ]

    def __str__(self) -> str:
        return self.libelle


# The kinds of guarantee are the rules engine's (``regles.moteur.TypeGarantie``, one enum for the
# engine and the catalogue); the catalogue adds what a person reads.
CHOIX_TYPE_GARANTIE = [
    (TypeGarantie.BR.value, _("% de la base de remboursement (Sécu incluse)")),
    (TypeGarantie.FORFAIT.value, _("Forfait en euros")),
    (TypeGarantie.FRAIS_REELS.value, _("% des frais réels")),
    (TypeGarantie.CENT_POUR_CENT_SANTE.value, _("100 % Santé : reste à charge zéro")),
]


class QualificationPraticien(models.TextChoices):
    TOUS = "tous", _("Tous praticiens")
    OPTAM = "optam", _("Secteur 1 ou adhérent OPTAM / OPTAM-CO")
    NON_OPTAM = "non_optam", _("Secteur 2 non adhérent OPTAM")


class Periode(models.TextChoices):
    ANNEE_CIVILE = "annee_civile", _("Année civile")
    ANNEES_GLISSANTES = "annees_glissantes", _("Années glissantes depuis le premier soin")


class Garantie(TimeStampedModel):
    formule = models.ForeignKey(Formule, verbose_name="formule", on_delete=models.CASCADE, related_name="garanties")
    poste = models.CharField("poste", max_length=40, choices=POSTE_CHOICES)
    praticien = models.CharField(
        "praticien",
        max_length=10,
        choices=QualificationPraticien.choices,
        default=QualificationPraticien.TOUS,
    )
    libelle = models.CharField("libellé affiché", max_length=150)
    type_garantie = models.CharField("type", max_length=12, choices=CHOIX_TYPE_GARANTIE)
    taux = models.DecimalField(
        "taux (%)",
        max_digits=6,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("2000"))],
    )
    montant = models.DecimalField(
        "forfait (€)",
        **MONEY,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0"))],
        help_text="Pour un forfait : le montant par acte (ou par période avec un plafond).",
    )
    forfait_complement = models.DecimalField(
        "forfait en complément (€)",
        **MONEY,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0"))],
        help_text="Montant ajouté au pourcentage de la BR, par exemple « 100 % BR + 150 € ».",
    )
    plafond_montant = models.DecimalField(
        "plafond par période (€)",
        **MONEY,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0"))],
        help_text="Montant maximal versé par la mutuelle par bénéficiaire et par période.",
    )
    plafond_nombre = models.PositiveSmallIntegerField(
        "nombre maximal d'actes par période",
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
    )
    periode = models.CharField(
        "période du plafond", max_length=20, choices=Periode.choices, default=Periode.ANNEE_CIVILE
    )
    periode_annees = models.PositiveSmallIntegerField(
        "durée de la période (années)",
        default=1,
        validators=[MinValueValidator(1), MaxValueValidator(10)],
    )
    delai_stage_mois = models.PositiveSmallIntegerField(
        "délai de stage (mois)", default=0, validators=[MaxValueValidator(24)]
    )
    accord_prealable = models.BooleanField("accord préalable requis", default=False)
    date_debut = models.DateField("en vigueur du")
    date_fin = models.DateField("au", null=True, blank=True)

    class Meta:
        verbose_name = "garantie"
        verbose_name_plural = "garanties"
        ordering = ["formule", "poste", "praticien", "date_debut"]
        constraints = [
            models.UniqueConstraint(
                fields=["formule", "poste", "praticien", "date_debut"],
                name="garantie_unique_par_date",
            ),
            fin_apres_debut("garantie_fin_apres_debut"),
            models.CheckConstraint(
                condition=~models.Q(type_garantie__in=["br", "frais_reels"]) | models.Q(taux__isnull=False),
                name="garantie_taux_requis",
            ),
            models.CheckConstraint(
                condition=~models.Q(type_garantie="forfait") | models.Q(montant__isnull=False),
                name="garantie_montant_requis",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.formule} — {self.libelle}"

    @property
    def libelle_lu(self) -> str:
        """The guarantee's name in the language being written: the mutuelle's own label in French;
        in another language, the poste's translated name, with the practitioners it is for when it
        is not for all (the label is the mutuelle's French text, not in the catalogue)."""
        if translation.get_language() == settings.LANGUAGE_CODE:
            return self.libelle
        try:
            nom = gettext(Poste(self.poste).label)
        except ValueError:
            return self.libelle
        if self.praticien != QualificationPraticien.TOUS:
            nom += f" ({self.get_praticien_display()})"
        return nom

    @property
    def valeur_affichee(self) -> str:
        """What the guarantee pays, as printed on attestations: « 150 % BR + 100 € », « 50 € », « 100 % Santé »."""

        if self.type_garantie == TypeGarantie.CENT_POUR_CENT_SANTE:
            texte = gettext("100 % Santé (sans reste à charge)")
        elif self.type_garantie == TypeGarantie.FORFAIT:
            texte = euros(self.montant)
        elif self.type_garantie == TypeGarantie.FRAIS_REELS:
            texte = gettext("%(taux)s %% des frais réels") % {"taux": montant_fr(self.taux).removesuffix(",00")}
        else:
            texte = gettext("%(taux)s %% BR") % {"taux": montant_fr(self.taux).removesuffix(",00")}
            if self.forfait_complement:
                texte += f" + {euros(self.forfait_complement)}"
        periode = gettext("an") if self.periode_annees == 1 else gettext("%(n)s ans") % {"n": self.periode_annees}
        if self.plafond_montant is not None:
            texte += gettext(", jusqu'à %(montant)s par %(periode)s") % {
                "montant": euros(self.plafond_montant),
                "periode": periode,
            }
        if self.plafond_nombre is not None:
            texte += gettext(", %(n)s fois par %(periode)s") % {"n": self.plafond_nombre, "periode": periode}
        return texte

    def clean(self) -> None:
        errors: dict[str, str] = {}
        if self.type_garantie in {TypeGarantie.BR, TypeGarantie.FRAIS_REELS} and self.taux is None:
            errors["taux"] = "Indiquez le taux pour une garantie en pourcentage."
        if self.type_garantie == TypeGarantie.FORFAIT and self.montant is None:
            errors["montant"] = "Indiquez le montant du forfait."
        if self.forfait_complement is not None and self.type_garantie != TypeGarantie.BR:
            errors["forfait_complement"] = "Un forfait en complément s'ajoute à un pourcentage de la BR."
        if self.date_fin and self.date_debut and self.date_fin < self.date_debut:
            errors["date_fin"] = "La date de fin précède la date de début."
        if errors:
            raise ValidationError(errors)
        if self.formule_id and self.date_debut:
            overlapping = (
                Garantie.objects.filter(formule_id=self.formule_id, poste=self.poste, praticien=self.praticien)
                .exclude(pk=self.pk)
                .filter(models.Q(date_fin__isnull=True) | models.Q(date_fin__gte=self.date_debut))
            )
            if self.date_fin:
                overlapping = overlapping.filter(date_debut__lte=self.date_fin)
            if overlapping.exists():
                raise ValidationError(
                    "Une garantie de ce poste est déjà en vigueur sur cette période pour cette "
                    "formule : fermez-la (date de fin) avant d'en ouvrir une nouvelle."
                )

    def periode_debut(self, on: date) -> date:
        """First day of the ceiling period that contains ``on``: 1 January, or ``periode_annees``
        back for a rolling period. The liquidation and the member's remaining ceilings both count
        consumption from this day."""
        if self.periode == Periode.ANNEES_GLISSANTES:
            return date(on.year - self.periode_annees, on.month, min(on.day, 28))
        return date(on.year, 1, 1)

    def consommation(self, lignes: Iterable[tuple[date, Decimal, int]], on: date) -> tuple[Decimal, int]:
        """What this guarantee already paid that an act of ``on`` must stay within: the amount, and
        the units (sessions, nights) of the lines that paid something (a régularisation carries
        money, not a unit). ``lignes`` are the beneficiary's lines under this guarantee, as
        (date of care, mutuelle's share, quantity), in any order and of any date.

        The whole period counts, whatever the order in which the acts arrived: a stay dated in
        September that arrives after one dated in October is counted against the same calendar
        year, October's included. For a rolling period, every window of ``periode_annees`` that
        contains ``on`` must stay within the ceiling, so the busiest of them counts (its end is
        ``on`` or the date of a later line). The one rule for NOEMIE, paper claims, estimates and
        the member's remaining ceilings."""
        lignes = list(lignes)
        if self.periode != Periode.ANNEES_GLISSANTES:
            debut = self.periode_debut(on)
            fenetres = [(debut, date(on.year, 12, 31))]
        else:
            fins = {on} | {d for d, _m, _q in lignes if d > on and self.periode_debut(d) <= on}
            fenetres = [(self.periode_debut(fin), fin) for fin in fins]
        montant, nombre = ZERO, 0
        for debut, fin in fenetres:
            dedans = [(m, q) for d, m, q in lignes if debut <= d <= fin]
            montant = max(montant, sum((m for m, _q in dedans), ZERO))
            nombre = max(nombre, sum(q for m, q in dedans if m > 0))
        return montant, nombre

    @property
    def poste_enum(self) -> Poste:
        return Poste(self.poste)
