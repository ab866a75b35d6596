"""The language a person reads: what the mutuelle sends them (documents, emails, notifications) is
written in the language they chose with the footer's switch, whatever the language of the page, the
task or the handler that sends it."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.conf import settings
from django.dispatch import Signal
from django.utils import translation

# Sent by the footer's switch (``core.views.langue``) when a logged-in person chooses a language:
# ``user``, ``langue``, ``request``. The members app keeps it as the member's preference.
langue_choisie = Signal()


def langue_de_code(code: str | None) -> str:
    """``code`` when it is one of the site's languages, else French."""
    return code if code in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE


def langue_de(personne: Any) -> str:
    """The language of a member (``Adherent.langue``), of a user account through its member, or
    French."""
    langue = getattr(personne, "langue", None)
    if langue is None and personne is not None:
        langue = getattr(getattr(personne, "adherent", None), "langue", None)
    return langue_de_code(langue)


@contextmanager
def dans_sa_langue(personne: Any) -> Iterator[str]:
    """``with dans_sa_langue(adherent):`` renders and writes in the person's language."""
    langue = langue_de(personne)
    with translation.override(langue):
        yield langue
