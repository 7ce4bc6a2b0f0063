"""Talking to the API in the end-to-end tests: tokens and headers, the problem media type, and how
many events the store holds (to prove a refusal recorded nothing)."""

from __future__ import annotations

from typing import Any

from interface.auth import mint_token
from tests.builders.environment import JWT_SECRET

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
