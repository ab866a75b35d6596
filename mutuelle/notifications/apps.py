from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "mutuelle.notifications"
    verbose_name = "Notifications"

    def ready(self) -> None:
        from mutuelle.notifications import receivers  # noqa: F401 - connects the receivers
