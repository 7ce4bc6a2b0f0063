"""Report summaries: a register's report figures summed by group, business day and block of log positions, kept
beside the register, so that a report reads a few thousand sums instead of every version of every row.

A *summary* names a register table whose keys' business dates never go back (`versioned_table(..., days=True)`)
and its *figures*: for each row version, a value `w` and, for a flow, a date `x` (a level has none). A report
asks "the sum of w over the rows as they stood at the end of day e, as known at position p, whose x lies in
the period" (a flow), or "the sum of w over the rows as they stood at the end of day d" (a level): what
`projections.reports.base.state_on` reads, summed.

Each version v of a key contributes *deltas*: +w(v) at x(v) and −w(prev) at x(prev), where prev is the version
v superseded, both dated v's business day and placed at v's position. The versions of a key written by p and
dated by d are a prefix of its versions (positions grow, business days never go back), so their deltas add up
to the value of the last of them: its state on d as known at p. Exact by construction, for any p and d.

The deltas of whole blocks of positions ((k·B, (k+1)·B]) are *sealed*: summed by figure, group, x, business day
and block into `report_summaries`, once every register the summary reads has passed the block. A query adds
the sealed sums of the blocks before its position to the deltas after them, which it computes from the
register in the same statement (one snapshot): exact whatever has been sealed, reading at most about a block of
versions besides the sums. `report_summary_marks` holds how many blocks are sealed and their size; a rebuild
or renewal of a register a summary reads forgets its sums (`forget`), sealed again from the new tables.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from functools import partial
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Column,
    Connection,
    Date,
    Index,
    Integer,
    Numeric,
    String,
    Table,
    and_,
    bindparam,
    case,
    cast,
    delete,
    func,
    insert,
    literal,
    null,
    or_,
    select,
    union_all,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.sql import ColumnElement

from projections.db import metadata
from projections.policies import policies
from projections.versioned import current_at

log = logging.getLogger(__name__)

#: The log positions a sealed block covers. A query reads at most about this many positions' versions besides
#: the sealed sums; the sums themselves number about the figures × groups × distinct (x, day) pairs, whatever
#: the block. Stored with the marks: a database sealed with another size is sealed again.
BLOCK = 2_000
#: The group columns of the sums: a summary's groups, in its order.
GROUP_COLUMNS = ("group_1", "group_2")

report_summaries = Table(
    "report_summaries",
    metadata,
    Column("summary", String(40), nullable=False),
    Column("block", Integer, nullable=False),
    Column("figure", String(40), nullable=False),
    Column("group_1", String(100), nullable=False),  # the summary's first group (e.g. the product)
    Column("group_2", String(100), nullable=False),  # and its second (e.g. the line)
    Column("x", Date, nullable=True),  # a flow's date; None for a level
    Column("shown_on", Date, nullable=False),  # the business day of the versions summed
    Column("value", Numeric(20, 2), nullable=False),
)
Index("ix_report_summaries_block", report_summaries.c.summary, report_summaries.c.block)
report_summary_marks = Table(
    "report_summary_marks",
    metadata,
    Column("summary", String(40), primary_key=True),
    Column("block_size", Integer, nullable=False),
    Column("blocks", Integer, nullable=False),  # blocks 0 … blocks−1 are sealed
)
TABLES = (report_summaries, report_summary_marks)


class Side:
    """One side of a delta, the version (`v_`) or the one it superseded (`p_`): `side.c.<column>`, and the
    dialect the SQL is written for."""

    def __init__(self, versions: Any, prefix: str, dialect: Any) -> None:
        self._versions, self._prefix, self.dialect = versions, prefix, dialect

    @property
    def c(self) -> Any:
        versions, prefix = self._versions, self._prefix

        class Columns:
            def __getattr__(self, name: str) -> Any:
                return versions.c[prefix + name]

        return Columns()


@dataclass(frozen=True)
class Figure:
    """One figure of a summary: its value `w` and, for a flow, its date `x` (SQL over a `Side`)."""

    name: str
    value: Callable[[Side], Any]
    on: Callable[[Side], Any] | None = None  # None: a level


@dataclass(frozen=True)
class Summary:
    """The figures of one register's table, summed by two groups: a report's group → the column, of the row's
    policy in the policies register (`policy_key`: the row's column naming it; a policy's groups never change),
    or else of the row itself (each version's own: a delta leaves the group of the version superseded)."""

    name: str
    table: Table
    columns: tuple[str, ...]  # the table's columns the figures read
    figures: tuple[Figure, ...]
    sources: tuple[str, ...]  # the projections whose positions the sealed blocks wait for
    groups: tuple[tuple[str, str], tuple[str, str]]
    policy_key: str | None = None

    def figure(self, name: str) -> Figure:
        return next(f for f in self.figures if f.name == name)

    def group_column(self, group: str) -> str:
        """The sums' column of a report's group (`group_1` or `group_2`)."""
        return next(c for (name, _), c in zip(self.groups, GROUP_COLUMNS) if name == group)


@dataclass(frozen=True)
class Ask:
    """One sum a report asks (named `label`): the figure over the rows as they stood at the end of `day`;
    for a flow, only those whose date lies in `period` (both days included)."""

    label: str
    figure: str
    day: date
    period: tuple[date, date] | None = None


def _current(table: Table, position: Any) -> Any:
    """`projections.versioned.as_of` for a position that may be a bound parameter."""
    if position is None:
        return table.c.valid_to.is_(None)
    if table.info.get("ranges"):
        return current_at(table.c.valid_from, table.c.valid_to, position)
    return and_(table.c.valid_from <= position, or_(table.c.valid_to.is_(None), table.c.valid_to > position))


def _versions(summary: Summary, dialect: Any, after: Any, upto: Any, position: Any) -> Any:
    """The versions written after position `after` (SQL or a number) and up to `upto` (None: no end), each beside
    the version it superseded (`v_<column>`, `p_<column>`; `p_key_` None for a first version), with its business
    day, block and each side's groups (`v_group_1`…; of the policy as the policies register knew it at
    `position`). On PostgreSQL a JSON column is read as jsonb, parsed once a row however many figures read it."""
    t = summary.table
    key = t.info["key"]
    v, prev = t.alias("v"), t.alias("prev")

    def read(table: Any, name: str) -> Any:
        column = table.c[name]
        return cast(column, JSONB) if dialect.name == "postgresql" and isinstance(column.type, JSON) else column

    columns = [read(v, name).label(f"v_{name}") for name in summary.columns]
    columns += [read(prev, name).label(f"p_{name}") for name in summary.columns]
    joined = v.outerjoin(prev, and_(prev.c[key] == v.c[key], prev.c.valid_to == v.c.valid_from))
    if summary.policy_key is not None:
        joined = joined.join(
            policies, and_(policies.c.policy_id == v.c[summary.policy_key], _current(policies, position))
        )
    for (_, source), column in zip(summary.groups, GROUP_COLUMNS):
        for prefix, table in (("v_", v), ("p_", prev)):
            found = policies.c[source] if summary.policy_key is not None else table.c[source]
            columns.append(found.label(prefix + column))
    where = [v.c.valid_from > after, *([] if upto is None else [v.c.valid_from <= upto])]
    return (
        select(
            *columns,
            prev.c[key].label("p_key_"),
            v.c.last_event_on.label("shown_on"),
            ((v.c.valid_from - 1) // BLOCK).label("block"),
        )
        .select_from(joined)
        .where(*where)
    )


def _date(x: Any, dialect: Any) -> Any:
    return x if dialect.name == "sqlite" else cast(x, Date)


def _deltas(summary: Summary, dialect: Any, after: Any, upto: int | None) -> Any:
    """The deltas (figure, group_1, group_2, x, shown_on, block, value) of the versions written after
    position `after` and up to `upto`, one row a figure and side (the sealing reads them)."""
    versions = _versions(summary, dialect, after, upto, None).cte(f"{summary.name}_versions")
    parts = []
    for figure in summary.figures:
        for prefix, sign in (("v_", 1), ("p_", -1)):
            side = Side(versions, prefix, dialect)
            x = null() if figure.on is None else figure.on(side)
            part = select(
                literal(figure.name, String(40)).label("figure"),
                *(versions.c[prefix + c].label(c) for c in GROUP_COLUMNS),
                _date(x, dialect).label("x"),
                versions.c.shown_on,
                versions.c.block,
                (figure.value(side) * sign).label("value"),
            )
            parts.append(part if sign > 0 else part.where(versions.c.p_key_.is_not(None)))
    return union_all(*parts).subquery(f"{summary.name}_deltas")


# --- keeping the sums ---------------------------------------------------------------------------------


def seal(conn: Connection, summary: Summary, position_of: Callable[[str], int]) -> int:
    """Seal the blocks every source register has passed, in the caller's transaction; the blocks sealed now.

    The marks' row is made if missing (a process making it at the same time waits for the other's transaction,
    then finds it) and locked first: two processes sealing at once seal each block once, and the positions,
    read after the lock, are either wholly before or wholly after a rebuild's switch (which forgets the sums in
    its own transaction)."""
    m = report_summary_marks
    fresh = {"summary": summary.name, "block_size": BLOCK, "blocks": 0}
    made = postgresql.insert(m) if conn.dialect.name == "postgresql" else sqlite.insert(m)
    conn.execute(made.values(fresh).on_conflict_do_nothing(index_elements=[m.c.summary]))
    lock = select(m.c.block_size, m.c.blocks).where(m.c.summary == summary.name)
    if conn.dialect.name == "postgresql":
        lock = lock.with_for_update()
    mark = conn.execute(lock).one()
    sealed = int(mark.blocks)
    if mark.block_size != BLOCK:  # sealed with another size: sealed again
        conn.execute(delete(report_summaries).where(report_summaries.c.summary == summary.name))
        conn.execute(update(m).where(m.c.summary == summary.name).values(fresh))
        sealed = 0
    reached = min(position_of(name) for name in summary.sources) // BLOCK
    if reached <= sealed:
        return 0
    deltas = _deltas(summary, conn.dialect, sealed * BLOCK, reached * BLOCK)
    d = deltas.c
    keys = (d.figure, d.group_1, d.group_2, d.x, d.shown_on, d.block)
    total = func.sum(d.value)
    sums = select(literal(summary.name, String(40)), *keys, total).group_by(*keys).having(total != 0)
    names = ("summary", "figure", *GROUP_COLUMNS, "x", "shown_on", "block", "value")
    conn.execute(insert(report_summaries).from_select(names, sums))
    conn.execute(update(m).where(m.c.summary == summary.name).values(blocks=reached))
    return reached - sealed


def seal_all(writer: Any, summaries: Iterable[Summary], position_of: Callable[[Connection, str], int]) -> int:
    """Seal each summary in a transaction of its own (through `writer`); a failure is logged and leaves the
    summary as it was (queries stay exact, reading more versions). The blocks sealed."""
    sealed = 0
    for summary in summaries:
        try:
            with writer.begin() as conn:
                sealed += seal(conn, summary, partial(position_of, conn))
        except Exception:
            log.exception("sealing the report summary %s failed", summary.name)
    return sealed


class Keeper:
    """Seals a live read side's summaries (none for a rebuild's shadow) once their registers have passed another
    block: between rounds it only compares positions."""

    def __init__(self, summaries: Sequence[Summary]) -> None:
        self.summaries = summaries
        self._block = -1  # the block the sources had reached at the last sealing

    def seal(self, read_side: Any, again: bool = False) -> int:
        """Seal the summaries whose registers `read_side` (a ReadSide) runs; the blocks sealed. `again`: whatever
        the positions at the last call (a rebuild forgot the sums)."""
        kept = [s for s in self.summaries if set(s.sources) <= set(read_side.projections)]
        if not kept:
            return 0
        reached = min(read_side.positions([n for s in kept for n in s.sources]).values()) // BLOCK
        if reached <= self._block and not again:
            return 0
        self._block = reached
        return seal_all(read_side.writer, kept, lambda conn, name: read_side.position(name, conn))


def _forget(conn: Connection, name: str) -> None:
    conn.execute(delete(report_summaries).where(report_summaries.c.summary == name))
    conn.execute(delete(report_summary_marks).where(report_summary_marks.c.summary == name))


def forget(conn: Connection, summaries: Iterable[Summary], projections: Sequence[str]) -> None:
    """Forget the sums of every summary that reads one of `projections` (rebuilt or renewed: their tables
    are new), in the caller's transaction."""
    for summary in summaries:
        if set(summary.sources) & set(projections):
            _forget(conn, summary.name)


# --- reading the sums ---------------------------------------------------------------------------------


def summed(
    conn: Connection, summary: Summary, position: int | None, asks: Sequence[Ask], by: str | None
) -> dict[Any, dict[str, Any]]:
    """{group key (None without `by`): {ask label: sum}} as known at `position` (None: now), in one statement:
    the sealed blocks before the position, and the deltas of the versions after them. The statement is built
    once for each shape of question (figures, grouping, now or as of a position), its days bound each time."""
    shape = tuple((a.figure, a.period is not None) for a in asks)
    key = (summary.name, conn.dialect.name, shape, by, position is None, BLOCK)
    statement = _STATEMENTS.get(key)
    if statement is None:
        statement = _STATEMENTS[key] = _statement(summary, conn.dialect, shape, by, position is None)
    periods = [a.period for a in asks if a.period is not None]
    values: dict[str, Any] = {"last": max(a.day for a in asks)}
    if periods:  # the flows' dates asked lie between these
        values.update(earliest=min(p[0] for p in periods), latest=max(p[1] for p in periods))
    if position is not None:
        values.update(position=position, before=position // BLOCK)
    for i, ask in enumerate(asks):
        values[f"day_{i}"] = ask.day
        if ask.period is not None:
            values[f"from_{i}"], values[f"to_{i}"] = ask.period
    found: dict[Any, dict[str, Any]] = {}
    for row in conn.execute(statement, values):
        sums = tuple(row)
        group, sums = (sums[0], sums[1:]) if by else (None, sums)
        found[group] = {ask.label: value for ask, value in zip(asks, sums)}
    return found


_STATEMENTS: dict[tuple[Any, ...], Any] = {}


def _statement(summary: Summary, dialect: Any, shape: tuple[tuple[str, bool], ...], by: str | None, now: bool) -> Any:
    """The statement `summed` sends, with bound parameters: `last` (the latest day asked), `position` and `before`
    (its block) unless `now`, and for ask i `day_i` and, for a flow, `from_i` and `to_i`."""
    m, s = report_summary_marks, report_summaries
    marked = select(m.c.blocks).where(m.c.summary == summary.name, m.c.block_size == BLOCK).scalar_subquery()
    blocks: ColumnElement[Any] = func.coalesce(marked, 0)
    position = None if now else bindparam("position", type_=BigInteger)
    if position is not None:
        before = bindparam("before", type_=Integer)
        blocks = func.min(blocks, before) if dialect.name == "sqlite" else func.least(blocks, before)
    last = bindparam("last", type_=Date)
    flows = sorted({figure for figure, flow in shape if flow})
    levels = sorted({figure for figure, flow in shape if not flow})
    asked = []  # a level's sums (no date), a flow's dated in the span of the periods asked
    if levels:
        asked.append(and_(s.c.figure.in_(levels), s.c.x.is_(None)))
    if flows:
        span = and_(s.c.x >= bindparam("earliest", type_=Date), s.c.x <= bindparam("latest", type_=Date))
        asked.append(and_(s.c.figure.in_(flows), span))
    sealed = (
        select(s)
        .where(s.c.summary == summary.name, s.c.block < blocks, s.c.shown_on <= last, or_(*asked))
        .subquery("sealed")
    )

    def counted(i: int, flow: bool, x: Any, shown_on: Any) -> Any:
        condition = shown_on <= bindparam(f"day_{i}", type_=Date)
        if not flow:
            return condition
        return and_(condition, x >= bindparam(f"from_{i}", type_=Date), x <= bindparam(f"to_{i}", type_=Date))

    sealed_sums = [
        case(
            (and_(sealed.c.figure == figure, counted(i, flow, sealed.c.x, sealed.c.shown_on)), sealed.c.value), else_=0
        )
        for i, (figure, flow) in enumerate(shape)
    ]
    # the versions after the sealed blocks: each ask's value of the version less that of the one it superseded;
    # materialized, so the figures read each row's columns (its JSON parsed) once, however many asks read them
    versions = _versions(summary, dialect, blocks * BLOCK, position, position).cte("tail").prefix_with("MATERIALIZED")
    sides: dict[str, list[Any]] = {
        prefix: [] for prefix in ("v_", "p_")
    }  # each ask's value of the version, of the one superseded
    for i, (name, flow) in enumerate(shape):
        figure = summary.figure(name)
        for prefix, values in sides.items():
            side = Side(versions, prefix, dialect)
            x = None if figure.on is None else _date(figure.on(side), dialect)
            value = case((counted(i, flow, x, versions.c.shown_on), figure.value(side)), else_=0)
            values.append(value if prefix == "v_" else -value)
    labels = [f"a{i}" for i in range(len(shape))]
    group = summary.group_column(by) if by else None

    def part(source: Any, prefix: str, values: list[Any]) -> Any:
        keys = [source.c[prefix + group].label(group)] if group else []
        return select(*keys, *(v.label(n) for v, n in zip(values, labels)))

    parts = [
        part(sealed, "", sealed_sums),
        part(versions, "v_", sides["v_"]),
        part(versions, "p_", sides["p_"]).where(versions.c.p_key_.is_not(None)),
    ]
    rows = union_all(*parts).subquery("summed")
    keys = [rows.c[group]] if group else []
    return select(*keys, *(func.coalesce(func.sum(rows.c[n]), 0) for n in labels)).group_by(*keys)
