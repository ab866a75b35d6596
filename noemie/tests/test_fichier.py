"""The NOEMIE-style flow: round trip, and every defect named by line, record and field."""

from __future__ import annotations

import io
import tracemalloc
from datetime import date
from decimal import Decimal

import pytest

from noemie.fichier import DecompteLu, Enregistrement, NoemieErreur, lire, verifier
from noemie.generateur import Generateur, PersonneConnue
from noemie.layout import layout
from regles.nir import nir_key

LONGUEUR = layout().longueur


def _nir(body: str) -> str:
    return body + nir_key(body)


PERSONNES = [
    PersonneConnue(_nir("2820375990123"), 1, date(1982, 3, 14)),
    PersonneConnue(_nir("1800775990456"), 1, date(1980, 7, 2)),
    PersonneConnue(_nir("2820375990123"), 2, date(2014, 9, 30)),
]


def generate(lignes: int = 40, seed: int = 3, **kw) -> str:
    out = io.StringIO()
    Generateur(PERSONNES, seed=seed, **kw).ecrire(
        out, lignes=lignes, emetteur=691234567, amc=99123456, sequence=42, cree_le=date(2025, 12, 31)
    )
    return out.getvalue()


def lines(text: str) -> list[str]:
    return text.splitlines(keepends=True)


def test_a_generated_file_round_trips():
    text = generate(60)
    items = list(lire(lines(text)))
    entete, *decomptes, fin = items
    assert isinstance(entete, Enregistrement) and entete["FLX_EMT_ORD"] == 42
    assert entete["FLX_DST_NUM"] == 99123456 and entete["FLX_TRT_DTD"] == date(2025, 12, 31)
    assert all(isinstance(d, DecompteLu) for d in decomptes)
    actes = [a for d in decomptes for _, a in d.actes]
    assert len(actes) == 60 == fin["NBR_ACT"]
    assert fin["TOT_PAI_MNT"] == sum(a["PRS_PAI_MNT"] for a in actes)
    for acte in actes:
        assert isinstance(acte["PRS_PAI_MNT"], Decimal)
        assert acte["BSE_REM_MNT"] <= acte["PRS_PAI_MNT"]
        assert acte["EXE_SOI_DTD"].year == 2025
    nirs = {b.enregistrement["BEN_NIR"] for d in decomptes for b in d.beneficiaires}
    assert nirs <= {p.nir for p in PERSONNES}


def test_the_same_seed_gives_the_same_file():
    assert generate(30, seed=9) == generate(30, seed=9)
    assert generate(30, seed=9) != generate(30, seed=10)


def test_unknown_beneficiaries_can_be_mixed_in():
    text = generate(200, part_inconnus=0.3)
    known = {p.nir for p in PERSONNES}
    nirs = [
        b.enregistrement["BEN_NIR"] for d in lire(lines(text)) if isinstance(d, DecompteLu) for b in d.beneficiaires
    ]
    assert any(n not in known for n in nirs) and any(n in known for n in nirs)


def test_every_record_has_the_layout_length():
    assert {len(line.rstrip("\n")) for line in lines(generate(20))} == {LONGUEUR}


def test_crlf_line_endings_and_bytes_are_accepted():
    text = generate(10).replace("\n", "\r\n")
    assert verifier(text.encode("ascii").splitlines(keepends=True)).actes == 10


# -- defects ----------------------------------------------------------------------------------------


def _first(text: str, code: str) -> int:
    return next(i for i, line in enumerate(lines(text)) if line.startswith(code))


def _replace(text: str, index: int, start: int, new: str) -> str:
    rows = lines(text)
    row = rows[index]
    rows[index] = row[:start] + new + row[start + len(new) :]
    return "".join(rows)


def _field(code: str, name: str):
    return next(c for c in layout().enregistrements[code].champs if c.nom == name)


def _error(text: str) -> NoemieErreur:
    with pytest.raises(NoemieErreur) as excinfo:
        verifier(lines(text))
    return excinfo.value


def test_wrong_record_length():
    text = generate()
    i = _first(text, "300")
    rows = lines(text)
    rows[i] = rows[i].rstrip("\n")[:-1] + "\n"
    err = _error("".join(rows))
    assert (err.ligne, err.enregistrement) == (i + 1, "300")
    assert f"longueur {LONGUEUR - 1} au lieu de {LONGUEUR}" in str(err)


def test_unknown_record_type():
    text = generate()
    i = _first(text, "300")
    err = _error(_replace(text, i, 0, "301"))
    assert (err.ligne, err.enregistrement, err.champ) == (i + 1, "301", "TYP_ENR")
    assert "inconnu" in str(err)


