"""A request in a real browser, from the member's upload to the handler's answer and back to the
member's notification; a contest from a reimbursement's page."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django_otp.plugins.otp_totp.models import TOTPDevice

from mutuelle.requests.tests.conftest import pdf_simple
from tests.browser.conftest import axe_violations, screenshot
from tests.browser.test_espace import _connexion
from tests.factories import TEST_PASSWORD, code_totp, ligne_make

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _gestionnaire(browser: Any, live_server: Any, gestionnaire: Any) -> Any:
    context = browser.new_context(locale="fr-FR", base_url=live_server.url)
    page = context.new_page()
    device = TOTPDevice.objects.create(user=gestionnaire, name="test", confirmed=True)
    page.goto("/connexion/")
    page.wait_for_load_state("networkidle")
    page.get_by_label("Numéro d'adhérent ou numéro de sécurité sociale").fill(gestionnaire.username)
    page.get_by_label("Mot de passe").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.get_by_label("Code à 6 chiffres de l'application, ou un code de secours").fill(code_totp(device))
    page.get_by_role("button", name="Valider").click()
    page.wait_for_load_state("networkidle")
    return page


def _numero(page: Any) -> str:
    """The request number shown in the page's title (« … n° D2026-000001 »)."""
    return str(page.locator("h1 small").inner_text().replace("n°", "").strip())


def _clore(
    browser: Any, live_server: Any, gestionnaire: Any, numero: str, decision: str, reponse: str, **champs: str
) -> None:
    """A handler closes the request with a decision and an answer (and any other field by label)."""
    gestion = _gestionnaire(browser, live_server, gestionnaire)
    gestion.goto(f"/gestion/demandes/{numero}/")
    gestion.get_by_label("Décision").select_option(decision)
    for libelle, valeur in champs.items():
        gestion.get_by_label(libelle).fill(valeur)
    gestion.get_by_label("Réponse à l'adhérent").fill(reponse)
    gestion.get_by_role("button", name="Clore la demande").click()
    gestion.wait_for_load_state("networkidle")
    gestion.context.close()


def test_a_document_request_goes_to_the_handler_and_back(
    page: Any, browser: Any, live_server: Any, adherent: Any, contrat: Any, gestionnaire: Any, tmp_path: Path
) -> None:
    facture = tmp_path / "facture-osteo.pdf"
    facture.write_bytes(pdf_simple("Facture de l'ostéopathe"))
    _connexion(page, adherent.numero)
    page.get_by_role("link", name="Demandes").click()
    assert "Vous n'avez envoyé aucune demande." in page.locator("main").inner_text()
    page.get_by_role("link", name="Envoyer un document").click()
    assert not axe_violations(page)
    page.get_by_label("Fichiers").set_input_files(str(facture))
    page.get_by_label("Commentaire (facultatif)").fill("Séance du 12 novembre.")
    page.get_by_role("button", name="Envoyer").click()
    assert "Votre envoi est enregistré sous le n°" in page.locator("main").inner_text()
    numero = _numero(page)
    assert not axe_violations(page)
    screenshot(page, "demande-envoyee")

    page.wait_for_load_state("networkidle")  # one request at a time on the test's SQLite database
    gestion = _gestionnaire(browser, live_server, gestionnaire)
    gestion.get_by_role("link", name="Documents reçus").click()
    assert not axe_violations(gestion)
    screenshot(gestion, "demandes-file")
    gestion.get_by_role("link", name=numero).click()
    with gestion.expect_download() as attente:
        gestion.get_by_role("link", name="facture-osteo.pdf").click()
    assert attente.value.suggested_filename == "facture-osteo.pdf"
    gestion.get_by_label("Ce que l'adhérent doit envoyer").fill("Merci d'ajouter l'ordonnance.")
    gestion.get_by_role("button", name="Demander un complément").click()
    assert "l'adhérent est prévenu" in gestion.locator("main").inner_text()

    page.get_by_role("link", name="Notifications").click()
    notification = page.locator("li").filter(
        has_text=f"Nous avons besoin d'un complément pour votre demande n° {numero}"
    )
    notification.get_by_role("button", name="Voir le détail").click()
    assert "Merci d'ajouter l'ordonnance." in page.locator("main").inner_text()
    ordonnance = tmp_path / "ordonnance.pdf"
    ordonnance.write_bytes(pdf_simple("Ordonnance"))
    page.get_by_label("Fichiers").set_input_files(str(ordonnance))
    page.get_by_role("button", name="Envoyer").click()
    assert "Votre complément est envoyé" in page.locator("main").inner_text()

    # Asking for more sent the handler on to the queue's next item: the request is reopened by its number.
    gestion.goto(f"/gestion/demandes/{numero}/")
    gestion.get_by_label("Réponse à l'adhérent").fill("Séance prise en compte : remboursement à venir.")
    gestion.get_by_role("button", name="Clore la demande").click()
    screenshot(gestion, "demande-gestion-close")

    page.goto("/espace/demandes/")
    assert "Traitée" in page.locator("main").inner_text()
    page.get_by_role("link", name=numero).click()
    assert "Séance prise en compte" in page.locator("main").inner_text()
    assert not axe_violations(page)
    gestion.context.close()


