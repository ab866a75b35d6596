"""A member downloads each document from « Mes documents » in a real browser, shows the card on a
phone, and a third party checks an attestation's code on the public verification page."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import expect
from pypdf import PdfReader

from mutuelle.members.models import Cotisation, ModePaiement, TypeDroit
from mutuelle.members.services import droit_periode_ajouter
from tests.browser.conftest import axe_violations, screenshot
from tests.browser.test_espace import _connexion
from tests.factories import garanties_carte, ligne_make
from tests.pdf import pdf_texte

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def dossier(contrat: Any, garanties: Any) -> Any:
    annee = timezone.localdate().year - 1
    for mois in range(1, 13):
        Cotisation.objects.create(
            contrat=contrat,
            echeance=date(annee, mois, 1),
            montant=Decimal("98.00"),
            montant_paye=Decimal("98.00"),
            date_paiement=date(annee, mois, 5),
            mode_paiement=ModePaiement.PRELEVEMENT,
        )
    julien = contrat.beneficiaires.get(prenom="Julien")
    droit_periode_ajouter(
        beneficiaire=contrat.beneficiaires.get(prenom="Camille"),
        type_droit=TypeDroit.CSS,
        date_debut=date(2023, 1, 1),
        date_fin=date(2023, 12, 31),
        reference="CSS-2023-0042",
    )
    for mois in range(1, 7):
        ligne_make(beneficiaire=julien, date_soins=date(annee, mois, 12))
    return annee


@pytest.fixture
def garanties(formule: Any) -> Any:
    return garanties_carte(formule)


def _telecharger(page: Any, bouton: str, tmp_path: Path) -> str:
    with page.expect_download() as attente:
        page.get_by_role("button", name=bouton).click()
    fichier = tmp_path / attente.value.suggested_filename
    attente.value.save_as(fichier)
    assert fichier.read_bytes().startswith(b"%PDF-") and len(PdfReader(fichier).pages) >= 1
    return pdf_texte(fichier)


def test_a_member_downloads_every_document(page: Any, adherent: Any, dossier: int, tmp_path: Path) -> None:
    _connexion(page, adherent.numero)
    page.get_by_role("link", name="Documents").click()
    expect(page.get_by_role("heading", name="Mes documents", exact=True)).to_be_visible()
    assert "Vous n'avez encore demandé aucun document." in page.locator("main").inner_text()
    assert not axe_violations(page)
    screenshot(page, "documents")
    texte = _telecharger(page, "Obtenir l'attestation de droits", tmp_path)
    assert "Attestation de droits" in texte and "Julien" in texte
    page.goto("/espace/documents/")
    page.get_by_label("Période", exact=True).select_option("personnalisee")
    page.get_by_label("Du", exact=False).first.fill(f"{dossier}-01-01")
    page.get_by_label("Au", exact=True).fill(f"{dossier}-06-30")
    texte = _telecharger(page, "Obtenir le relevé", tmp_path)
    assert "6 actes" in texte and "180,00" in texte
    page.goto("/espace/documents/")
    page.get_by_label("Année").select_option(str(dossier))
    texte = _telecharger(page, "Obtenir l'attestation fiscale", tmp_path)
    assert "1 176,00" in texte
    page.goto("/espace/documents/")
    assert "Bulletin d'adhésion" in _telecharger(page, "Obtenir le duplicata", tmp_path)
    page.goto("/espace/documents/")
    assert "CSS-2023-0042" in _telecharger(page, "Obtenir l'attestation ACS / CSS", tmp_path)
    page.goto("/espace/documents/")
    assert "Carte de tiers payant" in _telecharger(page, "Télécharger la carte (PDF)", tmp_path)
    # The history lists them, newest first.
    page.goto("/espace/documents/")
    historique = page.locator("#d-historique + div table").inner_text()
    assert historique.index("Carte de tiers payant") < historique.index("Attestation de droits")


def test_the_card_on_a_phone(browser: Any, live_server: Any, adherent: Any, dossier: int) -> None:
    context = browser.new_context(locale="fr-FR", base_url=live_server.url, viewport={"width": 375, "height": 812})
    page = context.new_page()
    try:
        _connexion(page, adherent.numero)
        page.goto("/espace/documents/")
        page.get_by_role("link", name="Afficher ma carte").click()
        expect(page.get_by_role("heading", name="Ma carte de tiers payant")).to_be_visible()
        main = page.locator("main").inner_text()
        assert adherent.numero in main and "Nathan Lefebvre" in main and "PHAR" in main
        expect(page.locator(".carte-tp-code svg")).to_be_visible()
        assert page.evaluate("() => document.documentElement.scrollWidth") <= 375
        assert not axe_violations(page)
        screenshot(page, "telephone-carte-tiers-payant")
        page.goto("/espace/documents/")
        assert page.evaluate("() => document.documentElement.scrollWidth") <= 375
        assert not axe_violations(page)
        screenshot(page, "telephone-documents")
    finally:
        context.close()


def test_a_hospital_checks_an_attestation(page: Any, adherent: Any, dossier: int, tmp_path: Path) -> None:
    _connexion(page, adherent.numero)
    page.goto("/espace/documents/")
    texte = _telecharger(page, "Obtenir l'attestation de droits", tmp_path)
    code = re.search(r"Code de vérification : ([A-Z2-9-]{14})", texte)
    assert code
    page.get_by_role("button", name="Se déconnecter").click()
    page.goto("/verifier/")
    assert not axe_violations(page)
    page.get_by_label("Code de vérification").fill(code.group(1).lower())
    page.get_by_role("button", name="Vérifier").click()
    resultat = page.locator("main").inner_text()
    assert "Document authentique et valable" in resultat and "C. L." in resultat and "Lefebvre" not in resultat
    assert not axe_violations(page)
    screenshot(page, "verification-authentique")
    page.get_by_label("Code de vérification").fill("ABCD-EFGH-JKLM")
    page.get_by_role("button", name="Vérifier").click()
    assert "Aucun document ne correspond à ce code" in page.locator("main").inner_text()
    screenshot(page, "verification-inconnu")


def test_a_handler_prints_the_letters_as_one_batch(page: Any, gestionnaire: Any, contrat: Any, tmp_path: Path) -> None:
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from mutuelle.documents.services import lettre_bienvenue
    from mutuelle.members.comptes import courrier_creer
    from tests.factories import TEST_PASSWORD, adherent_make, code_totp

    lettre_bienvenue(adherent=contrat.adherent)
    courrier_creer(adherent=adherent_make(prenom="Paul", nom="Roux", email="", sexe="1"), type_courrier="activation")
    device = TOTPDevice.objects.create(user=gestionnaire, name="test", confirmed=True)
    page.goto("/connexion/")
    page.get_by_label("Numéro d'adhérent ou numéro de sécurité sociale").fill(gestionnaire.username)
    page.get_by_label("Mot de passe").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.get_by_label("Code à 6 chiffres de l'application, ou un code de secours").fill(code_totp(device))
    page.get_by_role("button", name="Valider").click()
    page.get_by_role("link", name="Courriers à imprimer").click()
    page.get_by_role("link", name="Préparer un lot à imprimer").click()
    assert "2 courriers à imprimer" in page.locator("main").inner_text()
    assert not axe_violations(page)
    screenshot(page, "courriers-a-imprimer")
    page.get_by_role("button", name="Préparer le lot à imprimer").click()
    assert "courrier(s), 4 page(s)" in page.locator("main").inner_text()
    with page.expect_download() as attente:
        page.get_by_role("link", name="Télécharger le PDF du lot").click()
    fichier = tmp_path / "lot.pdf"
    attente.value.save_as(fichier)
    texte = pdf_texte(fichier)
    assert "Bienvenue" in texte and "Votre code d'activation" in texte
    page.get_by_role("button", name="Confirmer l'impression du lot").click()
    assert "son PDF est supprimé" in page.locator("main").inner_text()
    assert not axe_violations(page)
