"""A page of now is served in order by an index on PostgreSQL, for every sort every register offers, in
both directions (projections.register.now_indexes): the database walks the current rows in the page's
order and stops, whatever history holds. SQLite has none of these indexes (its pages are sorted)."""

from __future__ import annotations

import importlib
import pkgutil
from datetime import date
from typing import Any

from sqlalchemy import func, inspect, select, text

import projections
from interface.bootstrap import Services
from projections.db import metadata
from projections.register import Paging, Register
from projections.reports.base import state_on


def every_register() -> list[Register]:
    """Every Register any module of `projections` exports."""
    found: dict[int, Register] = {}
    for module in pkgutil.iter_modules(projections.__path__):
        loaded = importlib.import_module(f"projections.{module.name}")
        for value in vars(loaded).values():
            if isinstance(value, Register):
                found[id(value)] = value
    return list(found.values())


def plan(conn: Any, statement: Any) -> str:
    sql = statement.compile(conn, compile_kwargs={"literal_binds": True})
    return "\n".join(row[0] for row in conn.execute(text(f"EXPLAIN {sql}")))


def test_every_sort_of_every_register_pages_now_from_an_index_on_postgresql(services: Services) -> None:
    registers = [r for r in every_register() if r.appended_at is None]
    assert {r.table.name for r in registers} >= {"policies", "claims", "customers", "complaints"}
    engine = services.read_side.engine
    if engine.dialect.name != "postgresql":
        for register in registers:
            assert not [i for i in inspect(engine).get_indexes(register.table.name) if "_now_" in (i["name"] or "")]
        return
    with engine.connect() as conn:
        conn.execute(text("SET enable_sort = off"))  # a sorted plan only where no index gives the order
        conn.execute(text("SET enable_seqscan = off"))
        for register in registers:
            for name in register.sortable:
                for sort in (name, f"-{name}"):
                    shown = plan(conn, register.query([], Paging(3, 50, sort), None))
                    assert "Sort" not in shown and f"ix_{register.table.name}_now_" in shown, (sort, shown)


def test_a_page_its_total_and_a_row_as_of_a_past_position_read_the_validity_ranges_on_postgresql(
    services: Services,
) -> None:
    """As of a past position, every versioned register is read through its SP-GiST index of validity ranges
    (projections.versioned): the versions current then, not every version written before (a table whose rows
    seldom change, `ranges=False`, keeps its B-tree). SQLite reads its B-tree of `valid_from` (no such index
    there). An unfiltered page finds its rows' keys from that index alone: it carries every sort."""
    registers = [r for r in every_register() if r.appended_at is None and r.table.info["ranges"]]
    assert {"policies", "claims", "customers"} <= {r.table.name for r in registers}
    engine = services.read_side.engine
    names = {r.table.name for r in registers}
    indexes = {name: {i["name"] for i in inspect(engine).get_indexes(name)} for name in names}
    if engine.dialect.name != "postgresql":
        assert not [name for name in names if f"ix_{name}_validity" in indexes[name]]
        return
    assert [name for name in names if f"ix_{name}_validity" not in indexes[name]] == []
    with engine.connect() as conn:
        conn.execute(text("SET enable_seqscan = off"))
        for register in registers:
            page = register.query([], Paging(3, 50, None), 7)
            total = select(func.count()).select_from(register.table).where(*register.known(7))
            for statement in (page, total):
                shown = plan(conn, statement)
                assert f"ix_{register.table.name}_validity" in shown, (register.table.name, shown)
            assert "Index Only Scan" in plan(conn, total), register.table.name  # (both positions in the index)
            for name in register.sortable:  # the page's keys from the index alone, in every sort it offers
                keys = plan(conn, register.query([], Paging(3, 50, f"-{name}"), 7))
                assert f"Index Only Scan using ix_{register.table.name}_validity" in keys, (name, keys)


def test_the_columns_each_index_of_validity_ranges_carries_are_those_the_read_revisions_make() -> None:
    """The code's indexes (projections.register.covered_sorts, from the registers' sorts) and the revision that
    makes them on an existing database (frozen lists: r0009, and r0011 for the reinsurance registers) carry the same
    columns: a sort added to a register needs a revision that widens its index."""
    r0009 = importlib.import_module("projections.migrations.read.versions.r0009_covered_sorts")
    r0011 = importlib.import_module("projections.migrations.read.versions.r0011_reinsurance")
    every_register()  # (every register's module imported: its sorts added to its table's index)
    carried = {
        table.name: tuple(index.dialect_options["postgresql"]["include"][2:])
        for table in metadata.tables.values()
        for index in table.indexes
        if index.name == f"ix_{table.name}_validity" and len(index.dialect_options["postgresql"]["include"]) > 2
    }
    assert carried == {**r0009.COVERED, **r0011.COVERED}


def test_the_state_of_each_row_on_a_day_is_read_from_the_index_of_days_on_postgresql(services: Services) -> None:
    """A table reports read as it stood at the end of a day keeps each version's `ended_on` (projections.versioned,
    `days`): on PostgreSQL the versions shown that day come from its GiST index of date ranges, `ix_<table>_days`,
    now and as of a past position. The tables are those read revision r0010 gives the column (frozen list)."""
    r0010 = importlib.import_module("projections.migrations.read.versions.r0010_days_shown")
    every_register()
    tables = sorted(t.name for t in metadata.tables.values() if t.info.get("days"))
    assert tables == sorted(r0010.TABLES)
    engine = services.read_side.engine
    for name in tables:
        assert "ended_on" in {c["name"] for c in inspect(engine).get_columns(name)}
    if engine.dialect.name != "postgresql":
        return
    with engine.connect() as conn:
        conn.execute(text("SET enable_seqscan = off"))
        for name in tables:
            for position in (None, 7):
                state = state_on(metadata.tables[name], position, date(2026, 1, 31))
                shown = plan(conn, select(func.count()).select_from(state))
                assert f"ix_{name}_days" in shown, (name, position, shown)
