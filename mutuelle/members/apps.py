from django.apps import AppConfig


class MembersConfig(AppConfig):
    name = "mutuelle.members"
    label = "members"
    verbose_name = "Adhérents et contrats"
