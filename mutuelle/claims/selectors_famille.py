"""What a member's family reads: always from the member's family, never wider (the member space, the
documents issued to the member, the member's requests and messages).

Every read starts from ``lignes_famille(adherent)`` or ``beneficiaires_famille(adherent)``: a line of
another family is simply not in the queryset, so a foreign id in a URL answers 404. Each page reads in
a bounded number of queries whatever the amount of history (aggregates are computed by the database).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from functools import cached_property
from typing import Any

from django.db.models import Count, OuterRef, Q, QuerySet, Subquery, Sum, Value
from django.db.models.functions import Concat, ExtractYear, Trim
from django.utils import timezone
from django.utils.translation import gettext

from mutuelle.claims import liquidation
from mutuelle.claims.models import STATUTS_ACQUIS, STATUTS_EN_ATTENTE, EvenementLigne, LigneRemboursement, Statut
from mutuelle.core.periodes import ENTREE_SORTIE, en_vigueur
from mutuelle.formules.models import Garantie, Periode
from mutuelle.members.models import Adherent, Beneficiaire, ContratFormule
from mutuelle.members.selectors import contrats_famille
from mutuelle.referentiel.models import Etablissement, Praticien
from regles.money import CENT, ZERO
from regles.postes import FAMILLE_LABELS, Famille, Poste


def _cents(valeur: Decimal | None) -> Decimal:
    """A database sum back to cents (SQLite returns sums of decimals with spurious digits)."""
    return (valeur or ZERO).quantize(CENT)


def postes_de(famille: str) -> list[str]:
    return [p.value for p in Poste if p.famille == famille]


def lignes_famille(adherent: Adherent) -> QuerySet[LigneRemboursement]:
    """Every act of every beneficiary of the member's contracts, newest first."""
    return LigneRemboursement.objects.filter(contrat_id__in=contrats_famille(adherent).values("pk")).order_by(
        "-date_soins", "-pk"
    )


@dataclass
class Personne:
    """A beneficiary as the member sees them; the same person on two contracts (a change of
    contract) is one person with several beneficiary rows."""

    cle: str
    prenom: str
    nom: str
    date_naissance: date
    qualite: str
    ids: list[int] = field(default_factory=list)
    couvert: bool = False

    @property
    def nom_complet(self) -> str:
        return f"{self.prenom} {self.nom}"


def personnes_famille(adherent: Adherent, *, on: date | None = None) -> list[Personne]:
    """The family's beneficiaries, principal first then by age, each once."""
    on = on or timezone.localdate()
    rows = (
        Beneficiaire.objects.filter(contrat__adherent=adherent)
        .order_by("date_naissance", "pk")
        .values_list("pk", "prenom", "nom", "date_naissance", "rang_gemellaire", "qualite", "date_sortie")
    )
    personnes: dict[tuple, Personne] = {}
    for pk, prenom, nom, naissance, rang, qualite, sortie in rows:
        identite = (prenom, nom, naissance, rang)
        personne = personnes.get(identite)
        if personne is None:
            personne = personnes[identite] = Personne(str(pk), prenom, nom, naissance, qualite)
        personne.ids.append(pk)
        personne.couvert = personne.couvert or sortie is None or sortie >= on
    ordre = {"assure": 0, "conjoint": 1, "enfant": 2, "autre": 3}
    return sorted(personnes.values(), key=lambda p: (ordre.get(p.qualite, 9), p.date_naissance))


@dataclass
class Filtres:
    beneficiaire_ids: list[int] | None = None
    du: date | None = None
    au: date | None = None
    famille: str = ""
    statut: str = ""
    paye_a: str = ""  # "adherent" or "professionnel"


def lignes_filtrees(adherent: Adherent, filtres: Filtres) -> QuerySet[LigneRemboursement]:
    qs = lignes_famille(adherent)
    if filtres.beneficiaire_ids:
        qs = qs.filter(beneficiaire_id__in=filtres.beneficiaire_ids)
    if filtres.du:
        qs = qs.filter(date_soins__gte=filtres.du)
    if filtres.au:
        qs = qs.filter(date_soins__lte=filtres.au)
    if filtres.famille:
        qs = qs.filter(poste__in=postes_de(filtres.famille))
    if filtres.statut:
        qs = qs.filter(statut=filtres.statut)
    if filtres.paye_a == "professionnel":
        qs = qs.filter(decompte__tiers_payant=True)
    elif filtres.paye_a == "adherent":
        qs = qs.filter(decompte__tiers_payant=False)
    return qs


