"""The audit log rebuilt by the database (issue: read side at scale): one INSERT … SELECT a chunk of the log,
each row read by the database from the stored event's JSON body beside it, instead of every body crossing
into Python to be parsed there and its row crossing back.

It writes what `AuditLogProjection.apply` writes from a header (projections.log_slice.header_reader), and
only where that is plain: a topic this process knows at the version of its class today, a time in the form
the transcoder writes, metadata absent or an object of strings and nulls whose moments are in the form
`isoformat` writes (no fraction or six digits, and an offset). Every other event of the chunk (an erasure,
decoded whole; one stored at an older version, which an upcaster may change; odd metadata) is read by Python
as the live projection reads it, in the same transaction. A log with a topic this process does not know is
not built here (the rebuild reads it in the log's order, where that event faults the register), nor one
whose events the read side's database does not hold (a PostgreSQL event store elsewhere, SQLite in memory):
`NotInDatabase`.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any
from uuid import UUID

from eventsourcing.persistence import Notification
from sqlalchemy import Connection, bindparam, text

from projections.audit_log import AuditLogProjection, audit_log, mark, topic_parts
from projections.base import Batch
from projections.log_slice import DECODED_WHOLE, class_versions, header_reader

if TYPE_CHECKING:
    from projections.runner import ReadSide

COLUMNS = (
    "position, recorded_at, effective_at, actor_id, actor_role, channel, command_id, correlation_id, "
    "causation_id, aggregate_type, aggregate_id, aggregate_version, event_type, reason"
)
META = ("actor_id", "actor_role", "channel", "command_id", "correlation_id", "causation_id", "reason")


class NotInDatabase(Exception):
    """The read side's database cannot build the audit log from the stored events (see the module)."""


#: A moment as the transcoder writes one (isoformat: no fraction or six digits) with an offset (LIKE
#: patterns, cheaper than a regular expression; a character not a digit fails the cast, and the statement).
_PG_MOMENTS = tuple(
    f"____-__-__T__:__:__{fraction}{offset}" for fraction in ("", ".______") for offset in ("+__:__", "-__:__", "Z")
)


def _postgres(events: str) -> str:
    def moment(path: str) -> str:
        return f"(({path})::timestamptz AT TIME ZONE 'UTC')"

    def plain(path: str) -> str:
        return f"({path} LIKE ANY (ARRAY[{', '.join(repr(shape) for shape in _PG_MOMENTS)}]))"

    meta = ", ".join(f"b.meta->>'{name}'" for name in META[:-1])
    # Each body parsed once (OFFSET 0: a subquery pulled up would parse it again for every use of it), and
    # only its time, metadata and version kept.
    return f"""
WITH b AS MATERIALIZED (
    SELECT notification_id, originator_id, originator_version, topic,
           j->'timestamp' AS stamp, j->'meta' AS meta, j->'class_version' AS version
    FROM (SELECT notification_id, originator_id, originator_version, topic,
                 convert_from(state, 'UTF8')::jsonb AS j
          FROM {events} WHERE notification_id > :start AND notification_id <= :end AND topic = ANY(:known)
          OFFSET 0) parsed)
INSERT INTO audit_log ({COLUMNS})
SELECT b.notification_id,
       {moment("coalesce(b.meta->>'recorded_at', b.stamp->>'_data_')")},
       {moment("b.meta->>'effective_at'")},
       {meta},
       split_part(b.topic, '.', 2), b.originator_id::text, b.originator_version, split_part(b.topic, '.', 3),
       b.meta->>'reason'
FROM b
WHERE coalesce(b.version, '1') = to_jsonb({_version("b.topic")})
  AND b.stamp->>'_type_' = 'datetime_iso' AND {plain("b.stamp->>'_data_'")}
  AND (b.meta IS NULL OR jsonb_typeof(b.meta) = 'null' OR (
       jsonb_typeof(b.meta) = 'object'
       AND NOT EXISTS (SELECT FROM jsonb_each(b.meta) m WHERE jsonb_typeof(m.value) NOT IN ('string', 'null'))
       AND (b.meta->>'recorded_at' IS NULL OR {plain("b.meta->>'recorded_at'")})
       AND (b.meta->>'effective_at' IS NULL OR {plain("b.meta->>'effective_at'")})))
"""


#: A moment as the transcoder writes one, with or without microseconds, with an offset (SQLite GLOB patterns).
_DIGITS = "[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9]"
_SQLITE_MOMENTS = tuple(
    f"{_DIGITS}{fraction}{offset}"
    for fraction in (f".{'[0-9]' * 6}", "")
    for offset in ("[+-][0-9][0-9]:[0-9][0-9]", "Z")
)


