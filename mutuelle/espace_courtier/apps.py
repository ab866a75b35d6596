from django.apps import AppConfig


class EspaceCourtierConfig(AppConfig):
    """The broker portal's screens (/courtier/): the screens floor over the ``brokers`` domain."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "mutuelle.espace_courtier"
    verbose_name = "Espace courtier"