def pour_liste(qs: QuerySet[LigneRemboursement]) -> QuerySet[LigneRemboursement]:
    """What a row of the list shows, in the same query (the trace, the heavy column, is left out),
    with the execution date of the accepted transfer that pays each line (``statut_affiche``)."""
    # payments stand above claims (a transfer pays lines): read lazily
    from mutuelle.payments.models import PaiementLigne, StatutVirement

    versement = PaiementLigne.objects.filter(
        ligne_id=OuterRef("pk"), vivant=True, virement__statut=StatutVirement.ACCEPTE
    ).values("virement__paye_le")[:1]
    # Who gave the care, by name (the Sécu's file gives a number): the establishment, else the
    # practitioner, when the directory knows them.
    praticien = (
        Praticien.objects.filter(Q(rpps=OuterRef("praticien_identifiant")) | Q(adeli=OuterRef("praticien_identifiant")))
        .annotate(nom_affiche=Trim(Concat("civilite", Value(" "), "prenom", Value(" "), "nom")))
        .values("nom_affiche")[:1]
    )
    etablissement = Etablissement.objects.filter(finess=OuterRef("finess")).values("raison_sociale")[:1]
    return (
        qs.select_related("beneficiaire", "nature", "decompte")
        .defer("trace")
        .annotate(
            versement_le=Subquery(versement),
            praticien_nom=Subquery(praticien),
            etablissement_nom=Subquery(etablissement),
        )
    )


def avec_devis(lignes: Iterable[LigneRemboursement]) -> list[LigneRemboursement]:
    """The rows of a list, each with ``devis_estime`` (what the mutuelle quoted for it, or None):
    the member sees « estimé X € » beside what was paid (``requests.comparaison``)."""
    # requests stand above claims (an estimate compares with lines): read lazily
    from mutuelle.requests.comparaison import comparaisons

    lignes = list(lignes)
    devis = comparaisons(lignes)
    for ligne in lignes:
        c = devis.get(ligne.pk)
        ligne.devis_estime = c.estime if c is not None else None  # type: ignore[attr-defined]
    return lignes


@dataclass(frozen=True)
class Detail:
    ligne: LigneRemboursement
    evenements: list[EvenementLigne]
    praticien: Praticien | None
    etablissement: Etablissement | None

    @property
    def paye_le(self) -> date | None:
        paye = [e.le for e in self.evenements if e.vers == Statut.PAYE]
        return paye[-1].date() if paye else None

    @cached_property
    def virement(self) -> Any:
        """The bank transfer that paid the member this line (accepted by the bank), if any."""
        # payments stand above claims (a transfer pays lines): read lazily
        from mutuelle.payments.models import StatutVirement, Virement

        return Virement.objects.filter(
            lignes__ligne=self.ligne, lignes__vivant=True, statut=StatutVirement.ACCEPTE
        ).first()


def detail(adherent: Adherent, pk: int) -> Detail | None:
    ligne = (
        lignes_famille(adherent)
        .select_related("beneficiaire", "nature", "decompte", "garantie", "formule", "contrat")
        .filter(pk=pk)
        .first()
    )
    if ligne is None:
        return None
    evenements = list(EvenementLigne.objects.filter(ligne=ligne).order_by("le", "pk"))
    ident = ligne.praticien_identifiant.strip()
    praticien = None
    if ident:
        praticien = Praticien.objects.filter(Q(rpps=ident) | Q(adeli=ident)).first()
    etablissement = Etablissement.objects.filter(finess=ligne.finess).first() if ligne.finess.strip() else None
    resultat = Detail(ligne, evenements, praticien, etablissement)
    virement = resultat.virement
    ligne.versement_le = virement.paye_le if virement is not None else None  # type: ignore[attr-defined]
    return resultat


def en_attente(adherent: Adherent) -> QuerySet[LigneRemboursement]:
    """Lines for which the mutuelle waits for the member (information requested), oldest first."""
    return pour_liste(lignes_famille(adherent).filter(statut=Statut.COMPLEMENT)).order_by("modifie_le", "pk")


# Spending overview -----------------------------------------------------------------------------


@dataclass
class Depenses:
    cle: str
    libelle: str
    nombre: int = 0
    depense: Decimal = ZERO
    secu: Decimal = ZERO
    mutuelle: Decimal = ZERO
    en_cours: Decimal = ZERO

    @property
    def reste(self) -> Decimal:
        return self.depense - self.secu - self.mutuelle

    def ajouter(self, sommes: Mapping[str, Any]) -> None:
        """Add a row of ``_SOMMES`` (or another ``Depenses``' figures, through ``vars``)."""
        self.nombre += sommes["nombre"]
        self.depense += _cents(sommes["depense"])
        self.secu += _cents(sommes["secu"])
        self.mutuelle += _cents(sommes["mutuelle"])
        self.en_cours += _cents(sommes["en_cours"])


def totaux(qs: QuerySet[LigneRemboursement], libelle: str = "Total") -> Depenses:
    """The figures of a selection of lines, in one aggregate query."""
    total = Depenses("total", libelle)
    total.ajouter(qs.order_by().aggregate(**_SOMMES))
    return total


def somme(lignes: list[Depenses], libelle: str) -> Depenses:
    total = Depenses("total", libelle)
    for d in lignes:
        total.ajouter(vars(d))
    return total


def annees(adherent: Adherent) -> list[int]:
    """The years of care held, newest first."""
    return sorted(
        {d.year for d in lignes_famille(adherent).order_by().dates("date_soins", "year")},
        reverse=True,
    )


