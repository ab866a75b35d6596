"""Background work of the member space: the personal-data archive, and its expiry."""

from __future__ import annotations

from celery import shared_task


@shared_task(name="espace.export_generer", autoretry_for=(OSError,), retry_backoff=True, max_retries=3)
def export_generer(export_id: int, jeton: str) -> bool:
    from mutuelle.espace.donnees import export_generer as generer

    return generer(export_id=export_id, jeton=jeton)


@shared_task(name="espace.exports_expirer")
def exports_expirer() -> int:
    from mutuelle.espace.donnees import exports_expirer as expirer

    return expirer()
