"""The daily payment run (Celery beat, working days only), idempotent like the service it calls."""

from __future__ import annotations

from celery import shared_task

from mutuelle.core.calendrier import jour_ouvre


@shared_task(name="payments.paiements_quotidiens")
def paiements_quotidiens() -> list[str]:
    from django.utils import timezone

    from mutuelle.payments.services import paiements_executer

    if not jour_ouvre(timezone.localdate()):
        return []
    return [lot.numero for lot in paiements_executer()]
