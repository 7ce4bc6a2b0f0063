"""As of a past position on PostgreSQL: the register's SQL (projections.versioned.as_of: the validity ranges'
SP-GiST index where a table has one) beside the comparisons it replaced (`valid_from <= p AND (valid_to IS NULL OR
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
from projections.versioned import as_of

#: (table, the sort a page asks): the registers' default sorts.
CASES = (
    (policies.policies, policies.policies.c.applied_on.desc().nulls_last()),
    (claims.claims, claims.claims.c.reported_on.desc().nulls_last()),
    (customers.customers, customers.customers.c.registered_at.desc().nulls_last()),
)


def statements(table: Any, order: Any, position: int, page: int) -> tuple[str, str]:
    """The page and total statements as the register sends them, compiled with the position in place."""
    where = as_of(table, position)
    key = table.c[table.info["key"]]
    query = select(table).where(where).order_by(order, key).limit(50).offset(50 * page)
    total = select(func.count()).select_from(table).where(where)
    dialect = postgresql.dialect()  # type: ignore[no-untyped-call]
    page_sql, total_sql = (
        str(s.compile(dialect=dialect, compile_kwargs={"literal_binds": True})) for s in (query, total)
    )
    return page_sql, total_sql


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
        for table, order in CASES:
            pages = [statements(table, order, position, n % 10) for n in range(10)]
            sent = [page for page, _ in pages] + [pages[0][1]]  # ten pages, then the total
            forms = {"ranges": sent, "valid_from B-tree": [replaced(s, table.name, position) for s in sent]}
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
