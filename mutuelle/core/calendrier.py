"""The calendar every area shares: working days (Monday to Friday, French public holidays excluded,
from ``holidays``) for service levels and payment dates, and month arithmetic for validities."""

from __future__ import annotations

from datetime import date, timedelta
from functools import lru_cache

import holidays

from regles.moteur import ajouter_mois


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


def plus_mois(jour: date, mois: int) -> date:
    """The same day ``mois`` months later, or the month's last day (31 January + 1 month → 28/29
    February): the rules engine's arithmetic, so a validity and a guarantee's period agree."""
    return ajouter_mois(jour, mois)
