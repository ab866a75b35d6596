"""Ceilings (plafonds) under NOEMIE: the acts of one file share them, and two transactions adding to
the same family's consumption at the same time cannot both pay up to the ceiling."""

from __future__ import annotations

import threading
import time
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection, connections, transaction

from mutuelle.claims.models import LigneRemboursement
from mutuelle.claims.services import VERROU_CONSOMMATION, consommation_verrouiller, noemie_integrer
from mutuelle.claims.tests.helpers import acte, decompte, write
from tests.factories import chambre_particuliere, forfait, ligne_make

D = Decimal


@pytest.fixture
def verres(garanties: Any) -> Any:
    """Lenses: 150 € each, at most 300 € over two rolling years."""
    return forfait(
        garanties, "optique_verres", "Verres classe B", "150.00", plafond_montant=D("300.00"), periode_annees=2
    )


def verre(numero: int, prix: str = "200.00", **valeurs: Any) -> dict[str, Any]:
    """A classe B lens: a base of a few cents, 60 % of it paid by the Sécu."""
    if "EXE_SOI_DTD" in valeurs:
        valeurs.setdefault("EXE_SOI_DTF", valeurs["EXE_SOI_DTD"])
    return acte(
        numero,
        PRS_NAT_REF=3504,
        PRS_PAI_MNT=D(prix),
        BSE_REM_BSE=D("0.05"),
        RGO_REM_TAU=D("0.60"),
        BSE_REM_MNT=D("0.03"),
        PRS_PFO_MNT=D("0.00"),
        PRS_DEP_MNT=D(prix) - D("0.05"),
        PSE_SPE_COD=64,
        **valeurs,
    )


@pytest.mark.django_db
def test_the_acts_of_one_file_share_the_ceiling(camille, verres, tmp_path):
    """Three lenses at 150 € under a 300 € ceiling: the third gets only the ticket modérateur a
    contrat responsable always covers (40 % of 0.05 €)."""
    noemie_integrer(path=write(tmp_path, [decompte(camille, [verre(1), verre(2), verre(3)])]), parallele=False)
    montants = list(LigneRemboursement.objects.order_by("numero").values_list("montant_amc", flat=True))
    assert montants == [D("150.00"), D("150.00"), D("0.02")]


@pytest.mark.django_db(transaction=True)
def test_the_lock_needs_a_transaction():
    if connection.vendor != "postgresql":
        pytest.skip("nothing to lock on SQLite")
    with pytest.raises(RuntimeError, match="inside one"):
        consommation_verrouiller([1])


def _attente_verrou(deadline: float) -> None:
    """Until another backend waits for a consumption lock (pg_locks), or the deadline."""
    with connection.cursor() as cursor:
        while time.monotonic() < deadline:
            cursor.execute(
                "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted AND classid = %s",
                [VERROU_CONSOMMATION],
            )
            if cursor.fetchone()[0]:
                return
            time.sleep(0.02)
    raise AssertionError("the NOEMIE lot did not wait for the other transaction's lock")


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_lot_waits_for_a_transaction_adding_to_the_same_familys_consumption(camille, verres, tmp_path):
    """Another transaction (a paper claim, a lot of another file) holds Camille's family and adds 250 €
    of lenses; a NOEMIE lot with one more lens waits for it, then sees it: 50 € are left, not 150."""
    tenu, relache = threading.Event(), threading.Event()
    erreurs: list[BaseException] = []

    def autre_transaction() -> None:
        try:
            with transaction.atomic():
                consommation_verrouiller([camille.contrat_id])
                ligne_make(
                    beneficiaire=camille,
                    date_soins=date(2025, 3, 3),  # the same day: a pair of lenses, no renewal period
                    poste="optique_verres",
                    depense="300.00",
                    amo="0.03",
                    amc="250.00",
                    statut="valide",
                    garantie=verres,
                )
                tenu.set()
                assert relache.wait(60)
        except BaseException as exc:  # reported by the test's thread
            erreurs.append(exc)
            tenu.set()
        finally:
            connections.close_all()

    def lot() -> None:
        try:
            noemie_integrer(path=write(tmp_path, [decompte(camille, [verre(1)])]), parallele=False)
        except BaseException as exc:
            erreurs.append(exc)
        finally:
            connections.close_all()

    autre = threading.Thread(target=autre_transaction)
    autre.start()
    assert tenu.wait(60) and not erreurs, erreurs
    ingestion = threading.Thread(target=lot)
    ingestion.start()
    try:
        _attente_verrou(time.monotonic() + 60)
        assert not LigneRemboursement.objects.filter(poste="optique_verres", montant_amc__lt=250).exists()
    finally:
        relache.set()
        autre.join(60)
        ingestion.join(120)
    assert not erreurs, erreurs
    ligne = LigneRemboursement.objects.get(decompte__fichier__nom="flux.txt")
    assert ligne.montant_amc == D("50.00")


