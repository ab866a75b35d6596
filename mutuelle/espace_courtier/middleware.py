"""A broker's session reaches the broker space and the account pages, and nothing else.

Medical secrecy: whatever URL a broker tries outside ``ESPACES`` — the member space, a reimbursement,
a request, a message, the back office, an export — the answer is 404, before any view runs. The list
is an allow-list, so a page added later is closed to brokers until someone opens it here on purpose.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse

from mutuelle.accounts.models import Role

# URL namespaces a broker may reach: their space, the login steps, their own account's security page.
ESPACES = frozenset({"courtier", "accounts", "compte"})
# Single pages outside those namespaces: the public home page (which sends them on), the contact
# page, the stylesheet with the mutuelle's colours, the health check, language choice.
PAGES = frozenset({"core:accueil", "core:contact", "core:marque_css", "core:sante", "set_language"})


class EspaceCourtierMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(self, request: HttpRequest, view: Callable[..., Any], args: Any, kwargs: Any) -> Any:
        user = request.user
        if not user.is_authenticated or getattr(user, "role", None) != Role.COURTIER:
            return None
        match = request.resolver_match
        if match is not None and (match.namespace in ESPACES or match.view_name in PAGES):
            return None
        raise Http404("Cette page n'existe pas dans l'espace courtier.")
