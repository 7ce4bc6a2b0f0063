"""Blue/green rebuild (SPEC §8 Faults): registers are built again beside the live ones and switched in
one transaction, so readers never see a partial register and a failed or killed rebuild leaves the old
register serving.

The projections being rebuilt write, unchanged, into a shadow: on PostgreSQL a schema of its own (the
rebuild's connections put it first on their `search_path`), on SQLite a sibling file. Once the shadow
has reached the head of the log, one transaction of the live database takes the projections' positions
(so a live runner's next batch waits, then finds its position moved and starts again from the new one),
replaces the live tables by the shadow's (PostgreSQL: `ALTER TABLE … SET SCHEMA`; SQLite: the rows copied
from the attached file) and sets the positions to the shadow's. A shadow left by a killed rebuild is
dropped by the next one.
"""

from __future__ import annotations

import fcntl
import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, Table, text
from sqlalchemy.engine import Engine

from application.infrastructure.settings import Settings
from projections.by_aggregate import unknown_topics
from projections.db import metadata
from projections.faults import clear_fault, faults_table
from projections.rebuild_workers import build_in_workers
from projections.registry import all_projections
from projections.reports.sums import SUMMARIES
from projections.shadow import build_family, connect_shadow
from projections.summaries import forget
from projections.tracking import tracking_table

if TYPE_CHECKING:
    from projections.runner import ReadSide

log = logging.getLogger(__name__)

#: The PostgreSQL advisory lock key held while a rebuild runs (projections.db.SCHEMA_LOCK is another).
REBUILD_LOCK = 0x1D5C_0003


def shadow_schema(read_side: ReadSide) -> str:
    return f"rebuild_{read_side.app.name.lower()}"


def shadow_file(engine: Engine) -> Path:
    database = engine.url.database or ""
    return Path(database + ".rebuild")


def _drop_shadow_file(path: Path) -> None:
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(str(path) + suffix).unlink(missing_ok=True)


def _drop_shadow(read_side: ReadSide) -> None:
    if read_side.engine.dialect.name == "postgresql":
        with read_side.writer.begin() as conn:
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{shadow_schema(read_side)}" CASCADE'))
    else:
        _drop_shadow_file(shadow_file(read_side.engine))


def _make_shadow(read_side: ReadSide) -> str:
    """A new, empty shadow (any left by a killed rebuild dropped): its schema (PostgreSQL) or file (SQLite)."""
    live = read_side.engine
    if live.dialect.name == "postgresql":
        schema = shadow_schema(read_side)
        with read_side.writer.begin() as conn:
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
        return schema
    path = shadow_file(live)
    _drop_shadow_file(path)
    return str(path)


def rebuild(
    read_side: ReadSide,
    names: list[str],
    progress: Callable[[int], Any] | None = None,
    *,
    workers: int = 1,
    settings: Settings | None = None,
) -> int:
    """Rebuild the named projections beside the live registers; switch them in when complete. With
    `workers` > 1 (and the `settings` the log was opened with) the families are built by that many
    processes at once (projections.rebuild_workers).

    Raises (and leaves the live registers as they were) if a projection fails during the rebuild.
    """
    tables = [t for name in names for t in read_side.projections[name].tables]
    with _only_rebuild(read_side):
        shadow_name = _make_shadow(read_side)
        engine = connect_shadow(read_side.engine.url, shadow_name)
        try:
            # No check first: on PostgreSQL the live tables are on the search path too.
            metadata.create_all(engine, tables=[tracking_table, faults_table, *tables], checkfirst=False)
            fresh = [p for p in all_projections() if p.name in names]
            shadow = read_side.beside(engine, fresh)
            by_aggregate = not unknown_topics(read_side)  # else the log's order, where such an event faults
            grouped = families(shadow, names)
            if workers > 1 and len(grouped) > 1 and settings is not None:
                applied = build_in_workers(shadow, settings, shadow_name, grouped, by_aggregate, workers, progress)
                applied += shadow.catch_up(names, progress)  # what was recorded since they finished
            else:
                applied = sum(build_family(shadow, family, by_aggregate, progress) for family in grouped)
            positions = shadow.positions(names)
            _switch(read_side, names, tables, positions)
        finally:
            engine.dispose()
            _drop_shadow(read_side)
    _analyze(read_side, tables)
    return applied