def test_a_member_contests_from_the_reimbursement_page(
    page: Any, browser: Any, live_server: Any, adherent: Any, contrat: Any, gestionnaire: Any
) -> None:
    ligne = ligne_make(beneficiaire=contrat.beneficiaires.get(prenom="Julien"))
    _connexion(page, adherent.numero)
    page.goto(f"/espace/remboursements/{ligne.pk}/")
    page.get_by_role("link", name="Contester ce remboursement").click()
    assert not axe_violations(page)
    page.get_by_label("Pourquoi contestez-vous ?").select_option("montant")
    page.get_by_label("Expliquez-nous").fill("Le médecin est OPTAM : le dépassement est couvert.")
    page.get_by_role("button", name="Envoyer ma contestation").click()
    main = page.locator("main").inner_text()
    assert "Votre contestation est enregistrée" in main and "Contestation d'un remboursement" in main
    screenshot(page, "contestation-envoyee")
    numero = _numero(page)

    page.wait_for_load_state("networkidle")
    _clore(
        browser,
        live_server,
        gestionnaire,
        numero,
        "corrige",
        "Le taux OPTAM s'applique : nous corrigeons.",
        **{"Part de la mutuelle après correction (€, si corrigé)": "10.50"},
    )

    page.get_by_role("link", name="Notifications").click()
    notification = page.locator("li").filter(has_text=f"Votre demande n° {numero} est traitée")
    notification.get_by_role("button", name="Voir le détail").click()
    main = page.locator("main").inner_text()
    assert "Remboursement corrigé" in main and "10,50" in main


def test_new_bank_details_from_the_profile_to_the_handlers_check(
    page: Any, browser: Any, live_server: Any, adherent: Any, contrat: Any, gestionnaire: Any, tmp_path: Path
) -> None:
    scan = tmp_path / "rib.pdf"
    scan.write_bytes(pdf_simple("Relevé d'identité bancaire"))
    _connexion(page, adherent.numero)
    page.get_by_role("link", name="Mon profil").click()
    assert not axe_violations(page)
    # Just logged in: the password was typed less than 5 minutes ago, no new confirmation is asked.
    page.get_by_role("link", name="Indiquer mon compte bancaire").click()
    page.get_by_label("Titulaire du compte").fill("Camille Lefebvre")
    page.get_by_label("IBAN").fill("FR76 3000 6000 0112 3456 7890 188")
    page.get_by_label("Votre RIB (PDF, JPEG ou PNG)").set_input_files(str(scan))
    page.get_by_role("button", name="Enregistrer").click()
    assert "clé de contrôle" in page.locator("main").inner_text()
    page.get_by_label("IBAN").fill("FR76 3000 6000 0112 3456 7890 189")
    page.get_by_label("Votre RIB (PDF, JPEG ou PNG)").set_input_files(str(scan))
    page.get_by_role("button", name="Enregistrer").click()
    main = page.locator("main").inner_text()
    assert "Un gestionnaire vérifie le RIB" in main and "FR76 •••• •••• •••• •••• •••• 189" in main
    assert "3000 6000 0112" not in main
    screenshot(page, "profil-rib-en-attente")

    page.wait_for_load_state("networkidle")  # one request at a time on the test's SQLite database
    gestion = _gestionnaire(browser, live_server, gestionnaire)
    gestion.goto("/gestion/demandes/?type=rib")
    assert "Changement de coordonnées bancaires" in gestion.locator("main table").inner_text()
    gestion.locator("main table a").first.click()
    gestion.get_by_label("Décision").select_option("rib_valide")
    gestion.get_by_label("Réponse à l'adhérent").fill("RIB conforme, merci.")
    gestion.get_by_role("button", name="Clore la demande").click()
    gestion.context.close()

    page.goto("/espace/profil/")
    main = page.locator("main").inner_text()
    assert "en cours de vérification" not in main and "AGRIFRPPXXX" in main and "Camille Lefebvre" in main
    assert not axe_violations(page)
    screenshot(page, "profil")


