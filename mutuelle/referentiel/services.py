"""Loading the prestation nomenclature and mapping each code to a poste of cover."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from django.conf import settings
from django.db import transaction

from mutuelle.core.services import audit_log
from mutuelle.referentiel.models import NaturePrestation
from regles.postes import Poste

SOURCE_IR_NAT_V = "IR_NAT_V 2020-12"
REQUIRED_COLUMNS = {"PRS_NAT", "PRS_NAT_CB2", "PRS_NAT_LIB"}


class NomenclatureError(ValueError):
    """A defect in the nomenclature file or the mapping, naming the line and field."""


@dataclass(frozen=True)
class PosteRule:
    poste: Poste
    codes: frozenset[int]
    b2: frozenset[str]
    range: tuple[int, int] | None

    def matches(self, code: int, keys: list[str]) -> bool:
        if code in self.codes:
            return True
        if self.b2 and any(k in self.b2 for k in keys):
            return True
        return self.range is not None and self.range[0] <= code <= self.range[1]


def load_poste_rules(path: Path) -> list[PosteRule]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    rules = []
    for index, raw in enumerate(data.get("rules", []), start=1):
        try:
            poste = Poste(raw["poste"])
        except (KeyError, ValueError) as exc:
            raise NomenclatureError(
                f"{path.name}, règle {index} : poste inconnu {raw.get('poste')!r}"
            ) from exc
        rng = raw.get("range")
        if rng is not None and (len(rng) != 2 or rng[0] > rng[1]):
            raise NomenclatureError(f"{path.name}, règle {index} : « range » attend [début, fin].")
        rules.append(
            PosteRule(
                poste=poste,
                codes=frozenset(int(c) for c in raw.get("codes", [])),
                b2=frozenset(str(k) for k in raw.get("b2", [])),
                range=(int(rng[0]), int(rng[1])) if rng else None,
            )
        )
    return rules


def split_b2(value: str) -> list[str]:
    """'PH4/PG4' → ['PH4', 'PG4']; 'ZM DEPISTAGE/ADI' → ['ZM', 'ADI'] (first word of each key)."""
    return [part.strip().split()[0] for part in value.split("/") if part.strip()]


def poste_for(code: int, b2: str, rules: list[PosteRule]) -> Poste:
    keys = split_b2(b2)
    for rule in rules:
        if rule.matches(code, keys):
            return rule.poste
    return Poste.AUTRE


def read_nomenclature(path: Path) -> list[dict[str, Any]]:
    """Read and check the whole CSV before anything is written."""
    rows: list[dict[str, Any]] = []
    seen: set[int] = set()
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle, delimiter=";")
        missing = REQUIRED_COLUMNS - set(reader.fieldnames or [])
        if missing:
            raise NomenclatureError(f"{path.name} : colonnes manquantes {sorted(missing)}.")
        for line, row in enumerate(reader, start=2):
            try:
                code = int(row["PRS_NAT"])
            except (TypeError, ValueError) as exc:
                raise NomenclatureError(
                    f"{path.name}, ligne {line}, champ PRS_NAT : nombre entier attendu, "
                    f"reçu {row['PRS_NAT']!r}."
                ) from exc
            if code in seen:
                raise NomenclatureError(f"{path.name}, ligne {line}, champ PRS_NAT : code {code} en double.")
            seen.add(code)
            libelle = (row["PRS_NAT_LIB"] or "").strip()
            if not libelle:
                raise NomenclatureError(f"{path.name}, ligne {line}, champ PRS_NAT_LIB : libellé vide.")
            rows.append(
                {
                    "code": code,
                    "code_b2": (row["PRS_NAT_CB2"] or "").strip(),
                    "libelle": libelle[:200],
                    "observation": (row.get("PRS_NAT_OBS") or "").strip()[:200],
                }
            )
    return rows


@transaction.atomic
def nature_prestation_load(
    *, csv_path: Path | None = None, rules_path: Path | None = None, actor: Any = None
) -> dict[str, int]:
    """Insert new codes and refresh those loaded from the file; never delete nor touch manual rows."""
    base = Path(settings.MUTUELLE_REFERENCE_DIR)
    csv_path = csv_path or base / "IR_NAT_V.csv"
    rules_path = rules_path or base / "postes_nature.yaml"
    rules = load_poste_rules(rules_path)
    rows = read_nomenclature(csv_path)
    existing = {n.code: n for n in NaturePrestation.objects.all()}
    created, updated, unchanged, manual = [], [], 0, 0
    for row in rows:
        poste = poste_for(row["code"], row["code_b2"], rules).value
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
    NaturePrestation.objects.bulk_update(
        updated, ["code_b2", "libelle", "observation", "poste"], batch_size=500
    )
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
