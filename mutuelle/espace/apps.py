from django.apps import AppConfig


class EspaceConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "mutuelle.espace"
    verbose_name = "Espace adhérent"
