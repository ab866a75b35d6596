from django.apps import AppConfig


class ClaimsConfig(AppConfig):
    name = "mutuelle.claims"
    label = "claims"
    verbose_name = "Remboursements"

    def ready(self) -> None:
        from django.utils.translation import gettext

        from regles.textes import installer_traduction

        # The explanation of a computation (regles/moteur.py) is read in the page's or the
        # document's language.
        installer_traduction(gettext)
