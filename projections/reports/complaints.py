"""Complaints (投诉): 亿元保费投诉量, 万张保单投诉量 and how fast complaints were decided, by category or channel."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import Connection, and_, or_, select

from projections.complaints import complaints
from projections.reports.base import Raw, ReportSpec, between, count_if, days_between, grouped, money, ratio, state_on
from projections.reports.book import policies_in_force, policies_in_force_by_versions, premium_income
from projections.reports.sums import COMPLAINTS
from projections.summaries import Ask, summed

DEFINITIONS = {
    "complaints_received": "Complaints received in the period; a repeat complaint without new facts is linked to "
    "the first and not counted again.",
    "premium_income": "Premiums received in the period (payments before refunds), the whole company's.",
    "per_100m_premium": "亿元保费投诉量: complaints_received ÷ (premium_income ÷ 100,000,000).",
    "policies_in_force": "Policies in force at the end of the period, the whole company's.",
    "per_10k_policies": "万张保单投诉量: complaints_received ÷ (policies_in_force ÷ 10,000).",
    "complaints_decided": "Complaints decided in the period (the decision of their latest round by its end).",
    "decided_on_time_pct": "Of complaints_decided, the share whose decision was made and notified to the "
    "complainant (Art. 21: a decision notice, or feedback on the decision) by the deadline "
    "allowed (15 days, 30 for a complex case, 60 with a manager's extension), as known at the "
    "period's end, in percent; a decision stored before notices were recorded counts by "
    "its own date.",
    "decided_within_15_days_pct": "Of complaints_decided, the share decided and notified to the complainant "
    "(Art. 21: a decision notice, or feedback on the decision) within 15 counted "
    "days from receipt (or reopening), not counting external appraisal days, as "
    "known at the period's end, in percent; a decision not yet notified then is not "
    "within; a decision stored before notices were recorded counts by its own date.",
    "decided_within_30_days_pct": "As decided_within_15_days_pct, within 30 counted days.",
    "decided_within_60_days_pct": "As decided_within_15_days_pct, within 60 counted days.",
}
GROUPS = {"category": complaints.c.category, "channel": complaints.c.channel}
NAMES = ("received", "decided", "on_time", "within_15", "within_30", "within_60")


def compute(conn: Connection, position: int | None, start: date, end: date, group: str, split: bool) -> dict[Any, Raw]:
    """The figures from the complaints register's kept sums (projections.reports.sums.COMPLAINTS): each complaint
    as it stood at the end of the period, as `compute_by_versions` reads it from every version."""
    asks = [Ask(name, name, end, (start, end)) for name in NAMES]
    found = summed(conn, COMPLAINTS, position, asks, group if split else None)
    found = {key: figures for key, figures in found.items() if key is None or any(figures.values())}
    return _shared(conn, position, start, end, group, split, found)


def compute_by_versions(
    conn: Connection, position: int | None, start: date, end: date, group: str, split: bool
) -> dict[Any, Raw]:
    """The figures read from every complaint's state on the period's last day (the tests and
    bench.report_forms compare them with `compute`'s)."""
    by = group if split else None
    s = state_on(complaints, position, end)
    c = s.c
    decided = and_(between(c.decided_on, start, end), c.days_allowed.is_not(None))
    # the Art. 21 clock stops at the notice (clock_stopped_on; a decision stored before notices: itself)
    used = days_between(conn, c.clock_stopped_on, c.clock_started_on) - c.paused_days
    received = and_(between(c.received_on, start, end), c.linked_to.is_(None))
    keys = [s.c[GROUPS[by].name]] if by else []
    query = (
        select(
            *keys,
            count_if(received),
            count_if(decided),
            count_if(and_(decided, c.on_time.is_(True))),
            *(count_if(and_(decided, used <= days)) for days in (15, 30, 60)),
        )
        .where(or_(received, decided))
        .group_by(*keys)
    )
    found = grouped(conn, query, NAMES, by is not None)
    return _shared(conn, position, start, end, group, split, found, policies_in_force_by_versions)


def _shared(
    conn: Connection,
    position: int | None,
    start: date,
    end: date,
    group: str,
    split: bool,
    found: dict[Any, Raw],
    in_force: Any = policies_in_force,
) -> dict[Any, Raw]:
    """Each group's figures with the whole book's premium income and policies in force beside them."""
    shared = {
        "premium_income": premium_income(conn, position, start, end),
        "policies_in_force": in_force(conn, position, end),
    }
    if not found:
        found = {None: {}} if not split else {}
    return {key: {**figures, **shared} for key, figures in found.items()}


def finish(raw: Raw, group: str) -> dict[str, Any]:
    received, decided = int(raw.get("received") or 0), int(raw.get("decided") or 0)
    income, in_force = money(raw.get("premium_income")), int(raw.get("policies_in_force") or 0)
    return {
        "complaints_received": received,
        "premium_income": income,
        "per_100m_premium": ratio(received, income, 100_000_000),
        "policies_in_force": in_force,
        "per_10k_policies": ratio(received, in_force, 10_000),
        "complaints_decided": decided,
        "decided_on_time_pct": ratio(raw.get("on_time"), decided),
        **{f"decided_within_{d}_days_pct": ratio(raw.get(f"within_{d}"), decided) for d in (15, 30, 60)},
    }


SPEC = ReportSpec(
    name="complaints",
    title="Complaints per premium and per policy, and decision times",
    group_by=("category", "channel", "month"),
    definitions=DEFINITIONS,
    compute=compute,
    finish=finish,
    sources=("complaints", "policies", "premiums"),
)
