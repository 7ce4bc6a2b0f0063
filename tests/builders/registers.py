"""Asking the registers directly in the integration tests: one row, a page, every row of some tables (or
of every projection), and the order `page_of` promises for each sortable column."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from sqlalchemy import Table, select

from projections.queries import Page, PageResult, one, page_of
from projections.runner import ReadSide


def read_row(services: Any, table: Table, key: str, position: int | None = None) -> dict[str, Any]:
    """The row of `key` (as of `position`), which must exist."""
    with services.read_side.engine.connect() as conn:
        row = one(conn, table, key, position)
    assert row is not None, key
    return row


def page_rows(
    services: Any,
    table: Table,
    conditions: list[Any],
    sortable: dict[str, Any],
    sort: str,
    position: int | None = None,
    size: int = 100,
) -> PageResult:
    """The first page of `table` under `conditions`, sorted by `sort`."""
    read_side = services.read_side
    with read_side.engine.connect() as conn:
        return page_of(conn, table, position, conditions, Page(1, size, sort), sortable, sort, read_side.head())


def snapshot(services: Any, tables: Iterable[Table]) -> dict[str, list[dict[str, Any]]]:
    """Every row version of each table, in key order (to compare a rebuild with the live projection)."""
    with services.read_side.engine.connect() as conn:
        return {
            t.name: [dict(r) for r in conn.execute(select(t).order_by(*t.primary_key.columns)).mappings()]
            for t in tables
        }


def every_row(read_side: ReadSide) -> dict[str, list[dict[str, Any]]]:
    """Every row of every projection table, in primary-key order."""
    with read_side.engine.connect() as conn:
        return {
            table.name: [dict(r) for r in conn.execute(select(table).order_by(*table.primary_key.columns)).mappings()]
            for projection in read_side.projections.values()
            for table in projection.tables
        }


def expected_order(rows: list[dict[str, Any]], column: str, key: str, descending: bool) -> list[str]:
    """Keys in the order page_of promises: by the column, empty values last, ties by the key."""
    present = sorted((r for r in rows if r[column] is not None), key=lambda r: r[key])
    present.sort(key=lambda r: r[column], reverse=descending)  # stable: ties keep the key order
    absent = sorted((r for r in rows if r[column] is None), key=lambda r: r[key])
    return [r[key] for r in present + absent]


def check_every_sort(services: Any, table: Table, sortable: dict[str, Any], size: int = 500) -> None:
    """Each sortable column, ascending and descending, orders the rows as `expected_order` says."""
    key = table.info["key"]
    rows = page_rows(services, table, [], sortable, next(iter(sortable)), size=size).items
    for name in sortable:
        for sort in (name, f"-{name}"):
            found = [r[key] for r in page_rows(services, table, [], sortable, sort, size=size).items]
            assert found == expected_order(rows, sortable[name].name, key, sort.startswith("-")), sort
