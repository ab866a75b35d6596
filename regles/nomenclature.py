"""The prestation nomenclature (IR_NAT_V) and the mapping of each code to a poste of cover.

Pure Python: read by the engine (to know what a code is) and by the Django loader (to fill the
``NaturePrestation`` table), so both use one mapping. Files live in ``regles/data/``.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml

from regles.postes import Poste

DATA_DIR = Path(__file__).resolve().parent / "data"
REQUIRED_COLUMNS = {"PRS_NAT", "PRS_NAT_CB2", "PRS_NAT_LIB"}


class NomenclatureError(ValueError):
    """A defect in the nomenclature file or the mapping, naming the line and field."""


@dataclass(frozen=True, slots=True)
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


@dataclass(frozen=True, slots=True)
class Nature:
    code: int
    code_b2: str
    libelle: str
    observation: str
    poste: Poste


def load_poste_rules(path: Path) -> list[PosteRule]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    rules = []
    for index, raw in enumerate(data.get("rules", []), start=1):
        try:
            poste = Poste(raw["poste"])
        except (KeyError, ValueError) as exc:
            raise NomenclatureError(f"{path.name}, règle {index} : poste inconnu {raw.get('poste')!r}") from exc
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


def read_nomenclature(path: Path, rules: list[PosteRule]) -> list[Nature]:
    """Read and check the whole CSV before anything is used."""
    natures: list[Nature] = []
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
                    f"{path.name}, ligne {line}, champ PRS_NAT : nombre entier attendu, reçu {row['PRS_NAT']!r}."
                ) from exc
            if code in seen:
                raise NomenclatureError(f"{path.name}, ligne {line}, champ PRS_NAT : code {code} en double.")
            seen.add(code)
            libelle = (row["PRS_NAT_LIB"] or "").strip()
            if not libelle:
                raise NomenclatureError(f"{path.name}, ligne {line}, champ PRS_NAT_LIB : libellé vide.")
            b2 = (row["PRS_NAT_CB2"] or "").strip()
            natures.append(
                Nature(
                    code=code,
                    code_b2=b2,
                    libelle=libelle[:200],
                    observation=(row.get("PRS_NAT_OBS") or "").strip()[:200],
                    poste=poste_for(code, b2, rules),
                )
            )
    return natures


# The Sécu's nomenclature, then the mutuelle's own codes for care the Sécu does not reimburse
# (osteopathy, chiropractic…, paid from the practitioner's invoice): the engine and the loader read both.
FICHIERS = ("IR_NAT_V.csv", "hors_nomenclature.csv")


@cache
def natures() -> tuple[Nature, ...]:
    """Every nature of both files, checked: a code or a B2 key of the mutuelle's file must not be
    the Sécu's too."""
    rules = load_poste_rules(DATA_DIR / "postes_nature.yaml")
    secu, propres = (read_nomenclature(DATA_DIR / name, rules) for name in FICHIERS)
    codes = {n.code for n in secu}
    cles = {key.upper() for n in secu for key in split_b2(n.code_b2)}
    for nature in propres:
        if nature.code in codes or any(key.upper() in cles for key in split_b2(nature.code_b2)):
            raise NomenclatureError(
                f"{FICHIERS[1]} : le code {nature.code} ({nature.code_b2}) existe déjà dans {FICHIERS[0]}."
            )
    return (*secu, *propres)


@cache
def natures_par_cle_b2() -> dict[str, Nature]:
    """Each B2 letter key → its nature (the lowest PRS_NAT code when a key appears twice)."""
    index: dict[str, Nature] = {}
    for nature in sorted(natures(), key=lambda n: n.code):
        for key in split_b2(nature.code_b2):
            index.setdefault(key.upper(), nature)
    return index


@cache
def natures_par_code() -> dict[int, Nature]:
    """Each numeric PRS_NAT code (as NOEMIE carries it) → its nature."""
    return {n.code: n for n in natures()}
