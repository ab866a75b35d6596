from django.contrib import admin

from mutuelle.brokers.models import Cabinet, Courtier


class CourtierInline(admin.TabularInline):
    model = Courtier
    extra = 0
    autocomplete_fields = ("user",)


@admin.register(Cabinet)
class CabinetAdmin(admin.ModelAdmin):
    list_display = ("raison_sociale", "siren", "numero_orias", "email")
    search_fields = ("raison_sociale", "=siren", "=numero_orias")
    inlines = [CourtierInline]


@admin.register(Courtier)
class CourtierAdmin(admin.ModelAdmin):
    list_display = ("user", "cabinet", "administrateur_cabinet")
    list_filter = ("cabinet", "administrateur_cabinet")
    search_fields = ("user__last_name", "user__first_name", "cabinet__raison_sociale")
    autocomplete_fields = ("user",)
