"""Admin helpers: every change made through Django's admin writes an audit row too."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.core.exceptions import FieldDoesNotExist
from django.db import models, transaction
from django.http import HttpRequest

from mutuelle.core.actions import Action
from mutuelle.core.services import journal_ecrire


def _valeur(obj: models.Model, nom: str) -> Any:
    """A field's value as the audit journal keeps it (a related object by its id)."""
    try:
        champ = obj._meta.get_field(nom)
    except FieldDoesNotExist:  # a form field that is not a model field
        return None
    return getattr(obj, champ.attname, None) if isinstance(champ, models.Field) else None


class ChampsProteges:
    """Fields nobody changes in the admin once the object exists, an administrator included (see
    ``AuditedAdmin``); inlines too. They are filled in when the object is created."""

    champs_proteges: tuple[str, ...] = ()

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        champs = tuple(super().get_readonly_fields(request, obj))  # type: ignore[misc]
        if obj is None:  # the add page: a new member, contract or premium is typed in whole
            return champs
        return champs + tuple(c for c in self.champs_proteges if c not in champs)


class AuditedAdmin(ChampsProteges, admin.ModelAdmin):
    """Writes ``<app>.<model>.created|changed|deleted`` audit rows in the admin's transaction, with the
    old and the new value of every field changed.

    ``champs_proteges``: the fields that move a member's money or identity (identity, contact, the
    contract's broker, a premium's payment). Everyone reads them here, an administrator included;
    a change is proposed from the member file in the back office and applied once a second person
    approves it (``backoffice.modifications``, ``docs/security.md``). ``lecture_auditee``: opening
    the page shows a full NIR or health data, so it is journaled as a read of the member's data,
    like the member file."""

    lecture_auditee = False

    def _adherent_of(self, obj: models.Model) -> Any:
        return None

    def change_view(self, request: HttpRequest, object_id: str, form_url: str = "", extra_context: Any = None) -> Any:
        reponse = super().change_view(request, object_id, form_url, extra_context)
        if self.lecture_auditee and request.method == "GET" and getattr(reponse, "status_code", 0) == 200:
            obj = self.get_object(request, object_id)
            if obj is not None:
                journal_ecrire(
                    action=self._action(obj, "viewed"),
                    target=obj,
                    adherent=self._adherent_of(obj),
                    request=request,
                    message="Consulté dans l'administration",
                )
        return reponse

    def _action(self, obj: models.Model, verb: str) -> Action:
        """``<app>.<model>.created|changed|deleted|viewed``: each audited model has its four in the enum
        (a model added to the admin without them fails here, and in ``test_actions``)."""
        return Action(f"{obj._meta.label_lower}.{verb}")

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        with transaction.atomic():
            avant = type(obj)._default_manager.filter(pk=obj.pk).first() if change and obj.pk else None
            self.before_create(obj) if not change else None
            super().save_model(request, obj, form, change)
            old = {k: _valeur(avant, k) for k in form.changed_data} if avant is not None else None
            new = {k: _valeur(obj, k) for k in form.changed_data}
            journal_ecrire(
                action=self._action(obj, "changed" if change else "created"),
                target=obj,
                adherent=self._adherent_of(obj),
                old=old,
                new=new,
                request=request,
                message="Modifié dans l'administration",
            )

    def before_create(self, obj: Any) -> None:
        """Hook for generated fields (numbers) on objects created in the admin."""

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        with transaction.atomic():
            journal_ecrire(
                action=self._action(obj, "deleted"),
                target=obj,
                adherent=self._adherent_of(obj),
                request=request,
                message="Supprimé dans l'administration",
            )
            super().delete_model(request, obj)
