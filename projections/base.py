"""A projection turns events into register rows; a batch is one transaction of them."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

from eventsourcing.domain import Aggregate, DomainEventProtocol
from eventsourcing.utils import get_topic
from sqlalchemy import Connection, Table

from projections.db import bulk_insert
from projections.versioned import VersionedWriter


class Batch:
    """The rows one batch of events writes, all in one transaction with the projection's position."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self._writers: dict[str, VersionedWriter] = {}
        self._appends: dict[str, tuple[Table, list[dict[str, Any]]]] = {}
        self._after: list[Callable[[Connection], Any]] = []

    def versioned(self, table: Table) -> VersionedWriter:
        """The buffered writer of a versioned register."""
        writer = self._writers.get(table.name)
        if writer is None:
            writer = self._writers[table.name] = VersionedWriter(self.conn, table)
        return writer

    def append(self, table: Table, row: dict[str, Any]) -> None:
        """Buffer a row for an append-only table (rows are never changed afterwards)."""
        self._appends.setdefault(table.name, (table, []))[1].append(row)

    def after(self, step: Callable[[Connection], Any]) -> None:
        """Run `step(conn)` once when the batch is flushed, after its rows are written (e.g. the audit log's marks)."""
        if step not in self._after:
            self._after.append(step)

    def flush(self) -> None:
        for writer in self._writers.values():
            writer.flush()
        for table, rows in self._appends.values():
            bulk_insert(self.conn, table, rows)
            rows.clear()
        for step in self._after:
            step(self.conn)


class Projection:
    """Base projection. Subclasses name their tables and dispatch on event type in `apply`.

    `apply(event, position, batch)` must depend only on the events, never on the wall clock,
    so that a rebuild gives exactly the rows the live projection wrote.
    """

    name: ClassVar[str]
    tables: ClassVar[tuple[Table, ...]]
    #: The event classes (with their subclasses) whose events can change this register; the runner decodes only
    #: their events (projections.log_slice). None: every event (the audit log). tests/*/test_projection_topics.py
    #: check that no other event changes the register, and that one rebuilt from these alone is the live one.
    handles: ClassVar[tuple[type, ...] | None] = None
    #: The one kind of aggregate whose state gives every row (keyed by it): a rebuild may then read the log
    #: aggregate by aggregate (projections.by_aggregate). None: rows follow the log's order (the audit log).
    aggregate: ClassVar[type[Aggregate] | None] = None
    #: Whether it reads the personal fields an event stores sealed (application.infrastructure.personal). A
    #: read for projections that none of them do decodes events without opening the seals (the audit log).
    personal: ClassVar[bool] = True
    #: Whether it reads only what every event's header holds: topic, aggregate, version, time and metadata. A
    #: read for projections that all do gives them `projections.log_slice.Header`s, not decoded events.
    headers: ClassVar[bool] = False

    def topics(self) -> frozenset[str] | None:
        """The stored topics of the events this projection reads (None: all of them)."""
        return None if self.handles is None else topics_of(self.handles)

    def bind(self, app: Any) -> None:
        """Called once by the ReadSide: projections that need aggregate state keep the application."""
        self.app = app

    def keys(self, event: DomainEventProtocol[Any]) -> list[str]:
        """Keys of versioned rows this event may touch (read ahead once per batch)."""
        return [str(event.originator_id)]

    def preload(self, events: list[tuple[DomainEventProtocol[Any], int]], batch: Batch) -> None:
        """Read the current rows a batch will touch, in one query per table."""
        keys = [k for event, _ in events for k in self.keys(event)]
        for table in self.tables:
            if "key" in table.info:
                batch.versioned(table).preload(keys)

    def apply(self, event: DomainEventProtocol[Any], position: int, batch: Batch) -> None:
        """Change the rows for one event (default: ignore it)."""

    def forget(self) -> None:
        """Drop the aggregates kept in memory (a rebuild is done with them; they reload when needed)."""
        cache = getattr(self, "cache", None)
        if cache is not None:
            cache.forget()


def topics_of(classes: tuple[type, ...]) -> frozenset[str]:
    """The stored topic of each class and of each of its subclasses (every version keeps its topic). A base
    that only inherits its parent's `TOPIC` is never stored under a topic of its own: skipped."""
    found: set[str] = set()
    pending = list(classes)
    while pending:
        cls = pending.pop()
        own = cls.__dict__.get("TOPIC")
        if own is not None or "TOPIC" not in dir(cls):
            found.add(own or get_topic(cls))
        pending.extend(cls.__subclasses__())
    return frozenset(found)
