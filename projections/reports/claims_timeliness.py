"""Claims timeliness (理赔时效): the Art. 22–25 clocks, days from report to payment, payout and closure rates.

Read from each claim's state at the end of the period (its clocks are those of its current round). A clock
is counted in the period in which its outcome became known: the day it was met if met in time, otherwise
the first day after its due date. So each clock counts once, in one period, whatever day the report is run.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import Connection, and_, func, not_, or_, select, true
from sqlalchemy.sql import ColumnElement

from projections.claims import claims
from projections.reports.base import (
    DAY,
    Raw,
    ReportSpec,
    average,
    between,
    count_if,
    days_between,
    grouped,
    json_date,
    json_flag,
    ratio,
    state_on,
    sum_if,
)
from projections.reports.book import joined_policy, policy_group
from projections.reports.sums import CLAIMS
from projections.summaries import Ask, summed

DEFINITIONS = {
    "claims_registered": "Claims reported in the period.",
    "decisions_due": "Decision clocks (Art. 23: 30 days from the first receipt of the claim and its documents, "
    "not counting the days documents were awaited after the missing-documents notice) whose "
    "outcome became known in the period: met in time in the period, or past their due date "
    "with the first day late in the period.",
    "decided_in_time_pct": "Of decisions_due, the share decided within the Art. 23 clock, in percent.",
    "payments_due": "Payment clocks (Art. 23: 10 days from agreeing the amount) of claims not rejected whose "
    "outcome became known in the period (as for decisions_due).",
    "paid_in_time_pct": "Of payments_due, the share paid within 10 days of agreement, in percent.",
    "rejection_notices_due": "Rejection notice clocks (Art. 24: 3 days from the rejection) whose outcome became "
    "known in the period.",
    "rejection_notified_in_time_pct": "Of rejection_notices_due, the share notified within 3 days, in percent.",
    "advances_due": "Claims whose amount was neither agreed nor decided 60 days after the claim and its documents "
    "were received (Art. 25), counted in the period the advance was paid in time or the 60 days "
    "ran out.",
    "advanced_in_time_pct": "Of advances_due, the share that received an advance within the 60 days, in percent.",
    "first_payments": "Claims whose first payment (advance or final) was made in the period.",
    "average_days_to_payment": "Average calendar days from the report to the first payment, over first_payments.",
    "claims_closed": "Claims closed in the period (and not reopened by its end).",
    "claims_closed_paid": "Of claims_closed, those on which something was paid.",
    "payout_rate_pct": "claims_closed_paid ÷ claims_closed, in percent.",
    "registered_closed": "Of claims_registered, those closed by the end of the period.",
    "closure_rate_pct": "registered_closed ÷ claims_registered, in percent.",
}
CLOCKS = {
    "decision": "decisions",
    "payment": "payments",
    "rejection_notice": "rejection_notices",
    "advance": "advances",
}
NAMES = (
    *(f"{n}_{k}" for n in CLOCKS.values() for k in ("due", "in_time")),
    "claims_registered",
    "first_payments",
    "days_to_payment",
    "claims_closed",
    "claims_closed_paid",
    "registered_closed",
)


def _clock_known(conn: Connection, clocks: Any, clock: str, start: date, end: date) -> ColumnElement[bool]:
    """The clock's outcome became known in the period: met in time in it, or first late in it."""
    met, due = json_date(conn, clocks, clock, "met_on"), json_date(conn, clocks, clock, "due_on")
    in_time = json_flag(clocks, clock, "on_time")
    return or_(and_(in_time, between(met, start, end)), and_(not_(in_time), between(due, start - DAY, end - DAY)))


def compute(conn: Connection, position: int | None, start: date, end: date, group: str, split: bool) -> dict[Any, Raw]:
    """The figures from the claims register's kept sums (projections.summaries): each claim as it stood at the
    end of the period, as `compute_by_versions` reads it from every version."""
    period = (start, end)
    asks = [Ask(name, name, end, period) for clock in CLOCKS for name in (f"{clock}_met", f"{clock}_late")]
    asks += [Ask(name, name, end, period) for name in SUMMED]
    found = summed(conn, CLAIMS, position, asks, group if split else None)
    raws: dict[Any, Raw] = {}
    for key, sums in found.items():
        raw: Raw = {}
        for clock, name in CLOCKS.items():
            raw[f"{name}_due"] = sums[f"{clock}_met"] + sums[f"{clock}_late"]
            raw[f"{name}_in_time"] = sums[f"{clock}_met"]
        raws[key] = raw | {name: sums[figure] for figure, name in SUMMED.items()}
    return raws


