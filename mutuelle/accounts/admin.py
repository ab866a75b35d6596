from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

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
