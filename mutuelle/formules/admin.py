from django.contrib import admin

from mutuelle.formules.models import Formule, Garantie


class GarantieInline(admin.TabularInline):
    model = Garantie
    extra = 0
    fields = (
        "poste",
        "praticien",
        "libelle",
        "type_garantie",
        "taux",
        "montant",
        "forfait_complement",
        "plafond_montant",
        "plafond_nombre",
        "periode",
        "periode_annees",
        "delai_stage_mois",
        "accord_prealable",
        "date_debut",
        "date_fin",
    )


@admin.register(Formule)
class FormuleAdmin(admin.ModelAdmin):
    list_display = (
        "libelle",
        "code",
        "niveau",
        "responsable",
        "cotisation_mensuelle_adulte",
        "date_lancement",
        "date_retrait",
    )
    inlines = [GarantieInline]
    search_fields = ("libelle", "code")


@admin.register(Garantie)
class GarantieAdmin(admin.ModelAdmin):
    list_display = (
        "formule",
        "poste",
        "praticien",
        "libelle",
        "type_garantie",
        "taux",
        "montant",
        "plafond_montant",
        "date_debut",
        "date_fin",
    )
    list_filter = ("formule", "poste", "type_garantie", "accord_prealable")
    search_fields = ("libelle",)
