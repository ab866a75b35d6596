from django.apps import AppConfig


class FormulesConfig(AppConfig):
    name = "mutuelle.formules"
    label = "formules"
    verbose_name = "Formules et garanties"
