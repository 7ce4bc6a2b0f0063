"""The policy registers (保单登记簿), underwriting decisions, the premium schedule and payments.

Every list is paged, filtered and sorted on the server, and answers `as_of` (a log position, a
moment or a date) and `after` (read your writes) like every other register.
"""

from __future__ import annotations

from datetime import date
from typing import Any, Literal
from uuid import UUID

from litestar import Controller, get
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery
from pydantic import BaseModel

from application.commands.policies import cover_on
from domain.errors import NotFound
from domain.identifiers import china_today
from domain.policy.aggregate import Policy
from interface.auth import requires
from interface.bootstrap import Services
from interface.history import history_of
from interface.http import read_position
from interface.query_params import After, AsOf, HistoryEntry, HistoryView, PageNo, Size, Text, Today, check_sort
from interface.views import page_model, row_model, to_page
from projections import policies as pol
from projections import premiums as prem
from projections import underwriting as uw
from projections.queries import Page, one, page_of

Svc = NamedDependency[Services]

PolicyView = row_model("PolicyView", pol.policies, "A row of the policies register (保单登记簿).")
PolicyPage = page_model("PolicyPage", PolicyView)
DecisionView = row_model(
    "UnderwritingDecisionView",
    uw.underwriting_decisions,
    "An application's underwriting: findings, referral, decision, turnaround.",
)
DecisionPage = page_model("UnderwritingDecisionPage", DecisionView)
InstallmentView = row_model(
    "InstallmentView",
    prem.premium_installments,
    "One installment of a premium schedule.",
    days_overdue=(int | None, None),
)
InstallmentPage = page_model("InstallmentPage", InstallmentView)
PaymentView = row_model("PaymentView", prem.premium_payments, "A premium payment (+) or refund (−).")
PaymentPage = page_model("PaymentPage", PaymentView)


class CoverPartView(BaseModel):
    """One cover of the policy on the date (SPEC §5 "Cover is main cover plus riders"): the main cover
    ("main") or a rider (its product code), with its own sum insured and what remains of it."""

    key: str
    product_code: str
    kind: str  # main | rider
    sum_insured: str
    remaining_sum_insured: str
    deductible: str
    payout_ratio: str
    covered_causes: list[str]
    waiting_period_end: date | None  # the first day past the waiting period
    in_waiting_period: bool
    ends_on_exhaustion: bool
    ended_on: date | None  # ended by a claim: no cover for losses from this day
    ended_reason: str | None  # death | exhausted


class Cover(BaseModel):
    """The policy as it stood on a business date: what a claim on that date is judged against."""

    policy_id: str
    on: date
    status: str | None = None  # None before the application existed
    in_force: bool
    in_grace: bool
    premium_owed: str
    in_waiting_period: bool
    sum_insured: str
    remaining_sum_insured: str
    rescinded: bool
    covers: list[CoverPartView] = []  # the main cover, then each rider
    details: dict[str, Any]


