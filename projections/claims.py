"""The claims register (赔案登记簿) with reserves, payments and clocks, and the risk flags register
(SPEC §6, §8; guide ch. 7, ch. 9).

Every row is a function of the claim as it stands after the event (`AggregateCache` applies each
event exactly as a replay would); the clocks are the domain's `clocks_on(business_date)`, so no row
depends on the wall clock and a rebuild writes exactly the rows the live projection wrote.

The decision columns (decision, decided_on, payable, …, rejection_notice_on) and the assessment
columns describe the current round: after a reopening they are empty until the new assessment and
decision (the earlier ones stay in the row's history, `as_of`). Money and breaches cover every round.
A flag row carries the claim's current status, so it gets a new version when the status changes.
"""

from __future__ import annotations

from datetime import date
from typing import Any, cast

from eventsourcing.domain import DomainEventProtocol
from sqlalchemy import JSON, Boolean, Column, Connection, Date, Index, Integer, String, Text, func, or_, select
from sqlalchemy.sql import ColumnElement

from domain.claim.aggregate import Claim
from domain.claim.rules import ClockReading
from projections.aggregates import AggregateCache
from projections.base import Batch, Projection
from projections.customers import plain
from projections.policies import ID, MONEY, policies
from projections.register import Register
from projections.versioned import as_of, versioned_table

claims = versioned_table(
    "claims",
    "claim_id",
    Column("version", Integer, nullable=False),
    Column("claim_number", String(30), nullable=False),
    Column("status", String(20), nullable=False),
    Column("policy_id", ID, nullable=False),
    Column("policy_number", String(100), nullable=False),
    Column("claimant_id", ID, nullable=False),
    Column("claimant_role", String(20), nullable=False),
    Column("line", String(20), nullable=False),
    Column("cause", String(100), nullable=False),
    Column("loss_date", Date, nullable=False),
    Column("known_on", Date, nullable=False),
    Column("reported_on", Date, nullable=False),
    Column("limitation_last_day", Date, nullable=False),
    Column("estimated_amount", MONEY, nullable=False),
    # documents (7.1; Art. 22)
    Column("required_documents", JSON(none_as_null=True), nullable=False),  # codes, in the order required
    Column("missing_documents", JSON(none_as_null=True), nullable=False),
    Column("documents_received", Integer, nullable=False),
    Column("missing_notices", Integer, nullable=False),
    Column("notice_breach", Boolean, nullable=False),  # a second notice was sent: an Art. 22 breach
    Column("accepted_on", Date, nullable=True),
    # investigation and fraud flags (7.2; ch. 9)
    Column("investigations", Integer, nullable=False),
    Column("fraud_flags", Integer, nullable=False),
    # the latest assessment of the current round (7.2 (2)–(3))
    Column("assessed_amount", MONEY, nullable=True),
    Column("claimed_amount", MONEY, nullable=True),
    Column("assessments", Integer, nullable=False),  # every assessment, all rounds
    Column("agreed_on", Date, nullable=True),
    Column("disputed", Boolean, nullable=False),  # the latest assessment is disputed: to be assessed again
    # the decision of the current round (7.3 (1); Art. 24)
    Column("decision", String(10), nullable=True),  # approved | rejected
    Column("decided_on", Date, nullable=True),
    Column("payable", MONEY, nullable=True),
    Column("deciding_role", String(50), nullable=True),
    Column("decided_by", ID, nullable=True),
    Column("rejection_reasons", JSON(none_as_null=True), nullable=True),
    Column("rejection_notice_on", Date, nullable=True),
    # money (7.3 (2)–(3); Art. 25)
    Column("reserve", MONEY, nullable=False),
    Column("paid_total", MONEY, nullable=False),
    Column("advance_total", MONEY, nullable=False),
    Column("outstanding", MONEY, nullable=False),  # approved and not yet paid
    Column("first_payment_on", Date, nullable=True),
    Column("last_payment_on", Date, nullable=True),
    Column("receipt_confirmed_on", Date, nullable=True),
    Column("closed_on", Date, nullable=True),
    Column("reopenings", Integer, nullable=False),
    # the clocks of the current round as of last_event_on (Art. 23, 24, 25)
    Column("round", Integer, nullable=False),
    Column("clocks", JSON(none_as_null=True), nullable=False),  # clock → reading (ISO dates), None if not started
    Column("decision_due_on", Date, nullable=False),  # moves on day by day while documents are missing
    Column("decision_due_moved_because", String(200), nullable=True),  # off a rest day (Civil Code Art. 203)
    Column("decision_paused", Boolean, nullable=False),
    Column("payment_due_on", Date, nullable=True),
    Column("breaches", JSON(none_as_null=True), nullable=False),  # [{clock, due_on, on, round}] as recorded
    Column("breach_count", Integer, nullable=False),
    Column("next_due_date", Date, nullable=True),  # when advance_time records a breach
    Column("last_event_on", Date, nullable=False),  # the latest business date recorded
    days=True,  # reports read its rows as they stood at the end of a day (projections.versioned)
)
Index("ix_claims_next_due", claims.c.valid_to, claims.c.next_due_date)
Index("ix_claims_policy", claims.c.policy_id, claims.c.valid_to)
Index("ix_claims_claimant", claims.c.claimant_id, claims.c.valid_to)
Index("ix_claims_status", claims.c.status, claims.c.valid_to)

