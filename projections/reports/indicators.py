"""Key risk indicators (guide ch. 9) computed from the reports: each metric of `domain.risk.rules.METRICS` is one
figure of one report, for one line (the report grouped by line) or for the whole book (its totals)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import Connection

from projections.reports import claims_timeliness, complaints, loss_ratio, persistency, satisfaction
from projections.reports.base import ReportSpec

#: metric → (report, figure).
SOURCES: dict[str, tuple[ReportSpec, str]] = {
    "loss_ratio_pct": (loss_ratio.SPEC, "loss_ratio_pct"),
    "lapse_rate_pct": (persistency.SPEC, "lapse_rate_pct"),
    "surrender_rate_pct": (persistency.SPEC, "surrender_rate_pct"),
    "claims_decided_in_time_pct": (claims_timeliness.SPEC, "decided_in_time_pct"),
    "complaints_per_10k_policies": (complaints.SPEC, "per_10k_policies"),
    "satisfaction_average": (satisfaction.SPEC, "average_score"),
}
#: Every register the indicators read.
SOURCE_REGISTERS = tuple(sorted({name for spec, _ in SOURCES.values() for name in spec.sources}))


def indicator_value(
    conn: Connection, position: int | None, metric: str, line: str | None, start: date, end: date
) -> Decimal | None:
    """The metric's value in the period as known at `position`: the report's figure for `line` (None when the
    line has nothing in the period) or its totals'."""
    spec, figure = SOURCES[metric]
    if line is None:
        report = spec.run(conn, position, start, end, spec.group_by[0])
        value: Any = report.totals.get(figure)
    else:
        report = spec.run(conn, position, start, end, "line")
        row = next((r for r in report.rows if r["line"] == line), None)
        value = None if row is None else row.get(figure)
    return None if value is None else Decimal(str(value))
