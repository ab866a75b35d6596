from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from mutuelle.referentiel.services import ANNUAIRE_COLONNES, AnnuaireInvalide, annuaire_importer


class Command(BaseCommand):
    help = (
        "Charge un extrait de l'annuaire des professionnels (RPPS/ADELI) et des établissements (FINESS) avec "
        f"leurs coordonnées bancaires de tiers payant. CSV « ; », UTF-8, colonnes : {';'.join(ANNUAIRE_COLONNES)}."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("fichier", type=Path)

    def handle(self, *args: Any, **options: Any) -> None:
        fichier: Path = options["fichier"]
        if not fichier.is_file():
            raise CommandError(f"Fichier introuvable : {fichier}")
        try:
            compte = annuaire_importer(fichier)
        except AnnuaireInvalide as exc:
            raise CommandError("\n".join([*exc.erreurs[:50], "Rien n'a été enregistré."])) from exc
        self.stdout.write(
            self.style.SUCCESS(
                "Annuaire : {crees} créé(s), {mis_a_jour} mis à jour, {avec_iban} avec coordonnées bancaires.".format(
                    **compte
                )
            )
        )
