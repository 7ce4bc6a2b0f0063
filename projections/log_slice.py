"""One read of the log for a group of projections: the events decoded, and how far the read went.

A projection that reads only some topics (Projection.handles) decodes only those events of the batch: its
position moves to the end of the batch even where the batch held none of its events.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from eventsourcing.persistence import Notification

from domain.topics import event_classes
from projections.event_log import EventLog
from projections.faults import describe

log = logging.getLogger("projections.runner")


@dataclass(frozen=True)
class EventUndecodable:
    """The first event of a batch that could not be decoded."""

    position: int
    error: str


@dataclass(frozen=True)
class Slice:
    """One read of the log: the events decoded with their positions, the position read up to (past the
    events of topics not read), how many events of the log that covers, and the first event that could
    not be decoded."""

    events: list[tuple[Any, int]]
    end: int
    covered: int
    undecodable: EventUndecodable | None = None


def known_topics() -> frozenset[str]:
    """Every topic this process can decode (domain.topics), read once."""
    global _KNOWN
    if _KNOWN is None:
        _KNOWN = frozenset(cls.TOPIC for cls in event_classes())
    return _KNOWN


_KNOWN: frozenset[str] | None = None


def prefetch(app: EventLog, notifications: Sequence[Notification]) -> None:
    """Have the mapper read at once the keys these events' sealed fields need, where it can."""
    ahead = getattr(app.mapper, "prefetch", None)
    if ahead is not None and notifications:
        ahead(notifications)


def read_slice(app: EventLog, start: int, limit: int, topics: frozenset[str] | None, *, personal: bool = True) -> Slice:
    """The next `limit` events of the log after `start`, decoded, with their positions; decoding stops at
    the first event that cannot be decoded (the events before it can still be applied). With `topics`,
    only the events of those topics are decoded (and deciphered), and those of a topic this process does
    not know: such an event may be one the projection would read, so it faults the projection as it
    faults every other, rather than be passed over. Without `personal` (no projection reading the slice
    shows sealed personal fields) events are decoded with their seals unopened, where the mapper can."""
    notifications = app.recorder.select_notifications(start=start + 1, limit=limit)
    end = notifications[-1].id if notifications else start
    known = known_topics() if topics is not None else frozenset()
    wanted = [n for n in notifications if topics is None or n.topic in topics or n.topic not in known]
    decode = getattr(app.mapper, "to_sealed_domain_event", None) if not personal else None
    if decode is None:
        decode = app.mapper.to_domain_event
        prefetch(app, wanted)
    events: list[tuple[Any, int]] = []
    for covered, n in enumerate(notifications):
        if topics is not None and n.topic not in topics and n.topic in known:
            continue
        try:
            events.append((decode(n), n.id))
        except Exception as e:
            log.exception("event at position %s (topic %s) cannot be decoded", n.id, n.topic)
            return Slice(events, max(start, n.id - 1), covered, EventUndecodable(n.id, describe(e)))
    return Slice(events, end, len(notifications))
