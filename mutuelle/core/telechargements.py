"""A stored file handed to the browser: always as an attachment, never shown inline (an uploaded
file could be HTML or a script in disguise), under the name a person gave it."""

from __future__ import annotations

from typing import Any

from django.http import FileResponse


def en_piece_jointe(fichier: Any, nom: str, type_mime: str | None = None) -> FileResponse:
    return FileResponse(fichier.open("rb"), as_attachment=True, filename=nom, content_type=type_mime)
