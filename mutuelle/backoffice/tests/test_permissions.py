"""Who reaches which back-office screen: one table, checked before any view runs, closed by default."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from mutuelle.accounts.models import Role
from mutuelle.accounts.permissions import Droit
from mutuelle.backoffice.permissions import ECRANS, PREFIXE
from tests.factories import UserFactory, connecter


def _ecrans_sous(prefixe: str) -> list[tuple[str, str]]:
    """Every named URL whose route starts with ``prefixe``: (view name, route)."""
    trouves: list[tuple[str, str]] = []

    def parcourir(patterns: Any, route: str, espace: str) -> None:
        for p in patterns:
            if isinstance(p, URLResolver):
                ns = f"{espace}{p.namespace}:" if p.namespace else espace
                parcourir(p.url_patterns, route + str(p.pattern), ns)
            elif isinstance(p, URLPattern) and p.name:
                trouves.append((f"{espace}{p.name}", "/" + route + str(p.pattern)))

    parcourir(get_resolver().url_patterns, "", "")
    return [(nom, r) for nom, r in trouves if r.startswith(prefixe)]


def _url(nom: str) -> str:
    """A URL for the screen, with placeholder arguments (the permission check runs before the view)."""
    kwargs: dict[str, Any] = {}
    route = dict(_ecrans_sous(PREFIXE))[nom]
    for morceau in route.split("<")[1:]:
        convertisseur, _, reste = morceau.partition(":")
        nom_arg = reste.split(">")[0] if reste else convertisseur.split(">")[0]
        kwargs[nom_arg] = 1 if convertisseur == "int" else "revue" if nom_arg == "cle" else "X1"
    return reverse(nom, kwargs=kwargs)


def test_every_back_office_screen_has_its_line_in_the_table_and_every_line_a_screen() -> None:
    ecrans = {nom for nom, _ in _ecrans_sous(PREFIXE)}
    assert ecrans, "no back-office screens found"
    assert ecrans - set(ECRANS) == set(), "a /gestion/ screen without its permission"
    assert set(ECRANS) - ecrans == set(), "a permission for a screen that does not exist"


@pytest.mark.django_db
def test_a_member_reaches_no_back_office_screen(client: Any, adherent: Any) -> None:
    connecter(client, adherent.user, methode="aucun")
    for nom in ECRANS:
        assert client.get(_url(nom)).status_code == 403, nom


@pytest.mark.django_db
def test_a_broker_reaches_no_back_office_screen(client: Any, courtier: Any) -> None:
    connecter(client, courtier.user)
    for nom in ECRANS:
        assert client.get(_url(nom)).status_code == 404, nom  # not even told it exists


@pytest.mark.django_db
def test_an_anonymous_visitor_is_sent_to_the_login(client: Any) -> None:
    for nom in ECRANS:
        reponse = client.get(_url(nom))
        assert reponse.status_code == 302 and reponse["Location"].startswith(reverse("accounts:connexion")), nom


@pytest.mark.django_db
def test_a_handler_cannot_open_the_supervisors_screens(client: Any, gestionnaire: Any, mutuelle: Any) -> None:
    connecter(client, gestionnaire)
    for nom, droit in ECRANS.items():
        if droit == Droit.SUPERVISER:
            assert client.get(_url(nom)).status_code == 403, nom
            assert client.post(_url(nom)).status_code == 403, nom
    assert client.get(reverse("backoffice:accueil")).status_code == 200


@pytest.mark.django_db
def test_a_supervisor_opens_the_dashboard(client: Any, responsable: Any, mutuelle: Any) -> None:
    connecter(client, responsable)
    assert client.get(reverse("backoffice:tableau_de_bord")).status_code == 200


@pytest.mark.django_db
def test_a_deactivated_handler_is_refused(client: Any, mutuelle: Any) -> None:
    ancien: Any = UserFactory(username="parti", role=Role.GESTIONNAIRE, is_staff=True)
    connecter(client, ancien)
    ancien.is_active = False
    ancien.save()
    assert client.get(reverse("backoffice:accueil")).status_code in (302, 403)


@pytest.mark.django_db
def test_a_screen_missing_from_the_table_is_refused_to_everyone(
    client: Any, responsable: Any, mutuelle: Any, monkeypatch: Any
) -> None:
    connecter(client, responsable)
    monkeypatch.delitem(ECRANS, "backoffice:recherche")
    assert client.get(reverse("backoffice:recherche")).status_code == 403


@pytest.mark.django_db
def test_supervisors_edit_service_levels_and_ready_answers_in_the_admin_handlers_do_not(
    client: Any, responsable: Any, gestionnaire: Any, mutuelle: Any
) -> None:
    from mutuelle.accounts.services import roles_installer

    groupes = roles_installer()
    responsable.groups.add(groupes[Role.RESPONSABLE])
    gestionnaire.groups.add(groupes[Role.GESTIONNAIRE])
    connecter(client, responsable)
    for url in ("/admin/core/reglagefile/add/", "/admin/messaging/modelereponse/add/"):
        assert client.get(url).status_code == 200, url
    connecter(client, gestionnaire)
    for url in ("/admin/core/reglagefile/", "/admin/messaging/modelereponse/"):
        assert client.get(url).status_code == 403, url
