"""What the passing of time is due to move on a day (for `inscribe tick`), read from the registers."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from uuid import UUID

from projections.claims import due_for_scheduler as claims_due
from projections.complaints import due_for_scheduler as complaints_due
from projections.policies import due_for_scheduler as policies_due
from projections.register import Reader
from projections.risks import indicators_due


@dataclass(frozen=True)
class Due:
    """The aggregates with something due by a day: policies (premiums, lapse, renewal, term end),
    complaints (投诉处理时限) and claims (Art. 22–25 clocks)."""

    policies: list[UUID]
    complaints: list[UUID]
    claims: list[UUID]
    indicators: list[UUID]  # key risk indicators whose last month is not measured yet


def due_on(read: Reader, day: date) -> Due:
    """The policies, complaints and claims with something due by `day`, as the registers stand."""
    with read.queries.connect() as conn:
        return Due(
            policies=[UUID(i) for i in policies_due(conn, day)],
            complaints=[UUID(i) for i in complaints_due(conn, day)],
            claims=[UUID(i) for i in claims_due(conn, day)],
            indicators=[UUID(i) for i in indicators_due(conn, day)],
        )
