"""Request bodies are bounded before they are read: a 1 GiB anonymous POST is refused unread (it was
spooled to disk before the 400), a member cannot send more than the files of one sending."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from mutuelle.core.models import AuditLog
from tests.factories import connecter

pytestmark = pytest.mark.django_db


class CorpsIntouchable:
    """A request body that fails the test if anything reads it."""

    def read(self, *args: Any) -> bytes:
        raise AssertionError("le corps de la requête a été lu")

    readline = read


def _post(client: Client, chemin: str, longueur: int) -> Any:
    return client.generic(
        "POST",
        chemin,
        content_type="application/x-www-form-urlencoded",
        CONTENT_LENGTH=str(longueur),
        **{"wsgi.input": CorpsIntouchable()},  # type: ignore[arg-type]
    )


def test_a_visitor_posting_a_gigabyte_is_refused_before_any_byte_is_read(mutuelle):
    reponse = _post(Client(), "/connexion/", 1 << 30)
    assert reponse.status_code == 413
    assert "trop volumineux" in reponse.content.decode() and reponse["Connection"] == "close"
    assert AuditLog.objects.filter(action="core.requete.refused_too_large").exists()


def test_a_member_may_send_the_files_of_one_sending_and_no_more(adherent, settings):
    client = connecter(Client(), adherent.user, methode="aucun")
    maximum = settings.MUTUELLE_PIECES_MAX * settings.MUTUELLE_PIECE_TAILLE_MAX + 1024 * 1024
    reponse = _post(client, "/espace/demandes/", maximum + 1)
    assert reponse.status_code == 413 and f"{maximum // (1024 * 1024)} Mo au plus" in reponse.content.decode()


def test_a_malformed_length_is_refused(mutuelle):
    assert _post(Client(), "/connexion/", -5).status_code == 413


def test_ordinary_forms_still_go_through(mutuelle):
    assert Client().post("/connexion/", {"identifiant": "100000017", "secret": "x" * 20}).status_code == 200
