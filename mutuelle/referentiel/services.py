"""Loading the prestation nomenclature and mapping each code to a poste of cover."""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction

from mutuelle.core.services import audit_log
from mutuelle.referentiel.models import NaturePrestation
from regles.nomenclature import load_poste_rules, read_nomenclature

SOURCE_IR_NAT_V = "IR_NAT_V 2020-12"
SOURCE_HORS_NOMENCLATURE = "Mutuelle (hors nomenclature)"


@transaction.atomic
def nature_prestation_load(
    *, csv_path: Path | None = None, rules_path: Path | None = None, actor: Any = None
) -> dict[str, int]:
    """Insert new codes and refresh those loaded from the files; never delete nor touch manual rows.

    The Sécu's nomenclature, then (unless another nomenclature file is given) the mutuelle's own codes
    for care the Sécu does not reimburse (``hors_nomenclature.csv``)."""
    base = Path(settings.MUTUELLE_REFERENCE_DIR)
    fichiers = (
        [(csv_path, SOURCE_IR_NAT_V)]
        if csv_path
        else [
            (base / "IR_NAT_V.csv", SOURCE_IR_NAT_V),
            (base / "hors_nomenclature.csv", SOURCE_HORS_NOMENCLATURE),
        ]
    )
    rules_path = rules_path or base / "postes_nature.yaml"
    rules = load_poste_rules(rules_path)
    natures = [(nature, source) for path, source in fichiers for nature in read_nomenclature(path, rules)]
    existing = {n.code: n for n in NaturePrestation.objects.all()}
    created, updated, unchanged, manual = [], [], 0, 0
    for nature, source in natures:
        row = asdict(nature)
        poste = row.pop("poste").value
        current = existing.get(row["code"])
        if current is None:
            created.append(NaturePrestation(source=source, poste=poste, **row))
            continue
        if current.source != source:
            manual += 1
            continue
        values = {**row, "poste": poste}
        if all(getattr(current, k) == v for k, v in values.items()):
            unchanged += 1
            continue
        for key, value in values.items():
            setattr(current, key, value)
        updated.append(current)
    NaturePrestation.objects.bulk_create(created, batch_size=500)
    NaturePrestation.objects.bulk_update(updated, ["code_b2", "libelle", "observation", "poste"], batch_size=500)
    summary = {
        "crees": len(created),
        "mis_a_jour": len(updated),
        "inchanges": unchanged,
        "manuels_conserves": manual,
    }
    if created or updated:
        audit_log(
            action="referentiel.nature_prestation.loaded",
            actor=actor,
            new=summary,
            message="Chargement de " + " et ".join(path.name for path, _source in fichiers),
        )
    return summary
