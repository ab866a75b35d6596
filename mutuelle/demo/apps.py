from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "mutuelle.demo"
    label = "demo"
    verbose_name = "Données de démonstration"