claim_flags = versioned_table(
    "claim_flags",
    "flag_key",  # f"{claim_id}:{indicator}"
    Column("claim_id", String(36), nullable=False),
    Column("claim_number", String(30), nullable=False),
    Column("policy_id", ID, nullable=False),
    Column("indicator", String(100), nullable=False),
    Column("detail", Text, nullable=False),
    Column("raised_on", Date, nullable=False),
    Column("claim_status", String(20), nullable=False),  # the claim's status now
    key_length=140,  # a claim id (36 characters), a colon and an indicator (at most 100)
)
Index("ix_claim_flags_claim", claim_flags.c.claim_id, claim_flags.c.valid_to)
Index("ix_claim_flags_policy", claim_flags.c.policy_id, claim_flags.c.valid_to)
Index("ix_claim_flags_indicator", claim_flags.c.indicator, claim_flags.c.valid_to)


def flag_key(claim_id: str, indicator: str) -> str:
    return f"{claim_id}:{indicator}"


def reading(clock: ClockReading | None) -> dict[str, Any] | None:
    """One clock reading as JSON (ISO dates), or None if the clock has not started."""
    if clock is None:
        return None
    shown: dict[str, Any] = plain(
        {
            "started_on": clock.started_on,
            "due_on": clock.due_on,
            "days_allowed": clock.days_allowed,
            "days_used": clock.days_used,
            "paused_days": clock.paused_days,
            "paused": clock.paused,
            "met_on": clock.met_on,
            "breached": clock.breached,
            "on_time": clock.on_time,
            "nominal_due_on": clock.nominal_due_on,
            "moved_because": clock.moved_because,
            "calendar_known": clock.calendar_known,
        }
    )
    return shown


def claim_row(claim: Claim) -> dict[str, Any]:
    """The register row of a claim's current state."""
    clocks = claim.clocks_on(claim.business_date)
    assessment, approval, rejection = claim.assessment, claim.approval, claim.rejection
    decision = approval or rejection
    paid_on = [p["on"] for p in claim.payments]
    return {
        "version": claim.version,
        "claim_number": claim.claim_number,
        "status": claim.status,
        "policy_id": claim.policy_id,
        "policy_number": claim.policy_number,
        "claimant_id": claim.claimant_id,
        "claimant_role": claim.claimant_role,
        "line": claim.line,
        "cause": claim.cause,
        "loss_date": claim.loss_date,
        "known_on": claim.known_on,
        "reported_on": claim.reported_on,
        "limitation_last_day": claim.limitation_last_day,
        "estimated_amount": claim.estimated_amount,
        "required_documents": list(claim.required_documents),
        "missing_documents": claim.missing_documents,
        "documents_received": len(claim.documents_received),
        "missing_notices": len(claim.missing_notices),
        "notice_breach": claim.second_notice_breach,
        "accepted_on": claim.accepted_on,
        "investigations": len(claim.investigations),
        "fraud_flags": len(claim.fraud_flags),
        "assessed_amount": None if assessment is None else assessment["total_assessed"],
        "claimed_amount": None if assessment is None else assessment["total_claimed"],
        "assessments": claim.assessments_count,
        "agreed_on": None if assessment is None else assessment["agreed_on"],
        "disputed": assessment is not None and assessment["disputed"] is not None,
        "decision": "approved" if approval is not None else "rejected" if rejection is not None else None,
        "decided_on": None if decision is None else decision["on"],
        "payable": None if approval is None else approval["payable"],
        "deciding_role": None if approval is None else approval["deciding_role"],
        "decided_by": None if decision is None else decision["decided_by"],
        "rejection_reasons": None if rejection is None else list(rejection["reasons"]),
        "rejection_notice_on": None if rejection is None else rejection["notice_on"],
        "reserve": claim.reserve,
        "paid_total": claim.paid_total,
        "advance_total": claim.advance_total,
        "outstanding": claim.outstanding,
        "first_payment_on": min(paid_on, default=None),
        "last_payment_on": max(paid_on, default=None),
        "receipt_confirmed_on": claim.receipt_confirmed_on,
        "closed_on": claim.closed_on,
        "reopenings": len(claim.reopenings),
        "round": clocks.round,
        "clocks": {r: reading(getattr(clocks, r)) for r in ("decision", "rejection_notice", "payment", "advance")},
        "decision_due_on": clocks.decision.due_on,
        "decision_due_moved_because": clocks.decision.moved_because,
        "decision_paused": clocks.decision.paused,
        "payment_due_on": None if clocks.payment is None else clocks.payment.due_on,
        "breaches": plain(claim.clock_breaches),
        "breach_count": len(claim.clock_breaches),
        "next_due_date": claim.next_due_date(),
        "last_event_on": claim.business_date,
    }


