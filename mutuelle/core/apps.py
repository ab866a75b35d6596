from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "mutuelle.core"
    label = "core"
    verbose_name = "Mutuelle et journal d'audit"
