from __future__ import annotations

from typing import Any

import pytest

from tests.factories import garanties_carte


@pytest.fixture
def garanties(formule: Any) -> Any:
    return garanties_carte(formule)
