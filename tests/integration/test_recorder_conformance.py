"""Our recorders pass the eventsourcing library's own recorder test cases, on SQLite and PostgreSQL.

The library's cases (`eventsourcing.tests.persistence`) define what an application recorder and
a tracking recorder must do: contiguous notification ids, conflicts raised as IntegrityError,
no interleaving of concurrent inserts, tracking positions that only move forward. Each backend
gets a fresh database: a file in a temporary directory, or a uniquely named PostgreSQL database
created and dropped per test. Without PostgreSQL the PostgreSQL cases skip (fail under CI).

On top of the library's cases, `CommandLogCases` checks what our recorders add: the command-log
row commits or rolls back together with the command's events.
"""

from __future__ import annotations

import tempfile
import threading
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any
from unittest import TestCase
from urllib.parse import unquote, urlsplit
from uuid import uuid4

from eventsourcing.persistence import IntegrityError, StoredEvent
from eventsourcing.postgres import PostgresDatastore
from eventsourcing.sqlite import SQLiteDatastore
from eventsourcing.tests.persistence import (
    ApplicationRecorderTestCase,
    NonInterleavingNotificationIDsBaseCase,
    TrackingRecorderTestCase,
)
from sqlalchemy.engine import Engine

from application.infrastructure.recorders import CommandRecord, PostgresCommandRecorder, SQLiteCommandRecorder
from application.infrastructure.settings import Settings
from projections.db import create_read_engine, writer
from projections.tracking import SQLAlchemyTrackingRecorder, tracking_table
from tests.builders.environment import drop_postgres_database, new_postgres_database, require_postgres

# --- fresh databases -----------------------------------------------------------------------


class ClosesWhatItOpened(TestCase):
    """Closes the test's datastores and engines, after the threads the test started have ended.

    The library's concurrency cases stop their reader threads without joining them; closing a
    SQLite connection under a thread that is still reading crashes the interpreter.
    """

    def setUp(self) -> None:
        super().setUp()
        self.closers: list[Callable[[], object]] = []
        self.threads_before = set(threading.enumerate())

    def tearDown(self) -> None:
        for thread in set(threading.enumerate()) - self.threads_before:
            if not thread.daemon:  # connection pools run daemon threads of their own
                thread.join(timeout=10)
        for close in reversed(self.closers):
            close()
        super().tearDown()


class FreshSQLiteFile(ClosesWhatItOpened):
    """Each test gets an empty SQLite file in its own temporary directory."""

    def setUp(self) -> None:
        super().setUp()
        tmp = tempfile.TemporaryDirectory(prefix="inscribe-conformance-")
        self.addCleanup(tmp.cleanup)  # runs after tearDown
        self.database_url = f"sqlite:///{Path(tmp.name) / 'events.db'}"


class FreshPostgresDatabase(ClosesWhatItOpened):
    """Each test gets its own uniquely named PostgreSQL database, dropped afterwards."""

    def setUp(self) -> None:
        require_postgres()
        super().setUp()
        self.database_url = new_postgres_database()
        self.addCleanup(drop_postgres_database, self.database_url)  # runs after tearDown


# --- application recorders (the event store and the command log) ---------------------------


class SQLiteRecorderFactory(FreshSQLiteFile):
    def create_recorder(self) -> SQLiteCommandRecorder:
        # As production configures it (Settings.eventsourcing_env): a file and a 30 s lock timeout.
        datastore = SQLiteDatastore(Settings(database_url=self.database_url).sqlite_path.as_posix(), lock_timeout=30)
        self.closers.append(datastore.close)
        recorder = SQLiteCommandRecorder(datastore)
        recorder.create_table()
        return recorder


class PostgresRecorderFactory(FreshPostgresDatabase):
    def create_recorder(self) -> PostgresCommandRecorder:
        # As production configures it (Settings.eventsourcing_env): pool 10 + 10, 10 s lock timeout.
        url = urlsplit(self.database_url)
        datastore = PostgresDatastore(
            dbname=url.path.lstrip("/"),
            host=url.hostname or "127.0.0.1",
            port=str(url.port or 5432),
            user=unquote(url.username or "postgres"),
            password=unquote(url.password or ""),
            pool_size=10,
            max_overflow=10,
            lock_timeout=10,
        )
        self.closers.append(datastore.close)
        recorder = PostgresCommandRecorder(datastore)
        recorder.create_table()
        return recorder


if TYPE_CHECKING:
    _Mixin = TestCase
else:
    _Mixin = object


