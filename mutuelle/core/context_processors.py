from typing import Any

from django.conf import settings
from django.http import HttpRequest

from mutuelle.core.models import Mutuelle


def mutuelle(request: HttpRequest) -> dict[str, Any]:
    """The mutuelle's identity and branding for every template (None before set-up)."""
    if not hasattr(request, "_mutuelle_cache"):
        request._mutuelle_cache = Mutuelle.objects.filter(singleton=1).first()  # type: ignore[attr-defined]
    return {
        "mutuelle": request._mutuelle_cache,  # type: ignore[attr-defined]
        "debug_outbox": settings.MUTUELLE_OUTBOX_PAGE,
    }
