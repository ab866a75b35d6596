from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from mutuelle.referentiel.services import nature_prestation_charger
from regles.nomenclature import NomenclatureError


class Command(BaseCommand):
    help = "Charge la nomenclature des natures de prestation (IR_NAT_V) et leur poste de garantie."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--csv", type=Path, help="Fichier IR_NAT_V.csv (par défaut : celui du projet)")
        parser.add_argument("--rules", type=Path, help="Table de correspondance des postes (YAML)")

    def handle(self, *args: Any, **options: Any) -> None:
        for key in ("csv", "rules"):
            if options[key] is not None and not options[key].is_file():
                raise CommandError(f"Fichier introuvable : {options[key]}")
        try:
            summary = nature_prestation_charger(csv_path=options["csv"], rules_path=options["rules"])
        except NomenclatureError as exc:
            raise CommandError(f"{exc} Rien n'a été enregistré.") from exc
        self.stdout.write(
            self.style.SUCCESS(
                "Natures de prestation : {crees} créées, {mis_a_jour} mises à jour, {inchanges} inchangées, "
                "{manuels_conserves} saisies à la main conservées.".format(**summary)
            )
        )
