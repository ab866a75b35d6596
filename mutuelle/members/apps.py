from django.apps import AppConfig


class MembersConfig(AppConfig):
    name = "mutuelle.members"
    label = "members"
    verbose_name = "Adhérents et contrats"

    def ready(self) -> None:
        from mutuelle.members import receivers  # noqa: F401 - connects the receivers
