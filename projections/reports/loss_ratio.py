"""Loss ratio (赔付率) by product or line: (claims paid + case reserves) ÷ earned premium (SPEC's figure),
and the period's own: (claims paid + closing − opening case reserves) ÷ earned premium. Earned premium is
net of every refund."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import Connection, Numeric, func, literal_column, select

from projections.claims import claims
from projections.policies import ENDED_EARLY, policies
from projections.premiums import premium_installments, premium_payments
from projections.reports.base import (
    DAY,
    Raw,
    ReportSpec,
    days_between,
    decimal,
    greatest,
    grouped,
    known,
    least,
    merge,
    money,
    ratio,
    state_on,
)
from projections.reports.book import joined_policy, policy_group
from projections.reports.sums import CLAIMS
from projections.summaries import Ask, summed
from projections.versioned import as_of

DEFINITIONS = {
    "claims_paid": "Claim payments (final payments and advances) made in the period: each claim's paid total "
    "at the end of the period less its paid total the day before the period began.",
    "case_reserves": "The case reserves of the claims at the end of the period (closing reserves; a paid or "
    "closed claim's reserve is released).",
    "opening_reserves": "The case reserves of the claims at the end of the day before the period began.",
    "incurred": "claims_paid + case_reserves (the SPEC's figure: paid plus closing reserves).",
    "period_incurred": "claims_paid + case_reserves − opening_reserves: the losses the period itself "
    "incurred (reserves carried in from earlier periods are not counted again).",
    "earned_premium": "Premium net of every refund, pro rata to the days of cover that fall in the period: "
    "each paid installment over its cover, less each refund over the cover it gives back. "
    "A refund that ends the cover gives back the days from its end: cover ends the day before "
    "a surrender, termination or rescission, and a policy cancelled in the cooling-off "
    "period earns nothing; a refund before cover began (declined, postponed, conditions "
    "refused, premium differs) refunds premium that never earned; a sum-insured decrease "
    "refunds the difference over the days from its effective date to the end of the paid "
    "cover.",
    "loss_ratio_pct": "incurred ÷ earned_premium, in percent.",
    "period_loss_ratio_pct": "period_incurred ÷ earned_premium, in percent.",
}
FAR = 1_000_000  # days: no early end


def _claims(conn: Connection, position: int | None, start: date, end: date, by: str | None) -> dict[Any, Raw]:
    """Paid totals and reserves at the end of the period and of the day before it, from the claims register's
    kept sums (projections.summaries)."""
    asks = [
        Ask("paid_by_end", "paid_total", end),
        Ask("reserves", "reserve", end),
        Ask("paid_before", "paid_total", start - DAY),
        Ask("reserves_before", "reserve", start - DAY),
    ]
    return summed(conn, CLAIMS, position, asks, by)


def claims_by_versions(
    conn: Connection, position: int | None, start: date, end: date, by: str | None
) -> dict[Any, Raw]:
    """What `_claims` answers, read from every claim's state on each day (projections.reports.base.state_on)."""
    parts = []
    for names, day in ((("paid_by_end", "reserves"), end), (("paid_before", "reserves_before"), start - DAY)):
        s = state_on(claims, position, day)
        sums = [func.coalesce(func.sum(s.c.paid_total), 0), func.coalesce(func.sum(s.c.reserve), 0)]
        keys = [policy_group(by)] if by else []
        query = select(*keys, *sums).select_from(joined_policy(s, s.c.policy_id, position))
        parts.append(grouped(conn, query.group_by(*keys), names, by is not None))
    return merge(*parts)


def _ended(position: int | None) -> Any:
    """Each policy whose cover ended early: the day the register first showed it ended."""
    versions = policies.alias("ended")
    return (
        select(versions.c.policy_id, func.min(versions.c.last_event_on).label("on"))
        .where(known(versions, position), versions.c.status.in_(ENDED_EARLY))
        .group_by(versions.c.policy_id)
        .subquery()
    )


