"""What every screen does with a form whose service refuses: the refusal's sentence goes on the form."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

T = TypeVar("T")


def ou_refus(form: Any, action: Callable[[], T], refus: type[Exception]) -> T | None:
    """Run ``action`` (a service call); when it raises ``refus``, its sentence goes on the form as a
    non-field error and None is returned, so the view renders the form again."""
    try:
        return action()
    except refus as exc:
        form.add_error(None, str(exc))
        return None
