"""Acts computed per second by the rules engine on one core (one process, one thread).

    uv run python bench/regles_throughput.py [--acts 100000] [--runs 5]

Builds a realistic mix of acts (consultations, pharmacy, biology, paramedical, dental, optics,
hearing, hospital), grouped by beneficiary in batches of 10 as NOEMIE lines would be, and prints
the median of several runs. The trace is recorded for every act (its French text is rendered only
when read, as the member's detail page does).
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import statistics
import sys
import time
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from regles.moteur import Acte, Beneficiaire, Garantie, Moteur, Praticien, TypeGarantie

D = Decimal
MIX = [  # (weight, code, spent, base or None, guarantee)
    (22, "G", "30.00", None, Garantie(TypeGarantie.BR, taux=D("150"))),
    (8, "CS", "55.00", None, Garantie(TypeGarantie.BR, taux=D("200"))),
    (18, "PH7", "14.20", "14.20", Garantie(TypeGarantie.BR, taux=D("100"))),
    (8, "PH4", "6.80", "6.80", Garantie(TypeGarantie.BR, taux=D("100"))),
    (3, "PH2", "4.10", "4.10", None),
    (8, "B", "27.00", "27.00", Garantie(TypeGarantie.BR, taux=D("100"))),
    (8, "AMI", "15.75", "15.75", Garantie(TypeGarantie.BR, taux=D("125"))),
    (5, "ADI", "45.00", "45.00", Garantie(TypeGarantie.BR, taux=D("150"))),
    (4, "SC", "28.92", "28.92", Garantie(TypeGarantie.BR, taux=D("125"))),
    (2, "PFC", "650.00", "107.50", Garantie(TypeGarantie.BR, taux=D("250"), plafond=D("1500"))),
    (1, "CZ0", "500.00", "120.00", Garantie(TypeGarantie.CENT_POUR_CENT_SANTE)),
    (2, "VU1", "180.00", "0.05", Garantie(TypeGarantie.FORFAIT, montant=D("150"), plafond=D("450"))),
    (1, "M03", "150.00", "0.05", Garantie(TypeGarantie.FORFAIT, montant=D("100"), plafond=D("100"))),
    (1, "PAU", "1600.00", "400.00", Garantie(TypeGarantie.FORFAIT, montant=D("900"))),
    (2, "ADC", "300.00", "300.00", Garantie(TypeGarantie.BR, taux=D("200"))),
    (2, "FJ", "60.00", None, Garantie(TypeGarantie.FRAIS_REELS, taux=D("100"))),
    (2, "TXI", "48.00", "48.00", Garantie(TypeGarantie.BR, taux=D("100"))),
]


def build(n: int, seed: int = 7) -> list[list[Acte]]:
    rng = random.Random(seed)
    weights = [m[0] for m in MIX]
    batches: list[list[Acte]] = []
    batch: list[Acte] = []
    start = date(2025, 1, 1)
    for i in range(n):
        _, code, spent, base, garantie = rng.choices(MIX, weights)[0]
        acte = Acte(
            date_soins=start + timedelta(days=rng.randint(0, 300)),
            code=code,
            montant_depense=D(spent),
            base_remboursement=D(base) if base else None,
            quantite=3 if code == "FJ" else 1,
            beneficiaire=Beneficiaire(age=rng.choice([8, 34, 52, 71]), ald=rng.random() < 0.1),
            praticien=Praticien(
                secteur=rng.choice([1, 1, 2]), optam=rng.random() < 0.5, identifiant=f"1000000{rng.randint(1000, 9999)}"
            ),
            hospitalisation=code in {"ADC", "FJ"},
            garantie=garantie,
        )
        batch.append(acte)
        if len(batch) == 10 or i == n - 1:
            batches.append(batch)
            batch = []
    return batches


def run_once(moteur: Moteur, batches: list[list[Acte]]) -> float:
    started = time.perf_counter()
    for batch in batches:
        moteur.liquider(batch)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--acts", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})  # one core
    moteur = Moteur()
    batches = build(args.acts)
    run_once(moteur, batches[:100])  # warm-up: parameters and nomenclature loaded
    durations = [run_once(moteur, batches) for _ in range(args.runs)]
    rates = sorted(args.acts / d for d in durations)
    print(
        f"machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}"
    )
    print(f"runs: {', '.join(f'{r:,.0f}' for r in rates)} acts/s")
    print(
        f"regles throughput: {statistics.median(rates):,.0f} acts/s (median of {args.runs} runs, "
        f"{args.acts:,} acts, one core)"
    )


if __name__ == "__main__":
    main()
