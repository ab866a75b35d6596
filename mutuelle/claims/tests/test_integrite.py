"""The reimbursement lines carry no foreign-key constraint in the database (ingestion speed): the ORM
still refuses to delete what lines point to, and the integrity check finds an orphan made behind its
back."""

from __future__ import annotations

import json
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.models import ProtectedError

from mutuelle.claims.integrity import orphelins
from mutuelle.claims.models import EvenementLigne, LigneRemboursement
from mutuelle.claims.services import noemie_integrer
from mutuelle.claims.tests.helpers import acte, decompte, write

pytestmark = pytest.mark.django_db


@pytest.fixture
def ligne(camille, garanties, tmp_path):
    noemie_integrer(path=write(tmp_path, [decompte(camille, [acte()])]))
    return LigneRemboursement.objects.get()


def test_an_ingested_file_leaves_no_orphan_and_the_command_says_so(ligne):
    assert orphelins() == []
    out = StringIO()
    call_command("claims_integrite", "--json", stdout=out)
    assert json.loads(out.getvalue()) == {"ok": True, "orphelins": []}


def test_the_orm_still_refuses_to_delete_a_beneficiary_contract_or_decompte_with_lines(ligne):
    for cible in (ligne.beneficiaire, ligne.contrat, ligne.decompte):
        with pytest.raises(ProtectedError):
            cible.delete()
    assert LigneRemboursement.objects.filter(pk=ligne.pk).exists()


def test_deleting_a_line_through_the_orm_takes_its_events_with_it(ligne):
    from django.db import DatabaseError, transaction

    from mutuelle.core.journaux import purge_autorisee

    assert EvenementLigne.objects.filter(ligne=ligne).exists()
    if connection.vendor == "postgresql":
        # Its history is append-only: outside a purge, the deletion is refused whole.
        with pytest.raises(DatabaseError), transaction.atomic():
            LigneRemboursement.objects.get(pk=ligne.pk).delete()
        assert EvenementLigne.objects.filter(ligne=ligne).exists()
    with purge_autorisee():
        ligne.delete()
    assert not EvenementLigne.objects.exists()


def test_an_orphan_made_behind_the_orms_back_is_found(ligne):
    table = LigneRemboursement._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {table} SET contrat_id = %s WHERE id = %s", [999_999, ligne.pk])  # noqa: S608
    (probleme,) = orphelins()
    assert (probleme["champ"], probleme["nombre"], probleme["exemples"]) == ("contrat_id", 1, [ligne.pk])
    err = StringIO()
    with pytest.raises(CommandError, match="orphelines"):
        call_command("claims_integrite", stderr=err)
    assert "contrat_id : 1 ligne(s) sans members_contrat" in err.getvalue()
