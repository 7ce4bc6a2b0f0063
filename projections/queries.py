"""Paging, filtering and sorting shared by every register."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Column, Connection, Select, Table, func, select

from projections.versioned import as_of


@dataclass(frozen=True)
class Page:
    """A page request: 1-based page number, page size and sort (`name` or `-name`)."""

    number: int = 1
    size: int = 50
    sort: str | None = None


@dataclass
class PageResult:
    items: list[dict[str, Any]]
    total: int
    page: int
    size: int
    position: int
    extra: dict[str, Any] = field(default_factory=dict)


def page_of(
    conn: Connection,
    table: Table,
    position: int | None,
    conditions: list[Any],
    page: Page,
    sortable: dict[str, Column[Any]],
    default_sort: str,
    reached: int,
) -> PageResult:
    """One page of the versions current at `position` (None = now) matching `conditions`."""
    where = [as_of(table, position), *conditions]
    total = conn.execute(select(func.count()).select_from(table).where(*where)).scalar_one()
    sort = page.sort or default_sort
    column = sortable[sort.lstrip("-")]
    # Rows without a value come last either way: SQLite and PostgreSQL disagree on where NULLs go.
    order = (column.desc() if sort.startswith("-") else column.asc()).nulls_last()
    key = table.c[table.info["key"]]
    query: Select[Any] = (
        select(table).where(*where).order_by(order, key).limit(page.size).offset((page.number - 1) * page.size)
    )
    items = [dict(row) for row in conn.execute(query).mappings()]
    return PageResult(items, total, page.number, page.size, position if position is not None else reached)


def one(conn: Connection, table: Table, key: str, position: int | None) -> dict[str, Any] | None:
    """The version of one row current at `position` (None = now)."""
    row = (
        conn.execute(select(table).where(table.c[table.info["key"]] == key, as_of(table, position))).mappings().first()
    )
    return dict(row) if row else None
