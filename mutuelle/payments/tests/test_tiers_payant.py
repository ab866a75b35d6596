"""Tiers payant reaches someone: the directory's practitioners and establishments are paid in the
same runs, the ones without bank details wait in a queue that says why, and every count of the
payments pages is what the next run pays."""

from __future__ import annotations

import html
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from mutuelle.claims.models import Statut
from mutuelle.core.models import AuditLog
from mutuelle.members.models import CoordonneesBancaires, StatutRib
from mutuelle.payments.models import Virement
from mutuelle.payments.services import paiements_executer, resume_a_payer
from mutuelle.referentiel.models import Etablissement, Praticien
from tests.factories import PraticienFactory, UserFactory, connecter, ligne_make

pytestmark = pytest.mark.django_db
EXEMPLE = Path(__file__).resolve().parents[3] / "docs" / "exemples" / "annuaire.csv"


def _tiers(contrat: Any, ident: str, amc: str) -> Any:
    ligne = ligne_make(beneficiaire=contrat.beneficiaires.first(), statut=Statut.VALIDE, amc=amc, tiers_payant=True)
    ligne.praticien_identifiant = ident
    ligne.save(update_fields=["praticien_identifiant"])
    return ligne


@pytest.fixture
def dus(mutuelle: Any, contrat: Any, adherent: Any) -> dict[str, Any]:
    """A member with an account, a practitioner with one, one without, one unknown to the directory."""
    CoordonneesBancaires.objects.create(
        adherent=adherent, titulaire="Camille Lefebvre", iban="FR7699999000010000300000357", statut=StatutRib.ACTIF
    )
    paye: Any = PraticienFactory(iban="FR7699999000010000500000583", bic="FICTFRPPXXX")
    sans_iban: Any = PraticienFactory(iban="")
    lignes = {
        "adherent": ligne_make(beneficiaire=contrat.beneficiaires.first(), statut=Statut.VALIDE, amc="5.00"),
        "paye": _tiers(contrat, paye.rpps, "11.00"),
        "sans_iban": _tiers(contrat, sans_iban.rpps, "7.00"),
        "inconnu": _tiers(contrat, "10999999990", "3.00"),
    }
    return {"lignes": lignes, "paye": paye, "sans_iban": sans_iban}


def test_the_counts_are_what_the_next_run_pays(dus: dict[str, Any]):
    resume = resume_a_payer()
    assert (resume.payables, resume.montant_payable, resume.payables_professionnels, resume.virements) == (
        2,
        Decimal("16.00"),
        1,
        2,
    )
    assert [(p.identifiant, p.nb_lignes, p.montant) for p in resume.professionnels_sans_compte] == [
        (dus["sans_iban"].rpps, 1, Decimal("7.00")),
        ("10999999990", 1, Decimal("3.00")),
    ]
    assert [p.raison for p in resume.professionnels_sans_compte] == [
        "sans IBAN dans l'annuaire",
        "inconnu de l'annuaire",
    ]
    (lot,) = paiements_executer()
    assert (lot.nb_lignes, lot.total, lot.nb_virements) == (resume.payables, resume.montant_payable, resume.virements)
    assert Virement.objects.get(praticien=dus["paye"]).montant == Decimal("11.00")
    apres = resume_a_payer()
    assert apres.payables == 0 and apres.lignes_sans_compte_professionnel == 2


def test_the_queue_of_professionals_without_bank_details(dus: dict[str, Any], gestionnaire: Any, courtier: Any):
    gestion = connecter(Client(), gestionnaire)
    page = html.unescape(gestion.get("/gestion/paiements/").content.decode())
    assert "Professionnels sans coordonnées bancaires" in page and "2 remboursements en attente" in page
    file = html.unescape(gestion.get("/gestion/paiements/professionnels-sans-coordonnees/").content.decode())
    assert dus["sans_iban"].rpps in file and "sans IBAN dans l'annuaire" in file
    assert "10999999990" in file and "inconnu de l'annuaire" in file
    assert "10,00\u00a0€" in file  # 7 + 3 owed
    # Neither a broker nor a member opens it.
    assert (
        connecter(Client(), courtier.user).get("/gestion/paiements/professionnels-sans-coordonnees/").status_code == 404
    )
    membre: Any = UserFactory(username="membre-tp", role="adherent")
    assert connecter(Client(), membre).get("/gestion/paiements/professionnels-sans-coordonnees/").status_code in (
        403,
        404,
    )


def test_a_run_with_only_unpayable_lines_says_why(mutuelle: Any, contrat: Any, responsable: Any):
    _tiers(contrat, "10999999990", "3.00")
    gestion = connecter(Client(), responsable)
    suite = gestion.post("/gestion/paiements/lancer/", follow=True)
    texte = html.unescape(suite.content.decode())
    assert "n'ont pas de compte bancaire où être versés" in texte and "1 pour des professionnels" in texte


def test_the_directory_is_imported_from_a_csv_extract(db: Any, tmp_path: Path):
    call_command("annuaire_importer", str(EXEMPLE))
    praticien = Praticien.objects.get(rpps="10526018154")
    assert (praticien.nom, praticien.iban, praticien.bic) == ("Fictif", "FR7699999000010000100004011", "FICTFRPPXXX")
    assert Etablissement.objects.get(finess="690000017").iban == "FR7699999000010000100004205"
    row = AuditLog.objects.get(action="referentiel.annuaire.imported")
    assert (
        row.nouvelle_valeur is not None and row.nouvelle_valeur["crees"] == 3 and "FR76" not in str(row.nouvelle_valeur)
    )
    # Again, with a corrected IBAN: updated, and an earlier bank rejection forgotten.
    Praticien.objects.filter(pk=praticien.pk).update(iban_rejete_le="2026-11-01T10:00:00Z")
    texte = EXEMPLE.read_text().replace("FR7699999000010000100004011", "FR7699999000010000100004108", 1)
    texte = texte.replace(
        "10830166137;Exemple;Basile;64;1;non;;;69007;Lyon;FR7699999000010000100004108",
        "10830166137;Exemple;Basile;64;1;non;;;69007;Lyon;",
    )
    (tmp_path / "maj.csv").write_text(texte)
    call_command("annuaire_importer", str(tmp_path / "maj.csv"))
    praticien.refresh_from_db()
    assert praticien.iban == "FR7699999000010000100004108" and praticien.iban_rejete_le is None


def test_a_bad_extract_saves_nothing_and_says_where(db: Any, tmp_path: Path):
    fichier = tmp_path / "annuaire.csv"
    fichier.write_text(
        "type;identifiant;nom;prenom;specialite;iban\n"
        "praticien;10526018154;Fictif;Aurore;01;FR7699999000010000100004011\n"
        "praticien;10830166137;Exemple;Basile;01;FR7699999000010000100004199\n"
        "cabinet;123;Autre;;;\n"
    )
    with pytest.raises(CommandError) as erreur:
        call_command("annuaire_importer", str(fichier))
    message = str(erreur.value)
    assert "ligne 3, iban" in message and "ligne 4, type" in message and "Rien n'a été enregistré." in message
    assert not Praticien.objects.exists()