def families(read_side: ReadSide, names: list[str]) -> list[list[str]]:
    """The named projections by the topics they read: each family catches up on its own, reading only its
    topics (the audit log reads them all; the three policy registers read the same, sharing each policy)."""
    grouped: dict[frozenset[str] | None, list[str]] = {}
    for name in names:
        grouped.setdefault(read_side.projections[name].topics(), []).append(name)
    return list(grouped.values())


class RebuildRunning(Exception):
    """Another process is rebuilding: the shadow is its (one rebuild at a time)."""


@contextmanager
def _only_rebuild(read_side: ReadSide) -> Iterator[None]:
    """Hold the rebuild lock for the whole rebuild, or RebuildRunning at once: PostgreSQL, a session
    advisory lock on a connection of its own; SQLite, an exclusive lock on a file beside the shadow.
    Either is released when the process ends, even by SIGKILL."""
    if read_side.engine.dialect.name == "postgresql":
        with read_side.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            if not conn.execute(text("SELECT pg_try_advisory_lock(:key)"), {"key": REBUILD_LOCK}).scalar():
                raise RebuildRunning("another rebuild is running on this database; try again when it ends")
            try:
                yield
            finally:
                conn.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": REBUILD_LOCK})
        return
    with open(str(shadow_file(read_side.engine)) + ".lock", "w") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise RebuildRunning("another rebuild is running on this database; try again when it ends") from None
        yield


def _take_positions(read_side: ReadSide, conn: Connection, positions: dict[str, int]) -> None:
    """Set each projection's live position to the shadow's; the row lock makes a live runner's
    batch of these projections wait for this transaction, then fail its compare-and-set."""
    for name, position in positions.items():
        read_side.trackers[name].reset_in(conn)
        if position:
            conn.execute(
                tracking_table.insert().values(
                    projection=name, application_name=read_side.app.name, notification_id=position
                )
            )
        clear_fault(conn, read_side.app.name, name)
    forget(conn, SUMMARIES, list(positions))  # sums of the tables switched out


def _switch(read_side: ReadSide, names: list[str], tables: list[Table], positions: dict[str, int]) -> None:
    quote = read_side.engine.dialect.identifier_preparer.quote
    if read_side.engine.dialect.name == "postgresql":
        schema = shadow_schema(read_side)
        with read_side.writer.begin() as conn:
            _take_positions(read_side, conn, positions)
            for table in tables:
                conn.execute(text(f"DROP TABLE IF EXISTS public.{quote(table.name)} CASCADE"))
                conn.execute(text(f'ALTER TABLE "{schema}".{quote(table.name)} SET SCHEMA public'))
    else:
        with read_side.writer.connect() as conn:
            raw = conn.connection.dbapi_connection
            assert raw is not None
            raw.execute("ATTACH DATABASE ? AS shadow", (str(shadow_file(read_side.engine)),))
            try:
                with conn.begin():
                    _take_positions(read_side, conn, positions)
                    for table in tables:
                        name = quote(table.name)
                        conn.execute(text(f"DELETE FROM main.{name}"))
                        conn.execute(text(f"INSERT INTO main.{name} SELECT * FROM shadow.{name}"))
            finally:
                raw.execute("DETACH DATABASE shadow")
    read_side.forget_faults(names)
    read_side.retry_now()
    log.info("rebuilt %s and switched them in at positions %s", ", ".join(names), positions)


def _analyze(read_side: ReadSide, tables: list[Table]) -> None:
    """Have the database count the rows afresh, so queries are not planned for empty tables; on
    PostgreSQL also mark the pages all-visible (VACUUM), so a page's total counts from an index alone."""
    quote = read_side.engine.dialect.identifier_preparer.quote
    names = [quote(t.name) for t in tables]
    if read_side.engine.dialect.name == "postgresql":
        with read_side.writer.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            for name in names:
                conn.execute(text(f"VACUUM (ANALYZE) {name}"))
    else:
        with read_side.writer.begin() as conn:
            for name in names:
                conn.execute(text(f"ANALYZE {name}"))
