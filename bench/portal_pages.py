"""Server time of the member space's pages for a family of 5 with 10 years of history, on PostgreSQL.

    uv run python bench/portal_pages.py [--annees 10] [--actes-par-mois 12] [--bruit 100000] [--runs 15]

In a throw-away database (``mutuelle_bench_portail``, dropped at the end unless --keep): migrates,
creates the family (5 beneficiaries, ``--actes-par-mois`` acts a month over ``--annees`` years) and
``--bruit`` lines of other families (so that the indexes, not a small table, carry the reads), then
requests each page ``--runs`` times through Django's test client (the whole request: middleware,
session, queries, template) and prints the median and the slowest, in milliseconds, as JSON.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PG = os.environ.get("BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432")
DB = "mutuelle_bench_portail"


def admin(sql: str) -> None:
    import psycopg

    with psycopg.connect(f"{PG}/postgres", autocommit=True) as conn:
        conn.execute(sql)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--annees", type=int, default=10)
    parser.add_argument("--actes-par-mois", type=int, default=12)
    parser.add_argument("--bruit", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--keep", action="store_true")
    args = parser.parse_args()

    admin(f"DROP DATABASE IF EXISTS {DB}")
    admin(f"CREATE DATABASE {DB}")
    os.environ["DATABASE_URL"] = f"{PG}/{DB}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command
    from django.test import Client
    from django.test.utils import setup_test_environment

    setup_test_environment()
    try:
        call_command("migrate", verbosity=0)
        famille, autres = donnees_famille(args)
        client = Client()
        client.force_login(famille["adherent"].user)
        pages = {
            "tableau_de_bord": "/espace/",
            "remboursements": "/espace/remboursements/",
            "remboursements_page_20": "/espace/remboursements/?page=20",
            "remboursements_filtres": "/espace/remboursements/?famille=pharmacie&du=2019-01-01&au=2024-12-31",
            "remboursement_detail": f"/espace/remboursements/{famille['une_ligne']}/",
            "depenses": "/espace/depenses/",
        }
        resultats = {}
        for nom, url in pages.items():
            assert client.get(url).status_code == 200, url  # warm-up, and a check
            temps = []
            for _ in range(args.runs):
                debut = time.perf_counter()
                response = client.get(url)
                temps.append((time.perf_counter() - debut) * 1000)
                assert response.status_code == 200
            resultats[nom] = {"mediane_ms": round(statistics.median(temps), 1), "max_ms": round(max(temps), 1)}
        print(
            json.dumps(
                {
                    "lignes_famille": famille["nombre"],
                    "lignes_autres_familles": autres,
                    "runs": args.runs,
                    "pages": resultats,
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


def donnees_famille(args: argparse.Namespace) -> tuple[dict, int]:
    from mutuelle.claims.models import Decompte, EvenementLigne, FichierNoemie, LigneRemboursement
    from mutuelle.formules.models import Formule
    from mutuelle.members.models import Qualite, Sexe
    from mutuelle.members.services import beneficiaire_ajouter
    from mutuelle.referentiel.models import NaturePrestation
    from tests.factories import (
        NATURES_DE_TEST,
        FormuleFactory,
        MutuelleFactory,
        UserFactory,
        adherent_make,
        contrat_make,
        fake_nir,
    )

    MutuelleFactory()
    formule: Formule = FormuleFactory.create(code="bench", libelle="Formule du banc d'essai")
    debut = date.today().replace(day=1) - timedelta(days=365 * args.annees)
    adherent = adherent_make(user=UserFactory(username="bench-famille"))
    contrat = contrat_make(adherent=adherent, formule=formule, date_debut=debut)
    for qualite, prenom, naissance in (
        (Qualite.CONJOINT, "Julien", date(1980, 7, 2)),
        (Qualite.ENFANT, "Léa", date(2012, 9, 30)),
        (Qualite.ENFANT, "Nathan", date(2014, 2, 11)),
        (Qualite.ENFANT, "Zoé", date(2016, 5, 5)),
    ):
        beneficiaire_ajouter(
            contrat=contrat,
            qualite=qualite,
            nom="Lefebvre",
            prenom=prenom,
            date_naissance=naissance,
            sexe=Sexe.HOMME,
            nir=fake_nir(naissance=naissance) if qualite == Qualite.CONJOINT else adherent.nir,
            nir_personnel=qualite == Qualite.CONJOINT,
            date_entree=debut,
        )
    beneficiaires = list(contrat.beneficiaires.all())
    natures = {
        poste: NaturePrestation.objects.get_or_create(
            code=code, defaults={"code_b2": b2, "libelle": lib, "poste": poste}
        )[0]
        for poste, (code, b2, lib) in NATURES_DE_TEST.items()
    }
    postes = list(natures)
    fichier = FichierNoemie.objects.create(nom="bench.txt", sha256="0" * 64, taille=1, sequence=1, statut="integre")

    def lignes_pour(contrat_, benefs: list, nombre: int, premier: int, depart: date) -> list[LigneRemboursement]:
        decompte = Decompte.objects.create(fichier=fichier, numero=premier)
        rows = []
        for i in range(nombre):
            poste = postes[i % len(postes)]
            jour = depart + timedelta(days=(i * 30) // max(1, args.actes_par_mois))
            rows.append(
                LigneRemboursement(
                    decompte=decompte,
                    numero=i + 1,
                    beneficiaire=benefs[i % len(benefs)],
                    contrat=contrat_,
                    formule=formule,
                    nature=natures[poste],
                    poste=poste,
                    date_soins=min(jour, date.today()),
                    montant_depense=Decimal("30.00"),
                    base_remboursement=Decimal("30.00"),
                    taux_amo=Decimal("0.70"),
                    montant_amo=Decimal("19.00"),
                    montant_amc=Decimal("9.00"),
                    reste_a_charge=Decimal("2.00"),
                    statut="paye",
                )
            )
        return rows

    nombre = args.annees * 12 * args.actes_par_mois
    lignes = LigneRemboursement.objects.bulk_create(
        lignes_pour(contrat, beneficiaires, nombre, 1, debut), batch_size=5000
    )
    EvenementLigne.objects.bulk_create([EvenementLigne(ligne=x, de="", vers="paye") for x in lignes], batch_size=5000)
    # Other families: 50 contracts sharing the noise.
    autres = 0
    par_famille = max(1, args.bruit // 50)
    for n in range(50 if args.bruit else 0):
        autre = adherent_make(nom=f"Autre{n}", email="")
        autre_contrat = contrat_make(adherent=autre, formule=formule, date_debut=debut)
        benefs = list(autre_contrat.beneficiaires.all())
        LigneRemboursement.objects.bulk_create(
            lignes_pour(autre_contrat, benefs, par_famille, 1000 + n, debut), batch_size=5000
        )
        autres += par_famille
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return {"adherent": adherent, "nombre": nombre, "une_ligne": lignes[len(lignes) // 2].pk}, autres


if __name__ == "__main__":
    main()
