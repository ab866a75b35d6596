"""Reading settings from the environment: safe defaults for the demo, loud failures on bad values.

Every reader raises ``ImproperlyConfigured`` naming the variable and what was expected, so that a
typo in a deployment stops the process at start-up instead of running with a silent default.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}


def env_str(name: str, default: str | None = None, *, required: bool = False) -> str | None:
    """The variable ``name``, or the content of the file ``name_FILE`` names (secrets handed as files
    by Docker or systemd), the variable winning when both are set."""
    value = os.environ.get(name)
    fichier = os.environ.get(f"{name}_FILE")
    if (value is None or value == "") and fichier:
        try:
            value = Path(fichier).read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise ImproperlyConfigured(f"{name}_FILE={fichier!r} ne peut pas être lu : {exc.strerror}.") from exc
    if value is None or value == "":
        if required:
            raise ImproperlyConfigured(f"La variable d'environnement {name} est obligatoire.")
        return default
    return value


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    lowered = value.strip().lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise ImproperlyConfigured(
        f"{name}={value!r} n'est pas un booléen : utilisez l'une des valeurs {sorted(_TRUE | _FALSE)}."
    )


def env_int(name: str, default: int, *, minimum: int | None = None) -> int:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    try:
        number = int(value)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name}={value!r} n'est pas un nombre entier.") from exc
    if minimum is not None and number < minimum:
        raise ImproperlyConfigured(f"{name}={number} doit être supérieur ou égal à {minimum}.")
    return number


def env_list(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    items = [item.strip() for item in value.split(",")]
    if any(not item for item in items):
        raise ImproperlyConfigured(f"{name}={value!r} contient un élément vide.")
    return items


def env_choice(name: str, default: str, choices: set[str]) -> str:
    value = os.environ.get(name) or default
    if value not in choices:
        raise ImproperlyConfigured(f"{name}={value!r} : valeurs possibles {sorted(choices)}.")
    return value


def demo_secret_key(var_dir: Path) -> str:
    """A secret key generated once and kept under ``var/`` (git-ignored) for the demo."""
    path = var_dir / "secret_key"
    if path.exists():
        key = path.read_text(encoding="utf-8").strip()
        if len(key) >= 50:
            return key
    var_dir.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(64)
    path.write_text(key, encoding="utf-8")
    path.chmod(0o600)
    return key