class CommandLogCases(_Mixin):
    """The command-log row is written in the same transaction as the command's events (a mixin)."""

    def create_recorder(self) -> SQLiteCommandRecorder | PostgresCommandRecorder:
        raise NotImplementedError

    @staticmethod
    def events(originator_id: Any, *versions: int) -> list[StoredEvent]:
        return [StoredEvent(originator_id, v, "inscribe.test.Happened.v1", b"{}") for v in versions]

    def test_a_command_row_remembers_the_position_of_its_last_event(self) -> None:
        recorder = self.create_recorder()
        aggregate_id = uuid4()

        ids = recorder.insert_events(
            self.events(aggregate_id, 1, 2), command=CommandRecord("cmd-1", "fp", str(aggregate_id), 2)
        )

        self.assertEqual(ids, [1, 2])
        self.assertEqual(recorder.select_command("cmd-1"), CommandRecord("cmd-1", "fp", str(aggregate_id), 2, 2))
        self.assertIsNone(recorder.select_command("cmd-unknown"))

    def test_a_reused_command_id_rolls_back_the_events_of_the_second_command(self) -> None:
        recorder = self.create_recorder()
        first, second = uuid4(), uuid4()
        recorder.insert_events(self.events(first, 1), command=CommandRecord("cmd-1", "fp", str(first), 1))

        with self.assertRaises(IntegrityError):
            recorder.insert_events(self.events(second, 1), command=CommandRecord("cmd-1", "fp", str(second), 1))

        self.assertEqual(recorder.select_events(second), [])
        self.assertEqual(recorder.max_notification_id(), 1)
        self.assertEqual(recorder.select_command("cmd-1"), CommandRecord("cmd-1", "fp", str(first), 1, 1))

    def test_conflicting_events_roll_back_the_command_row(self) -> None:
        recorder = self.create_recorder()
        aggregate_id = uuid4()
        recorder.insert_events(self.events(aggregate_id, 1), command=CommandRecord("cmd-1", "", str(aggregate_id), 1))

        with self.assertRaises(IntegrityError):
            recorder.insert_events(
                self.events(aggregate_id, 1), command=CommandRecord("cmd-2", "", str(aggregate_id), 1)
            )

        self.assertIsNone(recorder.select_command("cmd-2"))
        self.assertEqual(recorder.max_notification_id(), 1)


class TestSQLiteCommandRecorderIsAnApplicationRecorder(
    SQLiteRecorderFactory, ApplicationRecorderTestCase[SQLiteCommandRecorder]
):
    pass


class TestSQLiteCommandRecorderKeepsTheCommandLog(SQLiteRecorderFactory, CommandLogCases):
    pass


class TestSQLiteCommandRecorderDoesNotInterleaveNotificationIds(
    SQLiteRecorderFactory, NonInterleavingNotificationIDsBaseCase
):
    pass


class TestPostgresCommandRecorderIsAnApplicationRecorder(
    PostgresRecorderFactory, ApplicationRecorderTestCase[PostgresCommandRecorder]
):
    def test_insert_subscribe(self) -> None:
        # Optional in the library, run by its own PostgreSQL tests: the read side relies on LISTEN/NOTIFY.
        self.optional_test_insert_subscribe()


class TestPostgresCommandRecorderKeepsTheCommandLog(PostgresRecorderFactory, CommandLogCases):
    pass


class TestPostgresCommandRecorderDoesNotInterleaveNotificationIds(
    PostgresRecorderFactory, NonInterleavingNotificationIDsBaseCase
):
    pass


# --- tracking recorders (projection positions on the read side) ----------------------------


class TrackingRecorderFactory(ClosesWhatItOpened):
    database_url: str

    def create_recorder(self) -> SQLAlchemyTrackingRecorder:
        # The engine the read side uses: a sibling SQLite file, or postgresql+psycopg://… .
        engine: Engine = create_read_engine(Settings(database_url=self.database_url))
        self.closers.append(engine.dispose)
        tracking_table.create(engine, checkfirst=True)
        return SQLAlchemyTrackingRecorder(writer(engine), "conformance")


class TestSQLAlchemyTrackingRecorderOnSQLite(FreshSQLiteFile, TrackingRecorderFactory, TrackingRecorderTestCase):
    pass


class TestSQLAlchemyTrackingRecorderOnPostgres(
    FreshPostgresDatabase, TrackingRecorderFactory, TrackingRecorderTestCase
):
    pass


# The base cases are abstract; keep pytest from collecting them under their own names here.
del ApplicationRecorderTestCase, NonInterleavingNotificationIDsBaseCase, TrackingRecorderTestCase
