"""The reinsurance registers as the API and the console read them (projections.reinsurance writes them): treaties,
cessions, recoveries by claim and the ledger of reinsurance money, each with its filters."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import Text, cast

from projections.register import Register
from projections.reinsurance_tables import claim_recoveries, policy_cessions, reinsurance_entries, reinsurance_treaties

_t = reinsurance_treaties.c
#: 再保险合同: each treaty with its terms, reinsurers and period.
TREATIES = Register(
    reinsurance_treaties,
    "reinsurance",
    {
        "effective_from": _t.effective_from,
        "effective_to": _t.effective_to,
        "name": _t.name,
        "kind": _t.kind,
        "status": _t.status,
        "received_total": _t.received_total,
    },
    "-effective_from",
    view="TreatyView",
    doc="A reinsurance treaty (6.1.1 (6)): quota share, surplus or per-risk excess of loss, for some lines or "
    "products, with its terms (amounts as strings), its reinsurers, their shares and what each has paid, and its "
    "effective period (risks attaching).",
    page_view="TreatyPage",
)

_p = policy_cessions.c
#: 分出: each issued policy's cession under the treaties covering it.
CESSIONS = Register(
    policy_cessions,
    "reinsurance",
    {
        "policy_number": _p.policy_number,
        "period_start": _p.period_start,
        "sum_insured": _p.sum_insured,
        "ceded_sum_insured": _p.ceded_sum_insured,
        "retained": _p.retained,
        "beyond_capacity": _p.beyond_capacity,
        "premium_ceded_total": _p.premium_ceded_total,
    },
    "-period_start",
    view="CessionView",
    doc="A policy's cession: what each treaty and reinsurer takes of its sum insured and annual premium, what the "
    "insurer keeps, what is beyond every treaty's capacity, and the premium ceded so far of the premium received.",
    page_view="CessionPage",
)

_r = claim_recoveries.c
#: 摊回: what the treaties owe on each claim's payments.
RECOVERIES = Register(
    claim_recoveries,
    "reinsurance",
    {"claim_number": _r.claim_number, "paid_total": _r.paid_total, "owed_total": _r.owed_total},
    "-owed_total",
    view="ClaimRecoveryView",
    doc="A claim's recoveries: what each treaty and reinsurer owes on what was paid on it.",
    page_view="ClaimRecoveryPage",
)

_e = reinsurance_entries.c
#: The ledger: premium received and ceded, claims paid and recovered, settlements received.
ENTRIES = Register(
    reinsurance_entries,
    "reinsurance",
    {"position": _e.position, "on": _e.on, "amount": _e.amount},
    "position",
    view="ReinsuranceEntryView",
    doc="A movement of reinsurance money: premium received (net of refunds) and each reinsurer's share ceded, a "
    "claim payment and each reinsurer's recovery, a settlement received (negative). Signed amounts.",
    page_view="ReinsuranceEntryPage",
    appended_at="position",
)


def treaty_filters(kind: str | None = None, status: str | None = None, line: str | None = None) -> list[Any]:
    conditions: list[Any] = [column == value for column, value in ((_t.kind, kind), (_t.status, status)) if value]
    if line is not None:
        conditions.append(cast(_t.lines, Text).contains(f'"{line}"'))  # one of the JSON list's lines
    return conditions


def cession_filters(
    treaty_id: Any = None, product_code: str | None = None, line: str | None = None, beyond_capacity: bool | None = None
) -> list[Any]:
    given = ((_p.product_code, product_code), (_p.line, line))
    conditions: list[Any] = [column == value for column, value in given if value is not None]
    if treaty_id is not None:
        conditions.append(_p.treaty_ids.contains(f" {treaty_id} "))
    if beyond_capacity is not None:
        conditions.append(_p.beyond_capacity > 0 if beyond_capacity else _p.beyond_capacity == 0)
    return conditions


def recovery_filters(policy_id: Any = None) -> list[Any]:
    return [] if policy_id is None else [_r.policy_id == str(policy_id)]


def entry_filters(
    kind: str | None = None,
    treaty_id: Any = None,
    reinsurer: str | None = None,
    policy_id: Any = None,
    claim_id: Any = None,
    on_from: date | None = None,
    on_to: date | None = None,
) -> list[Any]:
    given = (
        (_e.kind, kind),
        (_e.treaty_id, treaty_id),
        (_e.reinsurer, reinsurer),
        (_e.policy_id, policy_id),
        (_e.claim_id, claim_id),
    )
    conditions: list[Any] = [column == str(value) for column, value in given if value is not None]
    if on_from is not None:
        conditions.append(_e.on >= on_from)
    if on_to is not None:
        conditions.append(_e.on <= on_to)
    return conditions
