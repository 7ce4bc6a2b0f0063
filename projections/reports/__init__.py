"""Management and regulatory reports (SPEC §8), computed in SQL over the system-versioned registers as of a
log position; never by replaying events. Conventions: see projections.reports.base."""

from __future__ import annotations

from datetime import date

from projections.register import Reader
from projections.reports import (
    campaigns,
    claims_timeliness,
    complaints,
    improvement,
    loss_ratio,
    persistency,
    reinsurance,
    satisfaction,
    staff,
    survey_analysis,
    underwriting,
)
from projections.reports.base import Report, ReportSpec

#: Every report, by name, in the order they are listed.
REPORTS: dict[str, ReportSpec] = {
    spec.name: spec
    for spec in (
        loss_ratio.SPEC,
        claims_timeliness.SPEC,
        complaints.SPEC,
        underwriting.SPEC,
        persistency.SPEC,
        satisfaction.SPEC,
        survey_analysis.SPEC,
        improvement.SPEC,
        staff.SPEC,
        campaigns.SPEC,
        reinsurance.BORDEREAU_SPEC,
        reinsurance.NET_SPEC,
    )
}


def run_report(
    read: Reader, spec: ReportSpec, position: int | None, period_from: date, period_to: date, group_by: str | None
) -> Report:
    """A report as of log `position`; None (now) is the position every source has reached, so the answer
    names a position it can be asked again at."""
    with read.queries.connect() as conn:
        if position is None:
            position = min(read.position(source, conn) for source in spec.sources)
        return spec.run(conn, position, period_from, period_to, group_by)


__all__ = ["REPORTS", "Report", "ReportSpec", "run_report"]
