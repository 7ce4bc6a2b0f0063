"""The log aggregate by aggregate, for a rebuild (projections.by_aggregate): each aggregate's whole history
in version order, one aggregate after another, up to a position of the log. Mixed into the recorders
(application.infrastructure.recorders)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from uuid import UUID

from eventsourcing.persistence import Notification
from eventsourcing.postgres import PostgresApplicationRecorder
from eventsourcing.sqlite import SQLiteApplicationRecorder
from psycopg.sql import SQL, Identifier

from application.infrastructure.keys import KEYS_TABLE


def _stored_id(originator_id: Any) -> Any:
    """An originator id as the SQLite recorder stores it (a UUID's hex)."""
    return originator_id.hex if isinstance(originator_id, UUID) else originator_id


class SQLiteAggregateOrder(SQLiteApplicationRecorder):
    def select_keys(self, subjects: Sequence[str]) -> dict[str, bytes | None]:
        """Many subjects' keys in one query (application.infrastructure.keys.KeyRing.prefetch): those with a
        row, their key or None once shredded."""
        found: dict[str, bytes | None] = {}
        for start in range(0, len(subjects), 500):
            chunk = list(subjects[start : start + 500])
            marks = ", ".join("?" for _ in chunk)
            with self.datastore.transaction(commit=False) as c:
                c.execute(f"SELECT subject, key FROM {KEYS_TABLE} WHERE subject IN ({marks})", chunk)
                found.update((r[0], None if r[1] is None else bytes(r[1])) for r in c.fetchall())
        return found

    def stored_topics(self) -> set[str]:
        """Every topic the log holds (one scan)."""
        with self.datastore.transaction(commit=False) as c:
            c.execute(f"SELECT DISTINCT topic FROM {self.events_table_name}")
            return {r[0] for r in c.fetchall()}

    def count_up_to(self, position: int) -> int:
        """How many events the log holds at or before `position`."""
        with self.datastore.transaction(commit=False) as c:
            c.execute(f"SELECT count(*) FROM {self.events_table_name} WHERE rowid <= ?", (position,))
            return int(c.fetchone()[0])

    def select_by_aggregate(
        self, topics: Sequence[str], up_to: int, after: tuple[Any, int] | None, limit: int
    ) -> list[Notification]:
        """The events of `topics` at or before position `up_to`, aggregate by aggregate (each in version
        order) after the event `after` (originator id, version): a rebuild reads an aggregate's whole history
        at once, so it never holds more than a batch of aggregates (projections.by_aggregate)."""
        marks = ", ".join("?" for _ in topics)
        since = "AND (originator_id, originator_version) > (?, ?) " if after is not None else ""
        with self.datastore.transaction(commit=False) as c:
            c.execute(
                f"SELECT rowid, originator_id, originator_version, topic, state FROM {self.events_table_name} "
                f"WHERE rowid <= ? AND topic IN ({marks}) {since}ORDER BY originator_id, originator_version LIMIT ?",
                (up_to, *topics, *((_stored_id(after[0]), after[1]) if after is not None else ()), limit),
            )
            return [
                Notification(
                    id=r[0],
                    originator_id=self.convert_originator_id(r[1]),
                    originator_version=r[2],
                    topic=r[3],
                    state=r[4],
                )
                for r in c.fetchall()
            ]


class PostgresAggregateOrder(PostgresApplicationRecorder):
    keys_table: Identifier

    def select_keys(self, subjects: Sequence[str]) -> dict[str, bytes | None]:
        """Many subjects' keys in one query (see the SQLite recorder)."""
        with self.datastore.transaction(commit=False) as curs:
            curs.execute(
                SQL("SELECT subject, key FROM {} WHERE subject = ANY(%s)").format(self.keys_table), (list(subjects),)
            )
            return {r["subject"]: None if r["key"] is None else bytes(r["key"]) for r in curs.fetchall()}

    def stored_topics(self) -> set[str]:
        """Every topic the log holds (one scan)."""
        events = Identifier(self.datastore.schema or "public", self.events_table_name)
        with self.datastore.transaction(commit=False) as curs:
            curs.execute(SQL("SELECT DISTINCT topic FROM {}").format(events))
            return {r["topic"] for r in curs.fetchall()}

    def count_up_to(self, position: int) -> int:
        """How many events the log holds at or before `position`."""
        events = Identifier(self.datastore.schema or "public", self.events_table_name)
        with self.datastore.transaction(commit=False) as curs:
            curs.execute(SQL("SELECT count(*) AS n FROM {} WHERE notification_id <= %s").format(events), (position,))
            row = curs.fetchone()
        return int(row["n"]) if row else 0

    def select_by_aggregate(
        self, topics: Sequence[str], up_to: int, after: tuple[Any, int] | None, limit: int
    ) -> list[Notification]:
        """The events of `topics` at or before position `up_to`, aggregate by aggregate (see the SQLite
        recorder): the primary key's order, read by its index."""
        events = Identifier(self.datastore.schema or "public", self.events_table_name)
        since = SQL("AND (originator_id, originator_version) > (%s, %s) " if after is not None else "")
        with self.datastore.transaction(commit=False) as curs:
            curs.execute(
                SQL(
                    "SELECT notification_id, originator_id, originator_version, topic, state FROM {} "
                    "WHERE notification_id <= %s AND topic = ANY(%s) {}"
                    "ORDER BY originator_id, originator_version LIMIT %s"
                ).format(events, since),
                (up_to, list(topics), *(after if after is not None else ()), limit),
            )
            return [
                Notification(
                    id=r["notification_id"],
                    originator_id=r["originator_id"],
                    originator_version=r["originator_version"],
                    topic=r["topic"],
                    state=bytes(r["state"]),
                )
                for r in curs.fetchall()
            ]
