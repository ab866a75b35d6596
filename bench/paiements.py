"""A payment run of 100,000 validated reimbursements to 30,000 payees, on PostgreSQL: the time to
prepare it (read the lines and the accounts, group them, record the transfers and the line links)
and to produce its pain.001 file (sepaxml, then the check against the schema), with the peak
resident memory of the process that ran it; then the time to apply the bank's report (pain.002)
for the whole run (every line to « payé », one notification per member).

    uv run python bench/paiements.py [--lignes 100000] [--beneficiaires 30000] [--tiers-payant 0.1] [--keep]

In a throw-away database (``mutuelle_bench_paiements``): ``--beneficiaires`` payees, of which
``--tiers-payant`` are practitioners paid under tiers payant and the rest members with an active
bank account, and ``--lignes`` validated lines spread over them. Prints JSON.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.portal_pages import admin  # noqa: E402

DB = "mutuelle_bench_paiements"
PG = os.environ.get("BENCH_PG_URL", "postgres://postgres@127.0.0.1:5432")


def _nir(n: int) -> str:
    """A distinct, valid, fictitious NIR per number (born abroad: department 99, country 9xx)."""
    annee, mois = 40 + n % 60, 1 + (n // 60) % 12
    reste = n // 720
    corps = f"1{annee:02d}{mois:02d}99{990 + reste % 10:03d}{1 + reste // 10:03d}"
    return f"{corps}{97 - int(corps) % 97:02d}"


def donnees(args: argparse.Namespace) -> None:
    from schwifty import IBAN

    from mutuelle.claims.models import Decompte, FichierNoemie, LigneRemboursement
    from mutuelle.members.models import Adherent, Beneficiaire, Contrat, CoordonneesBancaires
    from mutuelle.referentiel.models import NaturePrestation, Praticien
    from tests.factories import NATURES_DE_TEST, FormuleFactory, MutuelleFactory

    MutuelleFactory()
    formule = FormuleFactory.create(code="bench", libelle="Formule du banc d'essai")
    code, b2, libelle = NATURES_DE_TEST["consultation_generaliste"]
    nature, _ = NaturePrestation.objects.get_or_create(
        code=code, defaults={"code_b2": b2, "libelle": libelle, "poste": "consultation_generaliste"}
    )
    nb_praticiens = int(args.beneficiaires * args.tiers_payant)
    nb_adherents = args.beneficiaires - nb_praticiens
    debut = date(2024, 1, 1)

    def iban(branche: str, n: int) -> str:
        return str(IBAN.generate("FR", bank_code="99999", branch_code=branche, account_code=f"{n:011d}"))

    adherents = Adherent.objects.bulk_create(
        [
            Adherent(
                numero=f"{200000000 + n}",
                civilite="M",
                nom=f"Banc{n}",
                prenom="Essai",
                date_naissance=date(1940 + n % 60, 1 + (n // 60) % 12, 1),
                sexe="1",
                nir=_nir(n),
                adresse_ligne1="1 rue du Banc",
                code_postal="75001",
                ville="Paris",
            )
            for n in range(nb_adherents)
        ],
        batch_size=5000,
    )
    contrats = Contrat.objects.bulk_create(
        [Contrat(numero=f"BENCH-{a.pk}", adherent=a, type_contrat="individuel", date_debut=debut) for a in adherents],
        batch_size=5000,
    )
    from mutuelle.members.models import ContratFormule

    ContratFormule.objects.bulk_create(
        [ContratFormule(contrat=c, formule=formule, date_debut=debut) for c in contrats], batch_size=5000
    )
    beneficiaires = Beneficiaire.objects.bulk_create(
        [
            Beneficiaire(
                contrat=c,
                qualite="assure",
                nom=a.nom,
                prenom=a.prenom,
                date_naissance=a.date_naissance,
                sexe="1",
                nir=a.nir,
                date_entree=debut,
            )
            for a, c in zip(adherents, contrats, strict=True)
        ],
        batch_size=5000,
    )
    CoordonneesBancaires.objects.bulk_create(
        [
            CoordonneesBancaires(
                adherent=a, titulaire=f"{a.prenom} {a.nom}", iban=iban("00002", a.pk), bic="", statut="actif"
            )
            for a in adherents
        ],
        batch_size=5000,
    )
    praticiens = Praticien.objects.bulk_create(
        [
            Praticien(rpps=f"1{n:010d}", nom=f"Praticien{n}", specialite="01", secteur="1", iban=iban("00003", n + 1))
            for n in range(nb_praticiens)
        ],
        batch_size=5000,
    )
    fichier = FichierNoemie.objects.create(nom="bench.txt", sha256="0" * 64, taille=1, sequence=1, statut="integre")
    normal = Decompte.objects.create(fichier=fichier, numero=1)
    tiers = Decompte.objects.create(fichier=fichier, numero=2, tiers_payant=True)
    lignes = []
    for i in range(args.lignes):
        payee = i % args.beneficiaires
        tp = payee >= nb_adherents
        b = beneficiaires[(i * 7919) % nb_adherents]
        if not tp:
            b = beneficiaires[payee]
        amc = Decimal(f"{1 + i % 97}.{i % 100:02d}")
        lignes.append(
            LigneRemboursement(
                decompte=tiers if tp else normal,
                numero=i + 1,
                beneficiaire=b,
                contrat_id=b.contrat_id,
                formule=formule,
                nature=nature,
                poste="consultation_generaliste",
                date_soins=date(2026, 11, 1),
                montant_depense=amc + Decimal("19.00"),
                base_remboursement=Decimal("30.00"),
                taux_amo=Decimal("0.70"),
                montant_amo=Decimal("19.00"),
                montant_amc=amc,
                reste_a_charge=Decimal("0.00"),
                praticien_identifiant=praticiens[payee - nb_adherents].rpps if tp else "",
                statut="valide",
            )
        )
    LigneRemboursement.objects.bulk_create(lignes, batch_size=5000)
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def _django(args: argparse.Namespace) -> None:
    os.environ["DATABASE_URL"] = f"{PG}/{DB}"
    os.environ.setdefault("MEDIA_ROOT", tempfile.mkdtemp(prefix="bench-paiements-"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ["CELERY_TASK_ALWAYS_EAGER"] = "true"
    import django

    django.setup()


def _mo() -> float:
    """This process's peak resident memory so far, in MB (VmHWM: unlike ru_maxrss, it does not carry
    the parent's peak across fork and exec)."""
    for ligne in Path("/proc/self/status").read_text().splitlines():
        if ligne.startswith("VmHWM:"):
            return round(int(ligne.split()[1]) / 1024, 1)
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def phase_lot(args: argparse.Namespace) -> dict[str, object]:
    """In a fresh process (so that its peak memory is the run's): the run, then the bank's report."""
    _django(args)
    from mutuelle.payments import sepa
    from mutuelle.payments.models import Virement
    from mutuelle.payments.services import lot_generer, lot_preparer, retour_integrer

    depart = _mo()
    t0 = time.perf_counter()
    preparation = lot_preparer()
    t1 = time.perf_counter()
    assert preparation.lot is not None
    lot = lot_generer(lot=preparation.lot)
    t2 = time.perf_counter()
    pic_lot = _mo()
    premiers = Virement.objects.filter(lot=lot).order_by("pk").values_list("end_to_end_id", flat=True)
    rapport = sepa.pain002_ecrire(
        message_id="BENCH-RETOUR",
        cree_le=datetime(2026, 12, 3, 9, 0),
        message_origine=lot.numero,
        nb_transactions=lot.nb_virements,
        total=lot.total,
        rejets=dict.fromkeys(premiers[: args.rejets], "AC04"),
    )
    t3 = time.perf_counter()
    retour = retour_integrer(nom="retour.xml", contenu=rapport)
    t4 = time.perf_counter()
    return {
        "lignes": lot.nb_lignes,
        "virements": lot.nb_virements,
        "total": str(lot.total),
        "fichier_octets": len(lot.contenu.encode()),
        "preparation_s": round(t1 - t0, 2),
        "fichier_s": round(t2 - t1, 2),
        "lot_s": round(t2 - t0, 2),
        "memoire_au_depart_mo": depart,
        "pic_memoire_lot_mo": pic_lot,
        "retour_s": round(t4 - t3, 2),
        "pic_memoire_retour_mo": _mo(),
        "retour_acceptes": retour.acceptes,
        "retour_rejetes": retour.rejetes,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lignes", type=int, default=100_000)
    parser.add_argument("--beneficiaires", type=int, default=30_000)
    parser.add_argument("--tiers-payant", type=float, default=0.1)
    parser.add_argument("--rejets", type=int, default=300)
    parser.add_argument("--keep", action="store_true")
    parser.add_argument("--phase", choices=["lot"], help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.phase == "lot":
        print(json.dumps(phase_lot(args)))
        return
    admin(f"DROP DATABASE IF EXISTS {DB}")
    admin(f"CREATE DATABASE {DB}")
    try:
        _django(args)
        from django.core.management import call_command
        from django.db import connections

        call_command("migrate", verbosity=0)
        t0 = time.perf_counter()
        donnees(args)
        installation = time.perf_counter() - t0
        connections.close_all()
        enfant = subprocess.run(
            [sys.executable, __file__, *sys.argv[1:], "--phase", "lot"],
            check=True,
            capture_output=True,
            text=True,
            env={**os.environ},
        )
        resultat = json.loads(enfant.stdout.strip().splitlines()[-1])
        print(json.dumps({"installation_s": round(installation, 1), **resultat}, indent=2))
    finally:
        from django.db import connections

        connections.close_all()
        if not args.keep:
            admin(f"DROP DATABASE IF EXISTS {DB}")


if __name__ == "__main__":
    main()
