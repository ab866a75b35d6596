"""Form widgets every screen shares."""

from __future__ import annotations

from typing import Any

from django import forms


class DateInput(forms.DateInput):
    """The browser's date picker, with the ISO value it expects (the page shows the local format)."""

    input_type = "date"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%d", **kwargs)


def zone_texte(rows: int, maxlength: int) -> forms.Textarea:
    """A text area of ``rows`` lines whose browser stops at ``maxlength`` characters, as the server does."""
    return forms.Textarea(attrs={"rows": rows, "maxlength": maxlength})
