"""Requests an attacker makes that once answered 500: each now gets the site's 400 or 404 page with a
message (on PostgreSQL too, where a NUL character in a query is an error of the database)."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.factories import connecter

pytestmark = pytest.mark.django_db

CHEMINS_NUL = [
    "/gestion/adherents/%00/",
    "/espace/messagerie/%00/",
    "/courtier/contrats/%00/",
    "/verifier/%00/",
    "/connexion/nouveau-mot-de-passe/%00/",
    "/espace/profil/mes-donnees/%00/",
]


@pytest.mark.parametrize("qui", ["visiteur", "adherent", "gestionnaire", "courtier"])
@pytest.mark.parametrize("chemin", CHEMINS_NUL)
def test_a_nul_character_in_a_path_is_a_404_page(chemin, qui, adherent, gestionnaire, courtier):
    client = Client(raise_request_exception=True)
    if qui == "adherent":
        connecter(client, adherent.user, methode="aucun")
    elif qui == "gestionnaire":
        connecter(client, gestionnaire)
    elif qui == "courtier":
        connecter(client, courtier.user)
    reponse = client.get(chemin)
    assert reponse.status_code == 404
    assert "<html" in reponse.content.decode()


@pytest.mark.parametrize(
    "requete", ["/gestion/remboursements/revue/?statut=%00", "/espace/remboursements/?du=%00", "/?x=a%00b"]
)
def test_a_nul_character_in_the_query_string_is_a_400_page(requete, gestionnaire, adherent):
    client = connecter(Client(raise_request_exception=True), gestionnaire)
    reponse = client.get(requete)
    assert reponse.status_code == 400 and "Nous n'avons pas pu traiter cette demande" in reponse.content.decode()


@pytest.mark.parametrize("code", ["'", "%27", "-", "ABC", "A" * 13, "<script>"])
def test_a_verification_code_that_is_not_one_gets_the_form_back_with_what_to_do(code, mutuelle):
    reponse = Client(raise_request_exception=True).get("/verifier/", {"code": code})
    assert reponse.status_code == 400
    assert "12 lettres et chiffres" in reponse.content.decode()