class PolicyQueries(Controller):
    """The policies register, one policy (as of a log position or as of a business date), its history."""

    path = "/api/v1/policies"
    tags = ["policies"]

    @get("/", guards=[requires("policies.read")], sync_to_thread=True)
    def list_policies(
        self,
        services: Svc,
        status: Text = None,
        product_code: Text = None,
        line: Text = None,
        customer_id: Text = None,
        agent_id: Text = None,
        channel: Text = None,
        policy_number: Text = None,
        in_force: FromQuery[bool | None] = None,
        applied_from: FromQuery[date | None] = None,
        applied_to: FromQuery[date | None] = None,
        start_from: FromQuery[date | None] = None,
        start_to: FromQuery[date | None] = None,
        page: PageNo = 1,
        page_size: Size = 50,
        sort: Text = None,
        as_of: AsOf = None,
        after: After = None,
    ) -> Any:
        """保单登记簿: every policy and application, paged, filtered and sorted, now or as of any moment."""
        position = read_position(services, ["policies"], after, as_of)
        conditions = pol.policy_filters(
            status,
            product_code,
            line,
            customer_id,
            None,
            None,
            agent_id,
            channel,
            policy_number,
            in_force,
            applied_from,
            applied_to,
            start_from,
            start_to,
        )
        order = check_sort(sort, pol.SORTABLE, pol.DEFAULT_SORT)
        with services.read_side.engine.connect() as conn:
            reached = services.read_side.position("policies", conn)
            result = page_of(
                conn,
                pol.policies,
                position,
                conditions,
                Page(page, page_size, order),
                pol.SORTABLE,
                pol.DEFAULT_SORT,
                reached,
            )
        return to_page(PolicyPage, result)

    @get("/renewals-due", guards=[requires("policies.read")], sync_to_thread=True)
    def renewals_due(
        self,
        services: Svc,
        today: Today = None,
        page: PageNo = 1,
        page_size: Size = 50,
        as_of: AsOf = None,
        after: After = None,
    ) -> Any:
        """续保: in-force renewable policies whose renewal offer is due by `today` and not yet made."""
        position = read_position(services, ["policies"], after, as_of)
        with services.read_side.engine.connect() as conn:
            reached = services.read_side.position("policies", conn)
            result = page_of(
                conn,
                pol.policies,
                position,
                pol.renewal_due_filters(today or china_today()),
                Page(page, page_size, "renewal_due_on"),
                pol.SORTABLE,
                "renewal_due_on",
                reached,
            )
        return to_page(PolicyPage, result)

    @get("/{policy_id:uuid}", guards=[requires("policies.read")], sync_to_thread=True)
    def get_policy(self, services: Svc, policy_id: FromPath[UUID], as_of: AsOf = None, after: After = None) -> Any:
        """One policy as the register shows it now, or as of a past moment or log position."""
        position = read_position(services, ["policies"], after, as_of)
        with services.read_side.engine.connect() as conn:
            row = one(conn, pol.policies, str(policy_id), position)
        if row is None:
            raise NotFound(f"policy {policy_id} not found" + (" at that moment" if position is not None else ""))
        return PolicyView(**row)

    @get("/{policy_id:uuid}/cover", guards=[requires("policies.read")], sync_to_thread=True)
    def cover(self, services: Svc, policy_id: FromPath[UUID], on: FromQuery[date]) -> Cover:
        """The policy as it stood on a business date (a loss date): status, grace, waiting period,
        sum insured remaining, exclusions, rescission. Claims are judged against this."""
        history_of(services, policy_id, None, Policy.Event, "policy")
        snapshot = cover_on(services.app, policy_id, on)
        fields = {k: v for k, v in vars(snapshot).items()}
        return Cover(
            policy_id=str(policy_id),
            on=on,
            status=snapshot.status,
            in_force=snapshot.in_force,
            in_grace=snapshot.in_grace,
            premium_owed=str(snapshot.premium_owed),
            in_waiting_period=snapshot.in_waiting_period,
            sum_insured=str(snapshot.sum_insured),
            remaining_sum_insured=str(snapshot.remaining_sum_insured),
            rescinded=snapshot.rescinded,
            covers=[
                CoverPartView(
                    key=p.key,
                    product_code=p.product_code,
                    kind=p.kind,
                    sum_insured=str(p.sum_insured),
                    remaining_sum_insured=str(p.remaining_sum_insured),
                    deductible=str(p.deductible),
                    payout_ratio=str(p.payout_ratio),
                    covered_causes=list(p.covered_causes),
                    waiting_period_end=p.waiting_period_end,
                    in_waiting_period=p.in_waiting_period,
                    ends_on_exhaustion=p.ends_on_exhaustion,
                    ended_on=p.ended_on,
                    ended_reason=p.ended_reason,
                )
                for p in snapshot.covers
            ],
            details={
                k: (str(v) if not isinstance(v, (bool, int, type(None), list, tuple, dict)) else v)
                for k, v in fields.items()
                if k != "covers"
            },
        )

    @get("/{policy_id:uuid}/history", guards=[requires("policies.read")], sync_to_thread=True)
    def history(self, services: Svc, policy_id: FromPath[UUID], as_of: AsOf = None, after: After = None) -> HistoryView:
        """Every event of the policy in order, with who did it, when and why."""
        position = read_position(services, ["audit_log"], after, as_of)
        entries = history_of(services, policy_id, position, Policy.Event, "policy")
        return HistoryView(id=str(policy_id), events=[HistoryEntry(**e) for e in entries])


