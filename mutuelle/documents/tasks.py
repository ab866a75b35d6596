"""Documents made in the background: the monthly paper relevés, one task per member so that the
workers render them in parallel (each task is idempotent: a member's relevé of a month is posted once)."""

from __future__ import annotations

from datetime import date, timedelta

from celery import group, shared_task
from django.utils import timezone

from mutuelle.members.models import Adherent


def mois_precedent(jour: date) -> tuple[date, date]:
    fin = jour.replace(day=1) - timedelta(days=1)
    return fin.replace(day=1), fin


@shared_task(name="documents.releves_papier_mensuels")
def releves_papier_mensuels(mois: str | None = None) -> int:
    """Fan out the previous month's paper relevés (or those of ``mois``, ISO date of its first day)."""
    from mutuelle.documents.services import destinataires_releves_papier

    du, au = (
        mois_precedent(timezone.localdate())
        if mois is None
        else mois_precedent((date.fromisoformat(mois) + timedelta(days=32)).replace(day=1))
    )
    ids = destinataires_releves_papier(du, au)
    if ids:
        group(releve_papier.s(i, du.isoformat(), au.isoformat()) for i in ids).apply_async()
    return len(ids)


@shared_task(name="documents.releve_papier", autoretry_for=(OSError,), retry_backoff=True, max_retries=3)
def releve_papier(adherent_id: int, du: str, au: str) -> bool:
    from mutuelle.documents.services import releve_papier as emettre

    adherent = Adherent.objects.get(pk=adherent_id)
    return emettre(adherent=adherent, du=date.fromisoformat(du), au=date.fromisoformat(au)) is not None
