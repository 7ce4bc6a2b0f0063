"""An aggregate's history: its stored events in order, with their metadata and log positions."""

from __future__ import annotations

from typing import Any, cast
from uuid import UUID

from eventsourcing.utils import get_topic

from domain.errors import NotFound
from interface.bootstrap import Services
from projections.audit_log import history as audit_rows
from projections.audit_log import topic_parts
from projections.customers import plain

_BASE_FIELDS = {"originator_id", "originator_version", "timestamp", "meta", "originator_topic"}


def aggregate_history(services: Services, aggregate_id: UUID, position: int | None) -> list[dict[str, Any]]:
    """Every event of the aggregate (up to `position`), oldest first. Empty if there is none."""
    with services.read_side.engine.connect() as conn:
        positions = {row["aggregate_version"]: row["position"] for row in audit_rows(conn, str(aggregate_id))}
    entries = []
    for event in services.app.events.get(aggregate_id):
        at = positions.get(event.originator_version)
        if position is not None and (at is None or at > position):
            break
        meta = event.__dict__.get("meta") or {}
        entries.append(
            {
                "position": at,
                "version": event.originator_version,
                "type": topic_parts(get_topic(type(event)))[1],
                "recorded_at": cast(Any, event).timestamp,
                "metadata": meta,
                "data": {k: plain(v) for k, v in event.__dict__.items() if k not in _BASE_FIELDS},
            }
        )
    return entries


def history_of(
    services: Services, aggregate_id: UUID, position: int | None, event_base: type, noun: str
) -> list[dict[str, Any]]:
    """The history of an aggregate of one kind (`event_base`), or NotFound naming the `noun`."""
    # Another aggregate's id (an identity claim, a policy for a customer…) is not found here.
    first = next(iter(services.app.events.get(aggregate_id, limit=1)), None)
    if not isinstance(first, event_base):
        raise NotFound(f"{noun} {aggregate_id} not found")
    entries = aggregate_history(services, aggregate_id, position)
    if not entries:  # as of a moment before it began, it did not exist
        raise NotFound(f"{noun} {aggregate_id} not found at that moment")
    return entries
