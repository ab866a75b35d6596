"""Admin helpers: every change made through Django's admin writes an audit row too."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db import models, transaction
from django.http import HttpRequest

from mutuelle.core.services import audit_log


class AuditedAdmin(admin.ModelAdmin):
    """Writes ``<app>.<model>.created|changed|deleted`` audit rows in the admin's transaction."""

    def _adherent_of(self, obj: models.Model) -> Any:
        return None

    def _action(self, obj: models.Model, verb: str) -> str:
        return f"{obj._meta.app_label}.{obj._meta.model_name}.{verb}"

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        with transaction.atomic():
            self.before_create(obj) if not change else None
            super().save_model(request, obj, form, change)
            changed = {k: form.cleaned_data.get(k) for k in form.changed_data}
            audit_log(
                action=self._action(obj, "changed" if change else "created"),
                target=obj,
                adherent=self._adherent_of(obj),
                new=changed,
                request=request,
                message="Modifié dans l'administration",
            )

    def before_create(self, obj: Any) -> None:
        """Hook for generated fields (numbers) on objects created in the admin."""

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        with transaction.atomic():
            audit_log(
                action=self._action(obj, "deleted"),
                target=obj,
                adherent=self._adherent_of(obj),
                request=request,
                message="Supprimé dans l'administration",
            )
            super().delete_model(request, obj)
