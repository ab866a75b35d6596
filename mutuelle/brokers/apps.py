from django.apps import AppConfig


class BrokersConfig(AppConfig):
    name = "mutuelle.brokers"
    label = "brokers"
    verbose_name = "Courtiers"
