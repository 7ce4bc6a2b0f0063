"""The risk register and key risk indicator API (风险识别, 评估与控制, guide ch. 9): risks identified, assessed,
controlled, reviewed and closed; indicators defined from the reports, measured monthly (by `inscribe tick`, or
on request), their alerts acknowledged by the owner. Each command answers id, version and position; If-Match and
Idempotency-Key apply."""

from __future__ import annotations

from typing import Any, Literal
from uuid import UUID

from litestar import Controller, Request, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery, JSONBody

from application.commands import risks as commands
from domain.errors import NotFound
from domain.risk.aggregate import Indicator, Risk
from interface.auth import Principal, requires
from interface.bootstrap import Services
from interface.complaint_schemas import On
from interface.history import history_view
from interface.http import CommandAnswer, answer, business_day, command_context, read_at
from interface.query_params import QUERY_DEPENDENCIES, HistoryView, Paged, ReadAt, Text, Today
from interface.risk_schemas import (
    AcknowledgeIn,
    AssessIn,
    CloseRiskIn,
    ControlIn,
    IndicatorIn,
    RetireIn,
    ReviewIn,
    RiskIn,
    ThresholdIn,
)
from projections import risks as rk

Req = Request[Principal, Any, Any]
Svc = NamedDependency[Services]
Id = FromPath[UUID]
MANAGE, READ = "risk.manage", "risk.read"


class RiskController(Controller):
    """风险登记: the business risks, their owners, controls and reviews."""

    path = "/api/v1/risks"
    tags = ["risk"]
    dependencies = QUERY_DEPENDENCIES

    @post("/", guards=[requires(MANAGE)], sync_to_thread=True, status_code=201)
    def identify(self, request: Req, services: Svc, data: JSONBody[RiskIn]) -> CommandAnswer:
        """风险识别: enter a business risk with its likelihood and impact (1–5; their product is its score and
        rating), owner, controls and next review."""
        ctx = command_context(request, data)
        fields = data.model_dump(exclude={"on"})
        return answer(commands.identify(services.app, ctx, on=business_day(data.on), **fields))

    @post("/{risk_id:uuid}/assessment", guards=[requires(MANAGE)], sync_to_thread=True, status_code=200)
    def assess(self, request: Req, services: Svc, risk_id: Id, data: JSONBody[AssessIn]) -> CommandAnswer:
        """风险评估: the risk's likelihood and impact assessed again, with why."""
        ctx = command_context(request, data)
        on = business_day(data.on)
        return answer(
            commands.assess(
                services.app, ctx, risk_id, on, likelihood=data.likelihood, impact=data.impact, note=data.note
            )
        )

    @post("/{risk_id:uuid}/controls", guards=[requires(MANAGE)], sync_to_thread=True, status_code=200)
    def add_control(self, request: Req, services: Svc, risk_id: Id, data: JSONBody[ControlIn]) -> CommandAnswer:
        """风险控制: a control that reduces the risk."""
        ctx = command_context(request, data)
        return answer(commands.add_control(services.app, ctx, risk_id, business_day(data.on), control=data.control))

    @post("/{risk_id:uuid}/review", guards=[requires(MANAGE)], sync_to_thread=True, status_code=200)
    def review(self, request: Req, services: Svc, risk_id: Id, data: JSONBody[ReviewIn]) -> CommandAnswer:
        """The owner's review, with the date of the next one (after the review)."""
        ctx = command_context(request, data)
        on = business_day(data.on)
        return answer(
            commands.review(services.app, ctx, risk_id, on, note=data.note, next_review_on=data.next_review_on)
        )

    @post("/{risk_id:uuid}/closure", guards=[requires(MANAGE)], sync_to_thread=True, status_code=200)
    def close(self, request: Req, services: Svc, risk_id: Id, data: JSONBody[CloseRiskIn]) -> CommandAnswer:
        """Close the risk, with why; a closed risk refuses every command."""
        ctx = command_context(request, data)
        return answer(commands.close(services.app, ctx, risk_id, business_day(data.on), reason=data.reason))

    @get("/", guards=[requires(READ)], sync_to_thread=True)
    def list_risks(
        self,
        services: Svc,
        paging: Paged,
        read_point: ReadAt,
        status: FromQuery[Literal["open", "closed"] | None] = None,
        category: Text = None,
        owner_id: Text = None,
        rating: FromQuery[Literal["low", "medium", "high", "critical"] | None] = None,
        review_overdue: FromQuery[bool | None] = None,
        today: Today = None,
    ) -> Any:
        """风险登记: the risks by score (default); `review_overdue=true` keeps the open ones whose review date is
        before `today` (default today in China)."""
        position = read_at(services, read_point, "risks")
        conditions = rk.risk_filters(status, category, owner_id, rating, review_overdue, today)
        return rk.RISKS.page(services.read_side, conditions, paging, position, today=today)

    @get("/{risk_id:uuid}", guards=[requires(READ)], sync_to_thread=True)
    def get_risk(self, services: Svc, risk_id: FromPath[UUID], read_point: ReadAt, today: Today = None) -> Any:
        """One risk from the register."""
        position = read_at(services, read_point, "risks")
        found = rk.RISKS.one(services.read_side, str(risk_id), position, today=today)
        if found is None:
            raise NotFound(f"risk {risk_id} not found")
        return found

    @get("/{risk_id:uuid}/history", guards=[requires(READ)], sync_to_thread=True)
    def history(self, services: Svc, risk_id: FromPath[UUID], read_point: ReadAt) -> HistoryView:
        """Every event of the risk in order, with its audit metadata (SPEC §2)."""
        return history_view(services, risk_id, read_point, Risk.Event, "risk")


