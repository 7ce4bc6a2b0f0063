"""The premium register: the schedule (one versioned row per installment) and the payments (one
append-only row per PremiumPaid or PremiumRefunded), with the overdue list (SPEC §5, §8).

Installment rows are derived from the policy's schedule after each event. An installment that a
change replaced (premium mode) keeps its last row, marked `replaced`. Status of an installment:
`paid`; else `due` while the policy is in force, `lapsed` while it is lapsed, `cancelled` once it
has ended. Whether it is overdue depends on the day asked, so the overdue list computes it.
"""

from __future__ import annotations

from collections import OrderedDict
from datetime import date
from decimal import Decimal
from typing import Any, cast
from uuid import UUID

from eventsourcing.domain import DomainEventProtocol
from sqlalchemy import BigInteger, Boolean, Column, Connection, Date, Index, Integer, String, Table, Text, func, select

from domain.policy.aggregate import Policy
from domain.values import money
from projections.base import Batch
from projections.db import metadata
from projections.policies import MONEY, PolicyStateProjection
from projections.queries import PageResult
from projections.register import Paging, Reader, Register
from projections.versioned import versioned_table

#: Policies whose installment rows after their latest event are kept (PremiumsProjection).
ROWS_KEPT = 1_000

premium_installments = versioned_table(
    "premium_installments",
    "installment_id",  # f"{policy_id}:{installment_no}"
    Column("policy_id", String(36), nullable=False),
    Column("policy_number", String(30), nullable=True),
    Column("product_code", String(50), nullable=False),
    Column("installment_no", Integer, nullable=False),
    Column("kind", String(20), nullable=False),  # premium | adjustment
    Column("due_date", Date, nullable=False),
    Column("amount", MONEY, nullable=False),
    Column("cover_from", Date, nullable=False),
    Column("cover_to", Date, nullable=False),
    Column("paid", Boolean, nullable=False),
    Column("paid_on", Date, nullable=True),
    Column("paid_amount", MONEY, nullable=True),
    Column("paid_method", String(20), nullable=True),  # payment | claim deduction (Art. 36)
    Column("demanded_on", Date, nullable=True),
    Column("grace_end", Date, nullable=True),  # the last day of cover while unpaid (Art. 36)
    Column("grace_end_moved_because", Text, nullable=True),  # its last day was a rest day (Art. 203)
    Column("status", String(20), nullable=False),  # due | paid | lapsed | cancelled | replaced
    key_length=60,  # a policy id (36 characters), a colon and a number
    ranges=False,  # an installment seldom changes (projections.versioned)
)
Index("ix_premium_installments_policy", premium_installments.c.policy_id, premium_installments.c.valid_to)
Index(
    "ix_premium_installments_due",
    premium_installments.c.valid_to,
    premium_installments.c.status,
    premium_installments.c.due_date,
)

premium_payments = Table(
    "premium_payments",
    metadata,
    Column("position", BigInteger, primary_key=True, autoincrement=False),
    Column("policy_id", String(36), nullable=False),
    Column("policy_number", String(30), nullable=True),
    Column("product_code", String(50), nullable=False),
    Column("kind", String(10), nullable=False),  # payment | refund
    Column("on", Date, nullable=False),  # the business date
    Column("amount", MONEY, nullable=False),  # + paid, − refunded
    Column("installment_no", Integer, nullable=True),  # payments only
    Column("reference", String(100), nullable=True),  # payments: the payment reference
    Column("reason", String(100), nullable=True),  # refunds: why (declined, cooling-off, surrender, …)
    Column("method", String(20), nullable=True),  # payments: payment | claim deduction (Art. 36)
    # refunds for cover that goes on (a sum-insured decrease): the days of paid cover the refund gives back
    Column("cover_from", Date, nullable=True),
    Column("cover_to", Date, nullable=True),
)
Index("ix_premium_payments_policy", premium_payments.c.policy_id, premium_payments.c.position)
Index("ix_premium_payments_on", premium_payments.c.on)


def installment_key(policy_id: str, no: int) -> str:
    return f"{policy_id}:{no}"


def unpaid_status(policy: Policy) -> str:
    """The status of an unpaid installment: `due` while the policy is in force, `lapsed` while it
    is lapsed, `cancelled` once it has ended."""
    if policy.is_terminal:
        return "cancelled"
    return "lapsed" if policy.status == "lapsed" else "due"