def chambre(numero: int, nuits: int, jour: date) -> dict[str, Any]:
    """A private room in hospital, billed per night (the Sécu pays nothing of it)."""
    return acte(
        numero,
        PRS_NAT_REF=2141,
        EXE_SOI_DTD=jour,
        EXE_SOI_DTF=jour,
        PRS_ACT_QTE=nuits,
        PRS_PAI_MNT=D(80 * nuits),
        BSE_REM_BSE=D("0.00"),
        RGO_REM_TAU=D("0.00"),
        BSE_REM_MNT=D("0.00"),
        PRS_PFO_MNT=D("0.00"),
        PRS_DEP_MNT=D("0.00"),
    )


@pytest.mark.django_db
def test_a_limit_in_nights_is_counted_across_the_acts_of_a_file_and_the_files_after_it(camille, garanties, tmp_path):
    """50 € a night, 60 nights a calendar year: 40 nights, then 30 (20 paid), then 5 (none)."""
    chambre_particuliere(garanties)
    premier = [chambre(1, 40, date(2025, 2, 3)), chambre(2, 30, date(2025, 6, 2))]
    noemie_integrer(path=write(tmp_path, [decompte(camille, premier)], name="a.txt"), parallele=False)
    noemie_integrer(
        path=write(tmp_path, [decompte(camille, [chambre(1, 5, date(2025, 9, 1))])], name="b.txt"), parallele=False
    )
    lignes = LigneRemboursement.objects.order_by("date_soins")
    assert [(ligne.quantite, ligne.montant_amc) for ligne in lignes] == [
        (40, D("2000.00")),
        (30, D("1000.00")),
        (5, D("0.00")),
    ]
    assert "20 sur 30 cette fois" in lignes[1].etapes[-2].explication


@pytest.mark.django_db
@pytest.mark.parametrize("ordre", ["octobre_puis_septembre", "septembre_puis_octobre"])
def test_a_ceiling_holds_whatever_the_order_in_which_the_stays_arrive(camille, garanties, tmp_path, ordre):
    """The attack: 60 nights and 3,000 € a calendar year, 6 nights paid; a 40-night stay from 20/10,
    then one of 40 nights from 01/09 arrived later. The September stay was checked against what was
    paid up to September only, and 86 nights (4,300 €) were paid. In both orders, 60 nights now."""
    garantie = chambre_particuliere(garanties)
    garantie.plafond_montant = D("3000.00")
    garantie.save()
    ligne_make(
        beneficiaire=camille,
        date_soins=date(2025, 3, 2),
        poste="chambre_particuliere",
        depense="480.00",
        amo="0.00",
        amc="300.00",
        garantie=garantie,
        quantite=6,
    )
    octobre = write(tmp_path, [decompte(camille, [chambre(1, 40, date(2025, 10, 20))], numero=10)], name="oct.txt")
    septembre = write(tmp_path, [decompte(camille, [chambre(1, 40, date(2025, 9, 1))], numero=11)], name="sep.txt")
    fichiers = [octobre, septembre] if ordre == "octobre_puis_septembre" else [septembre, octobre]
    for fichier in fichiers:
        noemie_integrer(path=fichier, parallele=False)
    lignes = LigneRemboursement.objects.filter(garantie=garantie)
    assert sum(ligne.montant_amc for ligne in lignes) == D("3000.00")
    # The first file to arrive gets its 40 nights, the second the 14 left.
    premier, second = (LigneRemboursement.objects.get(decompte__fichier__nom=f.name) for f in fichiers)
    assert (premier.montant_amc, second.montant_amc) == (D("2000.00"), D("700.00"))
    assert "14 sur 40 cette fois" in second.etapes[-2].explication


@pytest.mark.django_db
def test_a_rolling_ceiling_counts_every_window_that_contains_the_act(camille, garanties, tmp_path):
    """A private room at 50 € a night, 1,500 € per rolling two years: stays of June and July 2025
    are paid (1,000 € and 500 €), then a stay of January 2024 arrives: the window July 2023 – July
    2025 holds all three, so it gets nothing. A stay of May 2023 shares no window with them."""
    garantie = chambre_particuliere(garanties)
    garantie.plafond_nombre, garantie.plafond_montant = None, D("1500.00")
    garantie.periode, garantie.periode_annees = "annees_glissantes", 2
    garantie.save()
    juin, juillet = chambre(1, 20, date(2025, 6, 1)), chambre(2, 10, date(2025, 7, 1))
    noemie_integrer(path=write(tmp_path, [decompte(camille, [juin, juillet])], name="a.txt"), parallele=False)
    tard = [
        decompte(camille, [chambre(1, 4, date(2024, 1, 10))], numero=2),
        decompte(camille, [chambre(1, 4, date(2023, 5, 1))], numero=3),
    ]
    noemie_integrer(path=write(tmp_path, tard, name="b.txt"), parallele=False)
    montants = dict(LigneRemboursement.objects.values_list("date_soins", "montant_amc"))
    assert montants == {
        date(2025, 6, 1): D("1000.00"),
        date(2025, 7, 1): D("500.00"),
        date(2024, 1, 10): D("0.00"),
        date(2023, 5, 1): D("200.00"),
    }
