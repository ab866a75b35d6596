"""Guarantees that need a prior approval: a line passes on its own when an agreement of its domain,
granted to the person and in force on the date of care, still covers the mutuelle's share; otherwise
it waits for a handler, with the reason."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from mutuelle.claims.models import LigneRemboursement, Statut
from mutuelle.claims.services import accord_prealable_enregistrer, noemie_integrer
from mutuelle.claims.tests.helpers import acte, decompte, write
from mutuelle.core.models import Mutuelle
from mutuelle.requests.models import Decision, Demande, StatutDemande, TypeDemande
from tests.factories import forfait

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def aides_auditives(garanties: Any, mutuelle: Any) -> Any:
    """900 € per classe II hearing aid, on prior approval; the amount threshold out of the way."""
    Mutuelle.objects.update(seuil_revue_montant=D("5000"))
    return forfait(
        garanties, "audio_classe_2", "Aide auditive à tarif libre, par oreille", "900.00", accord_prealable=True
    )


def oreille(numero: int, jour: date = date(2025, 3, 3)) -> dict[str, Any]:
    """A classe II hearing aid at 1,500 €: the Sécu pays 60 % of a 400 € base."""
    return acte(
        numero,
        PRS_NAT_REF=3541,
        EXE_SOI_DTD=jour,
        EXE_SOI_DTF=jour,
        PRS_PAI_MNT=D("1500.00"),
        BSE_REM_BSE=D("400.00"),
        RGO_REM_TAU=D("0.60"),
        BSE_REM_MNT=D("240.00"),
        PRS_PFO_MNT=D("0.00"),
        PRS_DEP_MNT=D("1100.00"),
        PSE_SPE_COD=65,
    )


def accord(beneficiaire: Any, montant: str, *, domaine: str = "audio", le: date = date(2025, 2, 20)) -> Demande:
    """A request for prior approval answered « accord » on ``le``, with the approval it grants (as
    ``requests.services.demande_avancer`` writes them)."""
    demande = Demande.objects.create(
        numero=f"P{le:%Y}-{Demande.objects.count() + 1:06d}",
        adherent=beneficiaire.contrat.adherent,
        type_demande=TypeDemande.PRISE_EN_CHARGE,
        beneficiaire=beneficiaire,
        domaine=domaine,
        echeance=le,
        statut=StatutDemande.TRAITEE,
        decision=Decision.ACCORD if montant == "1800.00" else Decision.ACCORD_PARTIEL,
        montant_accorde=D(montant),
        traitee_le=timezone.make_aware(datetime.combine(le, datetime.min.time().replace(hour=10))),
    )
    accord_prealable_enregistrer(demande=demande, beneficiaire=beneficiaire, domaine=domaine, le=le, montant=D(montant))
    return demande


def _lignes(tmp_path: Any, camille: Any, *actes: dict[str, Any]) -> list[LigneRemboursement]:
    noemie_integrer(path=write(tmp_path, [decompte(camille, list(actes))]), parallele=False)
    return list(LigneRemboursement.objects.order_by("numero"))


def test_without_an_agreement_the_line_waits_for_a_handler(camille, aides_auditives, tmp_path):
    (ligne,) = _lignes(tmp_path, camille, oreille(1))
    assert ligne.statut == Statut.EN_COURS and ligne.montant_amc == D("900.00")
    assert "soumise à accord préalable : aucun accord en cours" in ligne.motif_revue


def test_an_agreement_for_both_ears_lets_both_lines_through(camille, aides_auditives, tmp_path):
    accord(camille, "1800.00")
    lignes = _lignes(tmp_path, camille, oreille(1), oreille(2))
    assert [(ligne.statut, ligne.montant_amc, ligne.motif_revue) for ligne in lignes] == [
        (Statut.VALIDE, D("900.00"), ""),
        (Statut.VALIDE, D("900.00"), ""),
    ]


def test_a_partial_agreement_covers_what_it_says_and_the_rest_waits(camille, aides_auditives, tmp_path):
    numero = accord(camille, "1000.00").numero
    premiere, seconde = _lignes(tmp_path, camille, oreille(1), oreille(2))
    assert premiere.statut == Statut.VALIDE
    assert seconde.statut == Statut.EN_COURS
    assert (
        f"Part mutuelle de 900,00\u00a0€ au-delà de l'accord n° {numero} "
        "(1\u202f000,00\u00a0€ accordés, 900,00\u00a0€ déjà pris en charge)"
    ) in seconde.motif_revue


def test_an_agreement_counts_what_earlier_files_paid_under_it(camille, aides_auditives, tmp_path):
    accord(camille, "1000.00")
    noemie_integrer(path=write(tmp_path, [decompte(camille, [oreille(1)])], name="a.txt"), parallele=False)
    noemie_integrer(path=write(tmp_path, [decompte(camille, [oreille(1)], numero=2)], name="b.txt"), parallele=False)
    statuts = list(LigneRemboursement.objects.order_by("decompte__fichier__nom").values_list("statut", flat=True))
    assert statuts == [Statut.VALIDE, Statut.EN_COURS]


@pytest.mark.parametrize(
    ("domaine", "jour", "personne"),
    [
        ("optique", date(2025, 3, 3), "camille"),  # another domain
        ("audio", date(2025, 9, 1), "camille"),  # care after the six months of the agreement
        ("audio", date(2025, 2, 1), "camille"),  # care before the agreement was given
        ("audio", date(2025, 3, 3), "autre"),  # someone else of the family
    ],
)
def test_an_agreement_of_another_domain_time_or_person_does_not_count(
    camille, aides_auditives, tmp_path, domaine, jour, personne
):
    beneficiaire = camille if personne == "camille" else camille.contrat.beneficiaires.exclude(pk=camille.pk).first()
    accord(beneficiaire, "1800.00", domaine=domaine)
    (ligne,) = _lignes(tmp_path, camille, oreille(1, jour))
    assert ligne.statut == Statut.EN_COURS and "aucun accord en cours" in ligne.motif_revue


def test_the_approvals_granted_before_their_table_are_carried_over(camille):
    """The migration that gave prior approvals their own table carries the old answers over, with the
    validity the liquidation gave them (six months from the answer), and forgets them on the way back."""
    import importlib

    from django.apps import apps

    from mutuelle.claims.models import AccordPrealable

    migration = importlib.import_module("mutuelle.claims.migrations.0016_accords_repris_des_demandes")
    accorde = accord(camille, "1800.00", le=date(2025, 8, 31))
    partiel = accord(camille, "700.00", domaine="optique", le=date(2025, 2, 20))
    refuse = accord(camille, "0.00", le=date(2025, 3, 1))
    Demande.objects.filter(pk=refuse.pk).update(decision=Decision.REFUS)
    AccordPrealable.objects.all().delete()  # as before the table existed

    migration.reprendre(apps, None)
    repris = {a.numero: a for a in AccordPrealable.objects.all()}
    assert set(repris) == {accorde.numero, partiel.numero}
    a = repris[accorde.numero]
    assert (a.beneficiaire, a.domaine, a.date_debut, a.date_fin, a.montant) == (
        camille,
        "audio",
        date(2025, 8, 31),
        date(2026, 2, 28),  # six months later, the month's last day
        D("1800.00"),
    )
    assert repris[partiel.numero].montant == D("700.00") and repris[partiel.numero].demande == partiel
    migration.oublier(apps, None)
    assert not AccordPrealable.objects.exists()
