"""Persistency (继续率): lapse, surrender and renewal rates, by product, line or channel.

A policy's lapses, surrender and renewals are read from the versions of its policies register row: the
lapse date is the row's `lapsed_on`, the surrender date is the business date of the first version that
shows it surrendered, and a renewal is a later version with a later end date.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import Connection, and_, func, select

from projections.policies import policies
from projections.reports.base import Raw, ReportSpec, between, count_if, grouped, known, merge, ratio
from projections.reports.book import in_force_during, joined_policy, policy_group

DEFINITIONS = {
    "in_force_during": "Policies in force on at least one day of the period (in force when it began, or issued, "
    "reinstated or renewed during it).",
    "lapsed": "Lapses (中止: an installment unpaid at the end of its grace period) dated in the period.",
    "lapse_rate_pct": "lapsed ÷ in_force_during, in percent.",
    "surrendered": "Policies surrendered (退保) in the period.",
    "surrender_rate_pct": "surrendered ÷ in_force_during, in percent.",
    "renewals_due": "Periods of renewable policies (shown in force) whose last day fell in the period.",
    "renewed": "Of renewals_due, those renewed (a following period recorded).",
    "renewal_rate_pct": "renewed ÷ renewals_due, in percent.",
}


def _count(
    conn: Connection, subject: Any, column: Any, position: int | None, by: str | None, name: str, *figures: Any
) -> dict[Any, Raw]:
    """Count the rows of `subject` (one per policy event) by the policy's group."""
    keys = [policy_group(by)] if by else []
    query = select(*keys, func.count(), *figures).select_from(joined_policy(subject, column, position))
    names = (name, *(f"{name}_{i}" for i in range(len(figures))))
    return grouped(conn, query.group_by(*keys), names, by is not None)


def compute(conn: Connection, position: int | None, start: date, end: date, group: str, split: bool) -> dict[Any, Raw]:
    by = group if split else None
    v, later = policies.alias("v"), policies.alias("later")
    lapses = (
        select(v.c.policy_id, v.c.lapsed_on)
        .distinct()
        .where(known(v, position), between(v.c.lapsed_on, start, end))
        .subquery()
    )
    surrenders = (
        select(v.c.policy_id)
        .where(known(v, position), v.c.status == "surrendered")
        .group_by(v.c.policy_id)
        .having(between(func.min(v.c.last_event_on), start, end))
        .subquery()
    )
    due_now = and_(known(v, position), v.c.renewal_due_on.is_not(None), between(v.c.end_date, start, end))
    last_end = (
        select(later.c.policy_id, func.max(later.c.end_date).label("end_date"))
        .where(known(later, position), later.c.policy_id.in_(select(v.c.policy_id).where(due_now)))
        .group_by(later.c.policy_id)
        .subquery()
    )
    due = (
        select(v.c.policy_id, v.c.end_date, (last_end.c.end_date > v.c.end_date).label("renewed"))
        .distinct()
        .join(last_end, last_end.c.policy_id == v.c.policy_id)
        .where(due_now)
        .subquery()
    )
    exposed = in_force_during(position, start, end)
    return merge(
        _count(conn, exposed, exposed.c.policy_id, position, by, "in_force_during"),
        _count(conn, lapses, lapses.c.policy_id, position, by, "lapsed"),
        _count(conn, surrenders, surrenders.c.policy_id, position, by, "surrendered"),
        _count(conn, due, due.c.policy_id, position, by, "renewals_due", count_if(due.c.renewed)),
    )


def finish(raw: Raw, group: str) -> dict[str, Any]:
    exposed, lapsed, surrendered = (int(raw.get(n) or 0) for n in ("in_force_during", "lapsed", "surrendered"))
    due, renewed = int(raw.get("renewals_due") or 0), int(raw.get("renewals_due_0") or 0)
    return {
        "in_force_during": exposed,
        "lapsed": lapsed,
        "lapse_rate_pct": ratio(lapsed, exposed),
        "surrendered": surrendered,
        "surrender_rate_pct": ratio(surrendered, exposed),
        "renewals_due": due,
        "renewed": renewed,
        "renewal_rate_pct": ratio(renewed, due),
    }


SPEC = ReportSpec(
    name="persistency",
    title="Lapse, surrender and renewal rates",
    group_by=("product", "line", "channel", "month"),
    definitions=DEFINITIONS,
    compute=compute,
    finish=finish,
    sources=("policies",),
    additive=("product", "line", "channel"),
)
