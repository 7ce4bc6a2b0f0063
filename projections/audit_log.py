"""The audit log register: every event with its position, time, actor, aggregate, type and reason.

Append-only: an event's row never changes, so "as of position p" is simply `position <= p`.
It also maps a moment to the log position that was current then.

Its total, now or as of any position, is counted from marks, not from every row: `audit_log_marks` holds the
position of every MARK-th row (rows are appended in the log's order, so the n-th row never changes), and a total
is the last mark at or before the position plus the rows after it (fewer than MARK, unless marks lag behind, when
it counts more and is still exact). Every path that writes the register marks what it wrote before it commits
(`mark`), so the marks are a function of the rows: a rebuild writes the marks the live projection wrote.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, cast

from eventsourcing.domain import DomainEventProtocol
from eventsourcing.utils import get_topic
from sqlalchemy import BigInteger, Column, Connection, DateTime, Index, Integer, String, Table, Text, func, select

from projections.base import Batch, Projection
from projections.db import metadata, utc
from projections.log_slice import Header
from projections.register import Reader, Register

audit_log = Table(
    "audit_log",
    metadata,
    Column("position", BigInteger, primary_key=True, autoincrement=False),
    Column("recorded_at", DateTime, nullable=False),
    Column("effective_at", DateTime, nullable=True),
    # What reaches an event's metadata from a request (token subject, Idempotency-Key, correlation and
    # causation headers, bounded by the interface): wide enough for any of them, so the log never stops.
    Column("actor_id", String(500), nullable=True),  # indexed: 500 characters stay within an index entry
    Column("actor_role", String(50), nullable=True),
    Column("channel", String(20), nullable=True),
    Column("command_id", Text, nullable=True),
    Column("correlation_id", Text, nullable=True),
    Column("causation_id", Text, nullable=True),
    Column("aggregate_type", String(50), nullable=False),
    Column("aggregate_id", String(36), nullable=False),
    Column("aggregate_version", Integer, nullable=False),
    Column("event_type", String(200), nullable=False),
    Column("reason", Text, nullable=True),
)
Index("ix_audit_log_recorded_at", audit_log.c.recorded_at)
Index("ix_audit_log_aggregate", audit_log.c.aggregate_id, audit_log.c.position)
Index("ix_audit_log_actor", audit_log.c.actor_id, audit_log.c.position)

#: Every MARK-th row of the audit log: its number (`n`) and position.
MARK = 1000
audit_log_marks = Table(
    "audit_log_marks",
    metadata,
    Column("n", BigInteger, primary_key=True, autoincrement=False),
    Column("position", BigInteger, nullable=False, unique=True),
)


def mark(conn: Connection) -> None:
    """Mark every MARK-th row written since the last mark (run after each write, in its transaction)."""
    m = audit_log_marks.c
    last = conn.execute(select(m.n, m.position).order_by(m.n.desc()).limit(1)).first()
    n, after = (int(last.n), int(last.position)) if last is not None else (0, 0)
    numbered = (
        select(audit_log.c.position, func.row_number().over(order_by=audit_log.c.position).label("rn"))
        .where(audit_log.c.position > after)
        .subquery()
    )
    marks = select((numbered.c.rn + n).label("n"), numbered.c.position).where(numbered.c.rn % MARK == 0)
    conn.execute(audit_log_marks.insert().from_select(["n", "position"], marks))


def total(conn: Connection, position: int | None) -> int:
    """How many rows the audit log holds (as of `position`; None: now): the last mark and the rows after it."""
    m, a = audit_log_marks.c, audit_log.c
    marks = select(m.n, m.position).order_by(m.n.desc()).limit(1)
    if position is not None:
        marks = marks.where(m.position <= position)
    last = conn.execute(marks).first()
    n, after = (int(last.n), int(last.position)) if last is not None else (0, 0)
    rest = select(func.count()).select_from(audit_log).where(a.position > after)
    if position is not None:
        rest = rest.where(a.position <= position)
    return n + int(conn.execute(rest).scalar_one())


def topic_parts(topic: str) -> tuple[str, str]:
    """("customer", "IndividualRegistered") from "inscribe.customer.IndividualRegistered.v1"."""
    parts = topic.split(".")
    if len(parts) >= 3 and parts[0] == "inscribe":
        return parts[1], parts[2]
    return "unknown", topic


def _moment(value: Any) -> datetime | None:
    if value is None:
        return None
    return utc(datetime.fromisoformat(value) if isinstance(value, str) else value)


class AuditLogProjection(Projection):
    """One row per event, whatever its aggregate."""

    name = "audit_log"
    tables = (audit_log, audit_log_marks)
    personal = False  # positions, moments, actors, types: never an event's sealed fields
    headers = True  # nor anything but the header: read alone, the log is not decoded (projections.log_slice)

    def apply(self, event: DomainEventProtocol[Any] | Header, position: int, batch: Batch) -> None:
        meta: dict[str, Any] = getattr(event, "meta", None) or {}
        topic = event.topic if isinstance(event, Header) else get_topic(type(event))
        aggregate_type, event_type = topic_parts(topic)
        batch.after(mark)
        batch.append(
            audit_log,
            {
                "position": position,
                "recorded_at": _moment(meta.get("recorded_at")) or utc(cast(Any, event).timestamp),
                "effective_at": _moment(meta.get("effective_at")),
                "actor_id": meta.get("actor_id"),
                "actor_role": meta.get("actor_role"),
                "channel": meta.get("channel"),
                "command_id": meta.get("command_id"),
                "correlation_id": meta.get("correlation_id"),
                "causation_id": meta.get("causation_id"),
                "aggregate_type": aggregate_type,
                "aggregate_id": str(event.originator_id),
                "aggregate_version": event.originator_version,
                "event_type": event_type,
                "reason": meta.get("reason"),
            },
        )


def position_at(conn: Connection, moment: datetime) -> int:
    """The log position that was current at `moment` (0 before the first event)."""
    found = conn.execute(select(func.max(audit_log.c.position)).where(audit_log.c.recorded_at <= utc(moment))).scalar()
    return int(found or 0)


def moment_position(read: Reader, moment: datetime) -> int:
    """The log position that was current at `moment`, read through the read side."""
    with read.queries.connect() as conn:
        return position_at(conn, moment)


def positions_of(read: Reader, aggregate_id: str) -> dict[int, int]:
    """Each version of one aggregate → the log position of its event (those the audit log has reached)."""
    with read.queries.connect() as conn:
        return {row["aggregate_version"]: row["position"] for row in history(conn, aggregate_id)}


def history(conn: Connection, aggregate_id: str, position: int | None = None) -> list[dict[str, Any]]:
    """The audit rows of one aggregate, in log order (up to `position`)."""
    query = select(audit_log).where(audit_log.c.aggregate_id == aggregate_id)
    if position is not None:
        query = query.where(audit_log.c.position <= position)
    return [dict(r) for r in conn.execute(query.order_by(audit_log.c.position)).mappings()]


AUDIT_SORTABLE = {"position": audit_log.c.position, "recorded_at": audit_log.c.recorded_at}


#: The audit log: every event with position, time, actor, role, aggregate, type and reason.
AUDIT_LOG = Register(
    audit_log,
    "audit_log",
    AUDIT_SORTABLE,
    "position",
    view="AuditEntry",
    doc="One event: position, time, actor, role, aggregate, type, reason, ids.",
    page_view="AuditPage",
    appended_at="position",
    total=total,
)


def audit_filters(
    actor_id: str | None = None,
    actor_role: str | None = None,
    aggregate_type: str | None = None,
    aggregate_id: str | None = None,
    event_type: str | None = None,
    command_id: str | None = None,
    correlation_id: str | None = None,
    recorded_from: datetime | None = None,
    recorded_to: datetime | None = None,
) -> list[Any]:
    """SQL conditions for the audit log's filters (the time range includes its start, excludes its end)."""
    c = audit_log.c
    conditions: list[Any] = []
    for column, value in (
        (c.actor_id, actor_id),
        (c.actor_role, actor_role),
        (c.aggregate_type, aggregate_type),
        (c.aggregate_id, aggregate_id),
        (c.event_type, event_type),
        (c.command_id, command_id),
        (c.correlation_id, correlation_id),
    ):
        if value is not None:
            conditions.append(column == value)
    if recorded_from is not None:
        conditions.append(c.recorded_at >= utc(recorded_from))
    if recorded_to is not None:
        conditions.append(c.recorded_at < utc(recorded_to))
    return conditions
