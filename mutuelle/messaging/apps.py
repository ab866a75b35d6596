from django.apps import AppConfig


class MessagingConfig(AppConfig):
    name = "mutuelle.messaging"
    label = "messaging"
    verbose_name = "Messagerie"
