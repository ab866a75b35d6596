from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "mutuelle.accounts"
    label = "accounts"
    verbose_name = "Comptes et rôles"

    def ready(self) -> None:
        from mutuelle.accounts import receivers  # noqa: F401  (audit of authentication events)
