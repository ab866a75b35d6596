"""Asking for another family's data leaves a trace: each refused object (404 or 403) is an audit row
naming who asked, which page and which ids, so that walking other members' ids shows in the journal."""

from __future__ import annotations

import pytest
from django.test import Client

from mutuelle.core.models import AuditLog
from tests.factories import connecter, ligne_make

pytestmark = pytest.mark.django_db


def test_a_member_walking_another_familys_reimbursements_is_audited(adherent, autre_adherent, contrat):
    ligne = ligne_make(beneficiaire=contrat.beneficiaires.first())
    curieux = connecter(Client(), autre_adherent.user, methode="aucun")
    for pk in (ligne.pk, ligne.pk + 1, ligne.pk + 2):
        assert curieux.get(f"/espace/remboursements/{pk}/").status_code == 404
    rows = AuditLog.objects.filter(action="core.acces.denied").order_by("pk")
    assert rows.count() == 3
    assert {r.acteur_id for r in rows} == {autre_adherent.user.pk}
    assert [r.nouvelle_valeur["ids"]["pk"] for r in rows] == [str(ligne.pk), str(ligne.pk + 1), str(ligne.pk + 2)]
    assert rows[0].nouvelle_valeur["page"] == "espace:remboursement"
    # The owner sees their own line: nothing is written for that.
    assert (
        connecter(Client(), adherent.user, methode="aucun").get(f"/espace/remboursements/{ligne.pk}/").status_code
        == 200
    )
    assert AuditLog.objects.filter(action="core.acces.denied").count() == 3


def test_a_link_token_is_never_written(adherent):
    client = connecter(Client(), adherent.user, methode="aucun")
    jeton = "x" * 43
    assert client.get(f"/espace/profil/mes-donnees/{jeton}/").status_code == 404
    row = AuditLog.objects.get(action="core.acces.denied")
    assert jeton not in str(row.nouvelle_valeur) and row.nouvelle_valeur["ids"] == {"jeton": "…"}


def test_an_anonymous_404_writes_nothing(mutuelle):
    assert Client().get("/verifier/ABCDEFGHJKMN/").status_code == 404
    assert not AuditLog.objects.filter(action="core.acces.denied").exists()
