"""Data written into a PDF's stylesheet cannot close its string or the ``<style>`` element."""

from __future__ import annotations

from mutuelle.core.templatetags.css import chaine_css


def test_a_css_string_escapes_quotes_tags_and_accents_and_keeps_spaces():
    sortie = chaine_css('Mutuelle "l\'Ouest" </style><script> — n° 1')
    assert sortie.startswith('"') and sortie.endswith('"') and sortie.count('"') == 2
    assert "<" not in sortie and ">" not in sortie and "'" not in sortie and "—" not in sortie
    # Each escape is ended by one space that CSS consumes: the word after it keeps its own space.
    assert sortie == (
        '"Mutuelle \\000022 l\\000027 Ouest\\000022  \\00003c /style\\00003e \\00003c script\\00003e  '
        '\\002014  n\\0000b0  1"'
    )
