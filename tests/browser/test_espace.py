"""A member opens their space in a real browser: dashboard, reimbursements filtered, a detail with its
explanation, the CSV export, spending, notifications and preferences; axe-core finds no serious or
critical accessibility violation on any page, on a desktop and on a 375-px phone."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from mutuelle.claims.models import Statut
from mutuelle.claims.services import ligne_transition
from tests.browser.conftest import axe_violations, screenshot
from tests.factories import TEST_PASSWORD, ligne_make

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def historique(contrat: Any) -> dict[str, Any]:
    famille = {b.prenom: b for b in contrat.beneficiaires.all()}
    today = timezone.localdate()
    lignes = []
    for mois in range(30):
        jour = today - timedelta(days=30 * mois + 3)
        lignes.append(ligne_make(beneficiaire=famille["Camille"], date_soins=jour))
        if mois % 3 == 0:
            lignes.append(
                ligne_make(
                    beneficiaire=famille["Léa"],
                    date_soins=jour,
                    poste="pharmacie_65",
                    depense="12.40",
                    amo="8.06",
                    amc="4.34",
                )
            )
    a_payer = ligne_make(
        beneficiaire=famille["Léa"],
        date_soins=today - timedelta(days=2),
        poste="optique_monture",
        depense="120.00",
        amo="0.03",
        amc="80.00",
        statut=Statut.VALIDE,
    )
    ligne_transition(ligne=a_payer, vers=Statut.PAYE)  # one notification
    return {"famille": famille, "lignes": lignes, "monture": a_payer}


def _connexion(page: Any, identifiant: str) -> None:
    page.goto("/connexion/")
    page.get_by_label("Numéro d'adhérent ou numéro de sécurité sociale").fill(identifiant)
    page.get_by_label("Mot de passe").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Se connecter").click()


def _sans_violation(page: Any, nom: str) -> None:
    violations = axe_violations(page)
    screenshot(page, nom)
    assert not violations, f"{nom}: {violations}"


def test_a_member_walks_through_their_space(page: Any, adherent: Any, historique: Any) -> None:
    _connexion(page, adherent.numero)
    expect(page.get_by_role("heading", name="Bonjour Camille")).to_be_visible()
    assert page.locator(".site-header nav .badge").inner_text().startswith("1")  # one unread notification
    _sans_violation(page, "espace-tableau-de-bord")

    page.get_by_role("link", name="Tous mes remboursements").click()
    page.wait_for_url("**/espace/remboursements/")
    _sans_violation(page, "espace-remboursements")
    page.get_by_label("Bénéficiaire").select_option(label="Léa Lefebvre")
    page.get_by_label("Type de soins").select_option(label="Optique")
    page.get_by_role("button", name="Filtrer").click()
    page.wait_for_url("**/espace/remboursements/?beneficiaire=*")
    rows = page.locator("table.lignes tbody tr")
    # The click returns once the filtered page is committed, maybe before its table is parsed: the
    # assertion waits for it (a bare count() read 0 rows on a page still loading, once, in CI).
    expect(rows).to_have_count(1)
    assert "80,00" in rows.first.inner_text()

    with page.expect_download() as download:
        page.get_by_role("link", name="Télécharger la sélection (CSV)").click()
    with open(download.value.path(), encoding="utf-8-sig") as fichier:
        contenu = fichier.read()
    assert contenu.count("\n") == 2 and "Léa Lefebvre" in contenu

    page.get_by_role("link", name="Monture à tarif libre (classe B)").click()
    expect(page.get_by_role("heading", name="Comment est calculé ce remboursement ?")).to_be_visible()
    _sans_violation(page, "espace-remboursement-detail")

    page.get_by_role("link", name="Dépenses").click()
    page.wait_for_url("**/espace/depenses/")
    expect(page.locator("ul.graphique svg").nth(1)).to_be_attached()
    _sans_violation(page, "espace-depenses")

    page.get_by_role("link", name="Notifications").click()
    # The click does not wait for the next page: axe run on a document being replaced reads null.
    page.wait_for_url("**/espace/notifications/")
    _sans_violation(page, "espace-notifications")
    page.get_by_role("button", name="Voir le détail").click()
    assert "Monture à tarif libre" in page.locator("h1").inner_text()
    expect(page.locator(".site-header nav .badge")).to_have_count(0)  # read: no unread count left

    page.goto("/espace/preferences/")
    _sans_violation(page, "espace-preferences")
    page.get_by_label("Un résumé mensuel au lieu d'un email par remboursement").check()
    page.get_by_role("button", name="Enregistrer").click()
    assert "Vos préférences de communication sont enregistrées." in page.locator("main").inner_text()
    assert page.get_by_label("Un résumé mensuel au lieu d'un email par remboursement").is_checked()


def test_the_space_on_a_phone(browser: Any, live_server: Any, adherent: Any, historique: Any) -> None:
    context = browser.new_context(locale="fr-FR", base_url=live_server.url, viewport={"width": 375, "height": 812})
    page = context.new_page()
    try:
        _connexion(page, adherent.numero)
        for url, nom in (
            ("/espace/", "telephone-tableau-de-bord"),
            ("/espace/remboursements/", "telephone-remboursements"),
            (f"/espace/remboursements/{historique['monture'].pk}/", "telephone-detail"),
            ("/espace/depenses/", "telephone-depenses"),
            ("/compte/securite/", "telephone-securite"),
            ("/compte/application/", "telephone-totp"),
        ):
            page.goto(url)
            # Nothing wider than the screen: no sideways scrolling on a phone.
            assert page.evaluate("() => document.documentElement.scrollWidth") <= 375, nom
            _sans_violation(page, nom)
    finally:
        context.close()


def test_another_members_reimbursement_is_not_found(
    page: Any, adherent: Any, autre_adherent: Any, historique: Any
) -> None:
    autre_adherent.user.set_password(TEST_PASSWORD)
    autre_adherent.user.save()
    _connexion(page, autre_adherent.numero)
    response = page.goto(f"/espace/remboursements/{historique['monture'].pk}/")
    assert response is not None and response.status == 404
    assert "Cette page n'existe pas" in page.locator("main").inner_text()
    assert "Monture" not in page.content()
