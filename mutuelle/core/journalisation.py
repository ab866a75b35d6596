"""Logs a person can follow across processes: one id per request, on every line it causes.

``RequeteIdMiddleware`` takes the id a proxy sent (``X-Request-ID``, when it looks like one) or makes
one, answers with it, and keeps it for the request's duration; ``RequeteIdFiltre`` puts it on every
log record, and the JSON formatter (python-json-logger, ``LOG_FORMAT=json``, the default in
production) writes it as a field. Each request ends with one line on the ``mutuelle.requetes``
logger: method, path (never the query string: it may carry a NIR), status, duration, user id.
"""

from __future__ import annotations

import logging
import re
import time
import uuid
from collections.abc import Callable
from contextvars import ContextVar

from django.http import HttpRequest, HttpResponse

_requete_id: ContextVar[str] = ContextVar("requete_id", default="-")
_ID_VALIDE = re.compile(r"^[A-Za-z0-9._-]{8,64}$")
journal = logging.getLogger("mutuelle.requetes")


def requete_id() -> str:
    """The id of the request being served ("-" outside a request: a task, a command)."""
    return _requete_id.get()


class RequeteIdFiltre(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = _requete_id.get()
        return True


class RequeteIdMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        recu = request.headers.get("X-Request-ID", "")
        ident = recu if _ID_VALIDE.match(recu) else uuid.uuid4().hex
        jeton = _requete_id.set(ident)
        debut = time.perf_counter()
        try:
            response = self.get_response(request)
            response["X-Request-ID"] = ident
            user = getattr(request, "user", None)
            journal.info(
                "%s %s %s",
                request.method,
                request.path,
                response.status_code,
                extra={
                    "method": request.method,
                    "path": request.path,
                    "status": response.status_code,
                    "duree_ms": round((time.perf_counter() - debut) * 1000, 1),
                    "user_id": getattr(user, "pk", None) if getattr(user, "is_authenticated", False) else None,
                },
            )
            return response
        finally:
            _requete_id.reset(jeton)
