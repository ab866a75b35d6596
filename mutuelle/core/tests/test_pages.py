"""The home page, the health check, the demo outbox (staff only) and the admin, in French."""

from datetime import date

import pytest
from django.core import mail
from django.test import Client

from mutuelle.core.models import AuditLog
from mutuelle.core.services import mutuelle_preset_appliquer
from tests.factories import connecter

pytestmark = pytest.mark.django_db


def _login(user) -> Client:
    c = Client()
    connecter(c, user)
    return c


def test_home_page_shows_the_mutuelle_and_its_anti_phishing_domain(http, mutuelle):
    response = http.get("/")
    body = response.content.decode()
    assert response.status_code == 200
    assert "Mutuelle des Tilleuls" in body
    assert "https://espace.mutuelle-des-tilleuls.example" in body
    assert "04 00 00 12 34" in body
    assert '<html lang="fr">' in body


def test_home_page_before_setup_says_what_to_run(http, db):
    response = http.get("/")
    assert "seed_demo" in response.content.decode()


def test_home_page_follows_the_login_policy_preset(http, mutuelle):
    mutuelle_preset_appliquer(preset="azur")
    body = http.get("/").content.decode()
    assert "Azur Prévoyance Santé" in body and "code d'accès à 6 chiffres" in body
    assert AuditLog.objects.filter(action="core.mutuelle.preset_applied").exists()


def test_health_check(http, db):
    assert http.get("/sante/").json() == {"status": "ok"}


def test_english_is_available(mutuelle):
    """Chosen in the footer (the language cookie), not taken from the browser: see test_langue.py."""
    c = Client()
    c.post("/i18n/setlang/", {"language": "en", "next": "/"})
    page = c.get("/").content.decode()
    assert '<html lang="en">' in page and "Member space" in page


@pytest.fixture
def outbox_enabled(settings, tmp_path):
    settings.MUTUELLE_OUTBOX_PAGE = True
    settings.EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    settings.EMAIL_FILE_PATH = tmp_path
    return tmp_path


def test_staff_read_the_demo_outbox(outbox_enabled, responsable, mutuelle):
    mail.send_mail(
        "Confirmez votre adresse",
        "Cliquez : https://espace.example/confirmer/abc",
        "ne-pas-repondre@mutuelle.example",
        ["camille@test.example"],
    )
    c = _login(responsable)
    listing = c.get("/__debug__/outbox/")
    assert listing.status_code == 200
    assert "Confirmez votre adresse" in listing.content.decode()
    name = next(outbox_enabled.glob("*.log")).name
    detail = c.get(f"/__debug__/outbox/{name}/").content.decode()
    assert '<a href="https://espace.example/confirmer/abc"' in detail


def test_members_and_anonymous_cannot_read_the_outbox(outbox_enabled, adherent, http):
    assert http.get("/__debug__/outbox/").status_code == 302  # to the login page
    member = _login(adherent.user)
    assert member.get("/__debug__/outbox/").status_code == 302


def test_outbox_refuses_paths_outside_its_folder(outbox_enabled, responsable):
    c = _login(responsable)
    assert c.get("/__debug__/outbox/..%2Fsecret_key/").status_code == 404
    assert c.get("/__debug__/outbox/absent.log/").status_code == 404


def test_outbox_is_off_outside_the_demo(settings, responsable):
    settings.MUTUELLE_OUTBOX_PAGE = False
    c = _login(responsable)
    assert c.get("/__debug__/outbox/").status_code == 404


# --- Django's admin ------------------------------------------------------------------------------

ADMIN_LISTS = [
    "core/mutuelle",
    "core/auditlog",
    "formules/formule",
    "formules/garantie",
    "members/adherent",
    "members/beneficiaire",
    "members/contrat",
    "members/droitperiode",
    "members/cotisation",
    "members/employeur",
    "referentiel/praticien",
    "referentiel/etablissement",
    "referentiel/natureprestation",
    "brokers/cabinet",
    "brokers/courtier",
    "accounts/user",
]


