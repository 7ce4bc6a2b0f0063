"""What every report shares: the Report, periods and months, rounding, and the SQL over versioned registers.

Conventions (the same in every report):
- A period is `period_from` … `period_to`, business dates, both days included.
- Every figure is read from the registers as known at log `position` (None = now): a row version counts
  if it was written at or before that position, so a report asked as of a past position answers what it
  answered then.
- "The state on day d" of a register row is its latest version (known at `position`) whose
  `last_event_on` is on or before d: what the register showed at the end of that business day.
- Ratios are percentages (`*_pct`) rounded half-up to 2 decimals; money is rounded to the cent; averages
  to 2 decimals; a figure whose denominator is 0 is null (empty in CSV).
- Grouped otherwise, there is a row for each group with something to count in the period.
- Grouped by `month`, each calendar month of the period (cut to the period) is computed as a period of its
  own; `totals` is always computed over the whole period, never summed from the rows.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta, timezone
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, Protocol

from sqlalchemy import (
    Connection,
    Date,
    Integer,
    Subquery,
    Table,
    and_,
    case,
    cast,
    func,
    select,
    true,
    type_coerce,
    union_all,
)
from sqlalchemy.sql import ColumnElement

from projections.versioned import as_of, on_day

CENT = Decimal("0.01")
DAY = timedelta(days=1)
CHINA = timezone(timedelta(hours=8))
#: The group key of rows whose group is unknown (e.g. a complainant who is not a registered customer).
UNKNOWN = "unknown"

Raw = dict[str, Any]
#: (conn, position, period_from, period_to, group, split) → {group key: raw figures}. With `split` the
#: figures are grouped by `group` (GROUP BY); without it there is one entry, under the key None.
Compute = Callable[[Connection, "int | None", date, date, str, bool], dict[Any, Raw]]


@dataclass
class Report:
    """One report: a row per group (the group key, then the figures), the totals and the definitions."""

    name: str
    period_from: date
    period_to: date
    group_by: str
    position: int | None
    rows: list[dict[str, Any]]
    totals: dict[str, Any]
    definitions: dict[str, str]
    figures: list[str] = field(default_factory=list)  # the figure columns, in order


@dataclass(frozen=True)
class ReportSpec:
    """A report's name, title, allowed groupings (the first is the default), definitions and computation.

    `compute` returns raw figures (counts and sums) per group; `finish` turns one group's raw figures into
    the published ones (ratios, averages, rounding), so totals are computed exactly like rows. `sources`
    names the projections (registers) the report reads."""

    name: str
    title: str
    group_by: tuple[str, ...]
    definitions: dict[str, str]
    compute: Compute
    finish: Callable[[Raw, str], dict[str, Any]]
    sources: tuple[str, ...]
    #: The groupings whose groups share out every subject (each policy in one product, line, channel),
    #: with raw figures that are counts and sums: the totals are then the sums of the groups', with no
    #: query over the whole book again.
    additive: tuple[str, ...] = ()

    def run(
        self, conn: Connection, position: int | None, period_from: date, period_to: date, group_by: str | None = None
    ) -> Report:
        """The report for the period, grouped by `group_by` (default: the first allowed)."""
        group = group_by or self.group_by[0]
        if group not in self.group_by:
            raise ValueError(f"group_by must be one of {', '.join(self.group_by)}")
        if period_from > period_to:
            raise ValueError("the period must not end before it begins")
        rows: list[dict[str, Any]] = []
        if group == "month":
            for label, start, end in months(period_from, period_to):
                raw = self.compute(conn, position, start, end, group, False).get(None, {})
                rows.append({"month": label, **self.finish(raw, group)})
        else:
            found = self.compute(conn, position, period_from, period_to, group, True)
            for key in sorted(found, key=lambda k: (k is None, str(k))):
                if not any(found[key].values()):
                    continue  # a group with nothing in the period
                rows.append({group: UNKNOWN if key is None else key, **self.finish(found[key], group)})
        if group in self.additive:
            whole = added(found.values())
        else:
            whole = self.compute(conn, position, period_from, period_to, group, False).get(None, {})
        totals = self.finish(whole, group)
        definitions = {figure: self.definitions[figure] for figure in totals}  # those of this grouping's figures
        return Report(self.name, period_from, period_to, group, position, rows, totals, definitions, list(totals))


# --- periods and rounding ----------------------------------------------------------------------------


def months(period_from: date, period_to: date) -> list[tuple[str, date, date]]:
    """("2026-01", first day, last day) of each calendar month of the period, cut to the period."""
    found = []
    start = period_from
    while start <= period_to:
        following = date(start.year + start.month // 12, start.month % 12 + 1, 1)
        end = min(following - DAY, period_to)
        found.append((f"{start.year:04d}-{start.month:02d}", start, end))
        start = following
    return found


def day_bounds(period_from: date, period_to: date) -> tuple[datetime, datetime]:
    """The period's business days in China as a naive UTC range [start, end) (how moments are stored)."""
    start = datetime.combine(period_from, time.min, tzinfo=CHINA).astimezone(UTC)
    end = datetime.combine(period_to + DAY, time.min, tzinfo=CHINA).astimezone(UTC)
    return start.replace(tzinfo=None), end.replace(tzinfo=None)


def decimal(value: Any) -> Decimal:
    """A database number (Decimal on PostgreSQL, float on SQLite) as an exact Decimal; None → 0."""
    return Decimal(0) if value is None else Decimal(str(value))


def money(value: Any) -> Decimal:
    return decimal(value).quantize(CENT, ROUND_HALF_UP)