#: The kept sums (projections.reports.sums) → the raw figures they give.
SUMMED = {
    "registered": "claims_registered",
    "first_payments": "first_payments",
    "days_to_payment": "days_to_payment",
    "closed": "claims_closed",
    "closed_paid": "claims_closed_paid",
    "registered_closed": "registered_closed",
}


def compute_by_versions(
    conn: Connection, position: int | None, start: date, end: date, group: str, split: bool
) -> dict[Any, Raw]:
    """The figures read from every claim's state on the period's last day (projections.reports.base.state_on):
    what `compute` answers from the kept sums (the tests and `python -m bench.report_forms` compare the two)."""
    by = group if split else None
    s = state_on(claims, position, end)
    c = s.c
    advance_due = json_date(conn, c.clocks, "advance", "due_on")
    extra: dict[str, Any] = {
        "decision": true(),
        "payment": func.coalesce(c.decision, "") != "rejected",  # a rejection ends the payment clock
        "rejection_notice": true(),
        "advance": and_(
            or_(c.agreed_on.is_(None), c.agreed_on > advance_due),
            or_(c.decided_on.is_(None), c.decided_on > advance_due),
        ),
    }
    figures = []
    for clock in CLOCKS:
        due = and_(_clock_known(conn, c.clocks, clock, start, end), extra[clock])
        figures += [count_if(due), count_if(and_(due, json_flag(c.clocks, clock, "on_time")))]
    registered = between(c.reported_on, start, end)
    first_paid = between(c.first_payment_on, start, end)
    closed = and_(c.status == "closed", between(c.closed_on, start, end))
    figures += [
        count_if(registered),
        count_if(first_paid),
        sum_if(first_paid, days_between(conn, c.first_payment_on, c.reported_on)),
        count_if(closed),
        count_if(and_(closed, c.paid_total > 0)),
        count_if(and_(registered, c.status == "closed")),
    ]
    keys = [policy_group(by)] if by else []
    query = select(*keys, *figures).select_from(joined_policy(s, c.policy_id, position)).group_by(*keys)
    return grouped(conn, query, NAMES, by is not None)


def finish(raw: Raw, group: str) -> dict[str, Any]:
    figures: dict[str, Any] = {"claims_registered": int(raw.get("claims_registered") or 0)}
    for clock, name in CLOCKS.items():
        due, in_time = int(raw.get(f"{name}_due") or 0), int(raw.get(f"{name}_in_time") or 0)
        label = {
            "decision": "decided",
            "payment": "paid",
            "rejection_notice": "rejection_notified",
            "advance": "advanced",
        }[clock]
        figures[f"{name}_due"] = due
        figures[f"{label}_in_time_pct"] = ratio(in_time, due)
    first = int(raw.get("first_payments") or 0)
    closed, closed_paid = int(raw.get("claims_closed") or 0), int(raw.get("claims_closed_paid") or 0)
    registered_closed = int(raw.get("registered_closed") or 0)
    figures.update(
        {
            "first_payments": first,
            "average_days_to_payment": average(raw.get("days_to_payment"), first),
            "claims_closed": closed,
            "claims_closed_paid": closed_paid,
            "payout_rate_pct": ratio(closed_paid, closed),
            "registered_closed": registered_closed,
            "closure_rate_pct": ratio(registered_closed, figures["claims_registered"]),
        }
    )
    return figures


SPEC = ReportSpec(
    name="claims_timeliness",
    title="Claims timeliness (Art. 22–25), payout and closure",
    group_by=("line", "product", "month"),
    definitions=DEFINITIONS,
    compute=compute,
    finish=finish,
    sources=("claims", "policies"),
    additive=("line", "product"),
)
