from django.contrib import admin

from mutuelle.notifications.models import Notification, PreferencesCommunication


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["titre", "adherent", "categorie", "cree_le", "lue_le", "email_envoye_le"]
    list_filter = ["categorie"]
    search_fields = ["adherent__numero", "adherent__nom"]
    raw_id_fields = ["adherent"]
    readonly_fields = ["cree_le", "lue_le", "email_envoye_le", "cle"]


@admin.register(PreferencesCommunication)
class PreferencesCommunicationAdmin(admin.ModelAdmin):
    list_display = ["adherent", "email_paiement", "resume_mensuel", "releves_papier", "modifie_le"]
    raw_id_fields = ["adherent"]
