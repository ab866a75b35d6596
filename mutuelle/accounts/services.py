"""Roles and their permissions in Django's admin (the back office comes with its own issue)."""

from __future__ import annotations

from django.contrib.auth.models import Group, Permission
from django.db import transaction

from mutuelle.accounts.models import Role

# (app_label, model) → actions, per role. Administrators are superusers.
ROLE_PERMISSIONS: dict[Role, dict[str, tuple[str, ...]]] = {
    Role.GESTIONNAIRE: {
        "members": ("view", "change"),
        "formules": ("view",),
        "referentiel": ("view",),
        "brokers": ("view",),
    },
    Role.RESPONSABLE: {
        "members": ("view", "add", "change"),
        "formules": ("view", "add", "change", "delete"),
        "referentiel": ("view", "add", "change"),
        "brokers": ("view", "add", "change"),
        "core": ("view", "change"),
    },
}

GROUP_NAMES: dict[str, str] = {
    Role.GESTIONNAIRE: "Gestionnaires",
    Role.RESPONSABLE: "Responsables de gestion",
}


@transaction.atomic
def roles_setup() -> dict[Role, Group]:
    """Create or refresh one group per staff role with exactly its permissions. Idempotent."""
    groups = {}
    for role, apps in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=GROUP_NAMES[role])
        perms: list[Permission] = []
        for app_label, actions in apps.items():
            for action in actions:
                perms.extend(
                    Permission.objects.filter(content_type__app_label=app_label, codename__startswith=f"{action}_")
                )
        group.permissions.set(perms)
        groups[role] = group
    return groups
