"""docs/noemie-format.md lists every field of the layout table, at its positions."""

from pathlib import Path

from noemie.layout import layout

DOC = Path(__file__).resolve().parents[2] / "docs" / "noemie-format.md"


def test_the_format_document_matches_the_layout_table():
    text = DOC.read_text(encoding="utf-8")
    spec = layout()
    assert f"**{spec.longueur} characters**" in text
    for record in spec.enregistrements.values():
        for champ in record.champs:
            row = f"| {champ.debut + 1}–{champ.fin} | `{champ.nom}` | {champ.longueur} | {champ.type} |"
            assert row in text, f"{record.code}.{champ.nom} missing or moved in {DOC.name}"
