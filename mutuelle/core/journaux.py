"""Append-only journals: the audit log and the status histories cannot be changed after the fact.

On PostgreSQL a trigger refuses every UPDATE and DELETE on ``core_auditlog``,
``claims_evenementligne`` and ``requests_evenementdemande`` (installed by the migrations through
``ajout_seul``); in production the application's role has moreover only SELECT and INSERT on them
(``docs/operations.md``). The one exception is a purge past the legal retention period, run by a
role allowed to delete, inside ``purge_autorisee()``.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.db import connection, transaction

FONCTION = "mutuelle_ajout_seul"
REGLAGE_PURGE = "mutuelle.purge_journaux"
TABLES = ("core_auditlog", "claims_evenementligne", "requests_evenementdemande")

SQL_FONCTION = f"""
CREATE OR REPLACE FUNCTION {FONCTION}() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' AND current_setting('{REGLAGE_PURGE}', true) = 'on' THEN
        RETURN OLD;
    END IF;
    RAISE EXCEPTION 'La table % est un journal en ajout seul : % refusé.', TG_TABLE_NAME, TG_OP
        USING ERRCODE = 'insufficient_privilege';
END
$$;
"""


def _trigger(table: str) -> str:
    return f"{table}_ajout_seul"


def ajout_seul(table: str) -> tuple[Any, Any]:
    """The forward and backward functions of a migration's RunPython that make ``table`` append-only
    on PostgreSQL (nothing on SQLite, the demo's database)."""

    def installer(apps: Any, schema_editor: Any) -> None:
        if schema_editor.connection.vendor != "postgresql":
            return
        schema_editor.execute(SQL_FONCTION, params=None)
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {_trigger(table)} ON {table}")
        schema_editor.execute(
            f"CREATE TRIGGER {_trigger(table)} BEFORE UPDATE OR DELETE ON {table} "
            f"FOR EACH ROW EXECUTE FUNCTION {FONCTION}()"
        )

    def retirer(apps: Any, schema_editor: Any) -> None:
        if schema_editor.connection.vendor != "postgresql":
            return
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {_trigger(table)} ON {table}")

    return installer, retirer


@contextmanager
def purge_autorisee() -> Iterator[None]:
    """Inside one transaction, let DELETE through the triggers (a purge past the retention period, by
    a role that has the right; UPDATE stays refused)."""
    postgresql = connection.vendor == "postgresql"
    with transaction.atomic():
        if postgresql:
            with connection.cursor() as cursor:
                cursor.execute("SELECT set_config(%s, 'on', true)", [REGLAGE_PURGE])
        try:
            yield
        finally:
            # The setting lasts until the end of the outermost transaction: off again as we leave,
            # when this block is only a savepoint of a larger one.
            if postgresql and not connection.needs_rollback:
                with connection.cursor() as cursor:
                    cursor.execute("SELECT set_config(%s, 'off', true)", [REGLAGE_PURGE])
