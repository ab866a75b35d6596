"""Referential integrity of the reimbursement tables, checked after the fact.

The hot tables of the ingestion (lines and their events) carry no foreign-key constraint in the
database (see ``LigneRemboursement``): the ingestion writes only ids it has just read or inserted,
and the ORM's PROTECT and CASCADE keep deletions consistent. ``orphelins`` proves it on the data:
one anti-join per reference, each served by the referenced table's primary key."""

from __future__ import annotations

from django.db.models import Exists, Model, OuterRef

from mutuelle.claims.models import Decompte, EvenementLigne, LigneRemboursement
from mutuelle.members.models import Beneficiaire, Contrat

# (table, reference, referenced model): every reference without a constraint in the database.
REFERENCES: tuple[tuple[type[Model], str, type[Model]], ...] = (
    (LigneRemboursement, "decompte_id", Decompte),
    (LigneRemboursement, "beneficiaire_id", Beneficiaire),
    (LigneRemboursement, "contrat_id", Contrat),
    (EvenementLigne, "ligne_id", LigneRemboursement),
)


def orphelins(exemples: int = 5) -> list[dict[str, object]]:
    """The references that point to no row, per table and field: an empty list when all is well."""
    problemes: list[dict[str, object]] = []
    for model, champ, cible in REFERENCES:
        qs = model._default_manager.filter(~Exists(cible._default_manager.filter(pk=OuterRef(champ))))
        nombre = qs.count()
        if nombre:
            problemes.append(
                {
                    "table": model._meta.db_table,
                    "champ": champ,
                    "vers": cible._meta.db_table,
                    "nombre": nombre,
                    "exemples": list(qs.order_by("pk").values_list("pk", flat=True)[:exemples]),
                }
            )
    return problemes
