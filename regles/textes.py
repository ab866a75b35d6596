"""The engine's sentences (the explanation of a computation) are written in French; a host that
speaks other languages installs its translation function once (the Django app installs
``gettext``, see ``mutuelle/claims/apps.py``), and each sentence is then read in the language
active where it is shown. Pure Python: nothing here knows Django.

The sentences are ``str.format`` templates with named fields (``{montant}``), marked with ``_`` so
that ``make messages`` collects them into the English catalogue."""

from __future__ import annotations

from collections.abc import Callable

_traduction: Callable[[str], str] | None = None


def installer_traduction(fonction: Callable[[str], str] | None) -> None:
    """Use ``fonction`` (``gettext``) to read the sentences; None goes back to French."""
    global _traduction
    _traduction = fonction


def _(message: str) -> str:
    """``message`` in the host's language, French when no translation is installed."""
    return _traduction(message) if _traduction is not None else message