def ratio(numerator: Any, denominator: Any, scale: int | Decimal = 100) -> Decimal | None:
    """numerator × scale ÷ denominator to 2 decimals (a percentage by default); None if the denominator is 0."""
    below = decimal(denominator)
    if below == 0:
        return None
    return (decimal(numerator) * Decimal(scale) / below).quantize(CENT, ROUND_HALF_UP)


def average(total: Any, count: Any) -> Decimal | None:
    return ratio(total, count, 1)


def merge(*parts: dict[Any, Raw]) -> dict[Any, Raw]:
    """Raw figures from several queries, merged by group key."""
    merged: dict[Any, Raw] = {}
    for part in parts:
        for key, figures in part.items():
            merged.setdefault(key, {}).update(figures)
    return merged


def added(groups: Iterable[Raw]) -> Raw:
    """The raw figures of several groups, summed figure by figure (a missing or NULL figure counts 0)."""
    total: Raw = {}
    for raw in groups:
        for name, value in raw.items():
            total[name] = (total.get(name) or 0) + (value or 0)
    return total


def grouped(conn: Connection, query: Any, names: tuple[str, ...], group: bool) -> dict[Any, Raw]:
    """Run a query selecting (group key if `group`, then `names`…) → {key: {name: value}}."""
    found: dict[Any, Raw] = {}
    for row in conn.execute(query):
        values = tuple(row)
        key, figures = (values[0], values[1:]) if group else (None, values)
        found[key] = dict(zip(names, figures))
    return found


class OnDatabase(Protocol):
    """What the SQL helpers below need to know: the dialect written for (a Connection, or a summary's Side)."""

    @property
    def dialect(self) -> Any: ...


# --- SQL over the versioned registers ---------------------------------------------------------------


def known(table: Any, position: int | None) -> ColumnElement[bool]:
    """Row versions (of a register table, alias or subquery) written at or before `position` (all if None)."""
    condition: ColumnElement[bool] = true() if position is None else table.c.valid_from <= position
    return condition


def current(table: Any, position: int | None) -> ColumnElement[bool]:
    """The row versions current at `position` (None = now), of a register table or an alias of one."""
    condition: ColumnElement[bool] = as_of(table, position)
    return condition


def state_on(table: Table, position: int | None, day: date) -> Subquery:
    """Each row's state at the end of business date `day`: its latest version known at `position` whose
    `last_event_on` is on or before `day` (rows begun after `day` are absent)."""
    if table.info.get("days"):
        return _shown_on(table, position, day)
    name = table.info["key"]
    v = table.alias(f"{table.name}_versions")
    latest = (  # narrow: each row's key and latest version then (the primary key is key and valid_from)
        select(v.c[name].label("key_"), func.max(v.c.valid_from).label("latest_"))
        .where(known(v, position), v.c.last_event_on <= day)
        .group_by(v.c[name])
        .subquery()
    )
    on = and_(table.c[name] == latest.c.key_, table.c.valid_from == latest.c.latest_)
    return select(table).join(latest, on).subquery()


def _shown_on(table: Table, position: int | None, day: date) -> Subquery:
    """`state_on` of a table that keeps each version's `ended_on` (projections.versioned, `days`). As a key's
    business dates never go back, its latest version known at `position` with `last_event_on <= day` is
    either the version shown on `day` (`last_event_on <= day < ended_on`) if written by then, or else the
    version current at `position`, superseded later by one dated on or before `day`. Each reads about one
    version a row, where the general form reads every version."""
    c = table.c
    shown = select(table).where(on_day(table, day), known(table, position))
    if position is None:
        return shown.subquery()
    superseded_later = select(table).where(
        as_of(table, position), c.valid_to.is_not(None), c.last_event_on <= day, c.ended_on <= day
    )
    return union_all(shown, superseded_later).subquery()


def days_between(conn: OnDatabase, later: Any, earlier: Any) -> ColumnElement[Any]:
    """Whole days from `earlier` to `later` (dates), in SQL on either database."""
    if conn.dialect.name == "sqlite":
        return cast(func.julianday(later) - func.julianday(earlier), Integer)
    difference: ColumnElement[Any] = later - earlier  # date − date is an integer on PostgreSQL
    return difference


def least(conn: OnDatabase, *values: Any) -> ColumnElement[Any]:
    return func.min(*values) if conn.dialect.name == "sqlite" else func.least(*values)


def greatest(conn: OnDatabase, *values: Any) -> ColumnElement[Any]:
    return func.max(*values) if conn.dialect.name == "sqlite" else func.greatest(*values)


def json_date(conn: OnDatabase, column: Any, *path: str) -> ColumnElement[Any]:
    """A date inside a JSON column (stored as an ISO string), comparable with dates on either database."""
    text = column[path].as_string()
    if conn.dialect.name == "sqlite":
        return type_coerce(text, Date)  # ISO strings compare as dates; bound dates are sent as ISO strings
    return cast(text, Date)


def json_flag(column: Any, *path: str) -> ColumnElement[bool]:
    """A true/false inside a JSON column; null (absent) counts as false."""
    return func.coalesce(column[path].as_boolean(), False)


def count_if(condition: Any) -> ColumnElement[Any]:
    """How many rows meet `condition` (as an aggregate)."""
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def sum_if(condition: Any, value: Any) -> ColumnElement[Any]:
    """The sum of `value` over the rows meeting `condition` (as an aggregate)."""
    return func.coalesce(func.sum(case((condition, value), else_=0)), 0)


def between(column: Any, period_from: date, period_to: date) -> ColumnElement[bool]:
    return and_(column >= period_from, column <= period_to)
