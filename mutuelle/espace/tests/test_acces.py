"""Who may open the member space, and what another member's ids answer."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from tests.factories import connecter

PAGES = [
    reverse("espace:accueil"),
    reverse("espace:remboursements"),
    reverse("espace:depenses"),
    reverse("espace:notifications"),
    reverse("espace:preferences"),
]


@pytest.mark.django_db
@pytest.mark.parametrize("url", PAGES)
def test_a_visitor_is_sent_to_the_login_page(client: Any, mutuelle: Any, url: str) -> None:
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:connexion"))


@pytest.mark.parametrize("url", PAGES)
def test_staff_cannot_open_a_member_space(client: Any, gestionnaire: Any, url: str) -> None:
    connecter(client, gestionnaire)
    response = client.get(url)
    assert response.status_code == 403
    assert "réservé aux adhérents" in response.content.decode()


def test_a_broker_cannot_open_a_member_space(client: Any, courtier: Any) -> None:
    connecter(client, courtier.user)
    assert client.get(reverse("espace:accueil")).status_code == 404


def test_another_members_reimbursement_answers_404(camille_connectee: Any, lignes: Any, ligne_de_hugo: Any) -> None:
    response = camille_connectee.get(reverse("espace:remboursement", args=[ligne_de_hugo.pk]))
    assert response.status_code == 404
    assert "n'existe pas" in response.content.decode()


def test_hugo_sees_nothing_of_camilles_family(
    client: Any, autre_adherent: Any, lignes: Any, ligne_de_hugo: Any
) -> None:
    connecter(client, autre_adherent.user)
    liste = client.get(reverse("espace:remboursements")).content.decode()
    assert "Léa" not in liste and "Julien" not in liste
    assert "55,00" in liste  # his own line
    for ligne in lignes:
        assert client.get(reverse("espace:remboursement", args=[ligne.pk])).status_code == 404
    export = b"".join(client.get(reverse("espace:remboursements") + "?export=csv").streaming_content).decode()
    assert "Camille" not in export and "Hugo" in export
    depenses = client.get(reverse("espace:depenses")).content.decode()
    assert "120,00" not in depenses


def test_a_member_logging_in_lands_on_their_space(client: Any, adherent: Any) -> None:
    from tests.factories import TEST_PASSWORD

    response = client.post(
        reverse("accounts:connexion"), {"identifiant": adherent.numero, "secret": TEST_PASSWORD}, follow=False
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("espace:accueil")
    assert client.get(reverse("core:accueil"))["Location"] == reverse("espace:accueil")


def test_the_404_page_is_french_and_branded(client: Any, mutuelle: Any, settings: Any) -> None:
    settings.DEBUG = False
    response = client.get("/nulle-part/")
    assert response.status_code == 404
    body = response.content.decode()
    assert "Cette page n'existe pas" in body
    assert mutuelle.nom_court in body
