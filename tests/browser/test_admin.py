"""An administrator and a handler use Django's admin in a real browser, in French."""

import pytest
from playwright.sync_api import expect

from mutuelle.accounts.models import Role, User
from tests.browser.conftest import screenshot
from tests.factories import TEST_PASSWORD, UserFactory, code_totp

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _login(page, username):
    """The admin's login is the site's: password, then the code of the authenticator app."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    user = User.objects.get(username=username)
    device = TOTPDevice.objects.create(user=user, name="app", confirmed=True)
    if "/connexion/" not in page.url:
        page.goto("/admin/login/?next=/admin/")
    page.get_by_label("Numéro d'adhérent ou numéro de sécurité sociale").fill(username)
    page.get_by_label("Mot de passe").fill(TEST_PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.get_by_label("Code à 6 chiffres de l'application, ou un code de secours").fill(code_totp(device))
    page.get_by_role("button", name="Valider").click()


def test_administrator_finds_a_member_and_sees_the_family_contract(page, contrat, adherent):
    UserFactory(username="administrateur", role=Role.ADMINISTRATEUR, is_staff=True, is_superuser=True)
    page.goto("/")
    assert "Mutuelle des Tilleuls" in page.title()
    page.get_by_role("link", name="Ouvrir l'administration").click()
    _login(page, "administrateur")
    page.get_by_role("link", name="Adhérents", exact=True).click()
    page.get_by_role("searchbox").fill(adherent.numero)
    page.keyboard.press("Enter")
    page.get_by_role("link", name=adherent.numero).click()
    # The change page is long (the contracts' inline comes last): wait until it is all there.
    expect(page.locator("#content")).to_contain_text(contrat.numero)
    assert "Lefebvre" in page.locator("#content").inner_text()
    screenshot(page, "admin-adherent")


def test_handler_reads_formulas_without_being_able_to_change_them(page, formule):
    from django.contrib.auth.models import Group

    from mutuelle.accounts.services import GROUP_NAMES, roles_installer

    roles_installer()
    handler = UserFactory(username="gestionnaire-b", role=Role.GESTIONNAIRE, is_staff=True)
    handler.groups.add(Group.objects.get(name=GROUP_NAMES[Role.GESTIONNAIRE]))
    _login(page, "gestionnaire-b")
    page.get_by_role("link", name="Formules", exact=True).click()
    page.get_by_role("link", name=formule.libelle).click()
    assert page.get_by_role("button", name="Enregistrer").count() == 0
    assert "Audit" not in page.locator("#nav-sidebar").inner_text()
