"""A register as one object: its table, filters, sortable columns and default sort, with `page` and `one`
answering typed read models as of a log position. Every `projections/<register>.py` exports its own.

A controller asks a register in one call (`POLICIES.page(read_side, filters, paging, as_of)`); the
register opens the connection, counts, sorts, pages and builds the read models. Rows without a value in
the sort column come last either way (SQLite and PostgreSQL disagree on where NULLs go); ties go by key.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Protocol

from pydantic import BaseModel, Field, create_model
from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Connection,
    Date,
    DateTime,
    Engine,
    Index,
    Integer,
    Numeric,
    Select,
    Table,
    func,
    select,
)
from sqlalchemy.types import BigInteger

from domain.errors import InvalidValue
from domain.identifiers import china_today
from projections.db import aware
from projections.queries import PageResult
from projections.versioned import as_of as current


class Reader(Protocol):
    """What a register reads through (the ReadSide): its engine and each projection's position."""

    #: Where queries read: the read side, or its replica (INSCRIBE_READ_DATABASE_URL).
    queries: Engine

    def position(self, name: str, conn: Connection | None = None) -> int: ...


@dataclass(frozen=True)
class Paging:
    """A page request as the client asked it: 1-based page, page size and sort (`name` or `-name`)."""

    page: int = 1
    size: int = 50
    sort: str | None = None


#: Decorates each row with figures computed on a business date (a clock, days overdue) before it is typed.
Derive = Callable[[dict[str, Any], date], None]

#: Figures over every row a page's conditions match (its `extra`), e.g. the net of the payments.
Summary = Callable[[Connection, list[Any]], dict[str, Any]]

_TYPES: list[tuple[type, Any]] = [
    (JSON, Any),
    (Boolean, bool),
    (DateTime, datetime),
    (Date, date),
    (BigInteger, int),
    (Integer, int),
    (Numeric, Decimal),
]


def _python_type(column: Column[Any]) -> Any:
    for sql_type, python in _TYPES:
        if isinstance(column.type, sql_type):
            return python
    return str


def row_model(name: str, table: Table, doc: str, *, exclude: Sequence[str] = (), **extra: Any) -> type[BaseModel]:
    """A pydantic model with one field per column of `table` (nullable columns may be null), plus `extra`."""
    fields: dict[str, Any] = {}
    for column in table.columns:
        if column.name in exclude:
            continue
        python = _python_type(column)
        fields[column.name] = (python | None, None) if column.nullable or python is Any else (python, ...)
    fields.update(extra)
    model: type[BaseModel] = create_model(name, __doc__=doc, **fields)
    return model


def page_model(name: str, item: type[BaseModel]) -> type[BaseModel]:
    """A page of a register: items, the total matching, and the log position it was read at."""
    model: type[BaseModel] = create_model(
        name,
        items=(list[item], ...),  # type: ignore[valid-type]
        total=(int, ...),
        page=(int, ...),
        page_size=(int, Field(description="the page size asked for (`page_size`)")),
        position=(int, Field(description="the log position the page was read at")),
        extra=(dict[str, Any], Field(default_factory=dict)),
    )
    return model


def aware_row(row: Mapping[str, Any]) -> dict[str, Any]:
    """Stored moments are naive UTC; answer them as aware datetimes."""
    return {k: aware(v) if isinstance(v, datetime) else v for k, v in row.items()}


def now_indexes(table: Table, sortable: Mapping[str, Column[Any]]) -> None:
    """On PostgreSQL, two partial indexes of the current rows per sortable column, in the very order a
    page asks (`column ASC NULLS LAST, key` and `column DESC NULLS LAST, key`): a page of now walks
    its rows in order and stops after them, and counts from an index, however many versions history
    holds. (A page as of a past position reads the versions current then: `ix_<table>_range`.)"""
    key, current_only = table.c[table.info["key"]], table.c.valid_to.is_(None)
    for name, column in sortable.items():
        for suffix, ordered in (("", column.asc().nulls_last()), ("_desc", column.desc().nulls_last())):
            index = Index(f"ix_{table.name}_now_{name}{suffix}", ordered, key, postgresql_where=current_only)
            index.ddl_if(dialect="postgresql").info["dialect"] = "postgresql"  # (what a schema comparison skips)


def covered_sorts(table: Table, sortable: Mapping[str, Column[Any]]) -> None:
    """On PostgreSQL, the index of validity ranges (projections.versioned) also carries the key and every column a
    page sorts by, so a page as of a past position finds its 50 rows from the index alone (`Register.query`)."""
    for index in table.indexes:
        if index.name == f"ix_{table.name}_validity":
            include = index.dialect_options["postgresql"]["include"]
            covered = {*include[3:], *(c.name for c in sortable.values())} - {"valid_from", "valid_to"}
            include[:] = ["valid_from", "valid_to", table.info["key"], *sorted(covered - {table.info["key"]})]


