"""The audit log rebuilt by the database (issue: read side at scale): one INSERT … SELECT a chunk of the log,
each row read by the database from the stored event's JSON body beside it, instead of every body crossing
into Python to be parsed there and its row crossing back.

It writes what `AuditLogProjection.apply` writes from a header (projections.log_slice.header_reader), and
only where that is plain: a topic this process knows at the version of its class today, a time in the form
the transcoder writes, metadata absent or an object of strings and nulls whose moments are plain ISO moments
with an offset (SQLite: UTC). Every other event of the chunk (an erasure, decoded whole; one stored at an
older version, which an upcaster may change; odd metadata) is read by Python as the live projection reads it,
in the same transaction. A log with a topic this process does not know is not built here (the rebuild reads
it in the log's order, where that event faults the register), nor one whose events the read side's database
does not hold (a PostgreSQL event store elsewhere, SQLite in memory): `NotInDatabase`.
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

from projections.audit_log import AuditLogProjection, topic_parts
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


_PG_MOMENT = r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,6})?([+-]\d\d:\d\d|Z)$"


def _postgres(events: str) -> str:
    def moment(path: str) -> str:
        return f"(({path})::timestamptz AT TIME ZONE 'UTC')"

    def plain(path: str) -> str:
        return f"({path} IS NULL OR {path} ~ '{_PG_MOMENT}')"

    meta = ", ".join(f"b.j->'meta'->>'{name}'" for name in META[:-1])
    return f"""
INSERT INTO audit_log ({COLUMNS})
SELECT e.notification_id,
       {moment("coalesce(b.j->'meta'->>'recorded_at', b.j->'timestamp'->>'_data_')")},
       {moment("b.j->'meta'->>'effective_at'")},
       {meta},
       t.aggregate_type, e.originator_id::text, e.originator_version, t.event_type, b.j->'meta'->>'reason'
FROM {events} e
JOIN (SELECT * FROM jsonb_to_recordset(CAST(:topics AS jsonb))
      AS x(topic text, aggregate_type text, event_type text, class_version int)) t ON t.topic = e.topic
CROSS JOIN LATERAL (SELECT convert_from(e.state, 'UTF8')::jsonb AS j) b
WHERE e.notification_id > :start AND e.notification_id <= :end
  AND coalesce(b.j->'class_version', '1') = to_jsonb(t.class_version)
  AND b.j->'timestamp'->>'_type_' = 'datetime_iso' AND b.j->'timestamp'->>'_data_' ~ '{_PG_MOMENT}'
  AND (b.j->'meta' IS NULL OR jsonb_typeof(b.j->'meta') = 'null' OR (
       jsonb_typeof(b.j->'meta') = 'object'
       AND NOT EXISTS (SELECT FROM jsonb_each(b.j->'meta') m WHERE jsonb_typeof(m.value) NOT IN ('string', 'null'))
       AND {plain("b.j->'meta'->>'recorded_at'")} AND {plain("b.j->'meta'->>'effective_at'")}))
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


def _topics(dialect: str) -> str:
    """The topics the statement reads, with their register columns and today's class versions (JSON)."""
    rows = [
        (topic, *topic_parts(topic), version)
        for topic, version in sorted(class_versions().items())
        if topic not in DECODED_WHOLE
    ]
    if dialect == "postgresql":
        names = ("topic", "aggregate_type", "event_type", "class_version")
        return json.dumps([dict(zip(names, row)) for row in rows])
    return json.dumps(rows)


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


def build(read_side: ReadSide, progress: Callable[[int], Any] | None = None) -> int:
    """Build the audit log (empty, at position 0) of `read_side` up to the log's head, a chunk per
    transaction; the events of the log covered. Raises NotInDatabase where it cannot (nothing written)."""
    projection = read_side.projections["audit_log"]
    assert isinstance(projection, AuditLogProjection)
    head, start, covered = read_side.head(), 0, 0
    read = header_reader(read_side.app)
    with read_side.writer.connect() as conn:
        dialect = conn.dialect.name
        if dialect not in ("postgresql", "sqlite"):
            raise NotInDatabase(f"no statement for {dialect}")
        with _events_table(read_side, conn) as events:
            statement = text(_postgres(events) if dialect == "postgresql" else _sqlite(events))
            statement = statement.bindparams(bindparam("topics", _topics(dialect)))
            left_over = text(_left_over(events, dialect))
            while start < head:
                end = min(start + read_side.batch_size, head)  # a batch's positions a statement
                with conn.begin():
                    bounds = {"start": start, "end": end}
                    written = conn.execute(statement, bounds).rowcount
                    batch = Batch(conn)
                    for position, originator, version, topic, state in conn.execute(left_over, bounds):
                        aggregate = originator if isinstance(originator, UUID) else UUID(originator)
                        stored = Notification(
                            id=position, originator_id=aggregate, originator_version=version, topic=topic, state=state
                        )
                        projection.apply(read(stored), position, batch)
                        written += 1
                    batch.flush()
                    read_side.trackers["audit_log"].advance_in(conn, read_side.app.name, start, end)
                if progress is not None:
                    progress(written)
                covered, start = covered + written, end
    return covered