def test_a_member_estimates_a_devis(page: Any, adherent: Any, contrat: Any, formule: Any) -> None:
    from datetime import timedelta

    from django.utils import timezone

    from tests.factories import garanties_carte

    garanties_carte(formule)
    _connexion(page, adherent.numero)
    page.goto("/espace/demandes/")
    page.get_by_role("link", name="Estimer un devis").click()
    assert not axe_violations(page)
    page.get_by_label("Pour").select_option(label="Julien Lefebvre")
    page.get_by_label("Soin").select_option("G")
    page.get_by_label("Date prévue").fill((timezone.localdate() + timedelta(days=10)).isoformat())
    page.get_by_label("Prix sur le devis (€)").fill("50")
    page.get_by_label("Le praticien").select_option("2o")
    page.get_by_role("button", name="Estimer").click()
    resultat = page.locator("main").inner_text()
    assert "Estimation" in resultat and "Reste à votre charge" in resultat
    page.get_by_text("Comment est calculé").first.click()
    assert not axe_violations(page)
    screenshot(page, "estimation-devis")


def test_a_prior_approval_from_the_devis_to_the_answer_letter(
    page: Any,
    browser: Any,
    live_server: Any,
    adherent: Any,
    contrat: Any,
    formule: Any,
    gestionnaire: Any,
    tmp_path: Path,
) -> None:
    from datetime import timedelta

    from django.utils import timezone

    from tests.factories import garanties_carte

    garanties_carte(formule)
    devis = tmp_path / "devis-optique.pdf"
    devis.write_bytes(pdf_simple("Devis optique"))
    jour = (timezone.localdate() + timedelta(days=20)).isoformat()
    _connexion(page, adherent.numero)
    page.goto("/espace/demandes/")
    page.get_by_role("link", name="Demander une prise en charge").click()
    assert not axe_violations(page)
    page.get_by_label("Domaine").select_option("optique")
    page.get_by_label("Pour").select_option(label="Julien Lefebvre")
    page.get_by_label("Opticien, dentiste, audioprothésiste ou établissement").fill("Optique du Parc")
    page.get_by_label("Le devis (PDF, JPEG ou PNG)").set_input_files(str(devis))
    for i in range(2):
        ligne = page.locator("fieldset.ligne-devis").nth(i)
        ligne.get_by_label("Soin").select_option("VU1")
        ligne.get_by_label("Date prévue").fill(jour)
        ligne.get_by_label("Prix sur le devis (€)").fill("120")
        ligne.get_by_label("Base de remboursement (€)").fill("0.05")
    page.get_by_role("button", name="Envoyer la demande").click()
    assert "Votre demande de prise en charge est enregistrée" in page.locator("main").inner_text()
    numero = _numero(page)
    assert "Part de la mutuelle calculée" in page.goto(f"/espace/demandes/{numero}/").text()

    page.wait_for_load_state("networkidle")
    _clore(browser, live_server, gestionnaire, numero, "accord", "Accord sur votre devis.")

    page.goto(f"/espace/demandes/{numero}/")
    assert "Accord" in page.locator("main").inner_text()
    with page.expect_download() as attente:
        page.get_by_role("link", name="Télécharger le courrier de réponse (PDF)").click()
    fichier = tmp_path / "reponse.pdf"
    attente.value.save_as(fichier)
    from tests.pdf import pdf_texte

    assert "Notre décision : Accord" in pdf_texte(fichier)
    assert not axe_violations(page)
    screenshot(page, "prise-en-charge-accord")


