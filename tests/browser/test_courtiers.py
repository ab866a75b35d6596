"""The broker space in a real browser: a broker logs in with a second factor, finds a client,
downloads an attestation, submits a membership that a handler accepts, and finds the new client in
the portfolio; a firm administrator sees two brokers' portfolios; a broker of another firm sees none
of it, and no health URL answers a broker's session."""

from __future__ import annotations

import io
from datetime import date, timedelta
from typing import Any

import pytest
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect
from pypdf import PdfReader

from mutuelle.brokers.models import Affiliation, StatutAffiliation
from mutuelle.brokers.tests.conftest import (  # noqa: F401 - fixtures
    client_autre_cabinet,
    client_du_collegue,
    collegue,
    famille_du_client,
    ligne_du_client,
)
from mutuelle.core.models import AuditLog
from mutuelle.requests.tests.conftest import pdf_simple
from tests.browser.conftest import axe_violations, screenshot
from tests.browser.test_demandes import _gestionnaire
from tests.factories import TEST_PASSWORD, code_totp, fake_nir

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _courtier(browser: Any, live_server: Any, courtier: Any, *, largeur: int = 1280) -> Any:
    """A broker's browser, logged in at the broker entry point with the authenticator's code."""
    context = browser.new_context(
        locale="fr-FR", base_url=live_server.url, accept_downloads=True, viewport={"width": largeur, "height": 900}
    )
    page = context.new_page()
    page.set_default_timeout(10_000)
    device = TOTPDevice.objects.filter(user=courtier.user).first() or TOTPDevice.objects.create(
        user=courtier.user, name="test", confirmed=True
    )
    page.goto("/courtier/connexion/")
    expect(page.get_by_role("heading", name="Espace courtier")).to_be_visible()
    page.get_by_label("Identifiant").fill(courtier.user.username)
    page.get_by_label("Mot de passe").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.get_by_label("Code à 6 chiffres de l'application, ou un code de secours").fill(code_totp(device))
    page.get_by_role("button", name="Valider").click()
    page.wait_for_load_state("networkidle")
    return page


def _sans_violation(page: Any, nom: str) -> None:
    violations = axe_violations(page)
    screenshot(page, nom)
    assert not violations, f"{nom}: {violations}"


def test_a_broker_finds_a_client_downloads_an_attestation_and_brings_a_new_member(
    browser: Any,
    live_server: Any,
    courtier: Any,
    famille_du_client: Any,  # noqa: F811
    formule: Any,
    gestionnaire: Any,
) -> None:
    page = _courtier(browser, live_server, courtier)
    assert page.url.endswith("/courtier/")
    _sans_violation(page, "courtier-accueil")
    # Find the client and download an attestation for them.
    page.get_by_label("Nom, n° d'adhérent ou de contrat").fill("Roussel")
    page.get_by_role("button", name="Rechercher").click()
    _sans_violation(page, "courtier-portefeuille")
    page.get_by_role("link", name="Inès Roussel").click()
    expect(page.get_by_role("heading", name="Personnes couvertes")).to_be_visible()
    _sans_violation(page, "courtier-contrat")
    with page.expect_download() as telechargement:
        page.get_by_role("button", name="Attestation de droits").click()
    contenu = open(telechargement.value.path(), "rb").read()  # noqa: SIM115 - a temporary file
    assert "Roussel" in PdfReader(io.BytesIO(contenu)).pages[0].extract_text()
    assert AuditLog.objects.filter(action="brokers.document.downloaded", acteur=courtier.user).count() == 1

    # A new membership, with a child and the signed bulletin.
    page.goto("/courtier/affiliations/nouvelle/")
    naissance = date(1991, 9, 23)
    page.locator("[name=civilite]").select_option("M.")
    page.locator("[name=prenom]").fill("Bastien")
    page.locator("[name=nom]").fill("Fabre")
    page.locator("[name=date_naissance]").fill(naissance.isoformat())
    page.locator("[name=sexe]").select_option("1")
    page.locator("[name=nir]").fill(fake_nir(sexe="1", naissance=naissance, departement="33"))
    page.locator("[name=email]").fill("bastien.fabre@test.example")
    page.locator("[name=adresse_ligne1]").fill("4 cours de l'Intendance")
    page.locator("[name=code_postal]").fill("33000")
    page.locator("[name=ville]").fill("Bordeaux")
    page.locator("[name=formule]").select_option(label=formule.libelle)
    page.locator("[name='personne-0-qualite']").select_option("enfant")
    page.locator("[name='personne-0-prenom']").fill("Jade")
    page.locator("[name='personne-0-nom']").fill("Fabre")
    page.locator("[name='personne-0-date_naissance']").fill("2020-02-14")
    page.locator("[name='personne-0-sexe']").select_option("2")
    page.locator("[name=titulaire]").fill("Bastien Fabre")
    page.locator("[name=iban]").fill("FR76 3000 6000 0112 3456 7890 189")
    page.locator("[name=justificatif]").set_input_files(
        files=[{"name": "bulletin-fabre.pdf", "mimeType": "application/pdf", "buffer": pdf_simple("Bulletin signé")}]
    )
    _sans_violation(page, "courtier-affiliation-saisie")
    page.get_by_role("button", name="Transmettre à la mutuelle").click()
    page.wait_for_load_state("networkidle")
    expect(page.get_by_text("Transmise à la mutuelle").first).to_be_visible()
    affiliation = Affiliation.objects.get()
    _sans_violation(page, "courtier-affiliation")

    # A handler takes it from the queue and accepts it.
    gestion = _gestionnaire(browser, live_server, gestionnaire)
    gestion.goto("/gestion/")
    gestion.get_by_role("button", name="Traiter le suivant — Affiliations des courtiers").click()
    gestion.wait_for_load_state("networkidle")
    assert affiliation.numero in gestion.locator("h1").inner_text()
    _sans_violation(gestion, "gestion-affiliation")
    gestion.get_by_label("Accepter").check()
    gestion.get_by_role("button", name="Enregistrer la décision").click()
    gestion.wait_for_load_state("networkidle")
    affiliation.refresh_from_db()
    assert affiliation.statut == StatutAffiliation.ACCEPTEE

    # The broker finds the new client in the portfolio.
    page.goto("/courtier/portefeuille/")
    page.get_by_label("Rechercher").fill("Fabre")
    page.get_by_role("button", name="Filtrer").click()
    page.get_by_role("link", name="Bastien Fabre").click()
    expect(page.get_by_role("cell", name="Jade Fabre")).to_be_visible()
    assert affiliation.contrat is not None and affiliation.contrat.numero in page.locator("h1").inner_text()


