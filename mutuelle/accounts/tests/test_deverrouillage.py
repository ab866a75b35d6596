"""A handler unlocks a member's account only after an identity check, and every attempt is audited."""

from __future__ import annotations

import pytest
from django.test import Client

from mutuelle.core.models import AuditLog
from tests.factories import TEST_PASSWORD, connecter

pytestmark = [pytest.mark.django_db, pytest.mark.verrouillage]

URL = "/gestion/comptes/deverrouiller/"


def _verrouiller(adherent) -> None:
    for n in range(3):
        Client().post("/connexion/", {"identifiant": adherent.numero, "secret": f"mauvais {n}"})
    assert Client().post("/connexion/", {"identifiant": adherent.numero, "secret": TEST_PASSWORD}).status_code == 429


def _demande(adherent, **changes):
    data = {
        "numero": adherent.numero,
        "date_naissance": adherent.date_naissance.isoformat(),
        "element": "code_postal",
        "valeur": adherent.code_postal,
        "motif": "Appel de l'adhérente, bloquée après trois essais",
    }
    data.update(changes)
    return data


def _staff_client(user) -> Client:
    client = Client()
    connecter(client, user)
    return client


def test_a_handler_unlocks_after_checking_three_items(adherent, gestionnaire):
    _verrouiller(adherent)
    response = _staff_client(gestionnaire).post(URL, _demande(adherent), follow=True)
    assert "est déverrouillé" in response.content.decode()
    assert Client().post("/connexion/", {"identifiant": adherent.numero, "secret": TEST_PASSWORD}).status_code == 302
    row = AuditLog.objects.get(action="accounts.compte.unlocked")
    assert row.acteur == gestionnaire and row.nouvelle_valeur["elements"][2] == "code postal"
    assert adherent.code_postal not in str(row.nouvelle_valeur)


@pytest.mark.parametrize(
    "changes",
    [
        {"valeur": "75001"},
        {"date_naissance": "1990-01-01"},
        {"element": "nir_fin", "valeur": "0000"},
        {"element": "email", "valeur": "autre@test.example"},
    ],
)
def test_a_wrong_answer_unlocks_nothing_and_is_audited(adherent, gestionnaire, changes):
    _verrouiller(adherent)
    response = _staff_client(gestionnaire).post(URL, _demande(adherent, **changes))
    assert "ne correspondent pas" in response.content.decode()
    assert Client().post("/connexion/", {"identifiant": adherent.numero, "secret": TEST_PASSWORD}).status_code == 429
    assert AuditLog.objects.filter(action="accounts.compte.unlock_refused", acteur=gestionnaire).count() == 1


def test_members_and_brokers_cannot_unlock_and_anonymous_visitors_are_sent_to_login(adherent, courtier):
    assert _staff_client(adherent.user).post(URL, _demande(adherent)).status_code == 403
    assert _staff_client(courtier.user).post(URL, _demande(adherent)).status_code == 404
    anonymous = Client().get(URL)
    assert anonymous.status_code == 302 and anonymous["Location"].startswith("/connexion/?next=")


def test_the_unlock_form_needs_the_csrf_token(adherent, gestionnaire):
    client = Client(enforce_csrf_checks=True)
    connecter(client, gestionnaire)
    assert client.post(URL, _demande(adherent)).status_code == 403
