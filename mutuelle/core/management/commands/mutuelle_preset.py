from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from mutuelle.core.presets import PRESETS
from mutuelle.core.services import mutuelle_preset_appliquer


class Command(BaseCommand):
    help = (
        "Applique un préréglage de démonstration de la mutuelle : « tilleuls » (numéro d'adhérent "
        "et mot de passe) ou « azur » (NIR et code d'accès à 6 chiffres)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("preset", choices=sorted(PRESETS))

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            mutuelle = mutuelle_preset_appliquer(preset=options["preset"])
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            self.style.SUCCESS(
                f"{mutuelle.nom_court} : connexion des adhérents par « {mutuelle.get_politique_connexion_display()} »."
            )
        )
