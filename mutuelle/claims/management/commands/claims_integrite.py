import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from mutuelle.claims.integrity import REFERENCES, orphelins


class Command(BaseCommand):
    help = (
        "Vérifie que chaque ligne de remboursement pointe vers un décompte, un bénéficiaire et un contrat "
        "existants, et chaque événement vers une ligne (références sans contrainte en base)."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--json", action="store_true", help="Résultat en JSON")

    def handle(self, *args: Any, **options: Any) -> None:
        problemes = orphelins()
        if options["json"]:
            self.stdout.write(json.dumps({"ok": not problemes, "orphelins": problemes}))
        elif not problemes:
            self.stdout.write(
                self.style.SUCCESS(f"Intégrité vérifiée : {len(REFERENCES)} références, aucune orpheline.")
            )
        for p in problemes:
            if not options["json"]:
                self.stderr.write(
                    f"{p['table']}.{p['champ']} : {p['nombre']} ligne(s) sans {p['vers']} (par exemple {p['exemples']})"
                )
        if problemes:
            raise CommandError("Références orphelines : voir ci-dessus.")
