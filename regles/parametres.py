"""Dated legal parameters (OpenFisca-style): one value per effective date, each with its reference.

The YAML files of ``regles/parameters/`` are read once into immutable objects. ``valeur(nom, date)``
answers the value in force on that date; asking before the first value is an error, not a guess.
Strings that look like numbers become ``Decimal``; mappings keep their keys.
"""

from __future__ import annotations

import hashlib
from bisect import bisect_right
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from functools import cache
from pathlib import Path
from types import MappingProxyType
from typing import Any

import yaml

PARAMETERS_DIR = Path(__file__).resolve().parent / "parameters"


class ParametreIndisponible(LookupError):
    """No value of a parameter is in force on the date asked (or the parameter is unknown)."""


@dataclass(frozen=True, slots=True)
class Valeur:
    valeur: Any
    depuis: date
    reference: str


@dataclass(frozen=True, slots=True)
class Parametre:
    nom: str
    description: str
    dates: tuple[int, ...]  # ordinals, ascending
    valeurs: tuple[Valeur, ...]

    def a(self, on: date) -> Valeur:
        index = bisect_right(self.dates, on.toordinal()) - 1
        if index < 0:
            raise ParametreIndisponible(
                f"Le paramètre « {self.nom} » n'a pas de valeur avant le {self.valeurs[0].depuis:%d/%m/%Y} "
                f"(date demandée : {on:%d/%m/%Y})."
            )
        return self.valeurs[index]


def _convert(raw: Any, where: str) -> Any:
    if raw is None or isinstance(raw, bool | int):
        return raw
    if isinstance(raw, str):
        try:
            return Decimal(raw)
        except InvalidOperation:
            return raw
    if isinstance(raw, dict):
        return MappingProxyType({str(k): _convert(v, where) for k, v in raw.items()})
    if isinstance(raw, float):
        raise ValueError(f"{where} : écrivez les montants entre guillemets (pas de nombre flottant).")
    raise ValueError(f"{where} : valeur de type {type(raw).__name__} non prise en charge.")


def _parse(name: str, spec: dict[str, Any], source: str) -> Parametre:
    values = spec.get("values") or []
    if not values:
        raise ValueError(f"{source}, {name} : aucune valeur.")
    parsed = []
    for i, item in enumerate(values, start=1):
        where = f"{source}, {name}, valeur {i}"
        start = item.get("from")
        if not isinstance(start, date):
            raise ValueError(f"{where} : « from » doit être une date AAAA-MM-JJ.")
        if not item.get("reference"):
            raise ValueError(f"{where} : la référence juridique est obligatoire.")
        parsed.append(Valeur(_convert(item.get("value"), where), start, str(item["reference"])))
    ordinals = [v.depuis.toordinal() for v in parsed]
    if ordinals != sorted(set(ordinals)):
        raise ValueError(f"{source}, {name} : les dates doivent être croissantes et distinctes.")
    return Parametre(name, str(spec.get("description", "")), tuple(ordinals), tuple(parsed))


@dataclass(frozen=True, slots=True)
class Parametres:
    tous: MappingProxyType[str, Parametre]
    # What a computation was made with: the first 12 hex digits of the SHA-256 of the files read, in
    # name order. A quote keeps it, so that a later difference can be put down to a change of rules.
    version: str = ""

    def parametre(self, nom: str) -> Parametre:
        try:
            return self.tous[nom]
        except KeyError:
            raise ParametreIndisponible(f"Paramètre inconnu : « {nom} ».") from None

    def valeur(self, nom: str, on: date) -> Valeur:
        return self.parametre(nom).a(on)

    def debut(self) -> date:
        """The first date on which every parameter has a value."""
        return max(p.valeurs[0].depuis for p in self.tous.values())


def charger(directory: Path = PARAMETERS_DIR) -> Parametres:
    found: dict[str, Parametre] = {}
    empreinte = hashlib.sha256()
    for path in sorted(directory.glob("*.yaml")):
        texte = path.read_text(encoding="utf-8")
        empreinte.update(path.name.encode() + b"\0" + texte.encode() + b"\0")
        data = yaml.safe_load(texte) or {}
        for name, spec in data.items():
            if name in found:
                raise ValueError(f"{path.name} : le paramètre « {name} » est défini deux fois.")
            found[name] = _parse(name, spec, path.name)
    return Parametres(MappingProxyType(found), empreinte.hexdigest()[:12])


@cache
def parametres() -> Parametres:
    """The project's parameters, read once per process."""
    return charger()
