from django.apps import AppConfig


class ReferentielConfig(AppConfig):
    name = "mutuelle.referentiel"
    label = "referentiel"
    verbose_name = "Référentiels"
