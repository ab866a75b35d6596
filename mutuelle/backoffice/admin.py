from django.contrib import admin

from mutuelle.backoffice.models import ReglageFile


@admin.register(ReglageFile)
class ReglageFileAdmin(admin.ModelAdmin):
    list_display = ("file", "delai_jours")