def installment_rows(policy: Policy, before: Rows | None = None) -> Rows:
    """The rows of every installment in the policy's schedule, by key. `before`, the rows of the policy's
    state just before (with the items and policy-wide values they came from), lends each row whose inputs
    are unchanged, so a payment counts one installment again, not all."""
    policy_id = str(policy.id)
    common = {"policy_id": policy_id, "policy_number": policy.policy_number, "product_code": policy.product_code}
    unpaid = unpaid_status(policy)
    inputs = (policy.policy_number, policy.product_code, unpaid, policy.product_terms.get("grace_days"))
    reuse = before is not None and before.inputs == inputs
    rows = Rows(inputs)
    for item in policy.schedule:
        no, paid_on = item["no"], item["paid_on"]
        key = installment_key(policy_id, no)
        demanded = policy.demands.get(str(no))
        if reuse and before is not None and before.sources.get(key) == (item, demanded):
            rows[key] = before[key]
            rows.sources[key] = before.sources[key]
            continue
        paid = paid_on is not None
        grace = None if paid else policy.grace_period(item)
        rows[key] = {
            **common,
            "installment_no": no,
            "kind": item["kind"],
            "due_date": item["due_date"],
            "amount": item["amount"],
            "cover_from": item["cover_from"],
            "cover_to": item["cover_to"],
            "paid": paid,
            "paid_on": paid_on,
            "paid_amount": item["amount"] if paid else None,  # a payment is always exactly the amount due
            "paid_method": item.get("method", "payment") if paid else None,
            "demanded_on": demanded,
            "grace_end": None if grace is None else grace.due,  # the domain's own Art. 36 rule
            "grace_end_moved_because": None if grace is None else grace.moved_because,
            "status": "paid" if paid else unpaid,
        }
        rows.sources[key] = (dict(item), demanded)
    return rows


class Rows(dict[str, dict[str, Any]]):
    """A policy's installment rows by key, with what each came from (its schedule item and demand) and the
    policy-wide values every row shares (installment_rows)."""

    def __init__(self, inputs: tuple[Any, ...]) -> None:
        super().__init__()
        self.inputs = inputs
        self.sources: dict[str, tuple[dict[str, Any], date | None]] = {}


class PremiumsProjection(PolicyStateProjection):
    """Keeps the premium schedule and the payments."""

    name = "premiums"
    tables = (premium_installments, premium_payments)

    def preload(self, events: list[tuple[DomainEventProtocol[Any], int]], batch: Batch) -> None:
        """Nothing to read: the current installments of a policy are the rows of its state just before
        the event (`apply`), which the aggregate cache holds."""

    def bind(self, app: Any) -> None:
        super().bind(app)
        #: each recent policy's installment rows after its latest event (its id → version, rows): the rows
        #: before its next event, not counted again. A few policies only: the rows are large.
        self._rows: OrderedDict[UUID, tuple[int, Rows]] = OrderedDict()

    def apply(self, event: DomainEventProtocol[Any], position: int, batch: Batch) -> None:
        if not isinstance(event, Policy.Event):
            return
        known = self._rows.pop(event.originator_id, None)
        before = Rows(())
        if known is not None and known[0] == event.originator_version - 1:
            before = known[1]
            policy = cast(Policy, self.cache.apply(event))
        else:

            def rows_before(previous: Any) -> None:
                nonlocal before
                if previous is not None:
                    before = installment_rows(previous)

            policy = cast(Policy, self.cache.apply(event, rows_before))
        after = installment_rows(policy, before)
        self.write_rows(policy, before, after, event, position, batch)
        self._rows[event.originator_id] = (event.originator_version, after)
        if len(self._rows) > ROWS_KEPT:
            self._rows.popitem(last=False)

    def forget(self) -> None:
        super().forget()
        self._rows.clear()

    def write_rows(
        self,
        policy: Policy,
        before: dict[str, dict[str, Any]],
        rows: dict[str, dict[str, Any]],
        event: Any,
        position: int,
        batch: Batch,
    ) -> None:
        """Put the installments of `policy` as it stands after `event`. `before`: the rows of its state
        just before, which are its current rows in the register (every row is a function of the
        policy's state), so nothing is read. An installment the event took out of the schedule keeps
        its last row, `replaced`; numbers only grow, so a new installment has no row yet."""
        writer = batch.versioned(premium_installments)
        for key, row in rows.items():
            was = before.get(key)
            if row is not was and row != was:  # most installments are as they were: no new version to write
                writer.seed(key, was)
                writer.put(key, row, position)
        for key in before.keys() - rows.keys():
            writer.seed(key, before[key])
            previous = writer.get(key)
            if previous is not None and previous["status"] != "replaced":
                writer.put(key, {**previous, "status": "replaced"}, position)
        if isinstance(event, Policy.PremiumPaid):
            self._money(
                batch,
                policy,
                position,
                event,
                event.amount,
                "payment",
                installment_no=event.installment_no,
                reference=event.reference,
                method="payment",
            )
        elif isinstance(event, Policy.InstallmentPaidByClaimDeduction):
            self._money(
                batch,
                policy,
                position,
                event,
                event.amount,
                "payment",
                installment_no=event.installment_no,
                reference=f"claim {event.claim_id}",
                method="claim deduction",
            )
        elif isinstance(event, Policy.PremiumRefunded):
            self._money(
                batch,
                policy,
                position,
                event,
                -event.amount,
                "refund",
                reason=event.reason,
                **refunded_cover(policy, event),
            )

    @staticmethod
    def _money(
        batch: Batch, policy: Policy, position: int, event: Any, amount: Decimal, kind: str, **fields: Any
    ) -> None:
        """One row of the payments: + paid, − refunded."""
        batch.append(
            premium_payments,
            {
                "position": position,
                "policy_id": str(policy.id),
                "policy_number": policy.policy_number,
                "product_code": policy.product_code,
                "kind": kind,
                "on": event.on,
                "amount": amount,
                "installment_no": None,
                "reference": None,
                "reason": None,
                "method": None,
                "cover_from": None,
                "cover_to": None,
                **fields,
            },
        )


