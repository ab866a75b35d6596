from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from mutuelle.brokers.models import Affiliation, Cabinet, Courtier, TauxCommission
from mutuelle.core.admin_mixins import AuditedAdmin


class CourtierInline(admin.TabularInline):
    model = Courtier
    extra = 0
    autocomplete_fields = ("user",)


class TauxCommissionInline(admin.TabularInline):
    model = TauxCommission
    extra = 0


@admin.register(Cabinet)
class CabinetAdmin(AuditedAdmin):
    list_display = ("raison_sociale", "siren", "numero_orias", "email")
    search_fields = ("raison_sociale", "=siren", "=numero_orias")
    inlines = [CourtierInline, TauxCommissionInline]


@admin.register(Courtier)
class CourtierAdmin(AuditedAdmin):
    list_display = ("user", "cabinet", "administrateur_cabinet")
    list_filter = ("cabinet", "administrateur_cabinet")
    search_fields = ("user__last_name", "user__first_name", "cabinet__raison_sociale")
    autocomplete_fields = ("user",)


@admin.register(TauxCommission)
class TauxCommissionAdmin(AuditedAdmin):
    list_display = ("cabinet", "formule", "taux", "date_debut")
    list_filter = ("cabinet", "formule")


@admin.register(Affiliation)
class AffiliationAdmin(admin.ModelAdmin):
    """Read-only: memberships are decided in the back office's queue, where the decision creates the
    member and is audited."""

    list_display = ("numero", "nom", "prenom", "formule", "courtier", "statut", "cree_le")
    list_filter = ("statut", "courtier__cabinet")
    search_fields = ("=numero", "nom")
    exclude = ("iban", "nir")

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
