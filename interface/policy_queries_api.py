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

from application import queries
from domain.errors import NotFound
from domain.identifiers import china_today
from domain.policy.aggregate import Policy
from domain.policy.state import CoverSnapshot
from interface.auth import requires
from interface.bootstrap import Services
from interface.history import history_view
from interface.http import read_at
from interface.query_params import (
    QUERY_DEPENDENCIES,
    AsOf,
    Format,
    HistoryView,
    Paged,
    PageNo,
    ReadAt,
    ReadPoint,
    Size,
    Text,
    Today,
)
from projections import policies as pol
from projections import premiums as prem
from projections import underwriting as uw
from projections.audit_log import positions_of
from projections.register import Paging

Svc = NamedDependency[Services]


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


def cover_view(policy_id: UUID, on: date, snapshot: CoverSnapshot) -> Cover:
    """The cover as the API shows it: money as text, each cover part, the rest as `details`."""
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
            for k, v in vars(snapshot).items()
            if k != "covers"
        },
    )


class PolicyQueries(Controller):
    """The policies register, one policy (as of a log position or as of a business date), its history."""

    path = "/api/v1/policies"
    tags = ["policies"]
    dependencies = QUERY_DEPENDENCIES

    @get("/", guards=[requires("policies.read")], sync_to_thread=True)
    def list_policies(
        self,
        services: Svc,
        paging: Paged,
        read_point: ReadAt,
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
    ) -> Any:
        """保单登记簿: every policy and application, paged, filtered and sorted, now or as of any moment."""
        position = read_at(services, read_point, "policies")
        conditions = pol.policy_filters(
            status=status,
            product_code=product_code,
            line=line,
            customer_id=customer_id,
            agent_id=agent_id,
            channel=channel,
            policy_number=policy_number,
            in_force=in_force,
            applied_from=applied_from,
            applied_to=applied_to,
            start_from=start_from,
            start_to=start_to,
        )
        return pol.POLICIES.page(services.read_side, conditions, paging, position)

    @get("/renewals-due", guards=[requires("policies.read")], sync_to_thread=True)
    def renewals_due(
        self,
        services: Svc,
        read_point: ReadAt,
        today: Today = None,
        page: PageNo = 1,
        page_size: Size = 50,
        format_: Format = None,  # JSON or CSV: the answer reads it (interface.responses)
    ) -> Any:
        """续保: in-force renewable policies whose renewal offer is due by `today` and not yet made."""
        position = read_at(services, read_point, "policies")
        due = pol.renewals_due(services.read_side, today or china_today(), Paging(page, page_size), position)
        return pol.POLICIES.typed(due)

    @get("/{policy_id:uuid}", guards=[requires("policies.read")], sync_to_thread=True)
    def get_policy(self, services: Svc, policy_id: FromPath[UUID], read_point: ReadAt) -> Any:
        """One policy as the register shows it now, or as of a past moment or log position."""
        position = read_at(services, read_point, "policies")
        found = pol.POLICIES.one(services.read_side, str(policy_id), position)
        if found is None:
            raise NotFound(f"policy {policy_id} not found" + (" at that moment" if position is not None else ""))
        return found

    @get("/{policy_id:uuid}/cover", guards=[requires("policies.read")], sync_to_thread=True)
    def cover(self, services: Svc, policy_id: FromPath[UUID], on: FromQuery[date], as_of: AsOf = None) -> Cover:
        """The policy as it stood on a business date (a loss date): status, grace, waiting period,
        sum insured remaining, exclusions, rescission. Claims are judged against this. With `as_of`, as
        the books stood then (e.g. on the day a claim was decided)."""
        position = read_at(services, ReadPoint(as_of), "audit_log")
        version = None
        if position is not None:
            known = positions_of(services.read_side, str(policy_id))
            version = queries.version_at(known, position, f"policy {policy_id}")
        return cover_view(policy_id, on, queries.cover_on(services.app, policy_id, on, version=version))

    @get("/{policy_id:uuid}/history", guards=[requires("policies.read")], sync_to_thread=True)
    def history(self, services: Svc, policy_id: FromPath[UUID], read_point: ReadAt) -> HistoryView:
        """Every event of the policy in order, with who did it, when and why."""
        return history_view(services, policy_id, read_point, Policy.Event, "policy")


