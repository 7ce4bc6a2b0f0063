"""The policies register (保单登记簿): one versioned row per policy, derived from the policy's state.

Every row is a function of the policy as it stands after the event (`AggregateCache` applies each
event exactly as a replay would), so the register uses the domain's own rules and never the wall
clock: a rebuild writes exactly the rows the live projection wrote. `PolicyStateProjection` is the
base of every register kept from policy state (underwriting decisions, premiums).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any, ClassVar, cast

from eventsourcing.domain import Aggregate, DomainEventProtocol
from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Connection,
    Date,
    Index,
    Integer,
    Numeric,
    String,
    Text,
    delete,
    func,
    or_,
    select,
)

from domain.customer.aggregate import Customer
from domain.policy.aggregate import TERMINAL, Policy
from domain.policy.rules import renewal_offer_from
from domain.values import money
from projections.aggregates import shared_cache
from projections.base import Batch, Projection
from projections.queries import PageResult
from projections.register import Paging, Reader, Register
from projections.versioned import as_of, versioned_table

#: Money columns: exact decimals to the cent on both databases.
MONEY = Numeric(18, 2)
ID = String(100)  # a customer, agent or staff id (domain.policy.terms.check_id: at most 100 characters)
#: Policies whose state the policy registers keep in memory (one copy shared by the three): a
#: book's in-force policies come round at least monthly, so all of them, for a million-event book.
POLICY_CACHE_SIZE = 60_000
#: Statuses in which a policy is (or may again be) cover the insured holds in a line.
HELD = ("accepted", "in_force", "lapsed")

policies = versioned_table(
    "policies",
    "policy_id",
    Column("version", Integer, nullable=False),
    Column("policy_number", String(30), nullable=True),
    Column("status", String(30), nullable=False),
    Column("product_code", String(50), nullable=False),
    Column("product_version", Integer, nullable=False),
    Column("line", String(20), nullable=False),
    Column("riders", JSON(none_as_null=True), nullable=False),  # rider product codes
    Column("applicant_id", ID, nullable=False),
    Column("insured_id", ID, nullable=False),
    Column("relationship", String(30), nullable=False),
    Column("agent_id", ID, nullable=False),
    Column("channel", String(50), nullable=False),
    Column("sum_insured", MONEY, nullable=False),
    Column("remaining_sum_insured", MONEY, nullable=False),
    Column("annual_premium", MONEY, nullable=True),
    Column("installment", MONEY, nullable=True),
    Column("premium_mode", String(20), nullable=False),
    Column("term_months", Integer, nullable=False),
    Column("applied_on", Date, nullable=False),
    Column("start_date", Date, nullable=True),
    Column("end_date", Date, nullable=True),  # the last day of the latest period
    Column("waiting_period_end", Date, nullable=True),
    Column("period", Integer, nullable=False),  # 0 before issue, 1 the first period, 2 after one renewal
    Column("premium_paid", MONEY, nullable=False),  # net: paid less refunded
    Column("next_due_date", Date, nullable=True),  # when advance_time next records something
    Column("next_installment_due", Date, nullable=True),  # due date of the first unpaid installment
    Column("lapsed_on", Date, nullable=True),
    Column("renewal_offered_on", Date, nullable=True),
    Column("renewal_due_on", Date, nullable=True),
    Column("closing_reason", Text, nullable=True),
    Column("last_event_on", Date, nullable=False),  # the latest business date recorded
    Column("in_force", Boolean, nullable=False),
    days=True,  # reports read its rows as they stood at the end of a day (projections.versioned)
)
Index("ix_policies_next_due", policies.c.valid_to, policies.c.next_due_date)
Index("ix_policies_applicant", policies.c.applicant_id, policies.c.valid_to)
Index("ix_policies_insured", policies.c.insured_id, policies.c.valid_to)
#: The statuses that end a policy's cover before its term. Reports ask when the register first showed each
#: (loss ratio's earned premium, persistency's surrenders): the few versions that show one, from a partial index.
ENDED_EARLY = ("surrendered", "terminated", "rescinded")
_ended_early = policies.c.status.in_(ENDED_EARLY)
Index(
    "ix_policies_ended_early",
    policies.c.status,
    policies.c.policy_id,
    policies.c.last_event_on,
    policies.c.valid_from,
    postgresql_where=_ended_early,
    sqlite_where=_ended_early,
)

#: The customers with a role in a policy besides its applicant and insured, by customer id only: the
#: beneficiaries named by customer id (Art. 87 keeps their records with the contract's). Ids are not
#: personal data here; names and shares stay sealed in the events under the policy's key. One row
#: (keyed policy|role|customer) per party ever named: a beneficiary a change removes stays, `named` False.
#: When the policy's key is shredded (its applicant erased) the rows go, every version, as a rebuild
#: (which can no longer read the beneficiaries) would leave them.
policy_parties = versioned_table(
    "policy_parties",
    "party_key",
    Column("policy_id", String(36), nullable=False),
    Column("customer_id", ID, nullable=False),
    Column("role", String(20), nullable=False),  # beneficiary
    Column("named", Boolean, nullable=False),  # still named by the policy now
    key_length=160,
    ranges=False,  # a party seldom changes (projections.versioned)
)
Index("ix_policy_parties_customer", policy_parties.c.customer_id, policy_parties.c.valid_to)
Index("ix_policy_parties_policy", policy_parties.c.policy_id, policy_parties.c.valid_to)


class PolicyStateProjection(Projection):
    """A register derived from each policy's state after each of its events."""

    #: the three policy registers read the same events (applied together, they share each policy)
    handles: ClassVar[tuple[type, ...] | None] = (Policy.Event, Customer.PersonalDataErased)
    aggregate: ClassVar[type[Aggregate] | None] = Policy

    def bind(self, app: Any) -> None:
        super().bind(app)
        self.cache = shared_cache(app, "policy", POLICY_CACHE_SIZE)

    def keys(self, event: DomainEventProtocol[Any]) -> list[str]:
        return [str(event.originator_id)] if isinstance(event, Policy.Event) else []

    def apply(self, event: DomainEventProtocol[Any], position: int, batch: Batch) -> None:
        if isinstance(event, Policy.Event):
            self.write(cast(Policy, self.cache.apply(event)), event, position, batch)

    def write(self, policy: Policy, event: Any, position: int, batch: Batch) -> None:
        """Put the rows of `policy` as it stands just after `event` (at `position`)."""
        raise NotImplementedError


