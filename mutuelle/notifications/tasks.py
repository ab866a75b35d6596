"""Notification emails, sent after the change commits; idempotent (each notification once)."""

from __future__ import annotations

from datetime import date

from celery import shared_task
from django.utils import timezone

from mutuelle.notifications.services import mois_precedent, notification_email_envoyer, resumes_mensuels_envoyer


@shared_task(name="notifications.email", autoretry_for=(OSError,), retry_backoff=True, max_retries=5)
def notification_email(notification_id: int) -> bool:
    return notification_email_envoyer(notification_id=notification_id)


@shared_task(name="notifications.resume_mensuel")
def resume_mensuel(mois: str | None = None) -> int:
    """The monthly summaries of the previous month (or of ``mois``, ISO date of its first day)."""
    debut = date.fromisoformat(mois) if mois else mois_precedent(timezone.localdate())
    return resumes_mensuels_envoyer(mois=debut)
