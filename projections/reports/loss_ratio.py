"""Loss ratio (赔付率) by product or line: (claims paid + case reserves) ÷ earned premium."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import Connection, Numeric, func, literal_column, select

from projections.claims import claims
from projections.policies import policies
from projections.premiums import premium_installments
from projections.reports.base import (
    DAY, Raw, ReportSpec, days_between, greatest, grouped, known, least, merge, money, ratio, state_on,
)
from projections.reports.book import joined_policy, policy_group
from projections.versioned import as_of

DEFINITIONS = {
    "claims_paid": "Claim payments (final payments and advances) made in the period: each claim's paid total "
                   "at the end of the period less its paid total the day before the period began.",
    "case_reserves": "The case reserves of the claims at the end of the period (a paid or closed claim's "
                     "reserve is released).",
    "incurred": "claims_paid + case_reserves.",
    "earned_premium": "The premium of paid installments pro rata to the days of their cover that fall in the "
                      "period; cover ends the day before a surrender, termination or rescission, and a policy "
                      "cancelled in the cooling-off period earns nothing (its premium is refunded).",
    "loss_ratio_pct": "incurred ÷ earned_premium, in percent.",
}
#: Policies whose cover ended before its term: the day the register first showed the status.
ENDED_EARLY = ("surrendered", "terminated", "rescinded")
FAR = 1_000_000  # days: no early end


def _claims(conn: Connection, position: int | None, start: date, end: date, by: str | None) -> dict[Any, Raw]:
    parts = []
    for names, day in ((("paid_by_end", "reserves"), end), (("paid_before",), start - DAY)):
        s = state_on(claims, position, day)
        sums = [func.coalesce(func.sum(s.c.paid_total), 0), func.coalesce(func.sum(s.c.reserve), 0)][:len(names)]
        keys = [policy_group(by)] if by else []
        query = select(*keys, *sums).select_from(joined_policy(s, s.c.policy_id, position))
        parts.append(grouped(conn, query.group_by(*keys), names, by is not None))
    return merge(*parts)


def _earned(conn: Connection, position: int | None, start: date, end: date, by: str | None) -> dict[Any, Raw]:
    i = premium_installments.c
    versions = policies.alias("ended")
    ended = (
        select(versions.c.policy_id, func.min(versions.c.last_event_on).label("on"))
        .where(known(versions, position), versions.c.status.in_(ENDED_EARLY))
        .group_by(versions.c.policy_id)
        .subquery()
    )
    first = greatest(conn, i.cover_from, start)
    last = least(conn, i.cover_to, end)
    days = least(conn, days_between(conn, last, first) + 1, func.coalesce(days_between(conn, ended.c.on, first), FAR))
    cover_days = days_between(conn, i.cover_to, i.cover_from) + 1
    exact = literal_column("1.0", Numeric)  # exact division on both databases
    earned = func.sum(i.amount * exact * greatest(conn, days, 0) / cover_days)
    keys = [policy_group(by)] if by else []
    subject = joined_policy(premium_installments, i.policy_id, position).outerjoin(
        ended, ended.c.policy_id == i.policy_id)
    query = (
        select(*keys, func.coalesce(earned, 0))
        .select_from(subject)
        .where(as_of(premium_installments, position), i.paid.is_(True), i.status != "replaced",
               i.cover_from <= end, i.cover_to >= start, policies.c.status != "cancelled")
        .group_by(*keys)
    )
    return grouped(conn, query, ("earned",), by is not None)


def compute(conn: Connection, position: int | None, start: date, end: date, group: str, split: bool) -> dict[Any, Raw]:
    by = group if split else None
    return merge(_claims(conn, position, start, end, by), _earned(conn, position, start, end, by))


def finish(raw: Raw, group: str) -> dict[str, Any]:
    paid = money(raw.get("paid_by_end")) - money(raw.get("paid_before"))
    reserves = money(raw.get("reserves"))
    earned = money(raw.get("earned"))
    return {"claims_paid": paid, "case_reserves": reserves, "incurred": paid + reserves, "earned_premium": earned,
            "loss_ratio_pct": ratio(paid + reserves, earned)}


SPEC = ReportSpec(
    name="loss_ratio", title="Loss ratio by product or line", group_by=("product", "line", "month"),
    definitions=DEFINITIONS, compute=compute, finish=finish, sources=("claims", "policies", "premiums"),
    additive=("product", "line"))
