"""The `python -m regles simulate` contract, run as a real process."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
FIELDS = {
    "base_remboursement",
    "taux_amo",
    "ticket_moderateur",
    "montant_amo",
    "participation_forfaitaire",
    "franchise",
    "depassement",
    "montant_amc",
    "reste_a_charge",
    "trace",
}


def simulate(payload: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "regles", "simulate"],
        input=payload,
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )


def test_one_object_in_one_object_out():
    result = simulate(
        '{"date_soins": "2025-01-10", "code": "G", "montant_depense": "30.00",'
        ' "garantie": {"type": "br", "taux": "100"}}'
    )
    assert result.returncode == 0, result.stderr
    out = json.loads(result.stdout)
    assert set(out) >= FIELDS
    assert (out["montant_amo"], out["montant_amc"], out["reste_a_charge"], out["taux_amo"]) == (
        "19.00",
        "9.00",
        "2.00",
        "0.70",
    )
    step = out["trace"][0]
    assert set(step) == {"regle", "parametre", "reference", "avant", "apres", "explication"}
    assert step["reference"] and "tarif G" in step["explication"]


def test_an_array_in_an_array_out_with_caps_across_acts():
    acte = {"date_soins": "2025-04-07", "code": "AMI", "montant_depense": "15.75", "base_remboursement": "15.75"}
    result = simulate(json.dumps([acte] * 5))
    assert result.returncode == 0, result.stderr
    out = json.loads(result.stdout)
    assert [o["franchise"] for o in out] == ["1.00", "1.00", "1.00", "1.00", "0.00"]


def test_numbers_are_accepted_as_json_numbers_without_float_rounding():
    result = simulate('{"date_soins": "2025-01-10", "code": "G", "montant_depense": 30.10}')
    assert result.returncode == 0
    assert json.loads(result.stdout)["depassement"] == "0.10"


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        (
            '{"date_soins": "2025-01-10", "code": "ZZZ", "montant_depense": "30"}',
            "acte.code : code de prestation inconnu",
        ),
        (
            '{"date_soins": "2018-12-31", "code": "G", "montant_depense": "30"}',
            "acte.date_soins : les paramètres commencent",
        ),
        (
            '{"date_soins": "2025-01-10", "code": "G", "montant_depense": "-1"}',
            "acte.montant_depense : la valeur ne peut pas",
        ),
        ('{"date_soins": "2025-01-10", "code": "G"}', "acte.montant_depense : champ obligatoire"),
        ('{"code": "G", "montant_depense": "30"}', "acte.date_soins : champ obligatoire"),
        ('{"date_soins": "10/01/2025", "code": "G", "montant_depense": "30"}', "acte.date_soins : « 10/01/2025 »"),
        ('{"date_soins": "2025-01-10", "code": "G", "montant_depense": "trente"}', "acte.montant_depense : « trente »"),
        (
            '{"date_soins": "2025-01-10", "code": "PH7", "montant_depense": "30"}',
            "acte.base_remboursement : aucun tarif",
        ),
        ('{"date_soins": "2025-01-10", "code": "G", "montant_depense": "30", "taux_amo": "70"}', "acte.taux_amo"),
        (
            '{"date_soins": "2025-01-10", "code": "G", "montant_depense": "30", "garantie": {"type": "br"}}',
            "acte.garantie.taux : champ obligatoire",
        ),
        (
            '{"date_soins": "2025-01-10", "code": "G", "montant_depense": "30", "garantie": {"type": "cadeau"}}',
            "acte.garantie.type",
        ),
        (
            '{"date_soins": "2025-01-10", "code": "G", "montant_depense": "30", "couleur": "bleu"}',
            "acte.couleur : champ inconnu",
        ),
        ('{"date_soins": "2025-01-10", "code": "G", "montant_depense": "30", "quantite": 0}', "acte.quantite"),
        (
            '[{"date_soins": "2025-01-10", "code": "G", "montant_depense": "30"}, {"date_soins": "2025-01-10"}]',
            "actes[1].code : champ obligatoire",
        ),
        (
            '[{"date_soins": "2025-01-10", "code": "G", "montant_depense": "30"}, '
            '{"date_soins": "2025-01-10", "code": "PH7", "montant_depense": "5"}]',
            "actes[1].base_remboursement",
        ),
        ("[]", "actes : le tableau est vide"),
        ('"G"', "acte : un objet JSON est attendu"),
        ('{"date_soins": ', "entrée : JSON invalide"),
    ],
)
def test_bad_input_exits_non_zero_with_one_line_naming_the_field(payload, message):
    result = simulate(payload)
    assert result.returncode == 2
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and message in lines[0], result.stderr