class UnderwritingQueries(Controller):
    """The underwriting decisions register: findings, referrals, decisions, underwriter, turnaround."""

    path = "/api/v1/underwriting-decisions"
    tags = ["policies"]
    guards = [requires("policies.read")]

    @get("/", sync_to_thread=True)
    def list_decisions(
        self,
        services: Svc,
        decision: Text = None,
        automatic_outcome: FromQuery[Literal["accepted", "referred", "declined"] | None] = None,
        decided_by: FromQuery[Literal["automatic", "underwriter"] | None] = None,
        status: Text = None,
        underwriter_id: Text = None,
        product_code: Text = None,
        pending: FromQuery[bool | None] = None,
        decided_from: FromQuery[date | None] = None,
        decided_to: FromQuery[date | None] = None,
        page: PageNo = 1,
        page_size: Size = 50,
        sort: Text = None,
        as_of: AsOf = None,
        after: After = None,
    ) -> Any:
        """Every application's underwriting, paged, filtered and sorted (e.g. ?pending=true for the queue)."""
        position = read_position(services, ["underwriting_decisions"], after, as_of)
        conditions = uw.underwriting_filters(
            decision,
            automatic_outcome,
            decided_by,
            status,
            underwriter_id,
            product_code,
            pending,
            decided_from,
            decided_to,
        )
        order = check_sort(sort, uw.SORTABLE, uw.DEFAULT_SORT)
        with services.read_side.engine.connect() as conn:
            reached = services.read_side.position("underwriting_decisions", conn)
            result = page_of(
                conn,
                uw.underwriting_decisions,
                position,
                conditions,
                Page(page, page_size, order),
                uw.SORTABLE,
                uw.DEFAULT_SORT,
                reached,
            )
        return to_page(DecisionPage, result)

    @get("/{policy_id:uuid}", sync_to_thread=True)
    def get_decision(self, services: Svc, policy_id: FromPath[UUID], as_of: AsOf = None, after: After = None) -> Any:
        """One application's underwriting."""
        position = read_position(services, ["underwriting_decisions"], after, as_of)
        with services.read_side.engine.connect() as conn:
            row = one(conn, uw.underwriting_decisions, str(policy_id), position)
        if row is None:
            raise NotFound(f"no underwriting for policy {policy_id}")
        return DecisionView(**row)


class PremiumQueries(Controller):
    """The premium schedule (installments), the overdue list and the payments and refunds."""

    path = "/api/v1/premiums"
    tags = ["policies"]
    guards = [requires("policies.read")]

    @get("/schedule", sync_to_thread=True)
    def schedule(
        self,
        services: Svc,
        policy_id: Text = None,
        status: Text = None,
        kind: Text = None,
        paid: FromQuery[bool | None] = None,
        product_code: Text = None,
        due_from: FromQuery[date | None] = None,
        due_to: FromQuery[date | None] = None,
        page: PageNo = 1,
        page_size: Size = 50,
        sort: Text = None,
        as_of: AsOf = None,
        after: After = None,
    ) -> Any:
        """Installments with due dates, amounts, cover periods, payment and grace."""
        position = read_position(services, ["premiums"], after, as_of)
        conditions = prem.installment_filters(policy_id, status, kind, paid, product_code, due_from, due_to)
        order = check_sort(sort, prem.SORTABLE, prem.DEFAULT_SORT)
        with services.read_side.engine.connect() as conn:
            reached = services.read_side.position("premiums", conn)
            result = page_of(
                conn,
                prem.premium_installments,
                position,
                conditions,
                Page(page, page_size, order),
                prem.SORTABLE,
                prem.DEFAULT_SORT,
                reached,
            )
        return to_page(InstallmentPage, result)

    @get("/overdue", sync_to_thread=True)
    def overdue(
        self,
        services: Svc,
        today: Today = None,
        policy_id: Text = None,
        product_code: Text = None,
        page: PageNo = 1,
        page_size: Size = 50,
        sort: Text = None,
        as_of: AsOf = None,
        after: After = None,
    ) -> Any:
        """Unpaid installments that fell due before `today`, with the days overdue."""
        position = read_position(services, ["premiums"], after, as_of)
        order = check_sort(sort, prem.SORTABLE, prem.DEFAULT_SORT)
        with services.read_side.engine.connect() as conn:
            reached = services.read_side.position("premiums", conn)
            result = prem.overdue(
                conn,
                today or china_today(),
                position,
                Page(page, page_size, order),
                reached,
                *prem.installment_filters(policy_id, None, None, None, product_code),
            )
        return to_page(InstallmentPage, result)

    @get("/payments", sync_to_thread=True)
    def payments(
        self,
        services: Svc,
        policy_id: Text = None,
        kind: FromQuery[Literal["payment", "refund"] | None] = None,
        on_from: FromQuery[date | None] = None,
        on_to: FromQuery[date | None] = None,
        page: PageNo = 1,
        page_size: Size = 50,
        sort: Text = None,
        as_of: AsOf = None,
        after: After = None,
    ) -> Any:
        """Premium payments (+) and refunds (−); `extra.total_amount` is the net of all that match."""
        position = read_position(services, ["premiums"], after, as_of)
        order = check_sort(sort, prem.PAYMENT_SORTABLE, "position")
        with services.read_side.engine.connect() as conn:
            reached = services.read_side.position("premiums", conn)
            result = prem.payments_page(
                conn,
                position,
                prem.payment_filters(policy_id, kind, on_from, on_to),
                Page(page, page_size, order),
                reached,
            )
        return to_page(PaymentPage, result)
