"""Time to issue each member document for a family of 5, on PostgreSQL: the tiers-payant card, the
attestation de droits, and relevés de prestations of 12 months and of 3 years (reads, template,
WeasyPrint, the stored PDF, the audit row: everything ``document_emettre`` does).

    uv run python bench/documents.py [--actes-par-mois 12] [--bruit 20000] [--runs 9]

Builds the same family as ``bench/portal_pages.py`` (5 beneficiaries, ``--actes-par-mois`` acts a
month over 10 years, ``--bruit`` lines of other families) in a throw-away database, issues each
document ``--runs`` times after one warm-up, and prints the median and slowest in milliseconds.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.portal_pages import admin, donnees_famille  # noqa: E402

DB = "mutuelle_bench_documents"
PG = os.environ.get("BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--annees", type=int, default=10)
    parser.add_argument("--actes-par-mois", type=int, default=12)
    parser.add_argument("--bruit", type=int, default=20_000)
    parser.add_argument("--runs", type=int, default=9)
    parser.add_argument("--keep", action="store_true")
    args = parser.parse_args()

    admin(f"DROP DATABASE IF EXISTS {DB}")
    admin(f"CREATE DATABASE {DB}")
    os.environ["DATABASE_URL"] = f"{PG}/{DB}"
    os.environ["MEDIA_ROOT"] = tempfile.mkdtemp(prefix="bench-documents-")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.core.management import call_command

    try:
        call_command("migrate", verbosity=0)
        famille, autres = donnees_famille(args)
        adherent = famille["adherent"]
        from tests.factories import garanties_carte

        garanties_carte(adherent.contrats.get().formules.get().formule)

        from mutuelle.core.services import mutuelle_lire
        from mutuelle.documents import contenus
        from mutuelle.documents.services import document_emettre

        mutuelle = mutuelle_lire()
        fin = date.today().replace(day=1) - timedelta(days=1)
        debut = date(fin.year - 1, fin.month, 1) + timedelta(days=32)
        debut = debut.replace(day=1)
        debut_3_ans = debut.replace(year=debut.year - 2)
        cas = {
            "carte_tiers_payant": lambda: contenus.carte_tiers_payant(adherent, mutuelle),
            "attestation_droits": lambda: contenus.attestation_droits(adherent, mutuelle),
            "releve_12_mois": lambda: contenus.releve(adherent, mutuelle, du=debut, au=fin),
            "releve_3_ans": lambda: contenus.releve(adherent, mutuelle, du=debut_3_ans, au=fin),
        }
        resultats = {}
        for nom, construire in cas.items():
            document = document_emettre(adherent=adherent, contenu=construire())  # warm-up (fonts, templates)
            temps = []
            for _ in range(args.runs):
                t0 = time.perf_counter()
                document = document_emettre(adherent=adherent, contenu=construire())
                temps.append((time.perf_counter() - t0) * 1000)
            resultats[nom] = {
                "mediane_ms": round(statistics.median(temps), 1),
                "max_ms": round(max(temps), 1),
                "pages": document.pages,
            }
        lignes_releve = contenus.releve(adherent, mutuelle, du=debut, au=fin).contexte["nb"]
        lignes_releve_3_ans = contenus.releve(adherent, mutuelle, du=debut_3_ans, au=fin).contexte["nb"]
        print(
            json.dumps(
                {
                    "famille": "5 bénéficiaires",
                    "lignes_famille": famille["nombre"],
                    "lignes_releve_12_mois": lignes_releve,
                    "lignes_releve_3_ans": lignes_releve_3_ans,
                    "lignes_autres_familles": autres,
                    "runs": args.runs,
                    "documents": resultats,
                },
                indent=2,
                ensure_ascii=False,
            )
        )
    finally:
        from django.db import connections

        connections.close_all()
        if not args.keep:
            admin(f"DROP DATABASE IF EXISTS {DB}")


if __name__ == "__main__":
    main()