def refunded_cover(policy: Policy, event: Any) -> dict[str, date | None]:
    """The days of paid cover a refund gives back while the cover goes on: a sum-insured decrease refunds
    the premium difference from the change's effective date to the end of the paid cover (the change is
    recorded just before its refund). Other refunds end the cover or come before it: none."""
    paid = [i["cover_to"] for i in policy.schedule if i.get("paid_on") is not None]
    if event.reason != "sum-insured-decrease" or not policy.sum_insured_history or not paid:
        return {}
    return {"cover_from": policy.sum_insured_history[-1][0], "cover_to": max(paid)}


# --- queries ---------------------------------------------------------------------------------
_i = premium_installments.c
SORTABLE = {
    "due_date": _i.due_date,
    "amount": _i.amount,
    "policy_number": _i.policy_number,
    "installment_no": _i.installment_no,
    "paid_on": _i.paid_on,
    "status": _i.status,
}
DEFAULT_SORT = "due_date"
#: The premium schedule: installments with due dates, amounts, cover periods, payment and grace.
INSTALLMENTS = Register(
    premium_installments,
    "premiums",
    SORTABLE,
    DEFAULT_SORT,
    view="InstallmentView",
    doc="One installment of a premium schedule.",
    page_view="InstallmentPage",
    extra={"days_overdue": (int | None, None)},
)


def installment_filters(
    policy_id: str | None = None,
    status: str | None = None,
    kind: str | None = None,
    paid: bool | None = None,
    product_code: str | None = None,
    due_from: date | None = None,
    due_to: date | None = None,
) -> list[Any]:
    """SQL conditions for the schedule's filters; the due date range includes both ends."""
    conditions: list[Any] = []
    for column, value in (
        (_i.policy_id, policy_id),
        (_i.status, status),
        (_i.kind, kind),
        (_i.paid, paid),
        (_i.product_code, product_code),
    ):
        if value is not None:
            conditions.append(column == value)
    if due_from is not None:
        conditions.append(_i.due_date >= due_from)
    if due_to is not None:
        conditions.append(_i.due_date <= due_to)
    return conditions


def overdue_filters(today: date) -> list[Any]:
    """Unpaid installments of in-force or lapsed policies that fell due before `today`."""
    return [_i.status.in_(("due", "lapsed")), _i.due_date < today]


def overdue_page(read: Reader, today: date, conditions: list[Any], paging: Paging, as_of: int | None) -> PageResult:
    """One page of the overdue list as of business date `today`, each row with `days_overdue`; more
    conditions (installment_filters) narrow it."""
    result = INSTALLMENTS.rows(read, [*overdue_filters(today), *conditions], paging, as_of)
    for row in result.items:
        row["days_overdue"] = (today - row["due_date"]).days
    return result


_p = premium_payments.c
PAYMENT_SORTABLE = {"position": _p.position, "on": _p.on, "amount": _p.amount}


def net_amount(conn: Connection, where: list[Any]) -> dict[str, Any]:
    """`total_amount`: the net of every payment and refund matching `where`."""
    amount = conn.execute(select(func.coalesce(func.sum(_p.amount), 0)).where(*where)).scalar_one()
    return {"total_amount": money(Decimal(str(amount)))}


#: Premium payments (+) and refunds (−): append-only, as of a position those recorded up to it.
PAYMENTS = Register(
    premium_payments,
    "premiums",
    PAYMENT_SORTABLE,
    "position",
    view="PaymentView",
    doc="A premium payment (+) or refund (−).",
    page_view="PaymentPage",
    appended_at="position",
    summary=net_amount,
)


def payment_filters(
    policy_id: str | None = None, kind: str | None = None, on_from: date | None = None, on_to: date | None = None
) -> list[Any]:
    """SQL conditions for the payments: by policy, kind (payment | refund), dates (both ends included)."""
    conditions: list[Any] = []
    if policy_id is not None:
        conditions.append(_p.policy_id == policy_id)
    if kind is not None:
        conditions.append(_p.kind == kind)
    if on_from is not None:
        conditions.append(_p.on >= on_from)
    if on_to is not None:
        conditions.append(_p.on <= on_to)
    return conditions