class RiskIndicatorController(Controller):
    """关键风险指标: indicators computed from the reports, their thresholds, measurements and alerts."""

    path = "/api/v1/risk-indicators"
    tags = ["risk"]
    dependencies = QUERY_DEPENDENCIES

    @post("/", guards=[requires(MANAGE)], sync_to_thread=True, status_code=201)
    def define(self, request: Req, services: Svc, data: JSONBody[IndicatorIn]) -> CommandAnswer:
        """A key risk indicator: the metric (a report's figure), for a line or the whole book, its threshold and
        owner. `inscribe tick` measures it once a month over the twelve months to the end of the month before."""
        ctx = command_context(request, data)
        return answer(
            commands.define_indicator(
                services.app,
                ctx,
                metric=data.metric,
                line=data.line,
                threshold=data.threshold,
                owner_id=data.owner_id,
                on=business_day(data.on),
                risk_id=data.risk_id,
            )
        )

    @post("/{indicator_id:uuid}/threshold", guards=[requires(MANAGE)], sync_to_thread=True, status_code=200)
    def threshold(self, request: Req, services: Svc, indicator_id: Id, data: JSONBody[ThresholdIn]) -> CommandAnswer:
        """Change the indicator's threshold, with why."""
        ctx = command_context(request, data)
        on = business_day(data.on)
        return answer(
            commands.change_threshold(services.app, ctx, indicator_id, on, threshold=data.threshold, reason=data.reason)
        )

    @post("/{indicator_id:uuid}/measurement", guards=[requires(MANAGE)], sync_to_thread=True, status_code=200)
    def measure(self, request: Req, services: Svc, indicator_id: Id, data: JSONBody[On]) -> CommandAnswer:
        """Measure the twelve months to the end of the month before `on` now (as `inscribe tick` does; 409
        indicator-month-measured once it was); beyond the threshold when the last one was not, an alert."""
        ctx = command_context(request, data)
        return answer(commands.measure(services.app, ctx, indicator_id, business_day(data.on)))

    @post(
        "/{indicator_id:uuid}/alerts/{no:int}/acknowledgement",
        guards=[requires(MANAGE)],
        sync_to_thread=True,
        status_code=200,
    )
    def acknowledge(
        self, request: Req, services: Svc, indicator_id: Id, no: FromPath[int], data: JSONBody[AcknowledgeIn]
    ) -> CommandAnswer:
        """The owner acknowledges alert `no` with a note of what is being done."""
        ctx = command_context(request, data)
        on = business_day(data.on)
        return answer(commands.acknowledge(services.app, ctx, indicator_id, on, alert_no=no, note=data.note))

    @post("/{indicator_id:uuid}/retirement", guards=[requires(MANAGE)], sync_to_thread=True, status_code=200)
    def retire(self, request: Req, services: Svc, indicator_id: Id, data: JSONBody[RetireIn]) -> CommandAnswer:
        """Retire the indicator: no more measurements; it refuses every command."""
        ctx = command_context(request, data)
        return answer(commands.retire(services.app, ctx, indicator_id, business_day(data.on), reason=data.reason))

    @get("/", guards=[requires(READ)], sync_to_thread=True)
    def list_indicators(
        self,
        services: Svc,
        paging: Paged,
        read_point: ReadAt,
        status: FromQuery[Literal["active", "retired"] | None] = None,
        metric: Text = None,
        line: Text = None,
        owner_id: Text = None,
        in_breach: FromQuery[bool | None] = None,
    ) -> Any:
        """关键风险指标: each indicator, its threshold and its latest measurement."""
        position = read_at(services, read_point, "risks")
        conditions = rk.indicator_filters(status, metric, line, owner_id, in_breach)
        return rk.INDICATORS.page(services.read_side, conditions, paging, position)

    @get("/alerts", guards=[requires(READ)], sync_to_thread=True)
    def list_alerts(
        self,
        services: Svc,
        paging: Paged,
        read_point: ReadAt,
        metric: Text = None,
        line: Text = None,
        owner_id: Text = None,
        indicator_id: Text = None,
        acknowledged: FromQuery[bool | None] = None,
    ) -> Any:
        """Alerts: each crossing of a threshold and its acknowledgement, as of any moment."""
        position = read_at(services, read_point, "risks")
        conditions = rk.alert_filters(metric, line, owner_id, indicator_id, acknowledged)
        return rk.ALERTS.page(services.read_side, conditions, paging, position)

    @get("/{indicator_id:uuid}", guards=[requires(READ)], sync_to_thread=True)
    def get_indicator(self, services: Svc, indicator_id: FromPath[UUID], read_point: ReadAt) -> Any:
        """One indicator."""
        position = read_at(services, read_point, "risks")
        found = rk.INDICATORS.one(services.read_side, str(indicator_id), position)
        if found is None:
            raise NotFound(f"risk indicator {indicator_id} not found")
        return found

    @get("/{indicator_id:uuid}/history", guards=[requires(READ)], sync_to_thread=True)
    def history(self, services: Svc, indicator_id: FromPath[UUID], read_point: ReadAt) -> HistoryView:
        """Every event of the indicator in order (each measurement with its value and position)."""
        return history_view(services, indicator_id, read_point, Indicator.Event, "risk indicator")
