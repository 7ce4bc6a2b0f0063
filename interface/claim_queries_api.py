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

from application.commands import claims as commands
from domain.claim.aggregate import Claim
from domain.errors import InvalidValue, NotFound
from domain.identifiers import china_today
from interface.auth import requires
from interface.bootstrap import Services
from interface.errors import BadRequest
from interface.history import history_of
from interface.http import read_position
from interface.query_params import After, AsOf, HistoryEntry, HistoryView, PageNo, Size, Text, Today, check_sort
from interface.views import page_model, row_model, to_page
from projections import claims as cl
from projections.queries import Page, one, page_of

Svc = NamedDependency[Services]
READ = [requires("claims.read")]

ClaimView = row_model(
    "ClaimView",
    cl.claims,
    "A row of the claims register; `clocks` as of the claim's last event, `decision_overdue` as of `today`.",
    decision_overdue=(bool, False),
)
ClaimPage = page_model("ClaimPage", ClaimView)
FlagView = row_model("RiskFlagView", cl.claim_flags, "A fraud indicator raised on a claim (ch. 9).")
FlagPage = page_model("RiskFlagPage", FlagView)


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


def _overdue(row: dict[str, Any], today: date) -> bool:
    """No decision, the clock not paused, and its due date passed by `today`."""
    due = row.get("decision_due_on")
    return row.get("decision") is None and not row.get("decision_paused") and due is not None and due < today


def _load(services: Services, claim_id: UUID, position: int | None) -> Claim:
    """The claim as it stood at `position` (the register's version then), or now."""
    version = None
    if position is not None:
        with services.read_side.engine.connect() as conn:
            row = one(conn, cl.claims, str(claim_id), position)
        if row is None:
            raise NotFound(f"claim {claim_id} not found at that moment")
        version = row["version"]
    return services.app.load(Claim, claim_id, version)


class ClaimQueries(Controller):
    path = "/api/v1/claims"
    tags = ["claims"]

    @get("/", guards=READ, sync_to_thread=True)
    def list_claims(
        self,
        services: Svc,
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
        page: PageNo = 1,
        page_size: Size = 50,
        sort: Text = None,
        as_of: AsOf = None,
        after: After = None,
    ) -> Any:
        """赔案登记簿: each claim with status, reserve, paid, clocks, breaches and flags."""
        day = today or china_today()
        position = read_position(services, ["claims"], after, as_of)
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
        order = check_sort(sort, cl.CLAIM_SORTABLE, "-reported_on")
        with services.read_side.engine.connect() as conn:
            reached = services.read_side.position("claims", conn)
            result = page_of(
                conn,
                cl.claims,
                position,
                conditions,
                Page(page, page_size, order),
                cl.CLAIM_SORTABLE,
                "-reported_on",
                reached,
            )
        for row in result.items:
            row["decision_overdue"] = _overdue(row, day)
        return to_page(ClaimPage, result)

    @get("/flags", guards=READ, sync_to_thread=True)
    def flags(
        self,
        services: Svc,
        indicator: Text = None,
        claim_id: Text = None,
        policy_id: Text = None,
        raised_from: FromQuery[date | None] = None,
        raised_to: FromQuery[date | None] = None,
        page: PageNo = 1,
        page_size: Size = 50,
        sort: Text = None,
        as_of: AsOf = None,
        after: After = None,
    ) -> Any:
        """The risk flags register: fraud indicators (ch. 9) raised on claims."""
        position = read_position(services, ["claims"], after, as_of)
        conditions = cl.flag_filters(
            indicator=indicator, claim_id=claim_id, policy_id=policy_id, raised_from=raised_from, raised_to=raised_to
        )
        order = check_sort(sort, cl.FLAG_SORTABLE, "-raised_on")
        with services.read_side.engine.connect() as conn:
            reached = services.read_side.position("claims", conn)
            result = page_of(
                conn,
                cl.claim_flags,
                position,
                conditions,
                Page(page, page_size, order),
                cl.FLAG_SORTABLE,
                "-raised_on",
                reached,
            )
        return to_page(FlagPage, result)

    @get("/{claim_id:uuid}", guards=READ, sync_to_thread=True)
    def get_claim(
        self, services: Svc, claim_id: FromPath[UUID], today: Today = None, as_of: AsOf = None, after: After = None
    ) -> Any:
        """One claim from the register."""
        position = read_position(services, ["claims"], after, as_of)
        with services.read_side.engine.connect() as conn:
            row = one(conn, cl.claims, str(claim_id), position)
        if row is None:
            raise NotFound(f"claim {claim_id} not found")
        row["decision_overdue"] = _overdue(row, today or china_today())
        return ClaimView(**row)

    @get("/{claim_id:uuid}/clocks", guards=READ, sync_to_thread=True)
    def clocks(
        self, services: Svc, claim_id: FromPath[UUID], on: Today = None, as_of: AsOf = None, after: After = None
    ) -> ClocksView:
        """Each clock on the day `on` (default today): due date, days used, paused days, breached. The
        claim is read as it stood `as_of`; a day before its last event reads the clocks as they stood then."""
        position = read_position(services, ["claims"], after, as_of)
        claim = _load(services, claim_id, position)
        day = on or china_today()
        try:
            clocks = claim.clocks_on(day)
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
    def settlement(self, services: Svc, claim_id: FromPath[UUID]) -> SettlementView:
        """What approval would compute now against the policy on the loss date; records nothing.
        `not-covered-on-loss-date` (409) if the policy did not cover the loss."""
        return SettlementView(claim_id=str(claim_id), computation=commands.settlement(services.app, claim_id))

    @get("/{claim_id:uuid}/history", guards=READ, sync_to_thread=True)
    def history(self, services: Svc, claim_id: FromPath[UUID], as_of: AsOf = None, after: After = None) -> HistoryView:
        """Every event of the claim in order, with who did it, when and why."""
        position = read_position(services, ["audit_log"], after, as_of)
        entries = history_of(services, claim_id, position, Claim.Event, "claim")
        return HistoryView(id=str(claim_id), events=[HistoryEntry(**e) for e in entries])
