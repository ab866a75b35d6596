import json
import sys
import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db.models import Sum

from mutuelle.claims.models import FichierNoemie, StatutFichier
from mutuelle.claims.services import (
    NomenclatureManquante,
    ResultatIngestion,
    noemie_integrer,
    resultat_fichier,
    sha256_fichier,
)

POLL_SECONDS = 0.5


class Command(BaseCommand):
    help = (
        "Intègre un ou plusieurs fichiers NOEMIE. Un fichier défectueux est rejeté en entier avec son "
        "rapport d'erreurs ; un fichier déjà intégré est refusé comme doublon. --json imprime un résumé par fichier."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("files", nargs="+", type=Path, metavar="FICHIER")
        parser.add_argument("--json", action="store_true", help="Résumé JSON sur la sortie standard")
        parser.add_argument(
            "--local",
            action="store_true",
            help="Intégrer dans ce processus, même si des workers Celery sont configurés",
        )
        parser.add_argument(
            "--sans-attendre",
            action="store_true",
            help="Avec des workers : rendre la main dès les lots confiés aux workers",
        )

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
                result = noemie_integrer(path=path, progress=bar, parallele=False if options["local"] else None)
            except NomenclatureManquante as exc:
                raise CommandError(str(exc)) from exc
            if result.status == "processing" and not options["sans_attendre"]:
                result = self._attendre(path, bar)
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
                elif result.status == "processing":
                    self.stdout.write(
                        f"{path.name} : confié aux workers, intégration en cours "
                        "(relancez la même commande pour suivre ou reprendre)."
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

    def _attendre(self, path: Path, bar: Any) -> ResultatIngestion:
        """Follow the workers' progress until the file is integrated. Interrupting this only stops
        following: the workers go on, and the same command picks up from where they are."""
        sha = sha256_fichier(path)
        fichier = FichierNoemie.objects.exclude(statut=StatutFichier.REJETE).get(sha256=sha)
        while fichier.statut == StatutFichier.EN_COURS:
            done = fichier.lots.filter(fait=True).aggregate(n=Sum("nb_actes"))["n"] or 0
            bar(done, fichier.nb_actes)
            time.sleep(POLL_SECONDS)
            fichier.refresh_from_db()
        bar(fichier.nb_actes, fichier.nb_actes)
        return resultat_fichier(fichier)
