"""The layout table (``layout.yaml``) read into immutable specs, and the field codecs.

Positions are computed from the ordered fields; whatever is left up to ``record_length`` is filler
(spaces). Each type has one decoder (text → Python value, or ``ValueError`` with what was expected)
and one encoder (Python value → fixed-width text).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from regles.nir import NirInvalide, nir_check

LAYOUT_PATH = Path(__file__).resolve().parent / "layout.yaml"
TYPES = {"N", "A", "D", "M", "R", "B", "C"}
CENT = Decimal(100)
DIX_MILLE = Decimal(10_000)


@dataclass(frozen=True, slots=True)
class Champ:
    nom: str
    debut: int  # 0-based offset in the record
    longueur: int
    type: str
    description: str

    @property
    def fin(self) -> int:
        return self.debut + self.longueur


@dataclass(frozen=True, slots=True)
class TypeEnregistrement:
    code: str
    nom: str
    champs: tuple[Champ, ...]


@dataclass(frozen=True, slots=True)
class Layout:
    longueur: int
    enregistrements: dict[str, TypeEnregistrement]
    ordre: dict[str | None, frozenset[str]]


def charger_layout(path: Path = LAYOUT_PATH) -> Layout:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    longueur = int(data["record_length"])
    records: dict[str, TypeEnregistrement] = {}
    for code, spec in data["records"].items():
        code = str(code)
        offset = 0
        champs = []
        for raw in spec["fields"]:
            if raw["type"] not in TYPES:
                raise ValueError(f"{path.name}, {code}.{raw['name']} : type inconnu {raw['type']!r}.")
            champs.append(Champ(raw["name"], offset, int(raw["length"]), raw["type"], raw.get("description", "")))
            offset += int(raw["length"])
        if offset > longueur:
            raise ValueError(f"{path.name}, {code} : {offset} caractères pour des enregistrements de {longueur}.")
        if champs[0].nom != "TYP_ENR" or champs[0].longueur != len(code):
            raise ValueError(f"{path.name}, {code} : le premier champ doit être TYP_ENR de {len(code)} caractères.")
        records[code] = TypeEnregistrement(code, spec["name"], tuple(champs))
    ordre: dict[str | None, frozenset[str]] = {}
    for key, follow in data["order"].items():
        ordre[None if key == "start" else str(key)] = frozenset(str(f) for f in follow)
    return Layout(longueur, records, ordre)


@cache
def layout() -> Layout:
    return charger_layout()


# -- codecs ---------------------------------------------------------------------------------------


def decoder(champ: Champ, texte: str) -> Any:
    """Decode one field, or raise ValueError saying what was expected (in French)."""
    t = champ.type
    if t == "A":
        return texte.rstrip()
    if t == "C":
        try:
            return nir_check(texte)
        except NirInvalide as exc:
            raise ValueError(str(exc)) from None
    if not texte.isdigit():
        attendu = {
            "N": "un nombre",
            "D": "une date AAAAMMJJ",
            "M": "un montant en centimes",
            "R": "un taux en centièmes de pour cent",
            "B": "0 ou 1",
        }[t]
        raise ValueError(f"{attendu} (chiffres uniquement), reçu « {texte} »")
    if t == "N":
        return int(texte)
    if t == "M":
        return Decimal(int(texte)).scaleb(-2)  # exactly two places: 4850 → 48.50
    if t == "R":
        return Decimal(int(texte)).scaleb(-4)
    if t == "B":
        if texte not in {"0", "1"}:
            raise ValueError(f"0 ou 1, reçu « {texte} »")
        return texte == "1"
    # D
    if texte == "0" * len(texte):
        return None
    try:
        return date(int(texte[:4]), int(texte[4:6]), int(texte[6:8]))
    except ValueError:
        raise ValueError(f"une date AAAAMMJJ valide, reçu « {texte} »") from None


def encoder(champ: Champ, valeur: Any) -> str:
    t, n = champ.type, champ.longueur
    if t in {"A", "C"}:
        text = "" if valeur is None else str(valeur)
        if len(text) > n or not text.isascii():
            raise ValueError(f"{champ.nom} : « {text} » ne tient pas en {n} caractères ASCII.")
        return text.ljust(n)
    if t == "D":
        return "0" * n if valeur is None else valeur.strftime("%Y%m%d")
    if t == "B":
        return "1" if valeur else "0"
    if t == "M":
        number = int((Decimal(valeur) * CENT).to_integral_exact())
    elif t == "R":
        number = int((Decimal(valeur) * DIX_MILLE).to_integral_exact())
    else:
        number = int(valeur)
    if number < 0:
        raise ValueError(f"{champ.nom} : valeur négative {valeur}.")
    text = str(number)
    if len(text) > n:
        raise ValueError(f"{champ.nom} : {valeur} ne tient pas en {n} chiffres.")
    return text.rjust(n, "0")
