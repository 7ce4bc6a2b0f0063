"""Stored events made by hand for tests of the log's readers: one event of any class with chosen metadata,
and an event as it was stored before its class had a second version."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from uuid import uuid4

from eventsourcing.persistence import StoredEvent

#: Metadata at the widest the interface accepts, in every script, with a moment in another offset.
WIDE = {
    "actor_id": "a" * 500,
    "actor_role": "claims_handler",
    "channel": "api",
    "command_id": "c" * 200,
    "correlation_id": "相关-" * 40,
    "causation_id": None,
    "reason": "理由 — 𠀋 ✓ \u202e reason\nwith a line break",
    "recorded_at": "2026-02-17T03:04:05.123456+00:00",
    "effective_at": "2026-02-18T00:00:00+08:00",
}


def one_of_each(cls: type[Any], meta: dict[str, Any] | None) -> Any:
    """An event of `cls` with the fields every event has, and `meta` (none when None)."""
    event = object.__new__(cls)
    vars(event).update(originator_id=uuid4(), originator_version=1, timestamp=datetime.now(UTC))
    if meta is not None:
        vars(event)["meta"] = meta
    return event


def at_version_1(mapper: Any, stored: Any) -> StoredEvent:
    """The stored event as it was stored before its class had a second version (no `class_version`)."""
    state = mapper.transcoder.decode(stored.state)
    state.pop("class_version")
    return StoredEvent(uuid4(), 1, stored.topic, mapper.transcoder.encode(state))
