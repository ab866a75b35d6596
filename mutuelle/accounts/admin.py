from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.http import HttpRequest

from mutuelle.accounts.models import User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = (
        "username",
        "first_name",
        "last_name",
        "email",
        "role",
        "is_active",
        "last_login",
    )
    list_filter = ("role", "is_active", "is_staff")
    fieldsets = (
        *(BaseUserAdmin.fieldsets or ()),
        ("Rôle dans la mutuelle", {"fields": ("role",)}),
    )
    add_fieldsets = (
        *(BaseUserAdmin.add_fieldsets or ()),
        ("Rôle dans la mutuelle", {"fields": ("role", "email", "first_name", "last_name")}),
    )

    def save_model(self, request: HttpRequest, obj: User, form: Any, change: bool) -> None:
        if change and "is_active" in form.changed_data:
            from mutuelle.accounts.services import compte_actif_changer

            # The sessions of a disabled account end now; the change is audited with its old value.
            compte_actif_changer(user=obj, actif=obj.is_active, par=request.user, request=request)
        super().save_model(request, obj, form, change)