def _pro_rata(conn: Connection, amount: Any, cover_from: Any, cover_to: Any, ended: Any, start: date, end: date) -> Any:
    """The sum of `amount` pro rata to the days of [cover_from, cover_to] in the period, cover ending the
    day before an early end."""
    first = greatest(conn, cover_from, start)
    last = least(conn, cover_to, end)
    days = least(conn, days_between(conn, last, first) + 1, func.coalesce(days_between(conn, ended.c.on, first), FAR))
    cover_days = days_between(conn, cover_to, cover_from) + 1
    exact = literal_column("1.0", Numeric)  # exact division on both databases
    return func.coalesce(func.sum(amount * exact * greatest(conn, days, 0) / cover_days), 0)


def _earned(conn: Connection, position: int | None, start: date, end: date, by: str | None) -> dict[Any, Raw]:
    i = premium_installments.c
    ended = _ended(position)
    keys = [policy_group(by)] if by else []
    subject = joined_policy(premium_installments, i.policy_id, position).outerjoin(
        ended, ended.c.policy_id == i.policy_id
    )
    query = (
        select(*keys, _pro_rata(conn, i.amount, i.cover_from, i.cover_to, ended, start, end))
        .select_from(subject)
        .where(
            as_of(premium_installments, position),
            i.paid.is_(True),
            i.status != "replaced",
            i.cover_from <= end,
            i.cover_to >= start,
            policies.c.status != "cancelled",
        )
        .group_by(*keys)
    )
    # refunds while the cover goes on (a sum-insured decrease), over the days of cover they give back
    r = premium_payments.c
    refunds = joined_policy(premium_payments, r.policy_id, position).outerjoin(ended, ended.c.policy_id == r.policy_id)
    refunded = (
        select(*keys, _pro_rata(conn, r.amount, r.cover_from, r.cover_to, ended, start, end))
        .select_from(refunds)
        .where(
            r.kind == "refund",
            r.cover_from.is_not(None),
            r.cover_from <= end,
            r.cover_to >= start,
            policies.c.status != "cancelled",
            *([] if position is None else [r.position <= position]),
        )
        .group_by(*keys)
    )
    return merge(
        grouped(conn, query, ("earned",), by is not None), grouped(conn, refunded, ("refunded",), by is not None)
    )


def compute(conn: Connection, position: int | None, start: date, end: date, group: str, split: bool) -> dict[Any, Raw]:
    by = group if split else None
    return merge(_claims(conn, position, start, end, by), _earned(conn, position, start, end, by))


def compute_by_versions(
    conn: Connection, position: int | None, start: date, end: date, group: str, split: bool
) -> dict[Any, Raw]:
    """`compute` with the claims read from every version (the tests and bench.report_forms compare the two)."""
    by = group if split else None
    return merge(claims_by_versions(conn, position, start, end, by), _earned(conn, position, start, end, by))


def finish(raw: Raw, group: str) -> dict[str, Any]:
    paid = money(raw.get("paid_by_end")) - money(raw.get("paid_before"))
    reserves, opening = money(raw.get("reserves")), money(raw.get("reserves_before"))
    earned = money(decimal(raw.get("earned")) + decimal(raw.get("refunded")))  # refunds are negative
    period = paid + reserves - opening
    return {
        "claims_paid": paid,
        "case_reserves": reserves,
        "opening_reserves": opening,
        "incurred": paid + reserves,
        "period_incurred": period,
        "earned_premium": earned,
        "loss_ratio_pct": ratio(paid + reserves, earned),
        "period_loss_ratio_pct": ratio(period, earned),
    }


SPEC = ReportSpec(
    name="loss_ratio",
    title="Loss ratio by product or line",
    group_by=("product", "line", "month"),
    definitions=DEFINITIONS,
    compute=compute,
    finish=finish,
    sources=("claims", "policies", "premiums"),
    additive=("product", "line"),
)
