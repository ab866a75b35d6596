"""Every case of ``cases/*.yaml`` through the simulate contract, with exact expected amounts."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml

from regles.cli import parse_acte, simuler
from regles.moteur import TraceDecoder, TraceEncoder, liquider, trace_json, trace_lue

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


@pytest.mark.parametrize("case", CASES)
def test_a_stored_trace_reads_back_with_the_same_explanation(case: dict[str, Any]) -> None:
    """The compact JSON a reimbursement line stores gives back the very same steps and French text."""
    entree = case["entree"] if isinstance(case["entree"], list) else [case["entree"]]
    actes = [parse_acte(_jsonish(raw), f"acte {i}") for i, raw in enumerate(entree)]
    for r in liquider(actes):
        stored = json.loads(trace_json(r.trace_brute), cls=TraceDecoder)
        assert trace_lue(stored) == r.trace
        assert [e.explication for e in trace_lue(stored)] == [e.explication for e in r.trace]


@pytest.mark.parametrize("case", CASES[:20])
def test_the_fast_trace_writer_says_what_the_json_encoder_says(case: dict[str, Any]) -> None:
    entree = case["entree"] if isinstance(case["entree"], list) else [case["entree"]]
    for r in liquider([parse_acte(_jsonish(raw), f"acte {i}") for i, raw in enumerate(entree)]):
        fast = json.loads(trace_json(r.trace_brute), cls=TraceDecoder)
        slow = json.loads(json.dumps(r.trace_brute, cls=TraceEncoder), cls=TraceDecoder)
        assert fast == slow
