"""Reinsurance (guide 6.1.1 (6)): the bordereau (premium and claims ceded, by treaty, reinsurer or month) and the loss
ratio gross and net of reinsurance (by line, product or month), read from the ledger of reinsurance money
(projections.reinsurance: `reinsurance_entries`).

Money is counted on the business date it moved (cash basis): premium as received net of refunds and ceded as it is
received, claims as paid and recovered as they are paid. Every figure is as known at the position.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import Connection, select

from projections.reinsurance_tables import reinsurance_entries
from projections.reports.base import Raw, ReportSpec, between, grouped, money, ratio, sum_if

_e = reinsurance_entries.c
BORDEREAU = {
    "premium_ceded": "Premium ceded in the period: each treaty and reinsurer's share of the premium received in "
    "it (net of refunds), at the share of the annual premium the policy's cession gives it.",
    "claims_ceded": "Recoveries due on the claim payments made in the period: each treaty and reinsurer's share.",
    "received": "Recoveries the reinsurers paid in the period.",
    "outstanding": "Recoveries due on payments made up to the end of the period, less those received by then.",
}
NET = {
    "gross_premium": "Premium received in the period, net of refunds (issued policies).",
    "ceded_premium": "Of it, the premium ceded to reinsurers.",
    "net_premium": "gross_premium − ceded_premium.",
    "claims_paid": "Claim payments made in the period.",
    "recoveries": "Of them, the recoveries due from reinsurers.",
    "net_claims": "claims_paid − recoveries.",
    "gross_loss_ratio_pct": "claims_paid ÷ gross_premium, in percent.",
    "net_loss_ratio_pct": "net_claims ÷ net_premium, in percent.",
}
GROUPS = {"treaty": _e.treaty_id, "reinsurer": _e.reinsurer, "line": _e.line, "product": _e.product_code}


def _sums(conn: Connection, position: int | None, by: str | None, figures: dict[str, Any]) -> dict[Any, Raw]:
    keys = [GROUPS[by]] if by else []
    query = select(*keys, *figures.values())
    if position is not None:
        query = query.where(_e.position <= position)
    return grouped(conn, query.group_by(*keys), tuple(figures), by is not None)


def _bordereau(
    conn: Connection, position: int | None, start: date, end: date, group: str, split: bool
) -> dict[Any, Raw]:
    in_period, to_end = between(_e.on, start, end), _e.on <= end
    figures = {
        "premium_ceded": sum_if(in_period & (_e.kind == "premium_ceded"), _e.amount),
        "claims_ceded": sum_if(in_period & (_e.kind == "recovery"), _e.amount),
        "received": sum_if(in_period & (_e.kind == "received"), -_e.amount),
        "outstanding": sum_if(to_end & _e.kind.in_(("recovery", "received")), _e.amount),
    }
    return _sums(conn, position, group if split else None, figures)


def _finish_bordereau(raw: Raw, group: str) -> dict[str, Any]:
    return {name: money(raw.get(name)) for name in BORDEREAU}


def _net(conn: Connection, position: int | None, start: date, end: date, group: str, split: bool) -> dict[Any, Raw]:
    in_period = between(_e.on, start, end)
    figures = {
        name: sum_if(in_period & (_e.kind == kind), _e.amount)
        for name, kind in (
            ("gross_premium", "premium"),
            ("ceded_premium", "premium_ceded"),
            ("claims_paid", "claim"),
            ("recoveries", "recovery"),
        )
    }
    return _sums(conn, position, group if split else None, figures)


def _finish_net(raw: Raw, group: str) -> dict[str, Any]:
    gross, ceded = money(raw.get("gross_premium")), money(raw.get("ceded_premium"))
    paid, recovered = money(raw.get("claims_paid")), money(raw.get("recoveries"))
    return {
        "gross_premium": gross,
        "ceded_premium": ceded,
        "net_premium": gross - ceded,
        "claims_paid": paid,
        "recoveries": recovered,
        "net_claims": paid - recovered,
        "gross_loss_ratio_pct": ratio(paid, gross),
        "net_loss_ratio_pct": ratio(paid - recovered, gross - ceded),
    }


BORDEREAU_SPEC = ReportSpec(
    name="reinsurance_bordereau",
    title="Reinsurance bordereau: premium and claims ceded, recoveries received and outstanding",
    group_by=("treaty", "reinsurer", "month"),
    definitions=BORDEREAU,
    compute=_bordereau,
    finish=_finish_bordereau,
    sources=("reinsurance",),
    additive=("treaty", "reinsurer"),
)
NET_SPEC = ReportSpec(
    name="net_loss_ratio",
    title="Loss ratio gross and net of reinsurance",
    group_by=("line", "product", "month"),
    definitions=NET,
    compute=_net,
    finish=_finish_net,
    sources=("reinsurance",),
    additive=("line", "product"),
)
