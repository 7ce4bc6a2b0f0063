"""The read-side database: an SQLAlchemy engine and the shared metadata."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, Column, Connection, MetaData, String, Table, create_engine, event, select, text
from sqlalchemy.engine import Engine
from sqlalchemy.schema import CreateIndex, CreateTable

from application.infrastructure.settings import Settings
from projections.migrations import upgrade_on

metadata = MetaData()


def create_read_engine(settings: Settings) -> Engine:
    """The read side's engine: a sibling SQLite file, or the same PostgreSQL database."""
    url = settings.read_url
    if url.startswith("sqlite"):
        settings.private_read_file()  # mode 0600 (application.infrastructure.settings.private_file)
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30}, hide_parameters=True)
        sqlite_pragmas(engine)
        return engine
    # hide_parameters: an error's text (logged, kept in a projection fault) never carries a row's personal data.
    return create_engine(url, hide_parameters=True, **settings.read_engine_options())


def create_replica_engine(settings: Settings) -> Engine | None:
    """The engine of INSCRIBE_READ_DATABASE_URL, where queries read (None: they read the read side)."""
    url = settings.replica_url
    if url is None:
        return None
    if url.startswith("sqlite"):  # a copy kept by the operator's replication, never written here
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30}, hide_parameters=True)
        sqlite_pragmas(engine)
        return engine
    return create_engine(url, hide_parameters=True, **settings.read_engine_options())


def sqlite_pragmas(engine: Engine) -> None:
    """WAL and a busy timeout on every connection of an SQLite read-side engine; writers lock at BEGIN."""

    @event.listens_for(engine, "connect")
    def _pragmas(dbapi_connection: Any, _: Any) -> None:
        # WAL lets queries read while a projection writes; autocommit off, we BEGIN ourselves.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(conn: Any) -> None:
        # Writers take the write lock at the start, so two writers queue instead of deadlocking.
        immediate = conn.get_execution_options().get("immediate")
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def writer(engine: Engine) -> Engine:
    """The engine projections write through (on SQLite, transactions that lock at BEGIN)."""
    return engine.execution_options(immediate=True)


#: The PostgreSQL advisory lock that serialises schema set-up between processes started together.
SCHEMA_LOCK = 0x1D5C_0001


@contextmanager
def schema_lock(engine: Engine) -> Iterator[Connection]:
    """A connection holding the schema lock (PostgreSQL: a transaction-level advisory lock; SQLite:
    the write lock), so two processes never create or replace the same tables at once."""
    with engine.execution_options(immediate=True).begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": SCHEMA_LOCK})
        yield conn


def create_tables(conn: Connection, tables: Sequence[Table]) -> None:
    """Bring the read side to the newest revision (projections.migrations: a no-op once `inscribe db upgrade`
    ran, and what lets a process start on an empty database), then create those of `tables` no revision
    made (a projection only a test declares), on a connection holding the schema lock. The caller names
    them (the runner: its projections', positions and faults), so this module needs to know no register."""
    upgrade_on(conn, "read")
    metadata.create_all(conn, tables=[schema_table, *tables])


schema_table = Table(
    "projection_schema",
    metadata,
    Column("projection", String(100), primary_key=True),
    Column("fingerprint", String(64), nullable=False),
)


def fingerprint(engine: Engine, tables: Sequence[Table]) -> str:
    """A digest of the DDL of a projection's tables: it changes whenever a column or index does."""
    ddl = "".join(
        str(CreateTable(t).compile(dialect=engine.dialect))
        + "".join(
            str(CreateIndex(i).compile(dialect=engine.dialect)) for i in sorted(t.indexes, key=lambda i: i.name or "")
        )
        for t in tables
    )
    return hashlib.sha256(ddl.encode()).hexdigest()


def renew_changed_schemas(conn: Connection, projections: dict[str, Sequence[Table]]) -> list[str]:
    """Drop and recreate the tables of every projection whose definition changed (or is new to this
    database) and return their names: their positions must be reset so they rebuild from the log.
    Run it on a connection holding the schema lock."""
    changed = []
    stored = dict(conn.execute(select(schema_table.c.projection, schema_table.c.fingerprint)).all())
    for name, tables in projections.items():
        digest = fingerprint(conn.engine, tables)
        if stored.get(name) == digest:
            continue
        if name in stored:  # a changed definition: the old rows cannot stay
            metadata.drop_all(conn, tables=list(tables))
            metadata.create_all(conn, tables=list(tables))
        conn.execute(schema_table.delete().where(schema_table.c.projection == name))
        conn.execute(schema_table.insert().values(projection=name, fingerprint=digest))
        changed.append(name)
    return [n for n in changed if n in stored]


def bulk_insert(conn: Connection, table: Table, rows: list[dict[str, Any]]) -> None:
    """Insert many rows at once: COPY on PostgreSQL, executemany on SQLite, in the caller's transaction."""
    if not rows:
        return
    if conn.dialect.name != "postgresql":
        conn.execute(table.insert(), rows)
        return
    names = [c.name for c in table.columns]
    is_json = [isinstance(c.type, JSON) for c in table.columns]
    cursor = conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
    columns = ", ".join(f'"{n}"' for n in names)
    with cursor.copy(f'COPY "{table.name}" ({columns}) FROM STDIN') as copy:
        for row in rows:
            copy.write_row(
                [
                    json.dumps(row.get(n), ensure_ascii=False) if j and row.get(n) is not None else row.get(n)
                    for n, j in zip(names, is_json)
                ]
            )


def utc(moment: datetime | None) -> datetime | None:
    """A moment as naive UTC, the one form stored on both databases."""
    if moment is None:
        return None
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC).replace(tzinfo=None)
    return moment


def aware(moment: datetime | None) -> datetime | None:
    """A stored (naive UTC) moment as an aware datetime."""
    if moment is None:
        return None
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
