from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "mutuelle.accounts"
    label = "accounts"
    verbose_name = "Comptes et rôles"
