"""The read-side database: an SQLAlchemy engine and the shared metadata."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

import json

from sqlalchemy import JSON, Connection, MetaData, Table, create_engine, event
from sqlalchemy.engine import Engine

from application.settings import Settings

metadata = MetaData()


def create_read_engine(settings: Settings) -> Engine:
    """The read side's engine: a sibling SQLite file, or the same PostgreSQL database."""
    url = settings.read_url
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})

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

        return engine
    return create_engine(url, pool_size=10, max_overflow=10, pool_pre_ping=True)


def writer(engine: Engine) -> Engine:
    """The engine projections write through (on SQLite, transactions that lock at BEGIN)."""
    return engine.execution_options(immediate=True)


def create_tables(engine: Engine) -> None:
    """Create every read-side table that does not exist yet."""
    # Import the modules that define tables, so they are registered on `metadata`.
    from projections import registry  # noqa: F401

    metadata.create_all(engine)


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
            copy.write_row([
                json.dumps(row.get(n), ensure_ascii=False) if j and row.get(n) is not None else row.get(n)
                for n, j in zip(names, is_json)
            ])


def utc(moment: datetime | None) -> datetime | None:
    """A moment as naive UTC, the one form stored on both databases."""
    if moment is None:
        return None
    if moment.tzinfo is not None:
        moment = moment.astimezone(timezone.utc).replace(tzinfo=None)
    return moment


def aware(moment: datetime | None) -> datetime | None:
    """A stored (naive UTC) moment as an aware datetime."""
    if moment is None:
        return None
    return moment.replace(tzinfo=timezone.utc) if moment.tzinfo is None else moment.astimezone(timezone.utc)
