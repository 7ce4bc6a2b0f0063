"""As of a past position on PostgreSQL: the register's SQL (projections.versioned.as_of: the validity ranges'
SP-GiST index where a table has one; a page's keys found in it alone, projections.register.Register.query) beside
what it sent before (one statement over every version current then, by `valid_from <= p AND (valid_to IS NULL OR
valid_to > p)`, the B-tree of `valid_from`), on the same book at the same position, in the same run: a page of 50
(ten pages in turn) and the page's total, for the registers the issue measures.

    .venv/bin/python -m bench.as_of postgresql://postgres@127.0.0.1:5432/inscribe_bench_… [POSITION]

POSITION defaults to the log position a year before now (as `make bench` asks).
"""

from __future__ import annotations

import sys
from datetime import UTC, datetime, timedelta
from typing import Any

import psycopg
from sqlalchemy import create_engine, func, select
from sqlalchemy.dialects import postgresql

from bench.volume_queries import timed
from projections import claims, customers, policies
from projections.audit_log import position_at
from projections.register import Paging, Register
from projections.versioned import as_of

#: (register, the sort a page asks): the registers' default sorts.
CASES = ((policies.POLICIES, "-applied_on"), (claims.CLAIMS, "-reported_on"), (customers.CUSTOMERS, "-registered_at"))


def compiled(statement: Any) -> str:
    dialect = postgresql.dialect()  # type: ignore[no-untyped-call]
    return str(statement.compile(dialect=dialect, compile_kwargs={"literal_binds": True}))


def statements(register: Register, sort: str, position: int, page: int) -> tuple[str, str, str]:
    """The register's page and total statements, and the page as one statement over the versions current then (what
    it sent before it found a page's keys in the index of ranges), compiled with the position in place."""
    table = register.table
    where = as_of(table, position)
    column = register.sortable[sort.lstrip("-")]
    order = (column.desc() if sort.startswith("-") else column.asc()).nulls_last()
    key = table.c[table.info["key"]]
    one_step = select(table).where(where).order_by(order, key).limit(50).offset(50 * page)
    total = select(func.count()).select_from(table).where(where)
    ours = register.query([], Paging(page + 1, 50, sort), position)
    return compiled(ours), compiled(total), compiled(one_step)


def replaced(sql: str, table: str, position: int) -> str:
    """The same statement with the comparisons the ranges replaced."""
    ranged = f"int8range({table}.valid_from, {table}.valid_to) @> CAST({position} AS BIGINT)"
    assert ranged in sql, sql
    old = f"{table}.valid_from <= {position} AND ({table}.valid_to IS NULL OR {table}.valid_to > {position})"
    return sql.replace(ranged, old)


def run(raw: psycopg.Connection[Any], samples: int, sent: list[str]) -> dict[str, float]:
    return timed(samples, lambda i: raw.execute(sent[i % len(sent)]).fetchall())


def measure(url: str, position: int | None = None, samples: int = 100) -> dict[str, Any]:
    """Each case's p50/p99: `ours` the register's statements, `baseline` the same with the B-tree form."""
    url = url.replace("postgresql+psycopg://", "postgresql://")  # psycopg's form; SQLAlchemy's below
    if position is None:
        engine = create_engine(url.replace("postgresql://", "postgresql+psycopg://"))
        with engine.connect() as conn:
            position = position_at(conn, datetime.now(UTC) - timedelta(days=365))
        engine.dispose()
    found: dict[str, Any] = {"position": position, "cases": {}}
    with psycopg.connect(url, autocommit=True) as raw:
        for register, sort in CASES:
            table = register.table
            pages = [statements(register, sort, position, n % 10) for n in range(10)]
            sent = [page for page, _, _ in pages] + [pages[0][1]]  # ten pages, then the total
            before = [one_step for _, _, one_step in pages] + [pages[0][1]]
            forms = {"ranges": sent, "valid_from B-tree": [replaced(s, table.name, position) for s in before]}
            for n, what in ((slice(0, 10), "page of 50"), (slice(10, 11), "total")):
                found["cases"][f"{table.name} {what}"] = {
                    "ours": run(raw, samples, forms["ranges"][n]),
                    "baseline": run(raw, samples, forms["valid_from B-tree"][n]),
                }
    return found


if __name__ == "__main__":
    result = measure(sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else None)
    print(f"as of position {result['position']}: p50 / p99 ms, the ranges beside the valid_from B-tree form")
    for label, case in result["cases"].items():
        ours, base = case["ours"], case["baseline"]
        print(
            f"  {label:30} {ours['p50_ms']:7.1f} / {ours['p99_ms']:7.1f}   {base['p50_ms']:7.1f} / {base['p99_ms']:7.1f}"
        )
