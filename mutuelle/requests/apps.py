from django.apps import AppConfig


class RequestsConfig(AppConfig):
    name = "mutuelle.requests"
    label = "requests"
    verbose_name = "Demandes des adhérents"
