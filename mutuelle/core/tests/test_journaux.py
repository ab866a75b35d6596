"""The audit journal and the status histories are append-only on PostgreSQL: SQL cannot rewrite
them, whatever the path (the ORM, a raw statement, a deleted account)."""

from __future__ import annotations

from datetime import date

import pytest
from django.db import DatabaseError, connection, transaction

from mutuelle.claims.models import EvenementLigne
from mutuelle.core.actions import Action
from mutuelle.core.journaux import TABLES, purge_autorisee
from mutuelle.core.models import AuditLog
from mutuelle.core.services import journal_ecrire
from mutuelle.requests.models import EvenementDemande
from tests.factories import UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]


def _refuse(sql: str) -> str:
    with pytest.raises(DatabaseError) as info, transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql)
    return str(info.value)


@pytest.mark.parametrize("table", TABLES)
def test_an_update_or_a_delete_in_sql_is_refused(table, adherent):
    from mutuelle.requests.models import Demande

    journal_ecrire(action=Action.MUTUELLE_MODIFIEE)
    EvenementLigne.objects.create(ligne_id=1, vers="valide")
    demande = Demande.objects.create(
        numero="D-TEST-1", adherent=adherent, type_demande="document", echeance=date(2026, 12, 31)
    )
    EvenementDemande.objects.create(demande=demande, vers="recue")
    assert "journal en ajout seul : UPDATE refusé" in _refuse(f"UPDATE {table} SET id = id")  # noqa: S608
    assert "journal en ajout seul : DELETE refusé" in _refuse(f"DELETE FROM {table}")  # noqa: S608


def test_an_audit_row_cannot_be_rewritten_through_the_orm(gestionnaire):
    entree = journal_ecrire(action=Action.MUTUELLE_MODIFIEE, par=gestionnaire, message="vrai")
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditLog.objects.filter(pk=entree.pk).update(message="réécrit")
    with pytest.raises(DatabaseError), transaction.atomic():
        entree.delete()
    assert AuditLog.objects.get(pk=entree.pk).message == "vrai"


def test_deleting_an_account_leaves_its_audit_rows_as_they_were():
    user = UserFactory(username="parti", role="gestionnaire")
    pk, nom = user.pk, str(user)
    entree = journal_ecrire(action=Action.MUTUELLE_MODIFIEE, par=user)
    user.delete()
    entree.refresh_from_db()
    assert (entree.acteur_id, entree.acteur_libelle) == (pk, nom)


def test_a_purge_past_the_retention_period_may_delete_but_never_update(gestionnaire):
    entree = journal_ecrire(action=Action.MUTUELLE_MODIFIEE, par=gestionnaire)
    with purge_autorisee():
        with pytest.raises(DatabaseError), transaction.atomic():
            AuditLog.objects.filter(pk=entree.pk).update(message="réécrit")
        AuditLog.objects.filter(pk=entree.pk).delete()
    assert not AuditLog.objects.filter(pk=entree.pk).exists()
    # Outside it, refused again.
    journal_ecrire(action=Action.PRESET_APPLIQUE, par=gestionnaire)
    assert "DELETE refusé" in _refuse("DELETE FROM core_auditlog")