def policy_row(policy: Policy) -> dict[str, Any]:
    """The register row of a policy's current state."""
    terms = policy.product_terms
    unpaid = [item["due_date"] for item in policy.schedule if item["paid_on"] is None]
    in_force = policy.status == "in_force"
    renewal_due = None
    if in_force and policy.renewable and policy.end_date is not None:
        renewal_due = renewal_offer_from(policy.end_date, terms["renewal_offer_days"])
    offer = policy.renewal_offer
    return {
        "version": policy.version,
        "policy_number": policy.policy_number,
        "status": policy.status,
        "product_code": policy.product_code,
        "product_version": policy.product_version,
        "line": terms["line"],
        "riders": [r["code"] for r in policy.riders],
        "applicant_id": policy.applicant_id,
        "insured_id": policy.insured_id,
        "relationship": policy.relationship,
        "agent_id": policy.agent_id,
        "channel": policy.channel,
        "sum_insured": policy.sum_insured,
        "remaining_sum_insured": policy.remaining_sum_insured,
        "annual_premium": policy.annual_premium,
        "installment": policy.installment,
        "premium_mode": policy.premium_mode,
        "term_months": policy.term_months,
        "applied_on": policy.applied_on,
        "start_date": policy.start_date,
        "end_date": policy.end_date,
        "waiting_period_end": policy.waiting_period_end,
        "period": len(policy.periods),
        "premium_paid": policy.net_premium_paid,
        "next_due_date": policy.next_due_date(),
        "next_installment_due": min(unpaid) if unpaid else None,
        "lapsed_on": policy.lapsed_on,
        "renewal_offered_on": None if offer is None else offer["on"],
        "renewal_due_on": renewal_due,
        "closing_reason": policy.closing_reason,
        "last_event_on": policy.business_date,
        "in_force": in_force,
    }


