from django.apps import AppConfig


class DocumentsConfig(AppConfig):
    name = "mutuelle.documents"
    verbose_name = "Documents"
