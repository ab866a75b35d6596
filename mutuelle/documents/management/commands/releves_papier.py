"""Issue a month's paper relevés now (Celery beat does it on the 2nd of each month).

    python manage.py releves_papier [--mois 2026-03]

With a broker configured the per-member tasks go to the workers, which render them in parallel;
without one (the demo) they run here, one after the other.
"""

from __future__ import annotations

import re
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from mutuelle.documents.tasks import releves_papier_mensuels


class Command(BaseCommand):
    help = "Relevés papier d'un mois pour les adhérents qui les ont demandés (par défaut le mois précédent)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--mois", help="le mois, AAAA-MM (par défaut le mois précédent)")

    def handle(self, *args: Any, **options: Any) -> None:
        mois = options.get("mois")
        if mois and not re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", mois):
            raise CommandError("--mois attend un mois au format AAAA-MM, par exemple 2026-03.")
        n = releves_papier_mensuels(f"{mois}-01" if mois else None)
        self.stdout.write(f"{n} relevé(s) papier demandé(s).")
