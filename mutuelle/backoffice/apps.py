from django.apps import AppConfig


class BackofficeConfig(AppConfig):
    name = "mutuelle.backoffice"
    label = "backoffice"
    verbose_name = "Back office"
