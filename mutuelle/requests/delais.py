"""Service levels in working days: Monday to Friday, French public holidays excluded (``holidays``)."""

from __future__ import annotations

from datetime import date, timedelta
from functools import lru_cache

import holidays


@lru_cache(maxsize=16)
def _feries(annee: int) -> frozenset[date]:
    return frozenset(holidays.country_holidays("FR", years=annee))


def jour_ouvre(jour: date) -> bool:
    return jour.weekday() < 5 and jour not in _feries(jour.year)


def jours_ouvres_apres(debut: date, n: int) -> date:
    """The ``n``-th working day after ``debut`` (a request received on Friday with 2 working days is
    due on Tuesday; Easter Monday and 1 May do not count)."""
    jour = debut
    restants = n
    while restants > 0:
        jour += timedelta(days=1)
        if jour_ouvre(jour):
            restants -= 1
    return jour