def _sqlite(events: str) -> str:
    def moment(x: str) -> str:  # in UTC (SQLite applies the offset, to the second), as SQLAlchemy stores one
        return f"(strftime('%Y-%m-%d %H:%M:%S', {x}) || iif(substr({x}, 20, 1) = '.', substr({x}, 20, 7), '.000000'))"

    def plain(x: str) -> str:
        shapes = " OR ".join(f"{x} GLOB '{shape}'" for shape in _SQLITE_MOMENTS)
        return f"(({shapes}) AND strftime('%s', {x}) IS NOT NULL)"

    def field(name: str) -> str:
        return f"json_extract(e.body, '$.meta.{name}')"

    recorded = f"coalesce({field('recorded_at')}, json_extract(e.body, '$.timestamp._data_'))"
    uid = "lower(e.originator_id)"
    aggregate = (
        f"iif(length({uid}) = 32, substr({uid}, 1, 8) || '-' || substr({uid}, 9, 4) || '-' || substr({uid}, 13, 4)"
        f" || '-' || substr({uid}, 17, 4) || '-' || substr({uid}, 21), {uid})"
    )
    return f"""
INSERT INTO main.audit_log ({COLUMNS})
SELECT e.rowid, {moment(recorded)}, iif({field("effective_at")} IS NULL, NULL, {moment(field("effective_at"))}),
       {", ".join(field(name) for name in META[:-1])},
       t.aggregate_type, {aggregate}, e.originator_version, t.event_type, {field("reason")}
FROM (SELECT rowid, originator_id, originator_version, topic, CAST(state AS TEXT) AS body FROM log.{events}
      WHERE rowid > :start AND rowid <= :end) e
JOIN (SELECT json_extract(value, '$[0]') AS topic, json_extract(value, '$[1]') AS aggregate_type,
             json_extract(value, '$[2]') AS event_type, json_extract(value, '$[3]') AS class_version
      FROM json_each(:topics)) t ON t.topic = e.topic
WHERE json_valid(e.body) AND coalesce(json_extract(e.body, '$.class_version'), 1) = t.class_version
  AND json_extract(e.body, '$.timestamp._type_') = 'datetime_iso'
  AND {plain("json_extract(e.body, '$.timestamp._data_')")}
  AND (json_type(e.body, '$.meta') IS NULL OR json_type(e.body, '$.meta') = 'null' OR (
       json_type(e.body, '$.meta') = 'object'
       AND NOT EXISTS (SELECT 1 FROM json_each(e.body, '$.meta') m WHERE m.type NOT IN ('text', 'null'))
       AND ({field("recorded_at")} IS NULL OR {plain(field("recorded_at"))})
       AND ({field("effective_at")} IS NULL OR {plain(field("effective_at"))})))
"""


def _left_over(events: str, dialect: str) -> str:
    """The chunk's events the statement did not write: the ones Python reads."""
    if dialect == "postgresql":
        table, position, target = events, "e.notification_id", "audit_log"
    else:
        table, position, target = f"log.{events}", "e.rowid", "main.audit_log"
    return (
        f"SELECT {position}, e.originator_id, e.originator_version, e.topic, e.state FROM {table} e "
        f"WHERE {position} > :start AND {position} <= :end "
        f"AND NOT EXISTS (SELECT 1 FROM {target} a WHERE a.position = {position}) ORDER BY {position}"
    )


def _plain_topics() -> dict[str, int]:
    """The topics the statement reads, with today's versions of their classes: those a process decodes
    (but an erasure) whose register columns are the topic's second and third parts (topic_parts)."""
    return {
        topic: version
        for topic, version in sorted(class_versions().items())
        if topic not in DECODED_WHOLE and ".".join(topic_parts(topic)) == ".".join(topic.split(".")[1:3])
    }


def _version(column: str) -> str:
    """Today's version of the class of the topic in `column`, in SQL (1 unless the class has others)."""
    newer = [(topic, version) for topic, version in _plain_topics().items() if version != 1]
    cases = " ".join(f"WHEN '{topic.replace(chr(39), chr(39) * 2)}' THEN {int(version)}" for topic, version in newer)
    return f"(CASE {column} {cases} ELSE 1 END)" if cases else "1"


def _topics(dialect: str) -> Any:
    """The statement's topics: an array of them (PostgreSQL), or each with its register columns and version
    as JSON (SQLite)."""
    plain = _plain_topics()
    if dialect == "postgresql":
        return list(plain)
    return json.dumps([(topic, *topic_parts(topic), version) for topic, version in plain.items()])