def test_a_firm_administrator_sees_two_portfolios_and_another_firm_sees_nothing(
    browser: Any,
    live_server: Any,
    courtier: Any,
    collegue: Any,  # noqa: F811
    autre_courtier: Any,
    famille_du_client: Any,  # noqa: F811
    ligne_du_client: Any,  # noqa: F811
    client_du_collegue: Any,  # noqa: F811
    client_autre_cabinet: Any,  # noqa: F811
) -> None:
    # On a phone: the table scrolls inside its card, the page does not overflow.
    admin = _courtier(browser, live_server, courtier, largeur=375)
    admin.goto("/courtier/portefeuille/")
    texte = admin.locator("main").inner_text()
    assert "Inès Roussel" in texte and "Luc Garnier" in texte and "Zoé Benard" not in texte
    assert admin.evaluate("document.documentElement.scrollWidth") <= 375
    _sans_violation(admin, "courtier-portefeuille-cabinet-375")
    admin.get_by_label("Courtier").select_option(label=str(collegue.user))
    admin.get_by_role("button", name="Filtrer").click()
    texte = admin.locator("main").inner_text()
    assert "Luc Garnier" in texte and "Inès Roussel" not in texte
    admin.goto("/courtier/cabinet/")
    _sans_violation(admin, "courtier-cabinet")
    admin.goto("/courtier/commissions/")
    _sans_violation(admin, "courtier-commissions")

    autre = _courtier(browser, live_server, autre_courtier)
    autre.goto("/courtier/portefeuille/")
    texte = autre.locator("main").inner_text()
    assert "Zoé Benard" in texte and "Roussel" not in texte and "Garnier" not in texte
    numero = famille_du_client.contrats.get().numero
    assert autre.goto(f"/courtier/contrats/{numero}/").status == 404

    # No health URL answers a broker — not even for their own client.
    ligne = ligne_du_client
    for url in (
        "/espace/",
        "/espace/remboursements/",
        f"/espace/remboursements/{ligne.pk}/",
        "/espace/depenses/",
        "/espace/documents/",
        "/espace/demandes/",
        "/espace/messagerie/",
        f"/gestion/adherents/{famille_du_client.numero}/?onglet=remboursements",
        f"/gestion/remboursements/revue/{ligne.pk}/",
    ):
        reponse = admin.goto(url)
        assert reponse.status == 404, url
        assert "987" not in admin.content()
    screenshot(admin, "courtier-404")


def test_the_demo_wording_of_an_old_membership_date(courtier: Any) -> None:
    # The default date of effect offered is the first of next month.
    from mutuelle.espace_courtier.forms import AffiliationForm

    premier = AffiliationForm().initial["date_effet"]
    assert premier.day == 1 and premier > timezone.localdate() and premier - timezone.localdate() <= timedelta(days=31)
