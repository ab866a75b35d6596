from django.apps import AppConfig


class ClaimsConfig(AppConfig):
    name = "mutuelle.claims"
    label = "claims"
    verbose_name = "Remboursements"