@pytest.fixture
def admin_user(db):
    from mutuelle.accounts.models import Role
    from tests.factories import UserFactory

    return UserFactory(username="administrateur", role=Role.ADMINISTRATEUR, is_staff=True, is_superuser=True)


@pytest.mark.parametrize("path", ADMIN_LISTS)
def test_administrator_sees_every_list_in_french(admin_user, contrat, path):
    response = _login(admin_user).get(f"/admin/{path}/")
    assert response.status_code == 200
    assert "Administration de la mutuelle" in response.content.decode()


def test_administrator_opens_a_member_with_contracts(admin_user, contrat, adherent):
    body = _login(admin_user).get(f"/admin/members/adherent/{adherent.pk}/change/").content.decode()
    assert adherent.numero in body and contrat.numero in body


def test_admin_creation_of_a_member_generates_the_number_and_audits(admin_user, mutuelle):
    from mutuelle.members.models import Adherent
    from tests.factories import fake_nir

    c = Client()
    connecter(c, admin_user)
    response = c.post(
        "/admin/members/adherent/add/",
        {
            "civilite": "M.",
            "nom": "Garnier",
            "prenom": "Paul",
            "date_naissance": "1970-02-03",
            "sexe": "1",
            "nir": fake_nir(sexe="1", naissance=date(1970, 2, 3)),
            "adresse_ligne1": "5 rue Haute",
            "code_postal": "69001",
            "ville": "Lyon",
            "preference_courrier": "email",
            "contrats-TOTAL_FORMS": "0",
            "contrats-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    created = Adherent.objects.get(nom="Garnier")
    assert len(created.numero) == 9
    assert AuditLog.objects.filter(action="members.adherent.created", adherent=created, acteur=admin_user).exists()


def test_a_wrong_nir_in_the_admin_is_refused_with_a_french_message(admin_user, mutuelle):
    c = Client()
    connecter(c, admin_user)
    response = c.post(
        "/admin/members/adherent/add/",
        {
            "civilite": "M.",
            "nom": "Garnier",
            "prenom": "Paul",
            "date_naissance": "1970-02-03",
            "sexe": "1",
            "nir": "170027500100199",
            "adresse_ligne1": "5 rue Haute",
            "code_postal": "69001",
            "ville": "Lyon",
            "preference_courrier": "email",
            "contrats-TOTAL_FORMS": "0",
            "contrats-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 200
    assert "La clé du NIR ne correspond pas" in response.content.decode()


def test_handlers_view_members_but_cannot_change_formulas(gestionnaire, contrat, formule):
    from mutuelle.accounts.services import GROUP_NAMES, roles_installer

    roles_installer()
    from django.contrib.auth.models import Group

    gestionnaire.groups.add(Group.objects.get(name=GROUP_NAMES["gestionnaire"]))
    c = _login(gestionnaire)
    assert c.get("/admin/members/adherent/").status_code == 200
    assert c.get(f"/admin/formules/formule/{formule.pk}/change/").status_code == 200  # read-only view
    assert c.post(f"/admin/formules/formule/{formule.pk}/change/", {"libelle": "X"}).status_code == 403
    assert c.get("/admin/core/auditlog/").status_code == 403


def test_members_and_brokers_cannot_enter_the_admin(adherent, courtier):
    response = _login(adherent.user).get("/admin/")
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
    # A broker's session reaches nothing outside the broker space: the admin does not exist for it.
    assert _login(courtier.user).get("/admin/").status_code == 404


def test_a_member_account_cannot_be_made_staff(adherent):
    from django.db import IntegrityError, transaction

    user = adherent.user
    user.is_staff = True
    with pytest.raises(IntegrityError), transaction.atomic():
        user.save()


def test_the_audit_log_cannot_be_edited_even_by_an_administrator(admin_user, adherent):
    c = _login(admin_user)
    entry = AuditLog.objects.first()
    assert entry is not None
    assert c.get("/admin/core/auditlog/add/").status_code == 403
    assert c.post(f"/admin/core/auditlog/{entry.pk}/delete/", {"post": "yes"}).status_code == 403
