from django.apps import AppConfig


class PaymentsConfig(AppConfig):
    name = "mutuelle.payments"
    label = "payments"
    verbose_name = "Paiements"
