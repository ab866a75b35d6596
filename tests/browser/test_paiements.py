"""Payments in a real browser: a supervisor runs the payment, downloads the bank file and imports the
bank's answer; the member then reads « versés par virement le … sur le compte FR76 •••• … »."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest

from mutuelle.claims.models import Statut
from mutuelle.members.models import CoordonneesBancaires, StatutRib
from mutuelle.payments import sepa
from mutuelle.payments.models import LotPaiement, Virement
from tests.browser.conftest import axe_violations, screenshot
from tests.browser.test_demandes import _gestionnaire
from tests.browser.test_espace import _connexion
from tests.factories import ligne_make

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_supervisor_pays_and_the_member_sees_the_transfer(
    page: Any, browser: Any, live_server: Any, adherent: Any, contrat: Any, responsable: Any, tmp_path: Path
) -> None:
    CoordonneesBancaires.objects.create(
        adherent=adherent, titulaire="Camille Lefebvre", iban="FR7699999000010000300000357", statut=StatutRib.ACTIF
    )
    ligne = ligne_make(beneficiaire=contrat.beneficiaires.first(), statut=Statut.VALIDE, amc="9.00")

    gestion = _gestionnaire(browser, live_server, responsable)
    gestion.get_by_role("link", name="Paiements").click()
    gestion.get_by_role("button", name="Lancer le paiement maintenant").click()
    gestion.wait_for_load_state("networkidle")
    lot = LotPaiement.objects.get()
    assert f"Lot {lot.numero} prêt" in gestion.locator(".notice").inner_text()
    assert "FR76 ••••" in gestion.locator("main").inner_text()
    violations = axe_violations(gestion)
    screenshot(gestion, "paiements-lot")
    assert not violations, violations
    with gestion.expect_download() as telechargement:
        gestion.get_by_role("button", name="Télécharger le fichier de virements (pain.001)").click()
    fichier = Path(telechargement.value.path()).read_bytes()
    sepa.valider(fichier, sepa.PAIN001)
    rapport = tmp_path / "retour-banque.xml"
    rapport.write_bytes(
        sepa.pain002_ecrire(
            message_id="BANQUE-1",
            cree_le=datetime(2026, 12, 3, 9, 0),
            message_origine=lot.numero,
            nb_transactions=1,
            total=lot.total,
            rejets={},
        )
    )
    gestion.goto("/gestion/paiements/")
    gestion.get_by_label("Rapport de la banque (pain.002, XML)").set_input_files(str(rapport))
    gestion.get_by_role("button", name="Intégrer").click()
    gestion.wait_for_load_state("networkidle")
    assert "1 virement(s) accepté(s), 0 rejeté(s)" in gestion.locator(".notice").inner_text()
    gestion.context.close()

    virement = Virement.objects.get()
    _connexion(page, adherent.numero)
    page.goto(f"/espace/remboursements/{ligne.pk}/")
    texte = page.locator("main").inner_text()
    # Accepted by the bank for a later day: on its way, not yet made.
    assert lot.date_execution > date.today()
    assert f"virement en cours, versement prévu le {lot.date_execution:%d/%m/%Y} sur le compte" in texte
    assert "Virement en cours" in texte and "versés par virement" not in texte
    page.get_by_role("link", name="Notifications").click()
    assert "Un virement de 9,00\u00a0€ est en cours" in page.locator("main").inner_text()
    # Once its day has come (a transfer executed today), it is a reimbursement made.
    Virement.objects.filter(pk=virement.pk).update(paye_le=date.today())
    page.goto(f"/espace/remboursements/{ligne.pk}/")
    texte = page.locator("main").inner_text()
    assert f"versés par virement le {date.today():%d/%m/%Y} sur le compte {virement.iban_masque}" in texte
    assert "Remboursement effectué" in texte
