"""Background work of accounts: what a forgotten-secret request sends."""

from __future__ import annotations

from celery import shared_task


@shared_task(name="accounts.secret_oubli", autoretry_for=(OSError,), retry_backoff=True, max_retries=3)
def secret_oubli(adherent_id: int | None, ip: str | None, user_agent: str) -> str:
    from mutuelle.accounts.services import secret_oubli_traiter

    return secret_oubli_traiter(adherent_id=adherent_id, ip=ip, user_agent=user_agent)
