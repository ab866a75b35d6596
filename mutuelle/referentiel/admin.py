from django.contrib import admin

from mutuelle.referentiel.models import Etablissement, NaturePrestation, Praticien


@admin.register(NaturePrestation)
class NaturePrestationAdmin(admin.ModelAdmin):
    list_display = ("code", "code_b2", "libelle", "poste", "date_fermeture", "source")
    list_filter = ("poste", "source")
    search_fields = ("=code", "code_b2", "libelle")
    list_per_page = 50


@admin.register(Praticien)
class PraticienAdmin(admin.ModelAdmin):
    list_display = ("nom", "prenom", "specialite", "secteur", "optam", "rpps", "adeli", "ville")
    list_filter = ("specialite", "secteur", "optam")
    search_fields = ("nom", "prenom", "=rpps", "=adeli")


@admin.register(Etablissement)
class EtablissementAdmin(admin.ModelAdmin):
    list_display = ("raison_sociale", "finess", "categorie", "ville")
    list_filter = ("categorie",)
    search_fields = ("raison_sociale", "=finess", "ville")
