"""System-versioned registers: every row version carries the log positions during which it was current.

A version is current for positions `valid_from <= p < valid_to` (`valid_to` NULL while current), so
"as of position p" is one indexed query, never a replay. Now is `valid_to IS NULL` (the partial indexes
of projections.register.now_indexes); a past position is, on PostgreSQL, `int8range(valid_from, valid_to)
@> p` answered by the SP-GiST index of the ranges (`ix_<table>_validity`, which also carries both
positions so that a count needs no table read): it visits the versions current at p, however many
versions history added before or after, where a B-tree on `valid_from` read every version before p. A table whose
rows seldom change has no such index (`ranges=False`): its B-tree is faster when nearly every row is current.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from sqlalchemy import (
    BigInteger,
    Column,
    Connection,
    Date,
    Index,
    Select,
    String,
    Table,
    and_,
    bindparam,
    func,
    literal,
    or_,
    select,
    update,
)
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement

from projections.db import bulk_insert, metadata


def versioned_table(
    name: str, key: str, *columns: Column[Any], key_length: int = 36, ranges: bool = True, days: bool = False
) -> Table:
    """A register table keyed by `key`, with `valid_from`/`valid_to` log positions. `ranges=False` for a table
    whose rows seldom change (about one version each): as of a past position nearly every row is current, and
    PostgreSQL counts and sorts them faster from the B-tree of `valid_from` than from an index of ranges.

    `days=True` for a table whose rows reports read as they stood at the end of a business day (its
    `last_event_on`, which never goes back for a key: the aggregate's business date): each version also
    keeps `ended_on`, the business date of the version that superseded it, so the versions shown on day d
    are those with `last_event_on <= d < ended_on` (see `on_day`), found by an index of date ranges on
    PostgreSQL instead of a scan of every version."""
    extra = [Column("ended_on", Date, nullable=True)] if days else []
    table = Table(
        name,
        metadata,
        Column(key, String(key_length), primary_key=True),
        Column("valid_from", BigInteger, primary_key=True),
        Column("valid_to", BigInteger, nullable=True),
        *columns,
        *extra,
    )
    Index(f"ix_{name}_current", table.c[key], table.c.valid_to)
    Index(f"ix_{name}_range", table.c.valid_from, table.c.valid_to)
    if ranges:
        validity = Index(
            f"ix_{name}_validity",
            func.int8range(table.c.valid_from, table.c.valid_to),
            postgresql_using="spgist",
            postgresql_include=["valid_from", "valid_to"],
        )
        validity.ddl_if(dialect="postgresql").info["dialect"] = "postgresql"  # (what a schema comparison skips)
    if days:
        shown = Index(
            f"ix_{name}_days",
            func.daterange(table.c.last_event_on, table.c.ended_on),
            postgresql_using="gist",
            postgresql_include=["valid_from", "valid_to"],
        )
        shown.ddl_if(dialect="postgresql").info["dialect"] = "postgresql"  # (what a schema comparison skips)
    table.info["key"] = key
    table.info["ranges"] = ranges
    table.info["days"] = days
    return table


class current_at(FunctionElement[Any]):
    """`valid_from <= p < valid_to` (`valid_to` NULL: no end): on PostgreSQL the range containment its
    SP-GiST index answers, elsewhere the comparisons."""

    name = "current_at"
    inherit_cache = True


@compiles(current_at)
def _current_at(element: current_at, compiler: Any, **kw: Any) -> str:
    valid_from, valid_to, position = element.clauses
    within = and_(valid_from <= position, or_(valid_to.is_(None), valid_to > position))
    return str(compiler.process(within.self_group(), **kw))


@compiles(current_at, "postgresql")
def _current_at_postgresql(element: current_at, compiler: Any, **kw: Any) -> str:
    valid_from, valid_to, position = (compiler.process(c, **kw) for c in element.clauses)
    return f"int8range({valid_from}, {valid_to}) @> CAST({position} AS BIGINT)"


class shown_on(FunctionElement[Any]):
    """`last_event_on <= d < ended_on` (`ended_on` NULL: no end): on PostgreSQL the date range containment
    its GiST index (`ix_<table>_days`) answers, elsewhere the comparisons."""

    name = "shown_on"
    inherit_cache = True


@compiles(shown_on)
def _shown_on(element: shown_on, compiler: Any, **kw: Any) -> str:
    on, ended_on, day = element.clauses
    within = and_(on <= day, or_(ended_on.is_(None), ended_on > day))
    return str(compiler.process(within.self_group(), **kw))


@compiles(shown_on, "postgresql")
def _shown_on_postgresql(element: shown_on, compiler: Any, **kw: Any) -> str:
    on, ended_on, day = (compiler.process(c, **kw) for c in element.clauses)
    return f"daterange({on}, {ended_on}) @> CAST({day} AS DATE)"


def on_day(table: Any, day: date) -> Any:
    """The WHERE clause selecting, of a `days` table, the version each row showed at the end of `day`
    (ignoring when it was written: see projections.reports.base.state_on)."""
    return shown_on(table.c.last_event_on, table.c.ended_on, literal(day, Date))


def as_of(table: Table, position: int | None) -> Any:
    """The WHERE clause selecting the versions current at `position` (None = now)."""
    if position is None:
        return table.c.valid_to.is_(None)
    if getattr(getattr(table, "element", table), "info", {}).get("ranges"):  # (an alias: its table's)
        return current_at(table.c.valid_from, table.c.valid_to, literal(position, BigInteger))
    return and_(table.c.valid_from <= position, or_(table.c.valid_to.is_(None), table.c.valid_to > position))


def select_as_of(table: Table, position: int | None) -> Select[Any]:
    return select(table).where(as_of(table, position))


class VersionedWriter:
    """Buffers one batch of changes to a versioned table and writes them with two bulk statements."""

    def __init__(self, conn: Connection, table: Table) -> None:
        self.conn = conn
        self.table = table
        self.key = table.info["key"]
        self._current: dict[str, dict[str, Any] | None] = {}
        self._in_db: set[str] = set()
        self._close: dict[str, tuple[int, Any, int]] = {}  # key → (position, its business date, the new insert)
        self._superseded: list[tuple[int, int]] = []  # (insert, the insert that superseded it) in this batch
        self._inserts: list[dict[str, Any]] = []
        self._last: dict[str, int] = {}
        self._days = bool(table.info.get("days"))
        meta = (self.key, "valid_from", "valid_to", *(("ended_on",) if self._days else ()))
        self._data_columns = [c.name for c in table.columns if c.name not in meta]

    def preload(self, keys: Iterable[str]) -> None:
        """Read the current rows of many keys at once."""
        missing = [k for k in set(keys) if k not in self._current]
        for chunk_start in range(0, len(missing), 500):
            chunk = missing[chunk_start : chunk_start + 500]
            rows = self.conn.execute(
                select(self.table).where(self.table.c[self.key].in_(chunk), self.table.c.valid_to.is_(None))
            ).mappings()
            for row in rows:
                self._current[row[self.key]] = {c: row[c] for c in self._data_columns}
                self._in_db.add(row[self.key])
            for k in chunk:
                self._current.setdefault(k, None)

    def seed(self, key: str, row: dict[str, Any] | None) -> None:
        """Tell the writer the current row of `key` (None: no current row), known without reading it:
        a projection that derives it from the events before this one. Ignored once the key is known."""
        if key in self._current:
            return
        if row is None:
            self._current[key] = None
        else:
            self._current[key] = {c: row.get(c) for c in self._data_columns}
            self._in_db.add(key)

    def get(self, key: str) -> dict[str, Any] | None:
        """The row as it stands now in this batch (a copy), or None."""
        if key not in self._current:
            self.preload([key])
        row = self._current[key]
        return dict(row) if row is not None else None

    def put(self, key: str, row: dict[str, Any], position: int) -> None:
        """Make `row` the current version of `key` from `position` on."""
        if key not in self._current:
            self.preload([key])
        data = {c: row.get(c) for c in self._data_columns}
        if data == self._current[key]:
            return  # nothing changed: no new version
        last = self._last.get(key)
        if last is not None:
            previous = self._inserts[last]
            if previous["valid_from"] == position:
                previous.update(data)
                self._current[key] = data
                return
            previous["valid_to"] = position
            self._superseded.append((last, len(self._inserts)))
        elif key in self._in_db and key not in self._close:
            before = self._current[key]
            self._close[key] = (position, before.get("last_event_on") if before else None, len(self._inserts))
        new = {**data, self.key: key, "valid_from": position, "valid_to": None}
        self._inserts.append({**new, "ended_on": None} if self._days else new)
        self._last[key] = len(self._inserts) - 1
        self._current[key] = data

    def reset(self) -> None:
        """Forget what this writer knows of the table (after flush, once rows were changed behind it)."""
        self._current.clear()
        self._in_db.clear()

    def flush(self) -> None:
        """Close the superseded versions and insert the new ones."""
        inserts = self._inserts
        if self._days:  # each superseded version's `ended_on`: its successor's business date
            for old, new in self._superseded:
                inserts[old]["ended_on"] = _ended_on(inserts[old]["last_event_on"], inserts[new]["last_event_on"])
        if self._close:
            t = self.table
            ends: dict[str, Any] = {"valid_to": bindparam("p"), **({"ended_on": bindparam("d")} if self._days else {})}
            self.conn.execute(
                update(t).where(t.c[self.key] == bindparam("k"), t.c.valid_to.is_(None)).values(**ends),
                [
                    {"k": k, "p": p, "d": _ended_on(on, inserts[new]["last_event_on"]) if self._days else None}
                    for k, (p, on, new) in self._close.items()
                ],
            )
        bulk_insert(self.conn, self.table, inserts)
        self._in_db.update(self._last)
        self._close.clear()
        self._inserts.clear()
        self._last.clear()
        self._superseded.clear()


def _ended_on(on: date | None, following: date) -> date:
    """A version's `ended_on`: the business date of the one that superseded it. Never before its own
    `last_event_on` (a key's business date never goes back; were it to, the range stays well formed)."""
    return following if on is None else max(on, following)
