"""Dated rows: a contract, a formula on a contract, a guarantee, a rights period, a beneficiary's
presence on a contract. Each is in force on a day when it started on or before that day and has not
ended before it (no end: still open). One predicate for every area, in the database and in Python."""

from __future__ import annotations

from datetime import date

from django.db.models import Q

ENTREE_SORTIE = {"debut": "date_entree", "fin": "date_sortie"}  # a beneficiary on a contract


def en_vigueur(on: date, *, debut: str = "date_debut", fin: str = "date_fin") -> Q:
    """``filter(en_vigueur(on))``: the rows in force on ``on``. ``debut``/``fin`` name the fields
    (``**ENTREE_SORTIE`` for a beneficiary's presence), lookups through relations included."""
    return Q(**{f"{debut}__lte": on}) & (Q(**{f"{fin}__isnull": True}) | Q(**{f"{fin}__gte": on}))


def couvre(debut: date | None, fin: date | None, on: date) -> bool:
    """The same rule for a row already read: started on or before ``on`` and not ended before it."""
    return debut is not None and debut <= on and (fin is None or fin >= on)