def flag_row(claim: Claim, flag: dict[str, Any]) -> dict[str, Any]:
    """The risk flags register row of one of the claim's flags, with the claim's current status."""
    return {
        "claim_id": str(claim.id),
        "claim_number": claim.claim_number,
        "policy_id": claim.policy_id,
        "indicator": flag["indicator"],
        "detail": flag["detail"],
        "raised_on": flag["on"],
        "claim_status": claim.status,
    }


class ClaimsProjection(Projection):
    """Keeps the claims register and the risk flags register."""

    handles = (Claim.Event,)
    aggregate = Claim

    name = "claims"
    tables = (claims, claim_flags)

    def bind(self, app: Any) -> None:
        super().bind(app)
        self.cache = AggregateCache(app)

    def preload(self, events: list[tuple[DomainEventProtocol[Any], int]], batch: Batch) -> None:
        mine = [e for e, _ in events if isinstance(e, Claim.Event)]
        ids = sorted({str(e.originator_id) for e in mine})
        batch.versioned(claims).preload(ids)
        keys = [flag_key(str(e.originator_id), e.indicator) for e in mine if isinstance(e, Claim.FraudFlagRaised)]
        f = claim_flags.c
        for start in range(0, len(ids), 500):  # the flags raised before this batch: their status may change
            chunk = ids[start : start + 500]
            keys += batch.conn.execute(select(f.flag_key).where(f.claim_id.in_(chunk), f.valid_to.is_(None))).scalars()
        batch.versioned(claim_flags).preload(keys)

    def apply(self, event: DomainEventProtocol[Any], position: int, batch: Batch) -> None:
        if not isinstance(event, Claim.Event):
            return
        claim = cast(Claim, self.cache.apply(event))
        claim_id = str(claim.id)
        batch.versioned(claims).put(claim_id, claim_row(claim), position)
        for flag in claim.fraud_flags:  # unchanged rows are skipped by the writer
            batch.versioned(claim_flags).put(flag_key(claim_id, flag["indicator"]), flag_row(claim, flag), position)


# --- queries: claims -----------------------------------------------------------------------------
_c = claims.c
CLAIM_SORTABLE: dict[str, Column[Any]] = {
    "reported_on": _c.reported_on,
    "loss_date": _c.loss_date,
    "claim_number": _c.claim_number,
    "status": _c.status,
    "reserve": _c.reserve,
    "paid_total": _c.paid_total,
    "decision_due_on": _c.decision_due_on,
    "last_event_on": _c.last_event_on,
}
CLAIM_DEFAULT_SORT = "-reported_on"


def with_overdue(row: dict[str, Any], today: date) -> None:
    """`decision_overdue` as of `today`: no decision, the clock not paused, and its due date passed."""
    due = row.get("decision_due_on")
    row["decision_overdue"] = (
        row.get("decision") is None and not row.get("decision_paused") and due is not None and due < today
    )


#: 赔案登记簿: each claim with status, reserve, paid, clocks, breaches and flags.
CLAIMS = Register(
    claims,
    "claims",
    CLAIM_SORTABLE,
    CLAIM_DEFAULT_SORT,
    view="ClaimView",
    doc="A row of the claims register; `clocks` as of the claim's last event, `decision_overdue` as of `today`.",
    page_view="ClaimPage",
    extra={"decision_overdue": (bool, False)},
    derive=with_overdue,
)