def test_bad_date():
    text = generate()
    i = _first(text, "300")
    champ = _field("300", "EXE_SOI_DTD")
    err = _error(_replace(text, i, champ.debut, "20251341"))
    assert (err.ligne, err.enregistrement, err.champ) == (i + 1, "300", "EXE_SOI_DTD")
    assert "date AAAAMMJJ valide" in str(err)


def test_non_numeric_amount():
    text = generate()
    i = _first(text, "300")
    champ = _field("300", "PRS_PAI_MNT")
    err = _error(_replace(text, i, champ.debut, "000000 12,"))
    assert (err.ligne, err.champ) == (i + 1, "PRS_PAI_MNT")
    assert "montant en centimes" in str(err)


def test_nir_with_a_wrong_key():
    text = generate()
    i = _first(text, "200")
    champ = _field("200", "BEN_NIR")
    nir = lines(text)[i][champ.debut : champ.fin]
    wrong = nir[:13] + f"{(int(nir[13:]) + 1) % 100:02d}"
    err = _error(_replace(text, i, champ.debut, wrong))
    assert (err.ligne, err.enregistrement, err.champ) == (i + 1, "200", "BEN_NIR")
    assert "clé du NIR" in str(err)


def test_records_out_of_order():
    text = generate()
    rows = lines(text)
    i = _first(text, "200")
    rows[i], rows[i + 1] = rows[i + 1], rows[i]  # an act before its beneficiary
    err = _error("".join(rows))
    assert (err.ligne, err.enregistrement) == (i + 1, "300")
    assert "inattendu" in str(err) and "200" in str(err)


def test_count_that_does_not_match_the_closing_record():
    text = generate()
    i = _first(text, "299")
    champ = _field("299", "NBR_ACT")
    err = _error(_replace(text, i, champ.debut, "000099"))
    assert (err.ligne, err.enregistrement, err.champ) == (i + 1, "299", "NBR_ACT")
    assert "annoncé 99" in str(err)


def test_total_that_does_not_match_the_file_closing_record():
    text = generate()
    i = _first(text, "999")
    champ = _field("999", "TOT_REM_MNT")
    err = _error(_replace(text, i, champ.debut, "0" * champ.longueur))
    assert (err.ligne, err.champ) == (i + 1, "TOT_REM_MNT")


def test_an_amount_changed_in_an_act_breaks_the_totals_of_its_beneficiary():
    text = generate()
    i = _first(text, "300")
    champ = _field("300", "PRS_PAI_MNT")
    err = _error(_replace(text, i, champ.debut, "0000999999"))
    assert err.enregistrement == "299" and err.champ == "TOT_PAI_MNT"


def test_truncated_file():
    rows = lines(generate())
    err = _error("".join(rows[:-5]))
    assert err.ligne == len(rows) - 4
    assert "tronqué" in str(err)


def test_nothing_after_the_end_of_file():
    text = generate()
    err = _error(text + lines(text)[0])
    assert "après la fin de fichier" in str(err)


def test_non_ascii_content():
    text = generate()
    i = _first(text, "300")
    rows = [r.encode("ascii") for r in lines(text)]
    rows[i] = rows[i][:-3] + "é".encode() + b"\n"
    with pytest.raises(NoemieErreur, match=f"ligne {i + 1} : caractère non ASCII"):
        verifier(rows)


def test_empty_file():
    with pytest.raises(NoemieErreur, match="tronqué"):
        verifier([])


def _peak(acts: int) -> int:
    rows = lines(generate(acts, seed=5))
    tracemalloc.start()
    count = 0
    for item in lire(iter(rows)):
        if isinstance(item, DecompteLu):
            count += sum(1 for _ in item.actes)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert count == acts
    return peak


def test_parsing_holds_one_decompte_at_a_time():
    """Memory does not grow with the file: six times more acts take no more memory (the decoding
    caches are bounded), within a small budget."""
    small = _peak(5_000)
    big = _peak(30_000)
    assert big < 3_000_000, f"peak {big} bytes"
    assert big < small * 1.3 + 300_000, f"peak {small} bytes for 5,000 acts, {big} for 30,000"


def test_a_line_number_used_twice_in_a_decompte():
    text = generate(seed=11)
    rows = lines(text)
    i = next(i for i, r in enumerate(rows) if r.startswith("300") and rows[i + 1].startswith("300"))
    champ = _field("300", "PRS_ORD_NUM")
    rows[i + 1] = rows[i + 1][: champ.debut] + rows[i][champ.debut : champ.fin] + rows[i + 1][champ.fin :]
    err = _error("".join(rows))
    assert (err.ligne, err.champ) == (i + 2, "PRS_ORD_NUM")
    assert "déjà utilisé" in str(err)
