"""The claims register (赔案登记簿), the risk flags register, each claim's clocks on any day, and
what approval would compute, as of any moment."""

from __future__ import annotations

import dataclasses
from datetime import date
from decimal import Decimal
from typing import Any
from uuid import UUID

from litestar import Controller, get
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery
from pydantic import BaseModel, Field

from application import queries
from domain.claim.aggregate import Claim
from domain.errors import InvalidValue, NotFound
from domain.identifiers import china_today
from interface.auth import requires
from interface.bootstrap import Services
from interface.errors import BadRequest
from interface.history import history_view
from interface.http import read_at
from interface.query_params import QUERY_DEPENDENCIES, AsOf, HistoryView, Paged, ReadAt, ReadPoint, Text, Today
from projections import claims as cl
from projections.audit_log import positions_of

Svc = NamedDependency[Services]
READ = [requires("claims.read")]


class ClockView(BaseModel):
    clock: str = Field(
        description="decision (Art. 23) | rejection_notice (Art. 24) | payment (Art. 23) | advance (Art. 25)"
    )
    started_on: date
    days_allowed: int
    due_on: date = Field(description="moves day by day while the clock is paused")
    days_used: int
    remaining_days: int
    paused_days: int
    paused: bool
    met_on: date | None
    breached: bool
    on_time: bool | None
    nominal_due_on: date | None = Field(
        None, description="the count's last day, before a rest day moved it (Civil Code Art. 203)"
    )
    moved_because: str | None = Field(
        None,
        description="why due_on is after nominal_due_on, e.g. '2025-10-04 is a "
        "public holiday (…); moved to 2025-10-09'",
    )
    calendar_known: bool = Field(
        True,
        description="false: no (or only a provisional) public-holiday calendar for "
        "the due date's year; only weekends were counted as rest days",
    )
    calendar_warning: str | None = None


class ClocksView(BaseModel):
    """A claim's clocks at the end of `on` (those of the round running that day)."""

    claim_id: str
    on: date
    round: int
    clocks: list[ClockView]
    breaches: list[str]


class SettlementView(BaseModel):
    """What approval would record now (7.3 (1)): every step of the computation."""

    claim_id: str
    computation: dict[str, Decimal]


class ClaimQueries(Controller):
    path = "/api/v1/claims"
    tags = ["claims"]
    dependencies = QUERY_DEPENDENCIES

    @get("/", guards=READ, sync_to_thread=True)
    def list_claims(
        self,
        services: Svc,
        paging: Paged,
        read_point: ReadAt,
        status: Text = None,
        policy_id: Text = None,
        claimant_id: Text = None,
        line: Text = None,
        cause: Text = None,
        flagged: FromQuery[bool | None] = None,
        breached: FromQuery[bool | None] = None,
        open: FromQuery[bool | None] = None,
        reported_from: FromQuery[date | None] = None,
        reported_to: FromQuery[date | None] = None,
        loss_from: FromQuery[date | None] = None,
        loss_to: FromQuery[date | None] = None,
        today: Today = None,
    ) -> Any:
        """赔案登记簿: each claim with status, reserve, paid, clocks, breaches and flags."""
        position = read_at(services, read_point, "claims")
        conditions = cl.claim_filters(
            status=status,
            policy_id=policy_id,
            claimant_id=claimant_id,
            line=line,
            cause=cause,
            flagged=flagged,
            breached=breached,
            open_=open,
            reported_from=reported_from,
            reported_to=reported_to,
            loss_from=loss_from,
            loss_to=loss_to,
        )
        return cl.CLAIMS.page(services.read_side, conditions, paging, position, today=today)

    @get("/flags", guards=READ, sync_to_thread=True)
    def flags(
        self,
        services: Svc,
        paging: Paged,
        read_point: ReadAt,
        indicator: Text = None,
        claim_id: Text = None,
        policy_id: Text = None,
        raised_from: FromQuery[date | None] = None,
        raised_to: FromQuery[date | None] = None,
    ) -> Any:
        """The risk flags register: fraud indicators (ch. 9) raised on claims."""
        position = read_at(services, read_point, "claims")
        conditions = cl.flag_filters(
            indicator=indicator, claim_id=claim_id, policy_id=policy_id, raised_from=raised_from, raised_to=raised_to
        )
        return cl.FLAGS.page(services.read_side, conditions, paging, position)

    @get("/{claim_id:uuid}", guards=READ, sync_to_thread=True)
    def get_claim(self, services: Svc, claim_id: FromPath[UUID], read_point: ReadAt, today: Today = None) -> Any:
        """One claim from the claims register (SPEC §8), as of now or a past moment or log position, with
        its statutory clocks on `today`."""
        position = read_at(services, read_point, "claims")
        found = cl.CLAIMS.one(services.read_side, str(claim_id), position, today=today)
        if found is None:
            raise NotFound(f"claim {claim_id} not found")
        return found

    @get("/{claim_id:uuid}/clocks", guards=READ, sync_to_thread=True)
    def clocks(self, services: Svc, claim_id: FromPath[UUID], read_point: ReadAt, on: Today = None) -> ClocksView:
        """Each clock on the day `on` (default today): due date, days used, paused days, breached. The
        claim is read as it stood `as_of`; a day before its last event reads the clocks as they stood then."""
        position = read_at(services, read_point, "claims")
        version = None
        if position is not None:  # the claim's version in the register then
            row = cl.CLAIMS.raw(services.read_side, str(claim_id), position)
            if row is None:
                raise NotFound(f"claim {claim_id} not found at that moment")
            version = row["version"]
        day = on or china_today()
        try:
            clocks = queries.clocks_on(services.app, claim_id, day, version)
        except InvalidValue as e:
            raise BadRequest("on", e.message) from None
        readings = [r for r in (clocks.decision, clocks.rejection_notice, clocks.payment, clocks.advance) if r]
        return ClocksView(
            claim_id=str(claim_id),
            on=day,
            round=clocks.round,
            breaches=list(clocks.breaches),
            clocks=[
                ClockView(
                    remaining_days=r.remaining_days, **{k: v for k, v in dataclasses.asdict(r).items() if k != "on"}
                )
                for r in readings
            ],
        )

    @get("/{claim_id:uuid}/settlement", guards=READ, sync_to_thread=True)
    def settlement(self, services: Svc, claim_id: FromPath[UUID], as_of: AsOf = None) -> SettlementView:
        """What approval would compute against the policy on the loss date; records nothing.
        `not-covered-on-loss-date` (409) if the policy did not cover the loss. With `as_of`, from the
        claim and the policy as the books stood then (e.g. the day the claim was decided)."""
        position = read_at(services, ReadPoint(as_of), "audit_log")
        version_of = None
        if position is not None:
            at = position

            def version_of(aggregate_id: UUID) -> int:
                what = f"claim {claim_id}" if aggregate_id == claim_id else f"policy {aggregate_id}"
                return queries.version_at(positions_of(services.read_side, str(aggregate_id)), at, what)

        computation = queries.settlement(services.app, claim_id, version_of)
        return SettlementView(claim_id=str(claim_id), computation=computation)

    @get("/{claim_id:uuid}/history", guards=READ, sync_to_thread=True)
    def history(self, services: Svc, claim_id: FromPath[UUID], read_point: ReadAt) -> HistoryView:
        """Every event of the claim in order, with who did it, when and why."""
        return history_view(services, claim_id, read_point, Claim.Event, "claim")
