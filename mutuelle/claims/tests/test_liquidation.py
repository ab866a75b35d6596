"""The one liquidation (``claims.liquidation``): every field of a guarantee that the catalogue prints
changes what is paid, and the renewal is the law's, never shortened by a ceiling period."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal
from typing import Any, cast

import pytest

from mutuelle.claims.liquidation import Historique, Passe, liquider
from mutuelle.formules.models import Garantie
from mutuelle.formules.selectors import garantie_parmi
from regles.moteur import Acte, Beneficiaire, Praticien
from tests.factories import GarantieFactory

pytestmark = pytest.mark.django_db


def _garantie(**champs: Any) -> Garantie:
    return cast(Garantie, GarantieFactory(**champs))


JOUR = date(2026, 3, 2)
ADHESION = date(2026, 1, 1)
# A specialist's consultation, 80 € spent, OPTAM secteur 2, under a non-responsable formula so that
# no legal cap hides what the guarantee itself says. BR 31,50 €, the Sécu 22,05 − 2 € = 20,05 €.
ACTE = Acte(
    date_soins=JOUR,
    code="CS",
    montant_depense=Decimal("80.00"),
    beneficiaire=Beneficiaire(date_naissance=date(1980, 5, 1)),
    praticien=Praticien(secteur=2, optam=True),
    responsable=False,
)
BASE: dict[str, Any] = {
    "poste": "consultation_specialiste",
    "praticien": "tous",
    "type_garantie": "br",
    "taux": Decimal("200"),
    "date_debut": date(2025, 1, 1),
}


def _paye(garantie: Garantie, passe: list[tuple[date, str]] = ()) -> Decimal:  # type: ignore[assignment]
    """What the mutuelle pays for ``ACTE`` under ``garantie`` (chosen as every path chooses it),
    after earlier acts under it (date, amount)."""
    choisie = garantie_parmi([garantie], poste="consultation_specialiste", on=JOUR, secteur=2, optam=True)
    if choisie is None:
        return Decimal("0.00")
    historique = Historique([Passe(garantie.pk, garantie.poste, d, Decimal(m), 1) for d, m in passe])
    return liquider(ACTE, garantie=choisie, historique=historique, date_adhesion=ADHESION).montant_amc


# For each field: the guarantee before (on top of BASE), the change, the earlier acts that make it
# matter.
SCENARIOS: dict[str, tuple[dict[str, Any], dict[str, Any], list[tuple[date, str]]]] = {
    "type_garantie": ({}, {"type_garantie": "frais_reels", "taux": Decimal("100")}, []),
    "taux": ({}, {"taux": Decimal("150")}, []),
    "montant": ({"type_garantie": "forfait", "taux": None, "montant": Decimal("40")}, {"montant": Decimal("25")}, []),
    "forfait_complement": ({}, {"forfait_complement": Decimal("10")}, []),
    "plafond_montant": ({}, {"plafond_montant": Decimal("20")}, []),
    "plafond_nombre": ({}, {"plafond_nombre": 1}, [(date(2026, 2, 1), "10.00")]),
    "periode": (
        {"plafond_montant": Decimal("50")},
        {"periode": "annees_glissantes"},
        [(date(2025, 12, 15), "30.00")],
    ),
    "periode_annees": (
        {"plafond_montant": Decimal("50"), "periode": "annees_glissantes"},
        {"periode_annees": 2},
        [(date(2024, 6, 1), "30.00")],
    ),
    "delai_stage_mois": ({}, {"delai_stage_mois": 6}, []),
    "poste": ({}, {"poste": "consultation_generaliste"}, []),
    "praticien": ({}, {"praticien": "non_optam"}, []),
    "date_debut": ({}, {"date_debut": date(2026, 6, 1)}, []),
    "date_fin": ({}, {"date_fin": date(2026, 1, 31)}, []),
}
# Fields that are not an amount: what they do is tested where they act.
SANS_MONTANT = {
    "libelle": "the name printed and shown in the explanation",
    "accord_prealable": "sends the line to a handler without an agreement (claims/tests/test_accords.py)",
}
TECHNIQUES = {"id", "formule", "cree_le", "modifie_le"}


def test_every_field_of_a_guarantee_is_known_here():
    champs = {f.name for f in Garantie._meta.get_fields() if f.concrete}
    assert champs - TECHNIQUES == set(SCENARIOS) | set(SANS_MONTANT), (
        "A new guarantee field: say how it changes what is paid (SCENARIOS), or why it does not."
    )


@pytest.mark.parametrize("champ", sorted(SCENARIOS))
def test_each_printed_field_changes_what_is_paid(champ: str, formule: Any):
    avant, changement, passe = SCENARIOS[champ]
    garantie = _garantie(formule=formule, **{**BASE, **avant})
    paye_avant = _paye(garantie, passe)
    for nom, valeur in changement.items():
        setattr(garantie, nom, valeur)
    garantie.save()
    paye_apres = _paye(garantie, passe)
    assert paye_avant != paye_apres, (champ, paye_avant)


def test_a_complement_is_added_to_the_percentage_and_explained(formule: Any):
    garantie = _garantie(formule=formule, **BASE, forfait_complement=Decimal("15"))
    calcul = liquider(ACTE, garantie=garantie, historique=Historique(), date_adhesion=ADHESION)
    # 200 % of 31,50 = 63,00 − 22,05 = 40,95, + 15 € = 55,95.
    assert calcul.montant_amc == Decimal("55.95")
    assert garantie.valeur_affichee == "200 % BR + 15,00\u00a0€"
    assert any("forfait de 15,00" in e.explication for e in calcul.resultat.trace)


def test_renewal_counts_glasses_not_lenses(formule: Any):
    """Contact lenses bought last month do not delay a pair of glasses; a frame does."""
    monture = _garantie(
        formule=formule, poste="optique_monture", type_garantie="forfait", taux=None, montant=Decimal("60")
    )
    acte = Acte(
        date_soins=JOUR,
        code="M03",
        montant_depense=Decimal("150.00"),
        base_remboursement=Decimal("0.05"),
        beneficiaire=Beneficiaire(date_naissance=date(1980, 5, 1)),
    )
    lentilles = Historique([Passe(None, "optique_lentilles", date(2026, 2, 1), Decimal("80.00"), 1)])
    assert liquider(acte, garantie=monture, historique=lentilles).montant_amc == Decimal("60.00")
    verres = Historique([Passe(None, "optique_verres", date(2025, 2, 1), Decimal("80.00"), 1)])
    assert liquider(acte, garantie=monture, historique=verres).montant_amc == 0
    # Equipment dated after this act does not delay it.
    plus_tard = Historique([Passe(None, "optique_verres", date(2026, 5, 1), Decimal("80.00"), 1)])
    assert liquider(replace(acte), garantie=monture, historique=plus_tard).montant_amc == Decimal("60.00")


def test_the_batch_shares_the_ceiling(formule: Any):
    """Two acts of one batch: the second sees what the first consumed."""
    garantie = _garantie(formule=formule, **BASE, plafond_montant=Decimal("50"))
    historique = Historique()
    premier = liquider(ACTE, garantie=garantie, historique=historique, date_adhesion=ADHESION)
    second = liquider(ACTE, garantie=garantie, historique=historique, date_adhesion=ADHESION)
    assert (premier.montant_amc, second.montant_amc) == (Decimal("40.95"), Decimal("9.05"))


def test_the_final_clip_uses_what_the_secu_paid():
    """On a NOEMIE line the Sécu's share is the amount it paid: the mutuelle never pays more than
    what is left of the expense after it."""
    calcul = liquider(
        replace(ACTE, montant_depense=Decimal("30.00"), base_remboursement=Decimal("31.50")),
        garantie=None,
        amo_recu=Decimal("25.00"),
    )
    assert (calcul.montant_amo, calcul.montant_amc, calcul.reste_a_charge) == (
        Decimal("25.00"),
        Decimal("0.00"),
        Decimal("5.00"),
    )


def test_the_yearly_participation_cap_counts_what_the_year_already_deducted(contrat: Any, formule: Any):
    """An estimate or a paper claim computes the Sécu's share: 49 € of participations already
    deducted this year leave 1 € for the next consultation, none for the one after; last year's do
    not count (the caps count by calendar year of care)."""
    from mutuelle.claims.estimation import LigneDevis, estimer
    from mutuelle.claims.models import LigneRemboursement
    from mutuelle.referentiel.services import nature_prestation_charger
    from tests.factories import ligne_make

    nature_prestation_charger()
    _garantie(formule=formule, poste="consultation_generaliste", praticien="tous", taux=Decimal("100"))
    julien = contrat.beneficiaires.get(prenom="Julien")
    for jour, pf in ((date(2026, 2, 2), "47.00"), (date(2026, 2, 3), "2.00"), (date(2025, 12, 30), "50.00")):
        ligne = ligne_make(beneficiaire=julien, date_soins=jour, poste="consultation_generaliste")
        LigneRemboursement.objects.filter(pk=ligne.pk).update(participation_forfaitaire=Decimal(pf))
    soin = LigneDevis(beneficiaire=julien, soin="G", date_soins=date(2026, 3, 2), montant=Decimal("30.00"))
    premier = estimer(soin)
    second = estimer(soin, avant=[premier])
    assert (premier.resultat.participation_forfaitaire, second.resultat.participation_forfaitaire) == (
        Decimal("1.00"),
        Decimal("0.00"),
    )
    assert premier.secu == Decimal("20.00") and second.secu == Decimal("21.00")
    assert any(e.regle == "pf.plafond_annuel" for e in premier.etapes)
    # Another year starts afresh; another person is not counted.
    assert estimer(replace(soin, date_soins=date(2027, 1, 4))).resultat.participation_forfaitaire == Decimal("2.00")
    camille = contrat.beneficiaires.get(qualite="assure")
    assert estimer(replace(soin, beneficiaire=camille)).resultat.participation_forfaitaire == Decimal("2.00")


def test_a_non_optam_depassement_stays_20_points_below_the_optam_cover_act_by_act(contrat: Any, formule: Any):
    """One guarantee « 200 % BR » for every doctor: at a non-OPTAM doctor's, the formula may cover
    the dépassement only 20 points of BR below what it pays an OPTAM one (R871-2 3°), whatever the
    path; with a separate OPTAM guarantee at 300 %, the 100 % BR ceiling is the lower one."""
    from mutuelle.claims.estimation import LigneDevis, estimer
    from mutuelle.claims.liquidation import optam_pour
    from mutuelle.referentiel.services import nature_prestation_charger

    nature_prestation_charger()
    tous = _garantie(formule=formule, poste="consultation_specialiste", praticien="tous", taux=Decimal("200"))
    julien = contrat.beneficiaires.get(prenom="Julien")
    soin = LigneDevis(beneficiaire=julien, soin="CS", date_soins=date(2026, 3, 2), montant=Decimal("100.00"), secteur=2)
    estimation = estimer(soin)
    assert estimation.mutuelle == Decimal("34.65")  # TM 9,45 + 80 % × 31,50
    assert any(e.regle == "responsable.non_optam_ecart" for e in estimation.etapes)
    acte = Acte(
        date_soins=date(2026, 3, 2),
        code="CS",
        montant_depense=Decimal("100.00"),
        beneficiaire=Beneficiaire(date_naissance=date(1980, 7, 2)),
        praticien=Praticien(secteur=2, optam=False),
    )
    assert optam_pour(acte, tous) == tous
    assert liquider(acte, garantie=tous, garantie_optam=optam_pour(acte, tous)).montant_amc == Decimal("34.65")
    # An OPTAM doctor, or a contract that is not responsable: no such limit.
    assert optam_pour(replace(acte, praticien=Praticien(secteur=2, optam=True)), tous) is None
    assert optam_pour(replace(acte, responsable=False), tous) is None
    _garantie(formule=formule, poste="consultation_specialiste", praticien="optam", taux=Decimal("300"))
    assert estimer(soin).mutuelle == Decimal("34.65") + Decimal("6.30")  # 100 % BR of dépassement: 40,95
