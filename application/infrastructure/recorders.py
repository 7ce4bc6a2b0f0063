"""Event recorders that also keep the command log, in the same transaction as the events.

The command log makes commands idempotent: each command's id (the `Idempotency-Key`, or a
generated one) is unique, and its row remembers the answer the command gave. A retried
command finds the row and gets the first answer; two racing copies of one command collide on
the primary key, and the loser's events are rolled back with its command row.

The product's own tables (command log, hash chain, personal-data keys) are created here, as the library
creates its event tables, so a process starts on an empty database. These statements are those of the
first migration (projections/migrations/store/versions/s0001_baseline.py): never change them; a change to
one of these tables is a new revision there, applied by `inscribe db upgrade`.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from typing import Any

from eventsourcing.persistence import StoredEvent
from eventsourcing.postgres import PostgresApplicationRecorder, PostgresDatastore
from eventsourcing.sqlite import SQLiteApplicationRecorder, SQLiteCursor
from psycopg import Cursor
from psycopg.rows import DictRow
from psycopg.sql import SQL, Identifier

from application.infrastructure.aggregate_order import PostgresAggregateOrder, SQLiteAggregateOrder
from application.infrastructure.chain import GENESIS, Link, links_for
from application.infrastructure.keys import KEYS_TABLE

#: One row per data subject (a customer): its AES key, NULL once shredded (SPEC §9, PIPL).


@dataclass(frozen=True)
class CommandRecord:
    """What a command answered: the aggregate, its new version and the log position."""

    command_id: str
    fingerprint: str
    aggregate_id: str
    version: int
    position: int = 0

    def to_json(self) -> str:
        return json.dumps(asdict(self))


def _last(ids: Sequence[int] | None) -> int:
    return max(ids) if ids else 0


class SQLiteCommandRecorder(SQLiteAggregateOrder, SQLiteApplicationRecorder):
    """SQLite application recorder with the command log and the hash chain."""

    commands_table = "inscribe_commands"
    chain_table = "inscribe_event_chain"

    def construct_create_table_statements(self) -> list[str]:
        return [
            *super().construct_create_table_statements(),
            (
                f"CREATE TABLE IF NOT EXISTS {self.commands_table} ("
                "command_id TEXT PRIMARY KEY, fingerprint TEXT NOT NULL, aggregate_id TEXT NOT NULL, "
                "version INTEGER NOT NULL, position INTEGER NOT NULL)"
            ),
            (
                f"CREATE TABLE IF NOT EXISTS {self.chain_table} ("
                "position INTEGER PRIMARY KEY, content TEXT NOT NULL, hash TEXT NOT NULL, kind TEXT NOT NULL)"
            ),
            f"CREATE INDEX IF NOT EXISTS ix_{self.chain_table}_content ON {self.chain_table} (content)",
            (
                f"CREATE TABLE IF NOT EXISTS {KEYS_TABLE} ("
                "subject TEXT PRIMARY KEY, key BLOB, created_at TEXT NOT NULL, shredded_at TEXT)"
            ),
        ]

    def _insert_events(
        self, c: SQLiteCursor, stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> Sequence[int] | None:
        ids = super()._insert_events(c, stored_events, **kwargs)
        if stored_events and ids:
            c.execute(f"SELECT hash FROM {self.chain_table} ORDER BY position DESC LIMIT 1")
            row = c.fetchone()
            links = links_for(row[0] if row else GENESIS, _rows(ids, stored_events))
            c.executemany(
                f"INSERT INTO {self.chain_table} VALUES (?, ?, ?, 'written')",
                [(link.position, link.content, link.hash) for link in links],
            )
        if stored_events and kwargs.get("shred"):  # the key goes with the event that says so, or not at all
            c.executemany(
                f"UPDATE {KEYS_TABLE} SET key = NULL, shredded_at = ? WHERE subject = ?",
                [(_now(), subject) for subject in kwargs["shred"]],
            )
        command: CommandRecord | None = kwargs.get("command")
        if command is not None and stored_events:  # a command that records nothing leaves no row
            c.execute(
                f"INSERT INTO {self.commands_table} VALUES (?, ?, ?, ?, ?)",
                (command.command_id, command.fingerprint, command.aggregate_id, command.version, _last(ids)),
            )
        return ids

    def select_command(self, command_id: str) -> CommandRecord | None:
        """The recorded answer of a command, if it was recorded."""
        with self.datastore.transaction(commit=False) as c:
            c.execute(
                f"SELECT command_id, fingerprint, aggregate_id, version, position FROM {self.commands_table} "
                "WHERE command_id = ?",
                (command_id,),
            )
            row = c.fetchone()
        return CommandRecord(*tuple(row)) if row else None

    # --- personal data keys (application.infrastructure.keys) ------------------------------------------------
    def select_key(self, subject: str) -> tuple[bool, bytes | None]:
        """(whether the subject has a row, its key or None once shredded)."""
        with self.datastore.transaction(commit=False) as c:
            c.execute(f"SELECT key FROM {KEYS_TABLE} WHERE subject = ?", (subject,))
            row = c.fetchone()
        return (False, None) if row is None else (True, None if row[0] is None else bytes(row[0]))

    def insert_key(self, subject: str, key: bytes) -> None:
        """Give the subject a key unless it has a row already (a racing insert wins: read it back)."""
        with self.datastore.transaction(commit=True) as c:
            c.execute(
                f"INSERT INTO {KEYS_TABLE} (subject, key, created_at) VALUES (?, ?, ?) "
                "ON CONFLICT (subject) DO NOTHING",
                (subject, key, _now()),
            )

    # --- the hash chain ------------------------------------------------------------------------
    def select_links(self, start: int, limit: int) -> list[Link]:
        with self.datastore.transaction(commit=False) as c:
            c.execute(
                f"SELECT position, content, hash FROM {self.chain_table} WHERE position >= ? ORDER BY position LIMIT ?",
                (start, limit),
            )
            return [Link(*tuple(r)) for r in c.fetchall()]

    def select_stored(self, start: int, limit: int) -> list[tuple[int, Any, int, str, bytes]]:
        """Stored events as they are on disk, unconverted (the verifier must read whatever is there)."""
        with self.datastore.transaction(commit=False) as c:
            c.execute(
                f"SELECT rowid, originator_id, originator_version, topic, state FROM {self.events_table_name} "
                "WHERE rowid >= ? ORDER BY rowid LIMIT ?",
                (start, limit),
            )
            return [(r[0], r[1], r[2], r[3], r[4]) for r in c.fetchall()]

    def chain_head(self) -> tuple[Link | None, int]:
        """The last link and the number of links."""
        with self.datastore.transaction(commit=False) as c:
            c.execute(f"SELECT position, content, hash FROM {self.chain_table} ORDER BY position DESC LIMIT 1")
            row = c.fetchone()
            c.execute(f"SELECT count(*) FROM {self.chain_table}")
            count = c.fetchone()[0]
        return (Link(*tuple(row)) if row else None), count

    def content_owner(self, content: str) -> int | None:
        with self.datastore.transaction(commit=False) as c:
            c.execute(f"SELECT position FROM {self.chain_table} WHERE content = ? LIMIT 1", (content,))
            row = c.fetchone()
        return row[0] if row else None

    def backfill_chain(self) -> int:
        """Link events written before the chain existed (recorded as `backfilled`); return how many.

        Only a log with no link at all is backfilled: once the chain exists every event is linked in
        its own transaction, so an unlinked event is one written behind the application's back.
        """
        if self.chain_head()[0] is not None:
            return 0
        done = 0
        while True:
            with self.datastore.transaction(commit=True) as c:
                c.execute(f"SELECT hash, position FROM {self.chain_table} ORDER BY position DESC LIMIT 1")
                row = c.fetchone()
                previous, after = (row[0], row[1]) if row else (GENESIS, 0)
                c.execute(
                    f"SELECT rowid, originator_id, originator_version, topic, state FROM "
                    f"{self.events_table_name} WHERE rowid > ? ORDER BY rowid LIMIT 1000",
                    (after,),
                )
                batch = [(r[0], r[1], r[2], r[3], r[4]) for r in c.fetchall()]
                if not batch:
                    return done
                links = links_for(previous, batch)
                c.executemany(
                    f"INSERT INTO {self.chain_table} VALUES (?, ?, ?, 'backfilled')",
                    [(link.position, link.content, link.hash) for link in links],
                )
                done += len(links)


class PostgresCommandRecorder(PostgresAggregateOrder, PostgresApplicationRecorder):
    """PostgreSQL application recorder with the command log."""

    def __init__(self, datastore: PostgresDatastore, *, events_table_name: str = "stored_events") -> None:
        super().__init__(datastore, events_table_name=events_table_name)
        self.commands_table = Identifier(datastore.schema or "public", "inscribe_commands")
        self.chain_table = Identifier(datastore.schema or "public", "inscribe_event_chain")
        self.keys_table = Identifier(datastore.schema or "public", KEYS_TABLE)
        self.sql_create_statements.append(
            SQL(
                "CREATE TABLE IF NOT EXISTS {} (subject text PRIMARY KEY, key bytea, "
                "created_at timestamptz NOT NULL, shredded_at timestamptz)"
            ).format(self.keys_table)
        )
        self.sql_create_statements.append(
            SQL(
                "CREATE TABLE IF NOT EXISTS {} (position bigint PRIMARY KEY, content text NOT NULL, "
                "hash text NOT NULL, kind text NOT NULL)"
            ).format(self.chain_table)
        )
        self.sql_create_statements.append(
            SQL("CREATE INDEX IF NOT EXISTS inscribe_event_chain_content ON {} (content)").format(self.chain_table)
        )
        self.sql_create_statements.append(
            SQL(
                "CREATE TABLE IF NOT EXISTS {} (command_id text PRIMARY KEY, fingerprint text NOT NULL, "
                "aggregate_id text NOT NULL, version bigint NOT NULL, position bigint NOT NULL)"
            ).format(self.commands_table)
        )

    def _fetch_ids_after_insert_events(
        self, curs: Cursor[DictRow], stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> Sequence[int] | None:
        ids = super()._fetch_ids_after_insert_events(curs, stored_events, **kwargs)
        if stored_events and ids:
            # The events table is locked (EXCLUSIVE) for this transaction: the chain grows in order.
            curs.execute(SQL("SELECT hash FROM {} ORDER BY position DESC LIMIT 1").format(self.chain_table))
            row = curs.fetchone()
            links = links_for(row["hash"] if row else GENESIS, _rows(ids, stored_events))
            curs.executemany(
                SQL("INSERT INTO {} VALUES (%s, %s, %s, 'written')").format(self.chain_table),
                [(link.position, link.content, link.hash) for link in links],
            )
        if stored_events and kwargs.get("shred"):  # the key goes with the event that says so, or not at all
            curs.executemany(
                SQL("UPDATE {} SET key = NULL, shredded_at = now() WHERE subject = %s").format(self.keys_table),
                [(subject,) for subject in kwargs["shred"]],
            )
        command: CommandRecord | None = kwargs.get("command")
        if command is not None:
            curs.execute(
                SQL("INSERT INTO {} VALUES (%s, %s, %s, %s, %s)").format(self.commands_table),
                (command.command_id, command.fingerprint, command.aggregate_id, command.version, _last(ids)),
            )
        return ids

    def select_command(self, command_id: str) -> CommandRecord | None:
        """The recorded answer of a command, if it was recorded."""
        with self.datastore.transaction(commit=False) as curs:
            curs.execute(
                SQL(
                    "SELECT command_id, fingerprint, aggregate_id, version, position FROM {} WHERE command_id = %s"
                ).format(self.commands_table),
                (command_id,),
            )
            row = curs.fetchone()
        if row is None:
            return None
        return CommandRecord(
            row["command_id"], row["fingerprint"], row["aggregate_id"], row["version"], row["position"]
        )

    # --- personal data keys (application.infrastructure.keys) ------------------------------------------------
    def select_key(self, subject: str) -> tuple[bool, bytes | None]:
        """(whether the subject has a row, its key or None once shredded)."""
        with self.datastore.transaction(commit=False) as curs:
            curs.execute(SQL("SELECT key FROM {} WHERE subject = %s").format(self.keys_table), (subject,))
            row = curs.fetchone()
        return (False, None) if row is None else (True, None if row["key"] is None else bytes(row["key"]))

    def insert_key(self, subject: str, key: bytes) -> None:
        """Give the subject a key unless it has a row already (a racing insert wins: read it back)."""
        with self.datastore.transaction(commit=True) as curs:
            curs.execute(
                SQL(
                    "INSERT INTO {} (subject, key, created_at) VALUES (%s, %s, now()) ON CONFLICT (subject) DO NOTHING"
                ).format(self.keys_table),
                (subject, key),
            )

    # --- the hash chain ------------------------------------------------------------------------
    def select_links(self, start: int, limit: int) -> list[Link]:
        with self.datastore.transaction(commit=False) as curs:
            curs.execute(
                SQL("SELECT position, content, hash FROM {} WHERE position >= %s ORDER BY position LIMIT %s").format(
                    self.chain_table
                ),
                (start, limit),
            )
            return [Link(r["position"], r["content"], r["hash"]) for r in curs.fetchall()]

    def select_stored(self, start: int, limit: int) -> list[tuple[int, Any, int, str, bytes]]:
        """Stored events as they are on disk, unconverted (the verifier must read whatever is there)."""
        events = Identifier(self.datastore.schema or "public", self.events_table_name)
        with self.datastore.transaction(commit=False) as curs:
            curs.execute(
                SQL(
                    "SELECT notification_id, originator_id, originator_version, topic, state FROM {} "
                    "WHERE notification_id >= %s ORDER BY notification_id LIMIT %s"
                ).format(events),
                (start, limit),
            )
            return [
                (r["notification_id"], r["originator_id"], r["originator_version"], r["topic"], r["state"])
                for r in curs.fetchall()
            ]

    def chain_head(self) -> tuple[Link | None, int]:
        """The last link and the number of links."""
        with self.datastore.transaction(commit=False) as curs:
            curs.execute(
                SQL("SELECT position, content, hash FROM {} ORDER BY position DESC LIMIT 1").format(self.chain_table)
            )
            row = curs.fetchone()
            curs.execute(SQL("SELECT count(*) AS n FROM {}").format(self.chain_table))
            counted = curs.fetchone()
        link = Link(row["position"], row["content"], row["hash"]) if row else None
        return link, int(counted["n"]) if counted else 0

    def content_owner(self, content: str) -> int | None:
        with self.datastore.transaction(commit=False) as curs:
            curs.execute(SQL("SELECT position FROM {} WHERE content = %s LIMIT 1").format(self.chain_table), (content,))
            row = curs.fetchone()
        return row["position"] if row else None

    def backfill_chain(self) -> int:
        """Link events written before the chain existed (recorded as `backfilled`); return how many.

        Only a log with no link at all is backfilled (see the SQLite recorder).
        """
        if self.chain_head()[0] is not None:
            return 0
        events = Identifier(self.datastore.schema or "public", self.events_table_name)
        done = 0
        while True:
            with self.datastore.transaction(commit=True) as curs:
                self._lock_table(curs)
                curs.execute(
                    SQL("SELECT hash, position FROM {} ORDER BY position DESC LIMIT 1").format(self.chain_table)
                )
                row = curs.fetchone()
                previous, after = (row["hash"], row["position"]) if row else (GENESIS, 0)
                curs.execute(
                    SQL(
                        "SELECT notification_id, originator_id, originator_version, topic, state FROM {} "
                        "WHERE notification_id > %s ORDER BY notification_id LIMIT 1000"
                    ).format(events),
                    (after,),
                )
                batch = [
                    (r["notification_id"], r["originator_id"], r["originator_version"], r["topic"], bytes(r["state"]))
                    for r in curs.fetchall()
                ]
                if not batch:
                    return done
                links = links_for(previous, batch)
                curs.executemany(
                    SQL("INSERT INTO {} VALUES (%s, %s, %s, 'backfilled')").format(self.chain_table),
                    [(link.position, link.content, link.hash) for link in links],
                )
                done += len(links)


def _now() -> str:
    return datetime.now(UTC).isoformat()


def _rows(ids: Sequence[int], stored_events: Sequence[StoredEvent]) -> list[tuple[int, Any, int, str, bytes]]:
    return [(i, e.originator_id, e.originator_version, e.topic, e.state) for i, e in zip(ids, stored_events)]
