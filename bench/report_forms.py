"""Every report for the last twelve months, now and as of a year ago: the product's own (projections.reports: the
claims reports from the kept sums, projections.summaries; the state of each row on a day read from the versions
shown that day, `ended_on`: projections.versioned, `days`) beside the forms it used before, on the same book at the
same position, in the same run: without the sums (`compute_by_versions`), and the general form (without the sums
either, the latest of every version of every row: projections.reports.base.state_on on a table without `days`).
All must answer the same report.

    .venv/bin/python -m bench.report_forms postgresql://postgres@127.0.0.1:5432/inscribe_bench_… [POSITION]

POSITION defaults to the log position a year before now (as `make bench` asks).
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import Connection, create_engine

from bench.volume_queries import timed
from projections.audit_log import position_at
from projections.db import metadata
from projections.reports import REPORTS, claims_timeliness, complaints, loss_ratio
from projections.reports.base import Report

FORMS = ("ours", "without_sums", "baseline")


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


@contextmanager
def without_sums() -> Iterator[None]:
    """Reports that read kept sums read every version instead (their `compute_by_versions`)."""
    kept = dict(REPORTS)
    for name, module in (
        ("loss_ratio", loss_ratio),
        ("claims_timeliness", claims_timeliness),
        ("complaints", complaints),
    ):
        REPORTS[name] = replace(REPORTS[name], compute=module.compute_by_versions)
    try:
        yield
    finally:
        REPORTS.update(kept)


def answer(report: Report) -> tuple[Any, ...]:
    return (report.rows, report.totals)


def measure(url: str, position: int | None = None, samples: int = 30) -> dict[str, Any]:
    """Each report's p50/p99 (by its default grouping): `ours`; `without_sums` (the claims reports from every
    version); `baseline` the general form (every version of every row)."""
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
                expected = answer(ours(0))
                with without_sums():
                    same = answer(run(name, at)(0)) == expected
                    unsummed = timed(samples, run(name, at))
                    with general_form():
                        same = same and answer(run(name, at)(0)) == expected
                        baseline = timed(samples, run(name, at))
                found["cases"][f"{name}, {label}"] = {
                    "ours": timed(samples, ours),
                    "without_sums": unsummed,
                    "baseline": baseline,
                    "same": same,
                }
                _rollback(conn)
    engine.dispose()
    return found


def _rollback(conn: Connection) -> None:
    conn.rollback()  # end the read transaction between cases


if __name__ == "__main__":
    result = measure(sys.argv[1], int(sys.argv[2]) if len(sys.argv) > 2 else None)
    print(
        f"as of position {result['position']}: p50 / p99 ms, ours beside without the sums and every version "
        "(the same answer)"
    )
    for label, case in result["cases"].items():
        figures = "   ".join(f"{case[k]['p50_ms']:7.1f} / {case[k]['p99_ms']:7.1f}" for k in FORMS)
        print(f"  {label:42} {figures}   {'same' if case['same'] else 'DIFFERENT'}")
