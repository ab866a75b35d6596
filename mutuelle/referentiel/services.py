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


@transaction.atomic
def nature_prestation_load(
    *, csv_path: Path | None = None, rules_path: Path | None = None, actor: Any = None
) -> dict[str, int]:
    """Insert new codes and refresh those loaded from the file; never delete nor touch manual rows."""
    base = Path(settings.MUTUELLE_REFERENCE_DIR)
    csv_path = csv_path or base / "IR_NAT_V.csv"
    rules_path = rules_path or base / "postes_nature.yaml"
    rules = load_poste_rules(rules_path)
    natures = read_nomenclature(csv_path, rules)
    existing = {n.code: n for n in NaturePrestation.objects.all()}
    created, updated, unchanged, manual = [], [], 0, 0
    for nature in natures:
        row = asdict(nature)
        poste = row.pop("poste").value
        current = existing.get(row["code"])
        if current is None:
            created.append(NaturePrestation(source=SOURCE_IR_NAT_V, poste=poste, **row))
            continue
        if current.source != SOURCE_IR_NAT_V:
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
            message=f"Chargement de {csv_path.name}",
        )
    return summary
