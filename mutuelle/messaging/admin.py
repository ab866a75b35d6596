from django.contrib import admin

from mutuelle.messaging.models import ModeleReponse


@admin.register(ModeleReponse)
class ModeleReponseAdmin(admin.ModelAdmin):
    list_display = ("titre", "actif")
    list_filter = ("actif",)
    search_fields = ("titre", "texte")
