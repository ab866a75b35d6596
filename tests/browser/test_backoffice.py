"""The back office in a real browser: a handler works every queue from the queues' page (taking the
next item, deciding, the next one opening), a supervisor reads the dashboard, a member and a handler
exchange messages with a file, and the member file's journal shows who looked at it."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone
from django.utils.text import get_valid_filename
from playwright.sync_api import expect

from mutuelle.claims.models import RejetNoemie, Statut
from mutuelle.core.models import AuditLog
from mutuelle.requests.models import Demande, StatutDemande, TypeDemande
from mutuelle.requests.tests.conftest import pdf_simple
from tests.browser.conftest import axe_violations, screenshot
from tests.browser.test_demandes import _gestionnaire
from tests.browser.test_espace import _connexion
from tests.factories import ligne_make

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _sans_violation(page: Any, nom: str) -> None:
    violations = axe_violations(page)
    screenshot(page, nom)
    assert not violations, f"{nom}: {violations}"


def _suivant(page: Any, libelle: str) -> None:
    """From the queues' page: « Traiter le suivant » on the queue's row."""
    page.goto("/gestion/")
    page.get_by_role("button", name=f"Traiter le suivant — {libelle}").click()
    page.wait_for_load_state("networkidle")


def _clore_demande(page: Any, decision: str) -> None:
    page.get_by_label("Décision").select_option(label=decision)
    page.get_by_label("Réponse à l'adhérent").fill("Réponse de la mutuelle.")
    page.get_by_role("button", name="Clore la demande").click()
    page.wait_for_load_state("networkidle")


def _demande(adherent: Any, n: int, type_demande: str, **champs: Any) -> Demande:
    return Demande.objects.create(
        numero=f"D2026-{n:06d}",
        adherent=adherent,
        type_demande=type_demande,
        echeance=timezone.localdate() + timedelta(days=n),
        **champs,
    )


def test_a_handler_works_each_queue_end_to_end(
    browser: Any, live_server: Any, adherent: Any, contrat: Any, gestionnaire: Any
) -> None:
    from axes.models import AccessAttempt

    from mutuelle.accounts.services import courrier_depuis_html
    from mutuelle.members.models import CoordonneesBancaires
    from mutuelle.messaging.services import fil_creer

    beneficiaire = contrat.beneficiaires.first()
    ligne = ligne_make(beneficiaire=beneficiaire, statut=Statut.EN_COURS)
    ligne.motif_revue = "Dépassement au-delà du seuil"
    ligne.save(update_fields=["motif_revue"])
    RejetNoemie.objects.create(
        fichier=ligne.decompte.fichier,
        decompte_numero=88,
        ligne_numero=1,
        nir="180057512345612",
        date_soins=date(2026, 11, 2),
        code_prestation=1111,
        montant_depense=Decimal("25.00"),
        motif="beneficiaire_inconnu",
    )
    paye = ligne_make(beneficiaire=beneficiaire)
    # The account in use (so the validated line waits for the payment run, not for a bank account),
    # and a new one waiting for a handler's check.
    CoordonneesBancaires.objects.create(
        adherent=adherent, titulaire="Camille Lefebvre", iban="FR7699999000010000300000357", statut="actif"
    )
    rib = CoordonneesBancaires.objects.create(
        adherent=adherent, titulaire="Camille Lefebvre", iban="FR7630006000011234567890189", statut="en_attente"
    )
    demandes = {
        "Prises en charge": (_demande(adherent, 1, TypeDemande.PRISE_EN_CHARGE, beneficiaire=beneficiaire), "Refus"),
        "Documents reçus": (_demande(adherent, 2, TypeDemande.DOCUMENT, objet="autre"), "Document pris en compte"),
        "Feuilles de soins papier": (
            _demande(adherent, 3, TypeDemande.FEUILLE_SOINS, beneficiaire=beneficiaire),
            "Modification refusée",
        ),
        "Contestations": (_demande(adherent, 4, TypeDemande.CONTESTATION, ligne=paye), "Remboursement maintenu"),
        "Coordonnées bancaires": (
            _demande(adherent, 5, TypeDemande.RIB, coordonnees=rib),
            "Coordonnées bancaires refusées",
        ),
        "État civil et bénéficiaires": (_demande(adherent, 6, TypeDemande.ETAT_CIVIL), "Modification refusée"),
    }
    fil_creer(adherent=adherent, sujet="autre", objet="Une question", texte="Bonjour ?", envois=[], par=adherent.user)
    AccessAttempt.objects.create(
        username=f"compte:{adherent.user.pk}",
        failures_since_start=3,
        ip_address="127.0.0.1",
        user_agent="test",
        http_accept="*/*",
        path_info="/connexion/",
        get_data="",
        post_data="",
    )
    courrier_depuis_html(
        adherent=adherent, type_courrier="bienvenue", html="<html lang='fr'><title>Bienvenue</title><p>Bienvenue</p>"
    )

    page = _gestionnaire(browser, live_server, gestionnaire)
    page.goto("/gestion/")
    _sans_violation(page, "backoffice-files")

    # Reimbursements in manual review: validated, and the queue says it is empty.
    _suivant(page, "Remboursements en revue manuelle")
    assert "file=revue" in page.url
    page.get_by_role("button", name="Valider", exact=True).click()
    page.wait_for_load_state("networkidle")
    assert "est vide" in page.locator("main").inner_text()
    ligne.refresh_from_db()
    assert ligne.statut == Statut.VALIDE

    # NOEMIE signalement.
    _suivant(page, "Signalements NOEMIE")
    _sans_violation(page, "backoffice-signalement")
    page.get_by_label("Suite donnée").fill("Retourné à la caisse : personne inconnue.")
    page.get_by_role("button", name="Marquer comme traité").click()
    page.wait_for_load_state("networkidle")
    assert RejetNoemie.objects.get().traite

    # Every kind of request, closed from its queue.
    for libelle, (demande, decision) in demandes.items():
        _suivant(page, libelle)
        assert demande.numero in page.locator("h1").inner_text() or demande.numero in page.locator("main").inner_text()
        _clore_demande(page, decision)
        demande.refresh_from_db()
        assert demande.statut == StatutDemande.TRAITEE, libelle
        assert "est vide" in page.locator("main").inner_text(), libelle

    # A message answered.
    _suivant(page, "Messages")
    page.get_by_label("Réponse", exact=True).fill("Bonjour, voici notre réponse.")
    page.get_by_role("button", name="Envoyer et passer au suivant").click()
    page.wait_for_load_state("networkidle")
    assert "est vide" in page.locator("main").inner_text()

    # A locked account unlocked after the identity check (the number is filled in from the queue).
    _suivant(page, "Comptes verrouillés")
    assert page.get_by_label("Numéro d'adhérent donné par l'appelant").input_value() == adherent.numero
    page.get_by_label("Date de naissance donnée par l'appelant").fill(adherent.date_naissance.isoformat())
    page.get_by_label("Troisième élément vérifié").select_option("code_postal")
    page.get_by_label("Réponse de l'appelant").fill(adherent.code_postal)
    page.get_by_label("Motif et circonstances (appel, courrier…)").fill("Appel de l'adhérente, identité vérifiée.")
    page.get_by_role("button", name="Vérifier et déverrouiller").click()
    page.wait_for_load_state("networkidle")
    assert not AccessAttempt.objects.exists()

    # Letters: printed as a batch.
    page.goto("/gestion/files/courriers/")
    page.get_by_role("link", name="Préparer un lot à imprimer").click()
    page.get_by_role("button", name="Préparer le lot à imprimer").click()
    page.get_by_role("button", name="Confirmer l'impression").first.click()
    page.wait_for_load_state("networkidle")

    page.goto("/gestion/")
    assert page.locator(".alerte").count() == 0  # nothing late is left
    totaux = page.locator("table.files tbody tr td:nth-child(2)").all_inner_texts()
    assert set(totaux) == {"0"}, totaux
    screenshot(page, "backoffice-files-vides")
    page.context.close()


def test_a_supervisor_reads_the_dashboard_and_a_handler_cannot(
    browser: Any, live_server: Any, adherent: Any, responsable: Any, gestionnaire: Any
) -> None:
    _demande(adherent, 1, TypeDemande.DOCUMENT, objet="autre")
    page = _gestionnaire(browser, live_server, responsable)
    page.get_by_role("link", name="Tableau de bord").click()
    page.wait_for_load_state("networkidle")
    expect(page.get_by_role("heading", name="Files : volumes, délais et ancienneté")).to_be_visible()
    ligne = page.locator("tr", has_text="Documents reçus").first.inner_text()
    assert "1" in ligne
    _sans_violation(page, "backoffice-tableau-de-bord")
    with page.expect_download() as telechargement:
        page.get_by_role("link", name="Exporter (CSV)").first.click()
    assert telechargement.value.suggested_filename.startswith("tableau-files-")
    page.context.close()
    page = _gestionnaire(browser, live_server, gestionnaire)
    assert page.get_by_role("link", name="Tableau de bord").count() == 0
    reponse = page.goto("/gestion/tableau-de-bord/")
    assert reponse is not None and reponse.status == 403
    page.context.close()


def test_a_member_and_a_handler_exchange_messages_with_a_file(
    page: Any,
    browser: Any,
    live_server: Any,
    adherent: Any,
    contrat: Any,
    gestionnaire: Any,
    antivirus: str,
    tmp_path: Path,
) -> None:
    devis = tmp_path / "devis-<img src=x onerror=alert(1)>.pdf"
    devis.write_bytes(pdf_simple("Devis du dentiste"))
    _connexion(page, adherent.numero)
    page.get_by_role("link", name="Messagerie").click()
    page.get_by_role("link", name="Écrire à la mutuelle").first.click()
    page.get_by_label("Sujet").select_option(label="Prise en charge")
    page.get_by_label("Objet").fill("Devis <script>alert(1)</script> dentaire")
    page.get_by_label("Votre message").fill(
        "Bonjour,\nque prenez-vous en charge sur ce devis ? https://exemple.test/devis"
    )
    page.get_by_label("Fichiers").set_input_files(str(devis))
    page.get_by_role("button", name="Envoyer").click()
    page.wait_for_load_state("networkidle")
    assert "Message envoyé" in page.locator(".notice").inner_text()
    assert page.locator("h1").inner_text().startswith("Devis <script>alert(1)</script> dentaire")
    _sans_violation(page, "messagerie-fil-adherent")

    gestion = _gestionnaire(browser, live_server, gestionnaire)
    _suivant(gestion, "Messages")
    assert "Devis <script>alert(1)</script> dentaire" in gestion.locator("h1").inner_text()
    with gestion.expect_download() as telechargement:
        gestion.get_by_role("link", name=get_valid_filename(devis.name)).click()
    assert telechargement.value.suggested_filename.endswith(".pdf")
    gestion.get_by_label("Réponse", exact=True).fill("Bonjour, le devis est pris en charge à 300 %.")
    gestion.get_by_label("Fichiers").set_input_files(str(devis))
    _sans_violation(gestion, "messagerie-fil-gestionnaire")
    gestion.get_by_role("button", name="Envoyer et passer au suivant").click()
    gestion.wait_for_load_state("networkidle")
    gestion.context.close()

    page.goto("/espace/")
    assert page.locator("nav a", has_text="Messagerie").locator(".badge").inner_text().startswith("1")
    page.get_by_role("link", name="Messagerie").click()
    page.get_by_role("link", name="Devis <script>alert(1)</script> dentaire").click()
    assert "pris en charge à 300 %" in page.locator("main").inner_text()
    assert page.get_by_role("link", name="https://exemple.test/devis").get_attribute("rel") == "nofollow"
    assert page.locator(".fil li").last.get_by_role("link").count() == 1  # the handler's file
    assert page.evaluate("() => window.__xss === undefined")


def test_the_member_files_journal_lists_the_handlers_consultation(
    browser: Any, live_server: Any, adherent: Any, contrat: Any, gestionnaire: Any
) -> None:
    page = _gestionnaire(browser, live_server, gestionnaire)
    page.get_by_role("link", name="Rechercher").click()
    page.get_by_label("N° d'adhérent, NIR, nom, date de naissance ou n° de décompte").fill(adherent.numero)
    page.get_by_role("button", name="Rechercher").click()
    page.wait_for_load_state("networkidle")
    assert adherent.nom in page.locator("h1").inner_text()
    page.get_by_role("link", name="Contrat et bénéficiaires").click()
    page.get_by_role("link", name="Journal").click()
    page.wait_for_load_state("networkidle")
    journal = page.locator("main").inner_text()
    assert "backoffice.fiche.viewed" in journal and "Contrat et bénéficiaires" in journal
    assert str(gestionnaire) in journal and "depuis la recherche" in journal
    _sans_violation(page, "backoffice-fiche-journal")
    assert AuditLog.objects.filter(action="backoffice.fiche.viewed", acteur=gestionnaire).count() == 3
    page.context.close()
