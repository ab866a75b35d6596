from datetime import date
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from mutuelle.claims.selectors import personnes_connues, prochaine_sequence
from mutuelle.core.models import Mutuelle
from noemie.generateur import Generateur


class Command(BaseCommand):
    help = (
        "Génère un fichier NOEMIE valide pour les bénéficiaires de la base (démonstration, tests, "
        "mesures), avec une part réglable de lignes pour des bénéficiaires inconnus."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--out", type=Path, required=True, help="Fichier à écrire")
        parser.add_argument("--lines", type=int, required=True, help="Nombre de lignes d'actes")
        parser.add_argument(
            "--seed", type=int, default=None, help="Graine du générateur (défaut : le numéro de séquence)"
        )
        parser.add_argument(
            "--inconnus", type=float, default=0.0, help="Part des lignes pour des bénéficiaires inconnus, entre 0 et 1"
        )
        parser.add_argument(
            "--sequence",
            type=int,
            default=None,
            help="Numéro de séquence du fichier (défaut : le suivant de ceux déjà reçus de cet émetteur)",
        )
        parser.add_argument("--emetteur", type=int, default=691_000_001, help="Code de la caisse émettrice")
        parser.add_argument("--du", type=date.fromisoformat, default=None, help="Premier jour de soins (AAAA-MM-JJ)")
        parser.add_argument("--au", type=date.fromisoformat, default=None, help="Dernier jour de soins (AAAA-MM-JJ)")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["lines"] < 1:
            raise CommandError("--lines doit valoir au moins 1.")
        if not 0 <= options["inconnus"] <= 1:
            raise CommandError("--inconnus est une part entre 0 et 1 (par exemple 0.02).")
        mutuelle = Mutuelle.objects.filter(singleton=1).first()
        if mutuelle is None:
            raise CommandError("La mutuelle n'est pas configurée : lancez d'abord « manage.py seed_demo ».")
        personnes = personnes_connues()
        if not personnes and options["inconnus"] < 1:
            raise CommandError("Aucun bénéficiaire en base : lancez d'abord « manage.py seed_demo ».")
        today = timezone.localdate()
        fin = options["au"] or today
        debut = options["du"] or date(fin.year, 1, 1)
        if debut > fin:
            raise CommandError("--du doit précéder --au.")
        # A file the caisse has not sent yet: the next sequence number of this issuer, and (unless
        # told) a seed of its own, so that its décomptes are new ones and not the last file's again.
        sequence = options["sequence"] or prochaine_sequence(options["emetteur"])
        graine = options["seed"] if options["seed"] is not None else sequence
        out: Path = options["out"]
        if not out.parent.is_dir():
            raise CommandError(f"Le dossier {out.parent} n'existe pas.")
        generateur = Generateur(personnes, seed=graine, part_inconnus=options["inconnus"], debut=debut, fin=fin)
        tmp = out.with_name(out.name + ".partiel")
        with tmp.open("w", encoding="ascii", newline="\n") as handle:
            generateur.ecrire(
                handle,
                lignes=options["lines"],
                emetteur=options["emetteur"],
                amc=int(mutuelle.numero_amc),
                sequence=sequence,
                cree_le=today,
            )
        tmp.replace(out)  # never leave a half-written file under the final name
        self.stdout.write(
            self.style.SUCCESS(
                f"{options['lines']} lignes d'actes écrites dans {out} "
                f"(émetteur {options['emetteur']}, séquence {sequence})"
            )
        )