class UnderwritingQueries(Controller):
    """The underwriting decisions register: findings, referrals, decisions, underwriter, turnaround."""

    path = "/api/v1/underwriting-decisions"
    tags = ["policies"]
    guards = [requires("policies.read")]
    dependencies = QUERY_DEPENDENCIES

    @get("/", sync_to_thread=True)
    def list_decisions(
        self,
        services: Svc,
        paging: Paged,
        read_point: ReadAt,
        decision: Text = None,
        automatic_outcome: FromQuery[Literal["accepted", "referred", "declined"] | None] = None,
        decided_by: FromQuery[Literal["automatic", "underwriter"] | None] = None,
        status: Text = None,
        underwriter_id: Text = None,
        product_code: Text = None,
        pending: FromQuery[bool | None] = None,
        decided_from: FromQuery[date | None] = None,
        decided_to: FromQuery[date | None] = None,
        examination: FromQuery[Literal["outstanding", "overdue"] | None] = None,
        today: Today = None,
    ) -> Any:
        """Every application's underwriting, paged, filtered and sorted (e.g. ?pending=true for the queue;
        ?examination=overdue&sort=examination_due_on for the examinations past their due date on `today`)."""
        position = read_at(services, read_point, "underwriting_decisions")
        conditions = uw.underwriting_filters(
            decision=decision,
            automatic_outcome=automatic_outcome,
            decided_by=decided_by,
            status=status,
            underwriter_id=underwriter_id,
            product_code=product_code,
            pending=pending,
            decided_from=decided_from,
            decided_to=decided_to,
            examination=examination,
            today=today,
        )
        return uw.DECISIONS.page(services.read_side, conditions, paging, position, today=today)

    @get("/{policy_id:uuid}", sync_to_thread=True)
    def get_decision(self, services: Svc, policy_id: FromPath[UUID], read_point: ReadAt, today: Today = None) -> Any:
        """One application's underwriting (SPEC §5, guide 6.2): the automatic outcome, the findings and the
        underwriter's decision."""
        position = read_at(services, read_point, "underwriting_decisions")
        found = uw.DECISIONS.one(services.read_side, str(policy_id), position, today=today)
        if found is None:
            raise NotFound(f"no underwriting for policy {policy_id}")
        return found


class PremiumQueries(Controller):
    """The premium schedule (installments), the overdue list and the payments and refunds."""

    path = "/api/v1/premiums"
    tags = ["policies"]
    guards = [requires("policies.read")]
    dependencies = QUERY_DEPENDENCIES

    @get("/schedule", sync_to_thread=True)
    def schedule(
        self,
        services: Svc,
        paging: Paged,
        read_point: ReadAt,
        policy_id: Text = None,
        status: Text = None,
        kind: Text = None,
        paid: FromQuery[bool | None] = None,
        product_code: Text = None,
        due_from: FromQuery[date | None] = None,
        due_to: FromQuery[date | None] = None,
    ) -> Any:
        """Installments with due dates, amounts, cover periods, payment and grace."""
        position = read_at(services, read_point, "premiums")
        conditions = prem.installment_filters(policy_id, status, kind, paid, product_code, due_from, due_to)
        return prem.INSTALLMENTS.page(services.read_side, conditions, paging, position)

    @get("/overdue", sync_to_thread=True)
    def overdue(
        self,
        services: Svc,
        paging: Paged,
        read_point: ReadAt,
        today: Today = None,
        policy_id: Text = None,
        product_code: Text = None,
    ) -> Any:
        """Unpaid installments that fell due before `today`, with the days overdue."""
        position = read_at(services, read_point, "premiums")
        narrower = prem.installment_filters(policy_id=policy_id, product_code=product_code)
        due = prem.overdue_page(services.read_side, today or china_today(), narrower, paging, position)
        return prem.INSTALLMENTS.typed(due)

    @get("/payments", sync_to_thread=True)
    def payments(
        self,
        services: Svc,
        paging: Paged,
        read_point: ReadAt,
        policy_id: Text = None,
        kind: FromQuery[Literal["payment", "refund"] | None] = None,
        on_from: FromQuery[date | None] = None,
        on_to: FromQuery[date | None] = None,
    ) -> Any:
        """Premium payments (+) and refunds (−); `extra.total_amount` is the net of all that match."""
        position = read_at(services, read_point, "premiums")
        conditions = prem.payment_filters(policy_id, kind, on_from, on_to)
        return prem.PAYMENTS.page(services.read_side, conditions, paging, position)
