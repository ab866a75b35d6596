"""Every case of ``cases/*.yaml`` through the simulate contract, with exact expected amounts."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml

from regles.cli import simuler

CASES_DIR = Path(__file__).parent / "cases"
REQUIRED = {"montant_amo", "montant_amc", "reste_a_charge"}


def _jsonish(value: Any) -> Any:
    """YAML gives dates and numbers; the CLI receives ISO strings and decimal strings."""
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, dict):
        return {k: _jsonish(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_jsonish(v) for v in value]
    if isinstance(value, float):
        raise TypeError("write amounts as strings in the case files")
    return value


def _load() -> list[Any]:
    params = []
    for path in sorted(CASES_DIR.glob("*.yaml")):
        for case in yaml.safe_load(path.read_text(encoding="utf-8")):
            params.append(pytest.param(case, id=f"{path.stem}: {case['nom']}"))
    return params


CASES = _load()


def test_there_are_enough_cases():
    assert len(CASES) >= 43


@pytest.mark.parametrize("case", CASES)
def test_case(case: dict[str, Any]) -> None:
    assert case.get("source"), "every case names its source"
    result = simuler(_jsonish(case["entree"]))
    expected = case["attendu"]
    if isinstance(case["entree"], list):
        assert isinstance(result, list) and len(result) == len(case["entree"])
        for index, fields in expected.items():
            got = {k: result[int(index)][k] for k in fields}
            assert got == fields, f"act {index}"
    else:
        assert set(expected) >= REQUIRED, "a single-act case states at least AMO, AMC and out-of-pocket"
        got = {k: result[k] for k in expected}
        assert got == expected
