"""CSV exports for a French spreadsheet: semicolons, decimal commas, UTF-8 with a BOM, streamed, and
no cell a spreadsheet would run as a formula."""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator
from decimal import Decimal

from django.http import StreamingHttpResponse

from mutuelle.core.templatetags.format_fr import montant_fr


class _Echo:
    def write(self, value: str) -> str:
        return value


def texte(valeur: str) -> str:
    """A text cell that a spreadsheet will not run as a formula."""
    return f"'{valeur}" if valeur[:1] in ("=", "+", "-", "@", "\t", "\r") else valeur


def nombre(montant: Decimal) -> str:
    """An amount a spreadsheet reads as a number: decimal comma, no thousands separator."""
    return montant_fr(montant).replace("\u202f", "")


def csv_reponse(nom: str, entete: list[str], lignes: Iterable[list[str]]) -> StreamingHttpResponse:
    writer = csv.writer(_Echo(), delimiter=";")

    def flux() -> Iterator[str]:
        yield "\ufeff" + writer.writerow(entete)
        for ligne in lignes:
            yield writer.writerow(ligne)

    response = StreamingHttpResponse(flux(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{nom}"'
    return response