@contextmanager
def _events_table(read_side: ReadSide, conn: Connection) -> Iterator[str]:
    """The stored events' table as the shadow's connection names it (on SQLite, the log's file attached
    for the while)."""
    recorder: Any = read_side.app.recorder
    datastore = getattr(recorder, "datastore", None)
    table = getattr(recorder, "events_table_name", None)
    if datastore is None or table is None:
        raise NotInDatabase("the log is not kept by an SQL recorder")
    quote = conn.dialect.identifier_preparer.quote
    if conn.dialect.name == "postgresql":
        name = f"{quote(getattr(datastore, 'schema', 'public'))}.{quote(table)}"
        found = conn.execute(text("SELECT to_regclass(:name)"), {"name": name}).scalar()
        conn.commit()
        if found is None:
            raise NotInDatabase("the read side's database does not hold the log")
        yield name
        return
    pool = getattr(datastore, "pool", None)
    path = getattr(pool, "db_name", "")
    if not path or getattr(pool, "is_sqlite_memory_mode", True) or not Path(path).is_file():
        raise NotInDatabase("the log is not in a file the read side can attach")
    raw = conn.connection.dbapi_connection
    assert raw is not None
    raw.execute("ATTACH DATABASE ? AS log", (path,))
    try:
        yield quote(table)
    finally:
        raw.execute("DETACH DATABASE log")


@contextmanager
def _indexes_after(conn: Connection) -> Iterator[None]:
    """The register's secondary indexes made once it is written (sorted at once, not entry by entry as each
    row comes: that took about as long as reading the rows), whether the build completes or not."""
    indexes = sorted(audit_log.indexes, key=lambda index: str(index.name))
    with conn.begin():
        for index in indexes:
            index.drop(conn)
    try:
        yield
    finally:
        if conn.in_transaction():
            conn.rollback()
        with conn.begin():
            for index in indexes:
                index.create(conn)


def restore_indexes(read_side: ReadSide) -> None:
    """The register's secondary indexes, those missing made: after a build that failed before it could make
    them again (a lost connection), so the register the log's order then writes is switched in whole."""
    with read_side.writer.begin() as conn:
        for index in sorted(audit_log.indexes, key=lambda index: str(index.name)):
            index.create(conn, checkfirst=True)


def build(read_side: ReadSide, progress: Callable[[int], Any] | None = None) -> int:
    """Build the audit log (empty, at position 0) of `read_side` up to the log's head, a batch of positions
    per statement and transaction; the events of the log covered. Raises NotInDatabase where it cannot
    (nothing written)."""
    head, start, covered = read_side.head(), 0, 0
    with read_side.writer.connect() as conn:
        dialect = conn.dialect.name
        if dialect not in ("postgresql", "sqlite"):
            raise NotInDatabase(f"no statement for {dialect}")
        with _events_table(read_side, conn) as events:
            statement = text(_postgres(events) if dialect == "postgresql" else _sqlite(events))
            name = "known" if dialect == "postgresql" else "topics"
            chunk = _Chunk(
                read_side, statement.bindparams(bindparam(name, _topics(dialect))), _left_over(events, dialect)
            )
            with _indexes_after(conn):
                while start < head:
                    end = min(start + read_side.batch_size, head)
                    written = chunk.write(conn, start, end)
                    if progress is not None:
                        progress(written)
                    covered, start = covered + written, end
    return covered


class _Chunk:
    """One statement's positions of the log written, and what it left read by Python, in one transaction
    with the register's position."""

    def __init__(self, read_side: ReadSide, statement: Any, left_over: str) -> None:
        projection = read_side.projections["audit_log"]
        assert isinstance(projection, AuditLogProjection)
        self.read_side, self.projection, self.statement = read_side, projection, statement
        self.left_over, self.read = text(left_over), header_reader(read_side.app)

    def write(self, conn: Connection, start: int, end: int) -> int:
        """Positions `start` (excluded) to `end`: the events written."""
        with conn.begin():
            bounds = {"start": start, "end": end}
            written = conn.execute(self.statement, bounds).rowcount
            batch = Batch(conn)
            for position, originator, version, topic, state in conn.execute(self.left_over, bounds):
                aggregate = originator if isinstance(originator, UUID) else UUID(originator)
                stored = Notification(
                    id=position, originator_id=aggregate, originator_version=version, topic=topic, state=state
                )
                self.projection.apply(self.read(stored), position, batch)
                written += 1
            batch.flush()
            mark(conn)  # (the rows the statement wrote too)
            self.read_side.trackers["audit_log"].advance_in(conn, self.read_side.app.name, start, end)
        return written
