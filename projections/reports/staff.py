"""Staff performance (ch. 11): agents' sales and the complaints about them; claims handlers' decisions, closed
claims and cycle times, and the complaints about the claims they decided."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import Connection, and_, func, select

from projections.claims import claims
from projections.complaints import complaints
from projections.policies import policies
from projections.premiums import premium_payments
from projections.reports.base import (
    Raw,
    ReportSpec,
    average,
    between,
    count_if,
    current,
    days_between,
    grouped,
    merge,
    money,
    state_on,
    sum_if,
)
from projections.reports.book import joined_policy
from projections.versioned import as_of

DEFINITIONS = {
    "policies_sold": "agent: policies the agent sold that were issued (came into force) in the period.",
    "premium_written": "agent: the annual premium of policies_sold.",
    "premium_collected": "agent: premiums received in the period on all the agent's policies, less refunds made "
    "in the period.",
    "claims_decided": "handler: claims the handler approved or rejected in the period.",
    "claims_closed": "handler: claims closed in the period whose decision the handler made.",
    "average_cycle_days": "handler: average calendar days from report to closing, over claims_closed.",
    "complaints_against": "agent: complaints received in the period about a policy the agent sold; handler: "
    "complaints received in the period about a claim the handler decided (repeats linked to "
    "a first complaint are not counted again).",
}
AGENT = ("policies_sold", "premium_written", "premium_collected", "complaints_against")
HANDLER = ("claims_decided", "claims_closed", "average_cycle_days", "complaints_against")


def _agents(conn: Connection, position: int | None, start: date, end: date, by: bool) -> dict[Any, Raw]:
    p, pay = policies.c, premium_payments.c
    keys = [p.agent_id] if by else []
    sold = between(p.start_date, start, end)
    sales = (
        select(*keys, count_if(sold), sum_if(sold, func.coalesce(p.annual_premium, 0)))
        .where(as_of(policies, position), sold)
        .group_by(*keys)
    )
    collected = (
        select(*keys, func.coalesce(func.sum(pay.amount), 0))
        .select_from(joined_policy(premium_payments, pay.policy_id, position))
        .where(between(pay.on, start, end), *([pay.position <= position] if position is not None else []))
        .group_by(*keys)
    )
    s = state_on(complaints, position, end)
    against = (
        select(*keys, func.count())
        .select_from(joined_policy(s, s.c.related_policy_id, position))
        .where(between(s.c.received_on, start, end), s.c.linked_to.is_(None))
        .group_by(*keys)
    )
    return merge(
        grouped(conn, sales, ("sold", "written"), by),
        grouped(conn, collected, ("collected",), by),
        grouped(conn, against, ("against",), by),
    )


def _handlers(conn: Connection, position: int | None, start: date, end: date, by: bool) -> dict[Any, Raw]:
    s = state_on(claims, position, end)
    c = s.c
    keys = [c.decided_by] if by else []
    decided = between(c.decided_on, start, end)
    closed = and_(c.status == "closed", between(c.closed_on, start, end))
    work = (
        select(
            *keys, count_if(decided), count_if(closed), sum_if(closed, days_between(conn, c.closed_on, c.reported_on))
        )
        .where(c.decided_by.is_not(None))
        .group_by(*keys)
    )
    k = state_on(complaints, position, end)
    handled = claims.alias("handled")
    subject = k.join(handled, and_(handled.c.claim_id == k.c.related_claim_id, current(handled, position)))
    hkeys = [handled.c.decided_by] if by else []
    against = (
        select(*hkeys, func.count())
        .select_from(subject)
        .where(between(k.c.received_on, start, end), k.c.linked_to.is_(None), handled.c.decided_by.is_not(None))
        .group_by(*hkeys)
    )
    return merge(grouped(conn, work, ("decided", "closed", "cycle_days"), by), grouped(conn, against, ("against",), by))


def compute(conn: Connection, position: int | None, start: date, end: date, group: str, split: bool) -> dict[Any, Raw]:
    if group == "agent":
        return _agents(conn, position, start, end, split)
    return _handlers(conn, position, start, end, split)


def finish(raw: Raw, group: str) -> dict[str, Any]:
    if group == "agent":
        return {
            "policies_sold": int(raw.get("sold") or 0),
            "premium_written": money(raw.get("written")),
            "premium_collected": money(raw.get("collected")),
            "complaints_against": int(raw.get("against") or 0),
        }
    closed = int(raw.get("closed") or 0)
    return {
        "claims_decided": int(raw.get("decided") or 0),
        "claims_closed": closed,
        "average_cycle_days": average(raw.get("cycle_days"), closed),
        "complaints_against": int(raw.get("against") or 0),
    }


SPEC = ReportSpec(
    name="staff",
    title="Staff performance: agents and claims handlers",
    group_by=("agent", "handler"),
    definitions=DEFINITIONS,
    compute=compute,
    finish=finish,
    sources=("policies", "premiums", "claims", "complaints"),
)
