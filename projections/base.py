"""A projection turns events into register rows; a batch is one transaction of them."""

from __future__ import annotations

from typing import Any, ClassVar

from eventsourcing.domain import DomainEventProtocol
from sqlalchemy import Connection, Table

from projections.db import bulk_insert
from projections.versioned import VersionedWriter


class Batch:
    """The rows one batch of events writes, all in one transaction with the projection's position."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self._writers: dict[str, VersionedWriter] = {}
        self._appends: dict[str, tuple[Table, list[dict[str, Any]]]] = {}

    def versioned(self, table: Table) -> VersionedWriter:
        """The buffered writer of a versioned register."""
        writer = self._writers.get(table.name)
        if writer is None:
            writer = self._writers[table.name] = VersionedWriter(self.conn, table)
        return writer

    def append(self, table: Table, row: dict[str, Any]) -> None:
        """Buffer a row for an append-only table (rows are never changed afterwards)."""
        self._appends.setdefault(table.name, (table, []))[1].append(row)

    def flush(self) -> None:
        for writer in self._writers.values():
            writer.flush()
        for table, rows in self._appends.values():
            bulk_insert(self.conn, table, rows)
            rows.clear()


class Projection:
    """Base projection. Subclasses name their tables and dispatch on event type in `apply`.

    `apply(event, position, batch)` must depend only on the events, never on the wall clock,
    so that a rebuild gives exactly the rows the live projection wrote.
    """

    name: ClassVar[str]
    tables: ClassVar[tuple[Table, ...]]

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
