"""End-to-end fixtures of the API tests (the client and the desk are in tests/conftest.py; the helpers
to talk to the API in tests.builders.http)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import pytest
from litestar.testing import TestClient

from tests.builders.common import individual_body
from tests.builders.http import BASE, auth, stored_events

if TYPE_CHECKING:
    from interface.bootstrap import Services


@pytest.fixture
def events(running_services: Services) -> Callable[[], int]:
    """`events()` → the number of stored events now."""
    return lambda: stored_events(running_services)


@pytest.fixture
def register(client: TestClient[Any]) -> Callable[..., dict[str, Any]]:
    """`register(seed, **overrides)` → the answer of registering an individual as an agent."""

    def _register(seed: int = 1, body: dict[str, Any] | None = None, **overrides: Any) -> dict[str, Any]:
        response = client.post(BASE, json=body or individual_body(seed, **overrides), headers=auth())
        assert response.status_code == 201, response.text
        answer: dict[str, Any] = response.json()
        return answer

    return _register
