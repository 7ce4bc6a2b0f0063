"""Every report for the last twelve months, now and as of a year ago: the product's own (projections.reports, the
state of each row on a day read from the versions shown that day, `ended_on`: projections.versioned, `days`) beside the
general form it used before (the latest of every version of every row: projections.reports.base.state_on on a table
without `days`), on the same book at the same position, in the same run. Both must answer the same report.

    .venv/bin/python -m bench.report_forms postgresql://postgres@127.0.0.1:5432/inscribe_bench_… [POSITION]

POSITION defaults to the log position a year before now (as `make bench` asks).
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import Connection, create_engine

from bench.volume_queries import timed
from projections.audit_log import position_at
from projections.db import metadata
from projections.reports import REPORTS
from projections.reports.base import Report


@contextmanager
def general_form() -> Iterator[None]:
    """Reports read every table as if it kept no `ended_on` (the general form of state_on)."""
    tables = [table for table in metadata.tables.values() if table.info.get("days")]
    for table in tables:
        table.info["days"] = False
    try:
        yield
    finally:
        for table in tables:
            table.info["days"] = True


def answer(report: Report) -> tuple[Any, ...]:
    return (report.rows, report.totals)


def measure(url: str, position: int | None = None, samples: int = 30) -> dict[str, Any]:
    """Each report's p50/p99 (by its default grouping): `ours` the days' ranges, `baseline` the general form."""
    engine = create_engine(url.replace("postgresql://", "postgresql+psycopg://"))
    today = date.today()
    period = (today - timedelta(days=365), today)
    found: dict[str, Any] = {"cases": {}}
    with engine.connect() as conn:
        if position is None:
            position = position_at(conn, datetime.now(UTC) - timedelta(days=365))
        head = position_at(conn, datetime.now(UTC))  # now, as the API asks it (projections.reports.run_report)
        found.update(position=position, head=head)

        def run(name: str, at: int | None) -> Callable[[int], Report]:
            return lambda _i: REPORTS[name].run(conn, at, *period)

        for name in REPORTS:
            for label, at in (("now", head), ("as of a year ago", position)):
                ours = run(name, at)
                with general_form():
                    same = answer(ours(0)) == answer(run(name, at)(0))
                    baseline = timed(samples, run(name, at))
                found["cases"][f"{name}, {label}"] = {"ours": timed(samples, ours), "baseline": baseline, "same": same}
                _rollback(conn)
    engine.dispose()
    return found


def _rollback(conn: Connection) -> None:
    conn.rollback()  # end the read transaction between cases


if __name__ == "__main__":
    result = measure(sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else None)
    print(f"as of position {result['position']}: p50 / p99 ms, the days' ranges beside every version (same answer)")
    for label, case in result["cases"].items():
        ours, base = case["ours"], case["baseline"]
        print(
            f"  {label:42} {ours['p50_ms']:7.1f} / {ours['p99_ms']:7.1f}   "
            f"{base['p50_ms']:7.1f} / {base['p99_ms']:7.1f}   {'same' if case['same'] else 'DIFFERENT'}"
        )
