"""Estimating a devis: what the Sécu and the mutuelle would pay for future care, computed by the same
rules engine as real reimbursements, with the beneficiary's formula on the planned date and what
the guarantee has already paid in its period (ceilings, renewal periods).

An estimate is not a commitment: it uses what the member types (amounts, the Sécu's base from the
devis) and the history known today.

The lines of one devis or one paper claim share the same ceilings: each caller passes the estimates
of the earlier lines (``avant``), which count as consumed, as the lines of a NOEMIE lot do.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from mutuelle.claims.liquidation import Historique, Passe, historiques, liquider, optam_pour
from mutuelle.core.periodes import en_vigueur
from mutuelle.formules.selectors import garantie_pour_acte
from mutuelle.members.models import Beneficiaire, DroitPeriode, TypeDroit
from mutuelle.members.selectors import contrat_formule_en_vigueur
from regles.money import ZERO
from regles.moteur import Acte, ActeInvalide, Etape, Praticien, nature_de
from regles.moteur import Beneficiaire as BeneficiaireRegles
from regles.parametres import parametres

# What a member can estimate: a label, the nomenclature key, and whether the devis must give the base.
SOINS: list[tuple[str, str, str, bool]] = [
    ("G", "Consultation chez un médecin généraliste", "G", False),
    ("CS", "Consultation chez un médecin spécialiste", "CS", False),
    ("VU1", "Verre (classe B, à prix libre), l'unité", "VU1", True),
    ("M03", "Monture (classe B, à prix libre)", "M03", True),
    ("V01", "Verre 100 % Santé (classe A), l'unité", "V01", True),
    ("M01", "Monture 100 % Santé (classe A)", "M01", True),
    ("CZ0", "Couronne dentaire 100 % Santé", "CZ0", True),
    ("CZ1", "Couronne dentaire à tarif maîtrisé", "CZ1", True),
    ("PFM", "Prothèse dentaire à tarif libre", "PFM", True),
    ("IMP", "Implant dentaire", "IMP", False),
    ("TO", "Orthodontie, un semestre de traitement", "TO", True),
    ("PAZ", "Aide auditive 100 % Santé (classe I), par oreille", "PAZ", False),
    ("PAU", "Aide auditive classe II, par oreille", "PAU", True),
    ("CPC", "Chambre particulière à l'hôpital (tout le séjour)", "CPC", False),
    ("FJ", "Forfait journalier hospitalier (tout le séjour)", "FJ", False),
    ("OST", "Séance d'ostéopathie", "OST", False),
    ("CHI", "Séance de chiropraxie", "CHI", False),
]
SOINS_CHOIX = [(code, libelle) for code, libelle, _, _ in SOINS]
BASE_REQUISE = {code for code, _, _, requise in SOINS if requise}
# Care the Sécu does not reimburse although it has a code (implants): no base unless the devis gives one.
SANS_BASE = {"IMP"}


class EstimationImpossible(Exception):
    """The line cannot be estimated; the message says why, for the member."""


@dataclass(frozen=True)
class LigneDevis:
    beneficiaire: Beneficiaire
    soin: str
    date_soins: date
    montant: Decimal
    base: Decimal | None = None
    secteur: int = 1
    optam: bool = False
    quantite: int = 1


@dataclass(frozen=True)
class Estimation:
    ligne: LigneDevis
    libelle: str
    base: Decimal
    secu: Decimal
    mutuelle: Decimal
    reste: Decimal
    etapes: list[Etape]
    garantie: str
    resultat: Any = None  # the engine's Resultat (BR, rates, deductions, the raw trace)
    garantie_id: int | None = None
    formule_id: int | None = None
    parametres: str = ""  # the version of the legal parameters used (``regles.parametres``)


def _historique(beneficiaire: Beneficiaire, avant: Sequence[Estimation]) -> Historique:
    """The beneficiary's history as the ingestion reads it, then the earlier lines of the same devis
    or paper claim."""
    # The Sécu's share is computed here: its yearly caps count what the year already deducted.
    historique = historiques([beneficiaire.pk], deductions=True)[beneficiaire.pk]
    for e in avant:
        if e.ligne.beneficiaire.pk == beneficiaire.pk and e.resultat is not None:
            historique.ajouter(
                Passe(e.garantie_id, e.resultat.poste.value, e.ligne.date_soins, e.mutuelle, e.ligne.quantite)
            )
            historique.deduire(e.ligne.date_soins.year, e.resultat.participation_forfaitaire, e.resultat.franchise)
    return historique


def estimer(ligne: LigneDevis, avant: Sequence[Estimation] = ()) -> Estimation:
    """One line of a devis through the rules engine, as the mutuelle would reimburse it today, after
    the lines of the same devis already estimated (``avant``)."""
    beneficiaire = ligne.beneficiaire
    contrat = beneficiaire.contrat
    on = ligne.date_soins
    if beneficiaire.date_entree > on or (beneficiaire.date_sortie and beneficiaire.date_sortie < on):
        raise EstimationImpossible(f"{beneficiaire.prenom} n'est pas couvert(e) à cette date.")
    formule = contrat_formule_en_vigueur(contrat=contrat, on=on)
    if formule is None:
        raise EstimationImpossible("Aucune formule n'est en vigueur à cette date sur votre contrat.")
    if ligne.soin in BASE_REQUISE and ligne.base is None:
        raise EstimationImpossible("Indiquez la base de remboursement figurant sur le devis.")
    nature = nature_de(ligne.soin)
    garantie = garantie_pour_acte(
        formule=formule, poste=nature.poste.value, on=on, secteur=ligne.secteur, optam=ligne.optam
    )
    css = DroitPeriode.objects.filter(en_vigueur(on), beneficiaire=beneficiaire, type_droit=TypeDroit.CSS).exists()
    acte = Acte(
        date_soins=on,
        code=ligne.soin,
        montant_depense=ligne.montant,
        base_remboursement=ZERO if ligne.base is None and ligne.soin in SANS_BASE else ligne.base,
        quantite=ligne.quantite,
        beneficiaire=BeneficiaireRegles(
            date_naissance=beneficiaire.date_naissance, css=css, regime_local=beneficiaire.regime_local
        ),
        praticien=Praticien(secteur=ligne.secteur, optam=ligne.optam),
        responsable=formule.responsable,
    )
    try:
        calcul = liquider(
            acte,
            garantie=garantie,
            historique=_historique(beneficiaire, avant),
            date_adhesion=contrat.formules.order_by("date_debut").values_list("date_debut", flat=True).first(),
            garantie_optam=optam_pour(acte, garantie),
        )
    except ActeInvalide as exc:
        raise EstimationImpossible(exc.message) from exc
    resultat, mutuelle = calcul.resultat, calcul.montant_amc
    return Estimation(
        ligne=ligne,
        libelle=dict(SOINS_CHOIX).get(ligne.soin) or nature.libelle.capitalize(),
        base=resultat.base_remboursement,
        secu=resultat.montant_amo,
        mutuelle=mutuelle,
        reste=calcul.reste_a_charge,
        etapes=resultat.trace,
        garantie=garantie.libelle if garantie else "",
        resultat=resultat,
        garantie_id=garantie.pk if garantie else None,
        formule_id=formule.pk,
        parametres=parametres().version,
    )
