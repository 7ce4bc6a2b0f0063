"""The improvement plan API (改进措施, guide 8.3.2): plans raised from the survey analysis, their actions, the
follow-up measurement and closing; the register of plans. Each command answers id, version and position;
If-Match and Idempotency-Key apply."""

from __future__ import annotations

from typing import Any, Literal
from uuid import UUID

from litestar import Controller, Request, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery, JSONBody

from application.commands import improvement as commands
from domain.errors import NotFound
from domain.improvement.aggregate import ImprovementPlan, Scope
from interface.auth import Principal, requires
from interface.bootstrap import Services
from interface.history import history_view
from interface.http import CommandAnswer, answer, business_day, command_context, read_at
from interface.improvement_schemas import ConclusionIn, FollowUpIn, PlanActionDoneIn, PlanActionIn, PlanIn
from interface.query_params import QUERY_DEPENDENCIES, HistoryView, Paged, ReadAt, Text, Today
from projections import improvement_plans as ip

Req = Request[Principal, Any, Any]
Svc = NamedDependency[Services]
Id = FromPath[UUID]
PLAN = "improvement.plan"


class ImprovementPlanController(Controller):
    """Improvement plans from the satisfaction surveys (8.3.2)."""

    path = "/api/v1/improvement-plans"
    tags = ["service"]
    dependencies = QUERY_DEPENDENCIES

    @post("/", guards=[requires(PLAN)], sync_to_thread=True, status_code=201)
    def raise_plan(self, request: Req, services: Svc, data: JSONBody[PlanIn]) -> CommandAnswer:
        """8.3.2 (2) 制定改进计划: raise a plan from a finding of the survey analysis. The baseline score of the
        dimension in that scope and period is measured from the surveys (409 no-surveys-in-scope when it has
        none); the plan keeps it with the log position it was measured at."""
        ctx = command_context(request, data)
        scope = Scope(data.dimension, data.period_from, data.period_to, data.product_code, data.channel)
        return answer(
            commands.raise_plan(
                services.app,
                ctx,
                scope=scope,
                title=data.title,
                finding=data.finding,
                owner_id=data.owner_id,
                on=business_day(data.on),
                target_score=data.target_score,
            )
        )

    @post("/{plan_id:uuid}/actions", guards=[requires(PLAN)], sync_to_thread=True, status_code=200)
    def add_action(self, request: Req, services: Svc, plan_id: Id, data: JSONBody[PlanActionIn]) -> CommandAnswer:
        """8.3.2 (2): an action of the plan with its owner and due date."""
        ctx = command_context(request, data)
        on = business_day(data.on)
        return answer(
            commands.add_action(
                services.app, ctx, plan_id, on, description=data.description, owner_id=data.owner_id, due_on=data.due_on
            )
        )

    @post("/{plan_id:uuid}/actions/{no:int}/done", guards=[requires(PLAN)], sync_to_thread=True, status_code=200)
    def action_done(
        self, request: Req, services: Svc, plan_id: Id, no: FromPath[int], data: JSONBody[PlanActionDoneIn]
    ) -> CommandAnswer:
        """8.3.2 (3) 落实改进措施: action `no` was carried out (404 when the plan has no such action)."""
        ctx = command_context(request, data)
        return answer(
            commands.complete_action(services.app, ctx, plan_id, business_day(data.on), no=no, note=data.note)
        )

    @post("/{plan_id:uuid}/follow-ups", guards=[requires(PLAN)], sync_to_thread=True, status_code=200)
    def follow_up(self, request: Req, services: Svc, plan_id: Id, data: JSONBody[FollowUpIn]) -> CommandAnswer:
        """8.3.2 (4) 持续跟踪: measure the dimension's score in the plan's scope over a later, ended period
        (default: the next one of the analysed period's length) and its change from the baseline."""
        ctx = command_context(request, data)
        on = business_day(data.on)
        return answer(
            commands.measure_follow_up(
                services.app, ctx, plan_id, on, period_from=data.period_from, period_to=data.period_to
            )
        )

    @post("/{plan_id:uuid}/closure", guards=[requires(PLAN)], sync_to_thread=True, status_code=200)
    def close(self, request: Req, services: Svc, plan_id: Id, data: JSONBody[ConclusionIn]) -> CommandAnswer:
        """Close the plan with its conclusion: refused while an action is not done
        (improvement-actions-open) or before a follow-up measurement (improvement-not-measured)."""
        ctx = command_context(request, data)
        return answer(commands.close(services.app, ctx, plan_id, business_day(data.on), conclusion=data.conclusion))

    @get("/", guards=[requires("improvement.read")], sync_to_thread=True)
    def list_plans(
        self,
        services: Svc,
        paging: Paged,
        read_point: ReadAt,
        status: FromQuery[Literal["open", "closed"] | None] = None,
        dimension: FromQuery[Literal["attitude", "speed", "quality", "claims_convenience"] | None] = None,
        owner_id: Text = None,
        product_code: Text = None,
        channel: Text = None,
        improved: FromQuery[bool | None] = None,
        overdue: FromQuery[bool | None] = None,
        today: Today = None,
    ) -> Any:
        """改进计划: the plans with their baseline, actions, follow-ups and change in score; `overdue=true` keeps
        those with an action past its due date on `today` (default today in China)."""
        position = read_at(services, read_point, "improvement_plans")
        conditions = ip.plan_filters(status, dimension, owner_id, product_code, channel, improved, overdue, today)
        return ip.PLANS.page(services.read_side, conditions, paging, position, today=today)

    @get("/{plan_id:uuid}", guards=[requires("improvement.read")], sync_to_thread=True)
    def get_plan(self, services: Svc, plan_id: FromPath[UUID], read_point: ReadAt, today: Today = None) -> Any:
        """One improvement plan from its register."""
        position = read_at(services, read_point, "improvement_plans")
        found = ip.PLANS.one(services.read_side, str(plan_id), position, today=today)
        if found is None:
            raise NotFound(f"improvement plan {plan_id} not found")
        return found

    @get("/{plan_id:uuid}/history", guards=[requires("improvement.read")], sync_to_thread=True)
    def history(self, services: Svc, plan_id: FromPath[UUID], read_point: ReadAt) -> HistoryView:
        """Every event of the plan in order, with its audit metadata (SPEC §2)."""
        return history_view(services, plan_id, read_point, ImprovementPlan.Event, "improvement plan")