def test_a_paper_claim_keyed_in_by_the_handler_becomes_a_reimbursement(
    page: Any,
    browser: Any,
    live_server: Any,
    adherent: Any,
    contrat: Any,
    formule: Any,
    gestionnaire: Any,
    tmp_path: Path,
) -> None:
    from datetime import timedelta

    from django.utils import timezone

    from mutuelle.referentiel.models import NaturePrestation
    from tests.factories import garanties_carte

    garanties_carte(formule)
    NaturePrestation.objects.get_or_create(
        code=1110,
        defaults={"code_b2": "G", "libelle": "CONSULTATION MEDECINE GENERALE", "poste": "consultation_generaliste"},
    )
    scan = tmp_path / "feuille.pdf"
    scan.write_bytes(pdf_simple("Feuille de soins"))
    jour = (timezone.localdate() - timedelta(days=12)).isoformat()
    _connexion(page, adherent.numero)
    page.goto("/espace/demandes/")
    page.get_by_role("link", name="Envoyer une feuille de soins").click()
    assert not axe_violations(page)
    page.get_by_label("Pour", exact=True).select_option(label="Julien Lefebvre")
    page.get_by_label("Pourquoi une feuille de soins ?").select_option("etranger")
    page.get_by_label("Date des soins").fill(jour)
    page.get_by_label("Montant payé (€)").fill("45")
    page.get_by_label("La feuille de soins et la facture (PDF, JPEG ou PNG)").set_input_files(str(scan))
    page.get_by_role("button", name="Envoyer la demande").click()
    assert "Votre feuille de soins est enregistrée" in page.locator("main").inner_text()
    numero = _numero(page)

    page.wait_for_load_state("networkidle")
    gestion = _gestionnaire(browser, live_server, gestionnaire)
    gestion.goto(f"/gestion/demandes/{numero}/")
    gestion.get_by_label("Code (clé B2)").first.fill("G")
    gestion.get_by_label("Montant (€)").first.fill("45")
    gestion.get_by_role("button", name="Calculer et rembourser").click()
    assert "acte(s) calculé(s)" in gestion.locator("main").inner_text()
    assert not axe_violations(gestion)
    gestion.wait_for_load_state("networkidle")
    gestion.context.close()

    page.goto("/espace/remboursements/")
    page.get_by_role("link", name="Consultation et visite de généraliste").first.click()
    assert "Comment est calculé ce remboursement" in page.locator("main").inner_text()
    screenshot(page, "feuille-de-soins-remboursement")


def test_a_newborn_added_from_the_profile_and_the_data_archive(
    page: Any, browser: Any, live_server: Any, adherent: Any, contrat: Any, gestionnaire: Any, tmp_path: Path
) -> None:
    import re
    import zipfile
    from datetime import timedelta

    from django.core import mail
    from django.utils import timezone

    acte = tmp_path / "acte.pdf"
    acte.write_bytes(pdf_simple("Acte de naissance"))
    naissance = (timezone.localdate() - timedelta(days=15)).isoformat()
    _connexion(page, adherent.numero)
    page.get_by_role("link", name="Mon profil").click()
    page.get_by_role("link", name="Ajouter un bénéficiaire (naissance, conjoint)").click()
    assert not axe_violations(page)
    page.get_by_label("Qui ajoutez-vous ?").select_option("enfant")
    page.get_by_label("Prénom").fill("Zoé")
    page.get_by_label("Nom", exact=True).fill("Lefebvre")
    page.get_by_label("Date de naissance").fill(naissance)
    page.get_by_label("Sexe").select_option("2")
    page.get_by_label("Couvert à partir du").fill(naissance)
    page.get_by_label("Justificatif (PDF, JPEG ou PNG)").set_input_files(str(acte))
    page.get_by_role("button", name="Envoyer la demande").click()
    assert "un gestionnaire vérifie le justificatif" in page.locator("main").inner_text()
    numero = _numero(page)

    page.wait_for_load_state("networkidle")
    _clore(browser, live_server, gestionnaire, numero, "appliquee", "Bienvenue à Zoé !")

    page.goto("/espace/documents/carte/")
    assert "Zoé Lefebvre" in page.locator("main").inner_text()

    # « Mes données »: the archive is prepared, its link emailed, and downloaded.
    page.goto("/espace/profil/mes-donnees/")
    assert not axe_violations(page)
    page.get_by_role("button", name="Préparer l'archive de mes données").click()
    assert "Votre archive est en préparation" in page.locator("main").inner_text()
    lien = re.search(r"(/espace/profil/mes-donnees/[\w-]{20,}/)", str(mail.outbox[-1].body))
    assert lien
    with page.expect_download() as attente:
        page.evaluate(
            "url => { const a = document.createElement('a'); a.href = url; document.body.appendChild(a); a.click(); }",
            lien.group(1),
        )
    fichier = tmp_path / "donnees.zip"
    attente.value.save_as(fichier)
    assert "donnees.json" in zipfile.ZipFile(fichier).namelist()
