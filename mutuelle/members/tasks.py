"""Background work on members' accounts: what a forgotten-secret request sends."""

from __future__ import annotations

from celery import shared_task

from mutuelle.members.comptes import secret_oubli_traiter


# The task keeps its registered name: a request queued before a deploy is still run after it.
@shared_task(name="accounts.secret_oubli", autoretry_for=(OSError,), retry_backoff=True, max_retries=3)
def secret_oubli(adherent_id: int | None, ip: str | None, user_agent: str) -> str:
    return secret_oubli_traiter(adherent_id=adherent_id, ip=ip, user_agent=user_agent)
