"""The interface language: French, unless the visitor chose English with the switcher in the footer."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest
from django.middleware.locale import LocaleMiddleware
from django.utils import translation


class LangueMiddleware(LocaleMiddleware):
    """Like Django's, but the browser's Accept-Language is not followed: a mutuelle's French members
    often have browsers set to English, and they get the French interface (and Django's own messages
    in French) unless they choose English in the footer (the language cookie)."""

    def process_request(self, request: HttpRequest) -> None:
        langue = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
        if langue not in dict(settings.LANGUAGES):
            langue = settings.LANGUAGE_CODE
        translation.activate(langue)
        request.LANGUAGE_CODE = translation.get_language()