@dataclass
class Register:
    """One register: `table` read as of a log position, filtered by SQL conditions (its module's
    `*_filters` functions build them), sorted by `sortable` (default `default_sort`), typed as `model`.

    `source` is the projection that writes it (its position is where a "now" page was read); `derive`
    adds the figures a business date decides (`today`) to each row before it is typed. An append-only
    table names the column of the log position each row was `appended_at` (its rows never change);
    `summary` adds figures over every matching row to a page's `extra`; `total` counts an unfiltered page's
    total its own way (the audit log from its marks)."""

    table: Table
    source: str
    sortable: Mapping[str, Column[Any]]
    default_sort: str
    view: str
    doc: str
    page_view: str | None = None
    extra: Mapping[str, Any] = field(default_factory=dict)
    derive: Derive | None = None
    appended_at: str | None = None
    summary: Summary | None = None
    total: Callable[[Connection, int | None], int] | None = None
    model: type[BaseModel] = field(init=False)
    page_model: type[BaseModel] = field(init=False)

    def __post_init__(self) -> None:
        self.model = row_model(self.view, self.table, self.doc, **self.extra)
        self.page_model = page_model(self.page_view or self.view.removesuffix("View") + "Page", self.model)
        if self.appended_at is None:
            now_indexes(self.table, self.sortable)
            covered_sorts(self.table, self.sortable)

    def sort(self, asked: str | None) -> str:
        """The sort asked for (`name` or `-name`), or 422 naming `sort`."""
        sort = asked or self.default_sort
        if sort.lstrip("-") not in self.sortable:
            choices = ", ".join(sorted(self.sortable))
            raise InvalidValue("sort", f"sort by one of {choices} (prefix - for descending)")
        return sort

    def known(self, as_of: int | None) -> list[Any]:
        """The WHERE clause of the rows as of log position `as_of` (None = now)."""
        if self.appended_at is not None:  # rows never change: those written at or before it
            return [] if as_of is None else [self.table.c[self.appended_at] <= as_of]
        return [current(self.table, as_of)]

    def query(self, conditions: Sequence[Any], paging: Paging, as_of: int | None) -> Select[Any]:
        """The statement of one page: the rows current at `as_of` (None = now) matching `conditions`, in
        the sort asked (rows without a value last, ties by key), cut to the page."""
        order = self.sort(paging.sort)
        column = self.sortable[order.lstrip("-")]
        ordered = (column.desc() if order.startswith("-") else column.asc()).nulls_last()
        key = self.table.c[self.appended_at or self.table.info["key"]]
        if as_of is not None and not conditions and self.table.info.get("ranges"):
            # As of a past position: the page's keys from the index of validity ranges alone (it carries every
            # sort), then those 50 rows, not every version current then read to sort them.
            picked = (
                select(key, self.table.c.valid_from)
                .where(*self.known(as_of))
                .order_by(ordered, key)
                .limit(paging.size)
                .offset((paging.page - 1) * paging.size)
                .subquery()
            )
            on = (key == picked.c[key.name]) & (self.table.c.valid_from == picked.c.valid_from)
            return select(self.table).join(picked, on).order_by(ordered, key)
        return (
            select(self.table)
            .where(*self.known(as_of), *conditions)
            .order_by(ordered, key)
            .limit(paging.size)
            .offset((paging.page - 1) * paging.size)
        )

    def rows(self, read: Reader, conditions: Sequence[Any], paging: Paging, as_of: int | None) -> PageResult:
        """One page of raw rows (dicts) current at `as_of` (None = now) matching `conditions`."""
        query = self.query(conditions, paging, as_of)
        where = [*self.known(as_of), *conditions]
        with read.queries.connect() as conn:
            reached = read.position(self.source, conn)
            if self.total is not None and not conditions:  # counted its own way (e.g. the audit log's marks)
                total = self.total(conn, as_of)
            else:
                total = conn.execute(select(func.count()).select_from(self.table).where(*where)).scalar_one()
            items = [dict(row) for row in conn.execute(query).mappings()]
            extra = self.summary(conn, where) if self.summary is not None else {}
        at = as_of if as_of is not None else reached
        return PageResult(items, int(total), paging.page, paging.size, at, extra)

    def typed(self, result: PageResult, today: date | None = None) -> BaseModel:
        """A page of raw rows as this register's typed page (each row derived on `today` first)."""
        return self.page_model(
            items=[self.item(row, today) for row in result.items],
            total=result.total,
            page=result.page,
            page_size=result.size,
            position=result.position,
            extra=result.extra,
        )

    def item(self, row: dict[str, Any], today: date | None = None) -> BaseModel:
        """One raw row as this register's read model."""
        if self.derive is not None:
            self.derive(row, today or china_today())
        return self.model(**aware_row(row))

    def page(
        self, read: Reader, conditions: Sequence[Any], paging: Paging, as_of: int | None, *, today: date | None = None
    ) -> BaseModel:
        """One typed page of the register as of `as_of` (None = now), its rows derived on `today`."""
        return self.typed(self.rows(read, conditions, paging, as_of), today)

    def raw(self, read: Reader, key: str, as_of: int | None) -> dict[str, Any] | None:
        """The raw row of `key` current at `as_of` (None = now), or None."""
        column = self.table.c[self.appended_at or self.table.info["key"]]
        with read.queries.connect() as conn:
            row = conn.execute(select(self.table).where(column == key, *self.known(as_of))).mappings().first()
        return dict(row) if row else None

    def one(self, read: Reader, key: str, as_of: int | None, *, today: date | None = None) -> BaseModel | None:
        """The read model of `key` current at `as_of` (None = now), or None."""
        row = self.raw(read, key, as_of)
        return None if row is None else self.item(row, today)
