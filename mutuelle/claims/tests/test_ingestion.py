"""NOEMIE ingestion: all or nothing, never twice, every line matched or reported, reviews named."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from io import StringIO

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command

from mutuelle.claims.models import (
    TRANSITIONS,
    Decompte,
    EvenementLigne,
    FichierNoemie,
    LigneRemboursement,
    RejetNoemie,
    Statut,
)
from mutuelle.claims.selectors import personnes_connues
from mutuelle.claims.services import ligne_transition, noemie_integrer
from mutuelle.claims.tests.helpers import acte, consultation_secteur_2, decompte, write
from mutuelle.core.models import AuditLog
from noemie.generateur import Generateur

pytestmark = pytest.mark.django_db
D = Decimal


def test_a_generated_file_is_integrated_line_by_line(contrat, autre_adherent, garanties, tmp_path, mutuelle):
    path = tmp_path / "gen.txt"
    with path.open("w", encoding="ascii") as handle:
        Generateur(personnes_connues(), seed=2, debut=date(2025, 1, 1), fin=date(2025, 6, 30)).ecrire(
            handle, lignes=150, emetteur=691000001, amc=int(mutuelle.numero_amc), sequence=7, cree_le=date(2025, 7, 1)
        )
    result = noemie_integrer(path=path)
    assert result.status == "ingested"
    assert result.lignes + result.rejets == 150
    assert LigneRemboursement.objects.count() == result.lignes > 100
    fichier = FichierNoemie.objects.get()
    assert (fichier.statut, fichier.nb_lignes, fichier.emetteur, fichier.sequence) == (
        "integre",
        result.lignes,
        691000001,
        7,
    )
    for ligne in LigneRemboursement.objects.all():
        assert ligne.etapes and ligne.etapes[-1].regle == "reste"
        assert ligne.montant_amo + ligne.montant_amc + ligne.reste_a_charge == ligne.montant_depense
        assert ligne.statut in {Statut.VALIDE, Statut.EN_COURS, Statut.SANS_OBJET}
        # Validated with nothing to pay, a line is closed at once: it never waits for a payment run.
        assert (ligne.statut == Statut.VALIDE) <= (ligne.montant_amc > 0)
        (event,) = ligne.evenements.all()
        assert (event.de, event.vers) == ("", ligne.statut)
        assert event.motif.startswith("Reçu de la Sécurité sociale")
    assert AuditLog.objects.filter(action="claims.fichier.ingested").count() == 1


def test_an_ordinary_consultation_is_validated_automatically(camille, garanties, tmp_path):
    result = noemie_integrer(path=write(tmp_path, [decompte(camille, [acte()])]))
    assert (result.status, result.lignes, result.rejets) == ("ingested", 1, 0)
    ligne = LigneRemboursement.objects.get()
    assert (ligne.montant_amo, ligne.montant_amc, ligne.reste_a_charge) == (D("19.00"), D("9.00"), D("2.00"))
    assert ligne.statut == Statut.VALIDE
    assert [(e.de, e.vers) for e in ligne.evenements.all()] == [("", Statut.VALIDE)]
    assert "validé automatiquement" in ligne.evenements.get().motif
    assert ligne.beneficiaire == camille and ligne.formule == garanties


def test_a_secteur_2_act_above_the_threshold_goes_to_review_and_its_approval_pays_the_expected_amount(
    camille, garanties, tmp_path, gestionnaire
):
    cs = consultation_secteur_2()
    noemie_integrer(path=write(tmp_path, [decompte(camille, [cs])]))
    ligne = LigneRemboursement.objects.get()
    assert ligne.statut == Statut.EN_COURS
    assert "Dépassement de 48,50\u00a0€ supérieur à 100 % de la base" in ligne.motif_revue
    # 200 % BR = 63.00 − AMO 22.05 = 40.95, also the non-OPTAM cap (TM 9.45 + 100 % BR)
    assert (ligne.montant_amc, ligne.reste_a_charge) == (D("40.95"), D("19.00"))
    ligne = ligne_transition(ligne=ligne, vers=Statut.VALIDE, par=gestionnaire, motif="Dépassement conforme au devis")
    assert ligne.statut == Statut.VALIDE and ligne.montant_amc == D("40.95")
    event = ligne.evenements.last()
    assert (event.de, event.vers, event.par) == (Statut.EN_COURS, Statut.VALIDE, gestionnaire)
    assert AuditLog.objects.filter(action="claims.ligne.validated", acteur=gestionnaire).exists()


def test_a_handler_can_adjust_with_a_reason(camille, garanties, tmp_path, gestionnaire):
    cs = consultation_secteur_2()
    noemie_integrer(path=write(tmp_path, [decompte(camille, [cs])]))
    ligne = LigneRemboursement.objects.get()
    with pytest.raises(ValidationError, match="motivé"):
        ligne_transition(ligne=ligne, vers=Statut.VALIDE, par=gestionnaire, montant_amc=D("30.00"))
    with pytest.raises(ValidationError, match=r"entre 0 et 59,95"):
        ligne_transition(ligne=ligne, vers=Statut.VALIDE, par=gestionnaire, montant_amc=D("70"), motif="x")
    ligne = ligne_transition(
        ligne=ligne,
        vers=Statut.VALIDE,
        par=gestionnaire,
        montant_amc=D("30.00"),
        motif="Plafonné selon l'accord du 12/02",
    )
    assert (ligne.montant_amc, ligne.reste_a_charge) == (D("30.00"), D("29.95"))


def test_an_unknown_beneficiary_becomes_a_rejet(camille, garanties, tmp_path):
    from tests.factories import fake_nir

    stranger = type(
        "P",
        (),
        {
            "nir": fake_nir(sexe="1", naissance=date(1970, 1, 1)),
            "rang_gemellaire": 1,
            "date_naissance": date(1970, 1, 1),
        },
    )
    result = noemie_integrer(
        path=write(tmp_path, [decompte(camille, [acte()]), decompte(stranger, [acte()], numero=2)])
    )
    assert (result.status, result.lignes, result.rejets) == ("ingested", 1, 1)
    rejet = RejetNoemie.objects.get()
    assert (rejet.motif, rejet.decompte_numero, rejet.nir) == ("beneficiaire_inconnu", 2, stranger.nir)


def test_care_outside_the_rights_period_becomes_a_rejet(camille, garanties, tmp_path):
    result = noemie_integrer(
        path=write(tmp_path, [decompte(camille, [acte(EXE_SOI_DTD=date(2021, 5, 1), EXE_SOI_DTF=date(2021, 5, 1))])])
    )
    assert (result.lignes, result.rejets) == (0, 1)
    assert RejetNoemie.objects.get().motif == "sans_droits"


def test_a_duplicate_changes_nothing(camille, garanties, tmp_path):
    path = write(tmp_path, [decompte(camille, [acte()])], sequence=5)
    assert noemie_integrer(path=path).status == "ingested"
    counts = (LigneRemboursement.objects.count(), Decompte.objects.count(), FichierNoemie.objects.count())
    again = noemie_integrer(path=path)
    assert again.status == "duplicate" and "déjà reçu (même contenu)" in again.message
    # Same issuer and sequence number, other content: still the same file for the caisse.
    other = write(tmp_path, [decompte(camille, [acte(), acte(2)])], sequence=5, name="flux-bis.txt")
    third = noemie_integrer(path=other)
    assert third.status == "duplicate" and "même numéro de séquence" in third.message
    assert (LigneRemboursement.objects.count(), Decompte.objects.count(), FichierNoemie.objects.count()) == counts


def test_a_defective_file_is_rejected_whole_with_its_report_and_leaves_no_row(camille, garanties, tmp_path):
    path = write(tmp_path, [decompte(camille, [acte()]), decompte(camille, [acte()], numero=2)])
    rows = path.read_text().splitlines(keepends=True)
    rows[-2] = rows[-2][:10] + "X" + rows[-2][11:]  # the 190 closing record of the second décompte
    path.write_text("".join(rows))
    result = noemie_integrer(path=path)
    assert result.status == "rejected"
    assert result.errors[0]["line"] == len(rows) - 1
    assert LigneRemboursement.objects.count() == Decompte.objects.count() == RejetNoemie.objects.count() == 0
    fichier = FichierNoemie.objects.get()
    assert fichier.statut == "rejete" and fichier.erreurs == result.errors


def test_a_file_for_another_mutuelle_is_rejected(camille, garanties, tmp_path):
    result = noemie_integrer(path=write(tmp_path, [decompte(camille, [acte()])], amc=11111111))
    assert result.status == "rejected" and "pas à la mutuelle" in result.errors[0]["message"]
    assert LigneRemboursement.objects.count() == 0


def test_a_rejected_file_may_be_sent_again_corrected(camille, garanties, tmp_path):
    path = write(tmp_path, [decompte(camille, [acte()])], sequence=9)
    good = path.read_text()
    path.write_text(good.replace("\n", "X\n", 1))
    assert noemie_integrer(path=path).status == "rejected"
    path.write_text(good)
    assert noemie_integrer(path=path).status == "ingested"


@pytest.mark.parametrize(
    ("de", "vers"), [(de, vers) for de in Statut for vers in Statut if vers not in TRANSITIONS[de] and vers != de]
)
def test_every_transition_not_in_the_table_is_refused(camille, garanties, tmp_path, de, vers):
    noemie_integrer(path=write(tmp_path, [decompte(camille, [acte()])]))
    ligne = LigneRemboursement.objects.get()
    LigneRemboursement.objects.filter(pk=ligne.pk).update(statut=de)
    before = EvenementLigne.objects.count()
    with pytest.raises(ValidationError, match="impossible"):
        ligne_transition(ligne=ligne, vers=vers, motif="essai")
    assert LigneRemboursement.objects.get().statut == de
    assert EvenementLigne.objects.count() == before


def test_rejecting_or_asking_information_needs_a_reason(camille, garanties, tmp_path):
    cs = consultation_secteur_2()
    noemie_integrer(path=write(tmp_path, [decompte(camille, [cs])]))
    ligne = LigneRemboursement.objects.get()
    for vers in (Statut.REJETE, Statut.COMPLEMENT):
        with pytest.raises(ValidationError, match="motif"):
            ligne_transition(ligne=ligne, vers=vers)


def test_the_command_prints_a_json_summary(camille, garanties, tmp_path):
    path = write(tmp_path, [decompte(camille, [acte(), acte(2)])])
    out = StringIO()
    call_command("noemie_ingest", str(path), "--json", stdout=out)
    assert json.loads(out.getvalue()) == {
        "file": "flux.txt",
        "status": "ingested",
        "decomptes": 1,
        "lignes": 2,
        "rejets": 0,
        "errors": [],
    }
    out = StringIO()
    call_command("noemie_ingest", str(path), "--json", stdout=out)
    assert json.loads(out.getvalue())["status"] == "duplicate"


def test_the_command_fails_on_a_rejected_file_after_printing_its_report(camille, garanties, tmp_path):
    path = write(tmp_path, [decompte(camille, [acte()])])
    path.write_text(path.read_text()[:-200])
    out = StringIO()
    with pytest.raises(CommandError):
        call_command("noemie_ingest", str(path), "--json", stdout=out)
    summary = json.loads(out.getvalue())
    assert summary["status"] == "rejected" and summary["errors"][0]["line"]


def test_without_the_nomenclature_ingestion_refuses_to_start(camille, garanties, tmp_path):
    from mutuelle.referentiel.models import NaturePrestation

    NaturePrestation.objects.all().delete()
    with pytest.raises(CommandError, match="load_nature_prestation"):
        call_command("noemie_ingest", str(write(tmp_path, [decompte(camille, [acte()])])), stdout=StringIO())
    assert FichierNoemie.objects.count() == 0


def test_device_prices_above_their_tiny_base_are_not_doctors_depassements(camille, garanties, tmp_path):
    """Classe B lenses have a BR of a few cents: their price is no 'dépassement d'honoraires'."""
    from tests.factories import GarantieFactory

    GarantieFactory(formule=garanties, poste="optique_verres", type_garantie="forfait", taux=None, montant=D("100"))
    verre = acte(
        PRS_NAT_REF=3504,
        PRS_PAI_MNT=D("120.00"),
        BSE_REM_BSE=D("0.05"),
        RGO_REM_TAU=D("0.60"),
        BSE_REM_MNT=D("0.03"),
        PRS_PFO_MNT=D("0.00"),
        PRS_DEP_MNT=D("119.95"),
        PSE_SPE_COD=64,
    )
    noemie_integrer(path=write(tmp_path, [decompte(camille, [verre])]))
    ligne = LigneRemboursement.objects.get()
    assert (ligne.statut, ligne.motif_revue, ligne.montant_amc) == (Statut.VALIDE, "", D("100.00"))