def claim_filters(
    *,
    status: str | None = None,
    policy_id: str | None = None,
    claimant_id: str | None = None,
    line: str | None = None,
    cause: str | None = None,
    flagged: bool | None = None,
    breached: bool | None = None,
    open_: bool | None = None,
    reported_from: date | None = None,
    reported_to: date | None = None,
    loss_from: date | None = None,
    loss_to: date | None = None,
) -> list[ColumnElement[bool]]:
    """SQL conditions for the register's filters. Date ranges include both ends; `flagged`: a fraud
    flag was raised (True) or none (False); `breached`: a clock breach or a second missing-documents
    notice was recorded (True) or neither (False); `open_`: not closed (True) or closed (False)."""
    conditions: list[ColumnElement[bool]] = []
    for column, value in (
        (_c.status, status),
        (_c.policy_id, policy_id),
        (_c.claimant_id, claimant_id),
        (_c.line, line),
        (_c.cause, cause),
    ):
        if value is not None:
            conditions.append(column == value)
    if flagged is not None:
        conditions.append(_c.fraud_flags > 0 if flagged else _c.fraud_flags == 0)
    if breached is not None:
        any_breach = or_(_c.breach_count > 0, _c.notice_breach.is_(True))
        conditions.append(any_breach if breached else ~any_breach)
    if open_ is not None:
        conditions.append(_c.status != "closed" if open_ else _c.status == "closed")
    for column, low, high in ((_c.reported_on, reported_from, reported_to), (_c.loss_date, loss_from, loss_to)):
        if low is not None:
            conditions.append(column >= low)
        if high is not None:
            conditions.append(column <= high)
    return conditions


def due_for_scheduler(conn: Connection, on: date, position: int | None = None) -> list[str]:
    """Ids of the claims for which `advance_time(on)` would record a breach, earliest first."""
    query = (
        select(_c.claim_id)
        .where(as_of(claims, position), _c.next_due_date <= on)
        .order_by(_c.next_due_date, _c.claim_id)
    )
    return list(conn.execute(query).scalars())


def claims_on_policy(conn: Connection, policy_id: str, since: date, until: date, position: int | None = None) -> int:
    """How many claims on the policy had their loss between `since` and `until` (both included)."""
    query = (
        select(func.count())
        .select_from(claims)
        .where(as_of(claims, position), _c.policy_id == policy_id, _c.loss_date >= since, _c.loss_date <= until)
    )
    return int(conn.execute(query).scalar_one())


def claims_record(conn: Connection, customer_id: str, since: date, position: int | None = None) -> dict[str, int]:
    """A customer's claims reported on or after `since`, on policies that insure the customer or made
    by the customer as claimant, and the fraud flags raised on them (6.2.5, ch. 9)."""
    p = policies.c
    insured = select(p.policy_id).where(as_of(policies, position), p.insured_id == customer_id)
    query = select(func.count(), func.coalesce(func.sum(_c.fraud_flags), 0)).where(
        as_of(claims, position), _c.reported_on >= since, or_(_c.claimant_id == customer_id, _c.policy_id.in_(insured))
    )
    count, flags = conn.execute(query).one()
    return {"claims_last_3_years": int(count), "fraud_flags": int(flags)}


# --- queries: risk flags -------------------------------------------------------------------------
_f = claim_flags.c
FLAG_SORTABLE: dict[str, Column[Any]] = {
    "raised_on": _f.raised_on,
    "indicator": _f.indicator,
    "claim_number": _f.claim_number,
    "claim_status": _f.claim_status,
}
FLAG_DEFAULT_SORT = "-raised_on"
#: The risk flags register: fraud indicators (ch. 9) raised on claims.
FLAGS = Register(
    claim_flags,
    "claims",
    FLAG_SORTABLE,
    FLAG_DEFAULT_SORT,
    view="RiskFlagView",
    doc="A fraud indicator raised on a claim (ch. 9).",
    page_view="RiskFlagPage",
)


def flag_filters(
    indicator: str | None = None,
    claim_id: str | None = None,
    policy_id: str | None = None,
    raised_from: date | None = None,
    raised_to: date | None = None,
) -> list[ColumnElement[bool]]:
    """SQL conditions for the risk flags: by indicator, claim, policy, and the day raised (both ends included)."""
    conditions: list[ColumnElement[bool]] = []
    for column, value in ((_f.indicator, indicator), (_f.claim_id, claim_id), (_f.policy_id, policy_id)):
        if value is not None:
            conditions.append(column == value)
    if raised_from is not None:
        conditions.append(_f.raised_on >= raised_from)
    if raised_to is not None:
        conditions.append(_f.raised_on <= raised_to)
    return conditions