def party_key(policy_id: str, role: str, customer_id: str) -> str:
    return f"{policy_id}|{role}|{customer_id}"


def beneficiary_ids(policy: Policy) -> set[str]:
    """The customer ids of the policy's beneficiaries (those named by name only have none)."""
    return {str(b["customer_id"]) for b in policy.beneficiaries if b.get("customer_id")}


class PoliciesProjection(PolicyStateProjection):
    """Keeps the policies register and its parties (beneficiaries by customer id)."""

    name = "policies"
    tables = (policies, policy_parties)

    def preload(self, events: list[tuple[DomainEventProtocol[Any], int]], batch: Batch) -> None:
        """Only the policies register is read ahead: parties are read when beneficiaries change."""
        batch.versioned(policies).preload([k for event, _ in events for k in self.keys(event)])

    def apply(self, event: DomainEventProtocol[Any], position: int, batch: Batch) -> None:
        if isinstance(event, Customer.PersonalDataErased):
            forget_beneficiaries(batch, str(event.originator_id))
        else:
            super().apply(event, position, batch)

    def write(self, policy: Policy, event: Any, position: int, batch: Batch) -> None:
        batch.versioned(policies).put(str(policy.id), policy_row(policy), position)
        if isinstance(event, (Policy.Applied, Policy.PolicyChanged)):
            write_parties(batch, policy, isinstance(event, Policy.Applied), position)


def write_parties(batch: Batch, policy: Policy, new: bool, position: int) -> None:
    """Put a row for each beneficiary named by customer id; one no longer named stays, `named` False."""
    writer = batch.versioned(policy_parties)
    policy_id, named = str(policy.id), beneficiary_ids(policy)
    known: set[str] = set()
    if not new:  # a change: the parties named before, as far as this batch has written them
        writer.flush()
        p = policy_parties.c
        rows = batch.conn.execute(
            select(p.customer_id).where(p.policy_id == policy_id, p.role == "beneficiary", p.valid_to.is_(None))
        )
        known = {row[0] for row in rows}
    for customer_id in sorted(named | known):
        writer.put(
            party_key(policy_id, "beneficiary", customer_id),
            {"policy_id": policy_id, "customer_id": customer_id, "role": "beneficiary", "named": customer_id in named},
            position,
        )


def forget_beneficiaries(batch: Batch, customer_id: str) -> None:
    """The applicant's key and their policies' keys are shredded: the beneficiaries of the policies
    they applied for can no longer be read, so their rows go, every version (a rebuild has none)."""
    batch.versioned(policies).flush()
    writer = batch.versioned(policy_parties)
    writer.flush()
    c, p = policies.c, policy_parties.c
    applied_for = select(c.policy_id).where(c.applicant_id == customer_id).distinct()
    batch.conn.execute(delete(policy_parties).where(p.policy_id.in_(applied_for)))
    writer.reset()


# --- queries ---------------------------------------------------------------------------------
SORTABLE = {
    "applied_on": policies.c.applied_on,
    "start_date": policies.c.start_date,
    "end_date": policies.c.end_date,
    "policy_number": policies.c.policy_number,
    "sum_insured": policies.c.sum_insured,
    "status": policies.c.status,
    "annual_premium": policies.c.annual_premium,
    "next_due_date": policies.c.next_due_date,
    "renewal_due_on": policies.c.renewal_due_on,
}
DEFAULT_SORT = "-applied_on"
#: 保单登记簿: every policy and application.
POLICIES = Register(
    policies,
    "policies",
    SORTABLE,
    DEFAULT_SORT,
    view="PolicyView",
    doc="A row of the policies register (保单登记簿).",
    page_view="PolicyPage",
)


