"""`inscribe db`: the database's schema. `upgrade` brings an empty or older database to the newest revision
(projections.migrations), under a lock, so a one-shot service can run it before the API and the worker start
(which then find nothing to do), and two copies started together run one after the other."""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

import click

if TYPE_CHECKING:  # the command line imports the application only when a command runs
    from sqlalchemy.engine import Engine

    from application.infrastructure.settings import Settings
    from projections.migrations import Part

#: The PostgreSQL advisory lock held for a whole `inscribe db upgrade` (projections.db.SCHEMA_LOCK is the
#: read side's set-up, settings.WRITE_SETUP_LOCK the event store's, rebuild.REBUILD_LOCK a rebuild's).
MIGRATION_LOCK = 0x1D5C_0004
PARTS: dict[Part, str] = {"store": "the product's own tables", "read": "the read side"}


@click.group()
def db() -> None:
    """The database's schema: its revision, and upgrading it (Alembic revisions shipped with the code)."""


@contextmanager
def migration_lock(settings: Settings) -> Iterator[None]:
    """Held while one upgrade runs; another waits for it. PostgreSQL: a session advisory lock on a connection
    of its own; SQLite: an exclusive lock on a file beside the database. Released when the process ends."""
    from sqlalchemy import text

    from projections.db import create_read_engine

    if settings.is_postgres:
        engine = create_read_engine(settings)
        try:
            with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.execute(text("SELECT pg_advisory_lock(:key)"), {"key": MIGRATION_LOCK})
                try:
                    yield
                finally:
                    conn.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": MIGRATION_LOCK})
        finally:
            engine.dispose()
        return
    path = settings.sqlite_path
    settings.eventsourcing_env()  # the directory, and the database file with mode 0600
    fd = os.open(path.with_name(path.name + ".migrate.lock"), os.O_CREAT | os.O_RDWR, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # releases the lock


def part_engine(settings: Settings, part: Part) -> Engine:
    """An engine on the database holding `part`: the event store's file or the read side's (SQLite), the one
    database (PostgreSQL)."""
    from sqlalchemy import create_engine

    from projections.db import create_read_engine, sqlite_pragmas

    if part == "read" or settings.is_postgres:
        return create_read_engine(settings)
    engine = create_engine(f"sqlite:///{settings.sqlite_path}", connect_args={"timeout": 30}, hide_parameters=True)
    sqlite_pragmas(engine)
    return engine


def upgrade_database(settings: Settings) -> dict[Part, list[str]]:
    """Create the library's event tables (the library does, as at any start), then apply the revisions each
    part lacks; return the revisions applied per part."""
    from application.app import InscribeApplication, ReadSidePorts
    from projections.db import create_tables, schema_lock
    from projections.faults import faults_table
    from projections.migrations import upgrade_on
    from projections.registry import all_projections
    from projections.tracking import tracking_table

    applied: dict[Part, list[str]] = {}
    with migration_lock(settings):
        app = InscribeApplication(settings, read_side=ReadSidePorts.none("inscribe db upgrade"))
        app.catalogue  # noqa: B018  (the shipped catalogue files not in the log yet: application.products)
        app.close()
        for part in PARTS:
            engine = part_engine(settings, part)
            try:
                with schema_lock(engine) as conn:
                    applied[part] = upgrade_on(conn, part)
                    if part == "read":  # nothing is left to create: the revisions end where the code is
                        tables = [t for p in all_projections() for t in p.tables]
                        create_tables(conn, [tracking_table, faults_table, *tables])
            finally:
                engine.dispose()
    return applied


def revisions(settings: Settings) -> dict[Part, str | None]:
    """The revision each part of the database is at (None: never migrated)."""
    from projections.migrations import current

    found: dict[Part, str | None] = {}
    for part in PARTS:
        engine = part_engine(settings, part)
        try:
            with engine.connect() as conn:
                found[part] = current(conn, part)
        finally:
            engine.dispose()
    return found


@db.command("upgrade")
def db_upgrade() -> None:
    """Bring the database to the newest revision (an empty one: every table); a no-op when it is there."""
    from application.infrastructure.settings import Settings
    from projections.migrations import head

    settings = Settings()
    settings.probe_database()
    applied = upgrade_database(settings)
    for part, done in applied.items():
        now = f"applied {', '.join(done)}" if done else "nothing to do"
        click.echo(f"{PARTS[part]}: at {head(part)} ({now})")


@db.command("current")
def db_current() -> None:
    """The revision each part of the database is at, and the newest this code knows."""
    from application.infrastructure.settings import Settings
    from projections.migrations import head

    settings = Settings()
    settings.probe_database()
    for part, at in revisions(settings).items():
        click.echo(f"{PARTS[part]}: {at or 'none (never migrated)'} (newest {head(part)})")
