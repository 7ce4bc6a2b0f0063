"""End-to-end fixtures: the real Litestar app over the real services, on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from litestar.testing import TestClient

from interface.app import create_app
from interface.auth import mint_token
from tests.builders.common import individual_body
from tests.conftest import JWT_SECRET

BASE = "/api/v1/customers"
PROBLEM = "application/problem+json"


def token(role: str = "agent", sub: str = "alice", **kwargs: Any) -> str:
    """A bearer token signed with the test secret."""
    return mint_token(JWT_SECRET, sub, role, **kwargs)


def auth(role: str = "agent", sub: str = "alice", **headers: str) -> dict[str, str]:
    """Request headers with a bearer token for `role`, plus any extra headers."""
    return {"Authorization": f"Bearer {token(role, sub)}", **headers}


def head(services: Any) -> int:
    """The position of the last stored event (0 when the store is empty)."""
    return services.app.recorder.max_notification_id() or 0


def stored_events(services: Any) -> int:
    """How many events the store holds.

    Not simply the head: on PostgreSQL a rolled-back insert (the loser of a race) consumes a
    position, so the log has gaps; the head only tells that nothing new was stored.
    """
    recorder = services.app.recorder
    count, start = 0, 1
    while start <= head(services):
        page = recorder.select_notifications(start=start, limit=1000)
        if not page:
            break
        count += len(page)
        start = page[-1].id + 1
    return count


def field_names(problem: dict[str, Any]) -> set[str]:
    """The fields a 422 problem names."""
    return {error["field"] for error in problem.get("errors", [])}


@pytest.fixture
def client(running_services: Any) -> Iterator[TestClient[Any]]:
    """An HTTP client over create_app(running_services); projections run in-process."""
    with TestClient(app=create_app(running_services)) as test_client:
        yield test_client


@pytest.fixture
def events(running_services: Any) -> Callable[[], int]:
    """`events()` → the number of stored events now."""
    return lambda: stored_events(running_services)


@pytest.fixture
def register(client: TestClient[Any]) -> Callable[..., dict[str, Any]]:
    """`register(seed, **overrides)` → the answer of registering an individual as an agent."""

    def _register(seed: int = 1, body: dict[str, Any] | None = None, **overrides: Any) -> dict[str, Any]:
        response = client.post(BASE, json=body or individual_body(seed, **overrides), headers=auth())
        assert response.status_code == 201, response.text
        return response.json()

    return _register
