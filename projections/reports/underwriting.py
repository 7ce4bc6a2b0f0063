"""Underwriting (核保): acceptance and referral rates and turnaround, by product, line or channel."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import Connection, and_, func, or_, select

from projections.reports.base import Raw, ReportSpec, average, between, count_if, grouped, merge, ratio, sum_if
from projections.reports.book import joined_policy, policy_group
from projections.underwriting import underwriting_decisions
from projections.versioned import as_of

DEFINITIONS = {
    "applications": "Applications made in the period (application date).",
    "decided": "Applications decided in the period, automatically or by an underwriter.",
    "accepted": "Of decided, accepted at standard terms.",
    "accepted_with_conditions": "Of decided, offered with conditions (loading, exclusions).",
    "postponed": "Of decided, postponed.",
    "declined": "Of decided, declined.",
    "acceptance_rate_pct": "(accepted + accepted_with_conditions) ÷ decided, in percent.",
    "automatic_pct": "Of decided, the share decided by the automatic checks, in percent.",
    "referral_rate_pct": "Of decided, the share the automatic checks referred to an underwriter, in percent.",
    "average_turnaround_days": "Average calendar days from application to decision, over decided.",
    "median_turnaround_days": "Median calendar days from application to decision, over decided (the mean of the "
    "two middle values when their number is even).",
}
NAMES = (
    "applications",
    "decided",
    "accept",
    "offer_with_conditions",
    "postpone",
    "decline",
    "automatic",
    "referred",
    "turnaround",
)


def compute(conn: Connection, position: int | None, start: date, end: date, group: str, split: bool) -> dict[Any, Raw]:
    by = group if split else None
    u = underwriting_decisions.c
    keys = [policy_group(by)] if by else []
    subject = joined_policy(underwriting_decisions, u.policy_id, position)
    decided = between(u.decided_on, start, end)
    applied = between(u.applied_on, start, end)
    query = (
        select(
            *keys,
            count_if(applied),
            count_if(decided),
            *(
                count_if(and_(decided, u.decision == d))
                for d in ("accept", "offer_with_conditions", "postpone", "decline")
            ),
            count_if(and_(decided, u.decided_by == "automatic")),
            count_if(and_(decided, u.automatic_outcome == "referred")),
            sum_if(decided, u.turnaround_days),
        )
        .select_from(subject)
        .where(as_of(underwriting_decisions, position), or_(applied, decided))
        .group_by(*keys)
    )
    return merge(grouped(conn, query, NAMES, by is not None), _median(conn, position, start, end, by))


def _median(conn: Connection, position: int | None, start: date, end: date, by: str | None) -> dict[Any, Raw]:
    """The median turnaround of the decisions in the period: ranked in SQL, the middle one or two averaged."""
    u = underwriting_decisions.c
    keys = [policy_group(by).label("key_")] if by else []
    partition = [policy_group(by)] if by else None
    ranked = (
        select(
            *keys,
            u.turnaround_days.label("days"),
            func.row_number().over(partition_by=partition, order_by=u.turnaround_days).label("n"),
            func.count().over(partition_by=partition).label("total"),
        )
        .select_from(joined_policy(underwriting_decisions, u.policy_id, position))
        .where(as_of(underwriting_decisions, position), between(u.decided_on, start, end))
        .subquery()
    )
    r = ranked.c
    middle = or_(r.n == (r.total + 1) // 2, r.n == (r.total + 2) // 2)
    outer = [r.key_] if by else []
    query = select(*outer, func.avg(r.days)).where(middle).group_by(*outer)
    return grouped(conn, query, ("median",), by is not None)


def finish(raw: Raw, group: str) -> dict[str, Any]:
    decided = int(raw.get("decided") or 0)
    counts = {name: int(raw.get(name) or 0) for name in NAMES[:-1]}
    return {
        "applications": counts["applications"],
        "decided": decided,
        "accepted": counts["accept"],
        "accepted_with_conditions": counts["offer_with_conditions"],
        "postponed": counts["postpone"],
        "declined": counts["decline"],
        "acceptance_rate_pct": ratio(counts["accept"] + counts["offer_with_conditions"], decided),
        "automatic_pct": ratio(counts["automatic"], decided),
        "referral_rate_pct": ratio(counts["referred"], decided),
        "average_turnaround_days": average(raw.get("turnaround"), decided),
        "median_turnaround_days": None if raw.get("median") is None else average(raw["median"], 1),
    }


SPEC = ReportSpec(
    name="underwriting",
    title="Underwriting acceptance, referral and turnaround",
    group_by=("product", "line", "channel", "month"),
    definitions=DEFINITIONS,
    compute=compute,
    finish=finish,
    sources=("underwriting_decisions", "policies"),
)
