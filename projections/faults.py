"""A projection that fails on an event is faulted: it holds back only itself (SPEC §8 Faults).

The fault is stored beside the positions, so every process (the API, `inscribe projections status`,
another worker) sees it: the position the projection stopped at, the event that fails, the error,
since when and how often it was tried. The runner retries it with a growing delay; the first batch
that succeeds clears it. Events are never skipped.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import BigInteger, Column, Connection, DateTime, Integer, String, Table, Text, and_, select

from projections.db import metadata

faults_table = Table(
    "projection_faults",
    metadata,
    Column("projection", String(100), primary_key=True),
    Column("application_name", String(100), primary_key=True),
    Column("failing_position", BigInteger, nullable=False),
    Column("error", Text, nullable=False),
    Column("since", DateTime, nullable=False),
    Column("last_attempt", DateTime, nullable=False),
    Column("attempts", Integer, nullable=False),
)

#: How much of an error message is kept (the traceback goes to the log).
ERROR_LIMIT = 2000


@dataclass(frozen=True)
class Fault:
    """Where a projection stopped and why."""

    projection: str
    failing_position: int
    error: str
    since: datetime
    last_attempt: datetime
    attempts: int


def _now() -> datetime:
    return datetime.now(UTC).replace(tzinfo=None)


def describe(error: BaseException) -> str:
    """One line naming the error's type and message, bounded."""
    text = f"{type(error).__name__}: {error}".replace("\x00", "\\x00")
    return text if len(text) <= ERROR_LIMIT else text[: ERROR_LIMIT - 1] + "…"


def record_fault(conn: Connection, application_name: str, projection: str, position: int, error: str) -> Fault:
    """Record (or count again) the failure of `projection` on the event at `position`."""
    t = faults_table
    key = and_(t.c.projection == projection, t.c.application_name == application_name)
    now = _now()
    row = conn.execute(select(t).where(key)).mappings().first()
    if row is not None and row["failing_position"] == position:
        since, attempts = row["since"], row["attempts"] + 1
        conn.execute(t.update().where(key).values(error=error, last_attempt=now, attempts=attempts))
    else:
        since, attempts = now, 1
        if row is not None:
            conn.execute(t.delete().where(key))
        conn.execute(
            t.insert().values(
                projection=projection,
                application_name=application_name,
                failing_position=position,
                error=error,
                since=now,
                last_attempt=now,
                attempts=1,
            )
        )
    return Fault(projection, position, error, since, now, attempts)


def clear_fault(conn: Connection, application_name: str, projection: str) -> None:
    t = faults_table
    conn.execute(t.delete().where(t.c.projection == projection, t.c.application_name == application_name))


def faults(conn: Connection, application_name: str) -> dict[str, Fault]:
    """The faulted projections of an application, by name."""
    t = faults_table
    rows = conn.execute(select(t).where(t.c.application_name == application_name)).mappings()
    return {
        r["projection"]: Fault(
            r["projection"], r["failing_position"], r["error"], r["since"], r["last_attempt"], r["attempts"]
        )
        for r in rows
    }