_SOMMES = {
    "nombre": Count("pk"),
    "depense": Sum("montant_depense"),
    "secu": Sum("montant_amo"),
    "mutuelle": Sum("montant_amc", filter=Q(statut__in=STATUTS_ACQUIS)),
    "en_cours": Sum("montant_amc", filter=Q(statut__in=STATUTS_EN_ATTENTE)),
}


def depenses_par_famille(adherent: Adherent, annee: int) -> list[Depenses]:
    """One row per type of care with spending in the year, in the order of ``Famille``."""
    rows = lignes_famille(adherent).filter(date_soins__year=annee).order_by().values("poste").annotate(**_SOMMES)
    par_famille = {f.value: Depenses(f.value, gettext(FAMILLE_LABELS[f])) for f in Famille}
    for row in rows:
        try:
            famille = Poste(row["poste"]).famille.value
        except ValueError:
            famille = Famille.AUTRE.value
        par_famille[famille].ajouter(row)
    return [d for d in par_famille.values() if d.nombre]


def depenses_par_annee(adherent: Adherent) -> list[Depenses]:
    rows = lignes_famille(adherent).order_by().annotate(annee=ExtractYear("date_soins")).values("annee")
    resultat = []
    for row in rows.annotate(**_SOMMES).order_by("-annee"):
        d = Depenses(str(row["annee"]), str(row["annee"]))
        d.ajouter(row)
        resultat.append(d)
    return resultat


# Remaining ceilings ----------------------------------------------------------------------------


@dataclass(frozen=True)
class PlafondRestant:
    """One capped guarantee of one person: an amount (``plafond``), a number of times (``nombre``:
    sessions, nights), or both, over the current period."""

    personne: str
    garantie: str
    poste: str
    plafond: Decimal | None
    consomme: Decimal
    glissant: bool
    annees: int
    jusqu_au: date | None
    nombre: int | None = None
    nombre_consomme: int = 0
    # Equipment renewed once per period: the last one paid, and the first day a new one is paid
    # (nothing is paid before, whatever remains of the ceiling).
    derniere_equipement: date | None = None
    renouvelable_le: date | None = None

    @property
    def restant(self) -> Decimal:
        """What remains of the ceiling (for equipment, payable from ``renouvelable_le``)."""
        return max((self.plafond or ZERO) - self.consomme, ZERO)

    @property
    def nombre_restant(self) -> int:
        return max((self.nombre or 0) - self.nombre_consomme, 0)

    @property
    def part_consommee(self) -> int:
        """Percentage of the ceiling used, for the gauge (0–100): the more used of the two limits."""
        parts = []
        if self.plafond is not None:
            parts.append(100 if not self.plafond else int(self.consomme * 100 / self.plafond))
        if self.nombre is not None:
            parts.append(100 if not self.nombre else self.nombre_consomme * 100 // self.nombre)
        return min(100, max(parts, default=100))


def plafonds_restants(adherent: Adherent, *, on: date | None = None) -> list[PlafondRestant]:
    """For each beneficiary covered today, each capped guarantee of their contract's formula: what
    remains in the current period. Three queries whatever the history."""
    on = on or timezone.localdate()
    beneficiaires = list(
        Beneficiaire.objects.filter(en_vigueur(on, **ENTREE_SORTIE), contrat__adherent=adherent).order_by(
            "date_naissance"
        )
    )
    if not beneficiaires:
        return []
    contrats = {b.contrat_id for b in beneficiaires}
    formules = dict(
        ContratFormule.objects.filter(en_vigueur(on), contrat_id__in=contrats).values_list("contrat_id", "formule_id")
    )
    garanties = list(
        Garantie.objects.filter(en_vigueur(on), formule_id__in=set(formules.values()))
        .filter(Q(plafond_montant__isnull=False) | Q(plafond_nombre__isnull=False))
        .select_related("formule")
        .order_by("poste", "praticien")
    )
    if not garanties:
        return []
    historiques = liquidation.historiques(b.pk for b in beneficiaires)
    resultat = []
    for b in beneficiaires:
        for g in garanties:
            if g.formule_id != formules.get(b.contrat_id):
                continue
            # Counted as the liquidation counts them (the whole period, the units of the lines paid),
            # and the renewal of equipment by the same rule.
            historique = historiques[b.pk]
            consomme, nombre_consomme = historique.consomme(g, on)
            renouvellement = liquidation.renouvellement(
                historique, g.poste, date_naissance=b.date_naissance, on=on, responsable=g.formule.responsable
            )
            glissant = g.periode == Periode.ANNEES_GLISSANTES
            resultat.append(
                PlafondRestant(
                    personne=f"{b.prenom} {b.nom}",
                    garantie=g.libelle,
                    poste=g.poste,
                    plafond=g.plafond_montant,
                    consomme=consomme,
                    glissant=glissant,
                    annees=g.periode_annees,
                    jusqu_au=None if glissant else date(on.year, 12, 31),
                    nombre=g.plafond_nombre,
                    nombre_consomme=min(nombre_consomme, g.plafond_nombre or nombre_consomme),
                    derniere_equipement=renouvellement[0] if renouvellement else None,
                    renouvelable_le=renouvellement[1] if renouvellement else None,
                )
            )
    return resultat
