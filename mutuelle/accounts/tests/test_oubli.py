"""Forgotten secret, as an attacker would use it: a letter to an address just changed, a flood of
requests, and the time the answer takes."""

from __future__ import annotations

import io
from datetime import timedelta
from typing import Any
from unittest import mock

import pytest
import time_machine
from django.core import mail
from django.test import Client
from django.utils import timezone
from pypdf import PdfReader

from mutuelle.accounts.models import Courrier, JetonCompte
from mutuelle.core.models import AuditLog
from mutuelle.members.comptes import OUBLI_PAR_JOUR
from mutuelle.members.services import adherent_coordonnees_modifier
from tests.factories import adherent_make

pytestmark = [pytest.mark.django_db]


@pytest.fixture
def sans_email(mutuelle: Any) -> Any:
    adherent: Any = adherent_make(prenom="Paul", nom="Roux", email="", sexe="1")
    adherent.adresse_ligne1, adherent.code_postal, adherent.ville = "3 rue des Lilas", "69003", "Lyon"
    adherent.save()
    adherent.user.is_active = True
    adherent.user.save()
    return adherent


def _oubli(identifiant: str, **extra: Any) -> Any:
    return Client().post("/connexion/mot-de-passe-oublie/", {"identifiant": identifiant}, **extra)


def _texte(courrier: Courrier) -> str:
    return "".join(p.extract_text() for p in PdfReader(io.BytesIO(courrier.pdf.read())).pages)


def test_a_reset_letter_goes_to_the_previous_address_when_it_was_just_changed(sans_email):
    adherent_coordonnees_modifier(
        adherent=sans_email,
        valeurs={"adresse_ligne1": "1 impasse de l'Escroc", "code_postal": "13001", "ville": "Marseille"},
    )
    _oubli(sans_email.numero)
    texte = _texte(Courrier.objects.get())
    assert "3 rue des Lilas" in texte and "69003 Lyon" in texte
    assert "Escroc" not in texte and "Marseille" not in texte
    assert (
        AuditLog.objects.get(action="accounts.courrier.secret.prepared")
        .nouvelle_valeur["adresse"]
        .startswith("précédente")
    )


def test_a_reset_letter_goes_to_the_address_on_file_once_it_has_stood_for_30_days(sans_email):
    adherent_coordonnees_modifier(
        adherent=sans_email, valeurs={"adresse_ligne1": "8 quai Neuf", "code_postal": "13001", "ville": "Marseille"}
    )
    with time_machine.travel(timezone.now() + timedelta(days=31)):
        _oubli(sans_email.numero)
    texte = _texte(Courrier.objects.get())
    assert "8 quai Neuf" in texte and "3 rue des Lilas" not in texte


def test_a_flood_of_requests_sends_three_links_then_tells_the_member_once(adherent, django_capture_on_commit_callbacks):
    adherent.user.is_active = True
    adherent.user.save()
    with django_capture_on_commit_callbacks(execute=True):
        pages = [_oubli(adherent.numero, REMOTE_ADDR=f"203.0.113.{i}") for i in range(10)]
    # The same page every time: nothing tells the visitor the limit was reached.
    assert {p.status_code for p in pages} == {200}
    assert all("sous 8 jours" in p.content.decode() for p in pages)
    liens = [m for m in mail.outbox if "nouveau mot de passe" in m.subject and "suspendues" not in m.subject]
    avis = [m for m in mail.outbox if "suspendues" in m.subject]
    assert len(liens) == OUBLI_PAR_JOUR == JetonCompte.objects.filter(user=adherent.user).count()
    assert len(avis) == 1 and "n'enverrons plus de lien" in avis[0].body
    assert AuditLog.objects.filter(action="accounts.secret.requests_suspended").count() == 1
    assert AuditLog.objects.filter(action="accounts.secret.request_ignored").count() == 10 - OUBLI_PAR_JOUR - 1
    # A day later a request is answered again.
    with time_machine.travel(timezone.now() + timedelta(hours=25)), django_capture_on_commit_callbacks(execute=True):
        _oubli(adherent.numero)
    assert JetonCompte.objects.filter(user=adherent.user).count() == OUBLI_PAR_JOUR + 1


def test_letters_are_limited_too(sans_email):
    for i in range(6):
        _oubli(sans_email.numero, REMOTE_ADDR=f"203.0.113.{i}")
    assert Courrier.objects.count() == OUBLI_PAR_JOUR


@pytest.mark.parametrize("qui", ["avec_email", "sans_email", "inconnu"])
def test_the_answer_does_the_same_work_whoever_the_identifier_names(adherent, sans_email, qui):
    """What takes time (an email, a PDF) is a task's, queued in every case with the account's id
    only: the answer comes back after the same work whether the member has an email, has none, or
    does not exist."""
    adherent.user.is_active = True
    adherent.user.save()
    identifiant = {"avec_email": adherent.numero, "sans_email": sans_email.numero, "inconnu": "100999997"}[qui]
    with mock.patch("mutuelle.members.tasks.secret_oubli.delay") as delay:
        page = _oubli(identifiant)
    assert page.status_code == 200
    (appel,) = delay.call_args_list
    attendu = {"avec_email": adherent.pk, "sans_email": sans_email.pk, "inconnu": None}[qui]
    assert appel.args[0] == attendu and identifiant not in str(appel.args[1:])
    assert not mail.outbox and not Courrier.objects.exists() and not JetonCompte.objects.exists()