def policy_filters(
    status: str | None = None,
    product_code: str | None = None,
    line: str | None = None,
    customer_id: str | None = None,
    applicant_id: str | None = None,
    insured_id: str | None = None,
    agent_id: str | None = None,
    channel: str | None = None,
    policy_number: str | None = None,
    in_force: bool | None = None,
    applied_from: date | None = None,
    applied_to: date | None = None,
    start_from: date | None = None,
    start_to: date | None = None,
) -> list[Any]:
    """SQL conditions for the register's filters. `customer_id` matches the applicant or the insured;
    date ranges include both ends."""
    c = policies.c
    conditions: list[Any] = []
    for column, value in (
        (c.status, status),
        (c.product_code, product_code),
        (c.line, line),
        (c.applicant_id, applicant_id),
        (c.insured_id, insured_id),
        (c.agent_id, agent_id),
        (c.channel, channel),
        (c.policy_number, policy_number),
        (c.in_force, in_force),
    ):
        if value is not None:
            conditions.append(column == value)
    if customer_id is not None:
        conditions.append(or_(c.applicant_id == customer_id, c.insured_id == customer_id))
    if applied_from is not None:
        conditions.append(c.applied_on >= applied_from)
    if applied_to is not None:
        conditions.append(c.applied_on <= applied_to)
    if start_from is not None:
        conditions.append(c.start_date >= start_from)
    if start_to is not None:
        conditions.append(c.start_date <= start_to)
    return conditions


def renewal_due_filters(today: date) -> list[Any]:
    """In-force renewable policies whose renewal may be offered by `today` and is not yet offered
    for the current period (use with page_of, sort "renewal_due_on")."""
    c = policies.c
    return [c.in_force.is_(True), c.renewal_due_on <= today, c.renewal_offered_on.is_(None)]


def renewals_due(read: Reader, today: date, paging: Paging, as_of: int | None) -> PageResult:
    """续保: one page of the in-force renewable policies whose renewal offer is due by `today` and not
    yet made, soonest first (the renewals-due list and the renewal reminders)."""
    return POLICIES.rows(read, renewal_due_filters(today), Paging(paging.page, paging.size, "renewal_due_on"), as_of)


def due_for_scheduler(conn: Connection, on: date, position: int | None = None) -> list[str]:
    """Ids of the policies for which `advance_time(on)` would record something (lapse, deemed
    consent, termination, expiry or, given a renewal premium, the renewal offer), earliest first."""
    c = policies.c
    query = (
        select(c.policy_id)
        .where(as_of(policies, position), c.status.not_in(TERMINAL), c.next_due_date <= on)
        .order_by(c.next_due_date, c.policy_id)
    )
    return list(conn.execute(query).scalars())


def underwriting_history(
    conn: Connection,
    customer_id: str,
    *,
    line: str | None = None,
    exclude_policy_id: str | None = None,
    position: int | None = None,
) -> dict[str, Any]:
    """What 6.2.5 asks of a customer's record, as applicant or insured, as the keyword arguments of
    `domain.policy.underwriting_case.History`: declined and rescinded policies, claims (0 until the claims
    register exists) and, given `line`, the sum insured the customer already holds as insured in that
    line (accepted, in force or lapsed policies other than `exclude_policy_id`)."""
    c = policies.c
    party = or_(c.applicant_id == customer_id, c.insured_id == customer_id)
    rows = conn.execute(
        select(c.status, func.count())
        .where(as_of(policies, position), party, c.status.in_(("declined", "rescinded")))
        .group_by(c.status)
    )
    counts: dict[str, int] = {status: int(count) for status, count in rows}
    held = Decimal(0)
    if line is not None:
        query = select(func.coalesce(func.sum(c.sum_insured), 0)).where(
            as_of(policies, position), c.insured_id == customer_id, c.line == line, c.status.in_(HELD)
        )
        if exclude_policy_id is not None:
            query = query.where(c.policy_id != exclude_policy_id)
        held = money(Decimal(str(conn.execute(query).scalar_one())))
    return {
        "earlier_declines": counts.get("declined", 0),
        "rescissions": counts.get("rescinded", 0),
        "claims_last_3_years": 0,
        "existing_sum_insured_same_line": held,
    }
