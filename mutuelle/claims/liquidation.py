"""The one liquidation: an act made ready for the rules engine, computed, and its result clipped.

Every path that computes what the mutuelle pays calls this module and nothing else: the NOEMIE
ingestion (``claims.services.Liquidateur``), the paper claims, the devis estimates and the prior
approvals (``claims.estimation.estimer``), and the member's remaining ceilings
(``claims.selectors_famille.plafonds_restants``). What it decides, once:

- the guarantee's consumption in its period (``Garantie.consommation``) from the beneficiary's
  earlier lines, whatever their order of arrival, and the acts of the same batch before this one;
- the renewal of equipment (``Moteur.renouvellement``): the last pair of glasses or hearing aid paid;
- the waiting period, counted from the contract's first formula;
- the final clip: the mutuelle never pays more than what was spent after what the Sécu paid (the
  amount it received, on a NOEMIE line; the amount computed, elsewhere).

It holds no Django query of its own but ``historiques``: the NOEMIE hot path loads its reference
data once per process and passes plain values.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from decimal import Decimal

from django.db.models import Q

from mutuelle.claims.models import LigneRemboursement, Statut
from mutuelle.formules.models import Garantie
from mutuelle.formules.selectors import garantie_parmi, garantie_pour_acte
from regles import moteur
from regles.money import ZERO
from regles.moteur import FAMILLES_RENOUVELLEMENT, Acte, Moteur, Resultat, TypeGarantie
from regles.postes import Poste

# The postes whose equipment renews (``regles.moteur.FAMILLES_RENOUVELLEMENT``), as stored on lines.
RENOUVELABLES = frozenset(p.value for p in FAMILLES_RENOUVELLEMENT)


def famille_renouvellement(poste: str) -> str | None:
    try:
        return FAMILLES_RENOUVELLEMENT.get(Poste(poste))
    except ValueError:
        return None


def plafonnee(garantie: Garantie | None) -> bool:
    return garantie is not None and (garantie.plafond_montant is not None or garantie.plafond_nombre is not None)


@dataclass(slots=True)
class Passe:
    """One earlier payment of a beneficiary that a later act must take into account."""

    garantie_id: int | None
    poste: str
    date_soins: date
    montant_amc: Decimal
    quantite: int


@dataclass(slots=True)
class Historique:
    """What one beneficiary was already paid under capped guarantees and renewable equipment: the
    stored lines (not rejected), then the acts of the same batch as they are computed."""

    lignes: list[Passe] = field(default_factory=list)
    # Participations forfaitaires and franchises already deducted, by calendar year of care: loaded
    # when the Sécu's share is computed here (a devis, a paper claim), None when the Sécu's file
    # gives it (NOEMIE: what the Sécu deducted comes with the act).
    deductions: dict[int, tuple[Decimal, Decimal]] | None = None

    def ajouter(self, passe: Passe) -> None:
        self.lignes.append(passe)

    def deduire(self, annee: int, participation: Decimal, franchise: Decimal) -> None:
        if self.deductions is not None:
            pf, fr = self.deductions.get(annee, (ZERO, ZERO))
            self.deductions[annee] = (pf + participation, fr + franchise)

    def consomme(self, garantie: Garantie, on: date) -> tuple[Decimal, int]:
        """The amount and the units the guarantee already paid that an act of ``on`` must stay within."""
        montant, nombre = garantie.consommation(
            ((p.date_soins, p.montant_amc, p.quantite) for p in self.lignes if p.garantie_id == garantie.pk), on
        )
        return montant.quantize(Decimal("0.01")), nombre

    def derniere(self, poste: str, on: date) -> date | None:
        """The last equipment of the family of ``poste`` that the mutuelle paid before ``on``: the
        start of its renewal period. Later-dated equipment does not count (it will itself be checked
        against this one)."""
        famille = famille_renouvellement(poste)
        if famille is None:
            return None
        return max(
            (
                p.date_soins
                for p in self.lignes
                if p.montant_amc > 0 and p.date_soins < on and famille_renouvellement(p.poste) == famille
            ),
            default=None,
        )


def historiques(beneficiaire_ids: Iterable[int], *, deductions: bool = False) -> dict[int, Historique]:
    """The history of each beneficiary, in one query: every line not rejected under a capped
    guarantee or of renewable equipment, of any date (a rolling period looks at later lines too).
    With ``deductions``, a second query sums by year of care what the Sécu already deducted
    (participations forfaitaires, franchises: rejected lines too, the Sécu's deduction stands)."""
    ids = set(beneficiaire_ids)
    resultat = {pk: Historique(deductions={} if deductions else None) for pk in ids}
    if not ids:
        return resultat
    if deductions:
        from django.db.models import Sum
        from django.db.models.functions import ExtractYear

        for beneficiaire_id, annee, pf, fr in (
            LigneRemboursement.objects.filter(beneficiaire_id__in=ids)
            .filter(Q(participation_forfaitaire__gt=0) | Q(franchise__gt=0))
            .annotate(annee=ExtractYear("date_soins"))
            .order_by()
            .values("beneficiaire_id", "annee")
            .annotate(pf=Sum("participation_forfaitaire"), fr=Sum("franchise"))
            .values_list("beneficiaire_id", "annee", "pf", "fr")
        ):
            resultat[beneficiaire_id].deduire(annee, pf or ZERO, fr or ZERO)
    rows = (
        LigneRemboursement.objects.filter(beneficiaire_id__in=ids)
        .filter(
            Q(poste__in=RENOUVELABLES)
            | Q(garantie__plafond_montant__isnull=False)
            | Q(garantie__plafond_nombre__isnull=False)
        )
        .exclude(statut=Statut.REJETE)
        .order_by()  # not the model's ordering, which joins the décompte and the file to sort
        .values_list("beneficiaire_id", "garantie_id", "poste", "date_soins", "montant_amc", "quantite")
    )
    for beneficiaire_id, garantie_id, poste, date_soins, montant, quantite in rows:
        resultat[beneficiaire_id].lignes.append(Passe(garantie_id, poste, date_soins, montant, quantite))
    return resultat


def garantie_moteur(
    garantie: Garantie,
    *,
    poste: str,
    on: date,
    historique: Historique | None,
    date_adhesion: date | None,
    garantie_optam: Garantie | None = None,
) -> moteur.Garantie:
    """The engine's view of a guarantee for one act: its terms, what it already paid in its period,
    the last renewable equipment, the waiting period's start. (A plain dataclass: the engine knows
    nothing of Django.)"""
    deja, deja_nombre = historique.consomme(garantie, on) if historique and plafonnee(garantie) else (ZERO, 0)
    return moteur.Garantie(
        type=moteur.TypeGarantie(garantie.type_garantie),
        taux=garantie.taux,
        montant=garantie.montant,
        complement=garantie.forfait_complement,
        plafond=garantie.plafond_montant,
        deja_consomme=deja,
        plafond_nombre=garantie.plafond_nombre,
        deja_nombre=deja_nombre,
        libelle=garantie.libelle,
        delai_stage_mois=garantie.delai_stage_mois,
        date_adhesion=date_adhesion,
        derniere_prise_en_charge=historique.derniere(poste, on) if historique else None,
        taux_optam=_taux_optam(garantie_optam),
    )


def _taux_optam(garantie: Garantie | None) -> Decimal | None:
    """What the formula pays an OPTAM doctor, in % of the BR, when it says it as a rate."""
    if garantie is None or garantie.taux is None:
        return None
    return garantie.taux if garantie.type_garantie == TypeGarantie.BR else None


def optam_pour(acte: Acte, garantie: Garantie | None, garanties: Iterable[Garantie] | None = None) -> Garantie | None:
    """For a non-OPTAM doctor's act under a contrat responsable, the guarantee the same formula applies
    to the same act at an OPTAM doctor's (from ``garanties`` when the caller loaded them, else a
    query); None otherwise."""
    if garantie is None or not acte.responsable or acte.praticien.secteur != 2 or acte.praticien.optam:
        return None
    if garanties is not None:
        return garantie_parmi(garanties, poste=garantie.poste, on=acte.date_soins, secteur=1, optam=True)
    return garantie_pour_acte(formule=garantie.formule, poste=garantie.poste, on=acte.date_soins, optam=True)


def renouvellement(
    historique: Historique, poste: str, *, date_naissance: date | None, on: date, responsable: bool = True
) -> tuple[date, date] | None:
    """When equipment of ``poste`` bought on ``on`` would not be paid because the last one is too
    recent: (the last one's date, the first date a new one is paid). The engine's rule
    (``Moteur.renouvellement``), for the pages that say it before an act exists."""
    derniere = historique.derniere(poste, on + timedelta(days=1))
    if derniere is None:
        return None
    age = moteur.Beneficiaire(date_naissance=date_naissance).age_au(on)
    annees, _reference = _moteur_par_defaut().renouvellement(Poste(poste), age, on, responsable=responsable)
    prochaine = moteur.ajouter_mois(derniere, 12 * annees)
    return (derniere, prochaine) if annees and prochaine > on else None


@dataclass(slots=True)
class Liquidation:
    """An act computed: the engine's result, and what is stored and shown — the Sécu's share (as
    received or as computed), the mutuelle's share after the final clip, and the reste à charge."""

    resultat: Resultat
    montant_amo: Decimal
    montant_amc: Decimal
    reste_a_charge: Decimal


_moteur: Moteur | None = None


def _moteur_par_defaut() -> Moteur:
    global _moteur
    if _moteur is None:
        _moteur = Moteur()
    return _moteur


def liquider(
    acte: Acte,
    *,
    garantie: Garantie | None,
    historique: Historique | None = None,
    date_adhesion: date | None = None,
    amo_recu: Decimal | None = None,
    moteur_: Moteur | None = None,
    garantie_optam: Garantie | None = None,
) -> Liquidation:
    """Compute one act (``acte.garantie`` is filled here from ``garantie``) with the beneficiary's
    ``historique``, to which the act is then added so that the next act of the batch sees it.
    ``amo_recu`` is what the Sécu actually paid (a NOEMIE line); otherwise the computed share is
    used. ``garantie_optam`` is what the formula pays the act at an OPTAM doctor's (``optam_pour``):
    a non-OPTAM doctor's dépassement stays 20 points below it. Raises ``regles.moteur.ActeInvalide``
    for what the engine cannot compute."""
    poste_garantie = garantie.poste if garantie is not None else ""
    regles_garantie = (
        garantie_moteur(
            garantie,
            poste=poste_garantie,
            on=acte.date_soins,
            historique=historique,
            date_adhesion=date_adhesion,
            garantie_optam=garantie_optam,
        )
        if garantie is not None
        else None
    )
    annee = acte.date_soins.year
    if historique is not None and historique.deductions is not None:
        # The yearly caps count what the person's other reimbursements of the year already deducted.
        pf, fr = historique.deductions.get(annee, (ZERO, ZERO))
        acte = replace(acte, beneficiaire=replace(acte.beneficiaire, participations_annee=pf, franchises_annee=fr))
    (r,) = (moteur_ or _moteur_par_defaut()).liquider([replace(acte, garantie=regles_garantie)])
    amo = r.montant_amo if amo_recu is None else amo_recu
    depense = acte.montant_depense
    amc = min(r.montant_amc, max(depense - amo, ZERO))
    if historique is not None:
        historique.ajouter(
            Passe(garantie.pk if garantie is not None else None, r.poste.value, acte.date_soins, amc, acte.quantite)
        )
        historique.deduire(annee, r.participation_forfaitaire, r.franchise)
    return Liquidation(resultat=r, montant_amo=amo, montant_amc=amc, reste_a_charge=depense - amo - amc)
