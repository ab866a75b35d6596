import json
import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from mutuelle.claims.services import NomenclatureManquante, noemie_ingest


class Command(BaseCommand):
    help = (
        "Intègre un ou plusieurs fichiers NOEMIE. Un fichier défectueux est rejeté en entier avec son "
        "rapport d'erreurs ; un fichier déjà intégré est refusé comme doublon. --json imprime un résumé par fichier."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("files", nargs="+", type=Path, metavar="FICHIER")
        parser.add_argument("--json", action="store_true", help="Résumé JSON sur la sortie standard")

    def handle(self, *args: Any, **options: Any) -> None:
        missing = [str(p) for p in options["files"] if not p.is_file()]
        if missing:
            raise CommandError(f"Fichier introuvable : {', '.join(missing)}")
        show_bar = not options["json"] and sys.stderr.isatty()
        summaries = []
        failed = False
        for path in options["files"]:

            def bar(done: int, total: int, name: str = path.name) -> None:
                if show_bar and total:
                    width = 30
                    filled = width * done // total
                    sys.stderr.write(f"\r{name} [{'#' * filled}{'.' * (width - filled)}] {done}/{total} lignes")
                    sys.stderr.flush()

            try:
                result = noemie_ingest(path=path, progress=bar)
            except NomenclatureManquante as exc:
                raise CommandError(str(exc)) from exc
            if show_bar:
                sys.stderr.write("\n")
            summaries.append(result.as_json())
            failed = failed or result.status == "rejected"
            if not options["json"]:
                if result.status == "ingested":
                    self.stdout.write(
                        self.style.SUCCESS(
                            f"{path.name} : intégré — {result.decomptes} décomptes, {result.lignes} lignes, "
                            f"{result.rejets} signalements."
                        )
                    )
                elif result.status == "duplicate":
                    self.stdout.write(self.style.WARNING(f"{path.name} : {result.message}"))
                else:
                    self.stdout.write(
                        self.style.ERROR(f"{path.name} : rejeté, rien n'a été intégré — {result.message}")
                    )
        if options["json"]:
            self.stdout.write(json.dumps(summaries[0] if len(summaries) == 1 else summaries, ensure_ascii=False))
        if failed:
            raise CommandError("Au moins un fichier a été rejeté.", returncode=1)
