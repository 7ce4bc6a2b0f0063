"""Management and regulatory reports (SPEC §8), computed in SQL over the system-versioned registers as of a
log position; never by replaying events. Conventions: see projections.reports.base."""

from __future__ import annotations

from projections.reports import (
    claims_timeliness,
    complaints,
    loss_ratio,
    persistency,
    satisfaction,
    staff,
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
        staff.SPEC,
    )
}

__all__ = ["REPORTS", "Report", "ReportSpec"]
