"""Event recorders that also keep the command log, in the same transaction as the events.

The command log makes commands idempotent: each command's id (the `Idempotency-Key`, or a
generated one) is unique, and its row remembers the answer the command gave. A retried
command finds the row and gets the first answer; two racing copies of one command collide on
the primary key, and the loser's events are rolled back with its command row.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from typing import Any, Sequence

from eventsourcing.persistence import StoredEvent
from eventsourcing.postgres import PostgresApplicationRecorder, PostgresDatastore
from eventsourcing.sqlite import SQLiteApplicationRecorder, SQLiteCursor, SQLiteDatastore
from psycopg.rows import DictRow
from psycopg import Cursor
from psycopg.sql import SQL, Identifier


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


class SQLiteCommandRecorder(SQLiteApplicationRecorder):
    """SQLite application recorder with the command log."""

    commands_table = "inscribe_commands"

    def construct_create_table_statements(self) -> list[str]:
        return [
            *super().construct_create_table_statements(),
            f"CREATE TABLE IF NOT EXISTS {self.commands_table} ("
            "command_id TEXT PRIMARY KEY, fingerprint TEXT NOT NULL, aggregate_id TEXT NOT NULL, "
            "version INTEGER NOT NULL, position INTEGER NOT NULL)",
        ]

    def _insert_events(self, c: SQLiteCursor, stored_events: Sequence[StoredEvent], **kwargs: Any) -> Sequence[int] | None:
        ids = super()._insert_events(c, stored_events, **kwargs)
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


class PostgresCommandRecorder(PostgresApplicationRecorder):
    """PostgreSQL application recorder with the command log."""

    def __init__(self, datastore: PostgresDatastore, *, events_table_name: str = "stored_events") -> None:
        super().__init__(datastore, events_table_name=events_table_name)
        self.commands_table = Identifier(datastore.schema or "public", "inscribe_commands")
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
