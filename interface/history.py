"""An aggregate's history as the API shows it: its stored events in order, with their metadata and log
positions (read by application.queries; the positions from the audit log)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict
from typing import Any
from uuid import UUID

from application import queries
from interface.bootstrap import Services
from interface.http import read_at
from interface.query_params import HistoryEntry, HistoryView, ReadPoint
from projections.audit_log import positions_of

#: Changes an event's data before it is shown (masks personal data).
Mask = Callable[[dict[str, Any]], dict[str, Any]]


def history_of(
    services: Services, aggregate_id: UUID, asked: ReadPoint, event_base: type, noun: str
) -> list[queries.HistoryEvent]:
    """The events of an aggregate of one kind (`event_base`) as of `asked`, or NotFound naming the `noun`."""
    position = read_at(services, asked, "audit_log")
    positions = positions_of(services.read_side, str(aggregate_id))
    return queries.history(services.app, aggregate_id, event_base, noun, positions, position)


def history_view(
    services: Services, aggregate_id: UUID, asked: ReadPoint, event_base: type, noun: str, mask: Mask | None = None
) -> HistoryView:
    """The history answer: each event, its data masked by `mask` if given."""
    events = history_of(services, aggregate_id, asked, event_base, noun)
    return shown(aggregate_id, events, mask)


def shown(aggregate_id: UUID, events: list[queries.HistoryEvent], mask: Mask | None = None) -> HistoryView:
    """Events as the history answer, each event's data masked by `mask` if given."""
    entries = [asdict(e) for e in events]
    if mask is not None:
        entries = [dict(e, data=mask(e["data"])) for e in entries]
    return HistoryView(id=str(aggregate_id), events=[HistoryEntry(**e) for e in entries])
