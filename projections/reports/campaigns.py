"""Campaign conversion (guide 2.1 (5)): customers contacted → prospects → applications → policies → premium, by
campaign, channel or month.

Contacts and links are counted when they were made in the period (their business date), as known at the
position; a linked application's policy is read as it stood at the end of the period (its latest version known
at the position whose last business date is on or before the period's last day). An applicant contacted by
several campaigns may have their application linked to each (every campaign that reached them counts it): each
row counts a customer or an application once, and so do the totals, however many campaigns they are in.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import Connection, case, func, select

from projections.campaigns import campaign_applications, campaign_contacts, campaigns
from projections.policies import policies
from projections.reports.base import Raw, ReportSpec, between, count_if, grouped, merge, money, ratio, state_on, sum_if

DEFINITIONS = {
    "customers_contacted": "Customers contacted in the period: each once in a row, and once in the totals however "
    "many campaigns contacted them.",
    "prospects": "Of them, customers who answered a contact in the period with interest.",
    "applications": "Applications linked to a campaign in the period: each once in a row, and once in the totals "
    "however many campaigns it is linked to (its applicant contacted in each).",
    "policies": "Of those applications, the policies issued by the end of the period.",
    "premium": "The annual premium of those policies.",
    "conversion_pct": "policies ÷ customers_contacted × 100.",
}


def _known(table: Any, position: int | None) -> list[Any]:
    return [] if position is None else [table.c.position <= position]


def _group(by: str | None, campaign_id: Any) -> list[Any]:
    """The group key (`group_key`): the campaign, or its channel (from the register's current row), or none."""
    if by == "campaign":
        return [campaign_id.label("group_key")]
    if by == "channel":
        c = campaigns.c
        channel = select(c.channel).where(c.campaign_id == campaign_id, c.valid_to.is_(None)).scalar_subquery()
        return [channel.label("group_key")]
    return []


def _contacts(conn: Connection, position: int | None, start: date, end: date, by: str | None) -> dict[Any, Raw]:
    k = campaign_contacts.c
    keys = _group(by, k.campaign_id)
    interested = func.max(case((k.outcome == "interested", 1), else_=0)).label("interested")
    customers = (  # each customer once per group, interested if any contact of theirs was
        select(*keys, k.customer_id, interested)
        .where(*_known(campaign_contacts, position), between(k.on, start, end))
        .group_by(*keys, k.customer_id)
        .subquery()
    )
    key = [customers.c.group_key] if keys else []
    counts = (func.count(), func.coalesce(func.sum(customers.c.interested), 0))
    query = select(*key, *counts).select_from(customers).group_by(*key)
    return grouped(conn, query, ("contacted", "prospects"), by is not None)


def _applications(conn: Connection, position: int | None, start: date, end: date, by: str | None) -> dict[Any, Raw]:
    a = campaign_applications.c
    keys = _group(by, a.campaign_id)
    linked = (  # each application once per group
        select(*keys, a.policy_id)
        .where(*_known(campaign_applications, position), between(a.on, start, end))
        .distinct()
        .subquery()
    )
    p = state_on(policies, position, end)
    key = [linked.c.group_key] if keys else []
    issued = p.c.period >= 1
    query = (
        select(*key, func.count(), count_if(issued), sum_if(issued, func.coalesce(p.c.annual_premium, 0)))
        .select_from(linked.outerjoin(p, p.c.policy_id == linked.c.policy_id))
        .group_by(*key)
    )
    return grouped(conn, query, ("applications", "policies", "premium"), by is not None)


def compute(conn: Connection, position: int | None, start: date, end: date, group: str, split: bool) -> dict[Any, Raw]:
    by = group if split else None
    return merge(_contacts(conn, position, start, end, by), _applications(conn, position, start, end, by))


def finish(raw: Raw, group: str) -> dict[str, Any]:
    contacted = int(raw.get("contacted") or 0)
    issued = int(raw.get("policies") or 0)
    return {
        "customers_contacted": contacted,
        "prospects": int(raw.get("prospects") or 0),
        "applications": int(raw.get("applications") or 0),
        "policies": issued,
        "premium": money(raw.get("premium")),
        "conversion_pct": ratio(issued, contacted),
    }


SPEC = ReportSpec(
    name="campaign_conversion",
    title="Campaign conversion: contacted, prospects, applications, policies and premium",
    group_by=("campaign", "channel", "month"),
    definitions=DEFINITIONS,
    compute=compute,
    finish=finish,
    sources=("campaigns", "policies"),
)
