"""The risk register's and the key risk indicators' reference values (guide ch. 9)."""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, timedelta

#: The kinds of business risk the guide names (ch. 9: underwriting, claims and fraud, operations, compliance …).
CATEGORIES = ("underwriting", "claims", "fraud", "operational", "compliance", "market", "credit", "reputational")
#: Likelihood and impact are each 1–5; their product is the risk's score.
LOW, HIGH = 1, 5
TITLE, TEXT, CONTROL = 200, 2000, 500
MAX_CONTROLS = 50


def rating(score: int) -> str:
    """The band of a score (likelihood × impact, 1–25): low ≤ 4, medium ≤ 9, high ≤ 16, critical above."""
    if score <= 4:
        return "low"
    if score <= 9:
        return "medium"
    return "high" if score <= 16 else "critical"


RATINGS = ("low", "medium", "high", "critical")


@dataclass(frozen=True)
class Metric:
    """A key risk indicator the product computes from a report: an alert when its value goes `above` (or
    `below`) the threshold; `by_line` when it can be kept for one line of business."""

    direction: str  # above | below
    by_line: bool
    percent: bool = True


#: The indicators (ch. 9): each is a figure of a report over the twelve months to the end of the last month.
METRICS: dict[str, Metric] = {
    "loss_ratio_pct": Metric("above", True),
    "lapse_rate_pct": Metric("above", True),
    "surrender_rate_pct": Metric("above", True),
    "claims_decided_in_time_pct": Metric("below", True),
    "complaints_per_10k_policies": Metric("above", False, percent=False),
    "satisfaction_average": Metric("below", False, percent=False),
}
LINES = ("life", "health", "accident", "property", "liability", "credit")


def month_end(day: date) -> date:
    """The last day of `day`'s month."""
    return date(day.year, day.month, calendar.monthrange(day.year, day.month)[1])


def window(last_day: date) -> tuple[date, date]:
    """The twelve months ending on `last_day` (a month's last day)."""
    first_year, first_month = (last_day.year, last_day.month + 1) if last_day.month < 12 else (last_day.year + 1, 1)
    return date(first_year - 1, first_month, 1), last_day


def previous_month_end(day: date) -> date:
    """The last day of the month before `day`'s."""
    return date(day.year, day.month, 1) - timedelta(days=1)
