"""Improvement plan commands (guide 8.3.2), one typed function each: load → call → save.

The baseline and follow-up scores are measured by the read side's survey analysis (`app.survey_score`) when
the command runs, never taken from the caller: a plan records the figure the analysis gave, and the log
position it gave it at.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal
from uuid import UUID, uuid4

from application.app import CommandResult, InscribeApplication
from application.context import CommandContext
from domain.improvement.aggregate import ImprovementPlan, Scope, check_scope, next_period


def raise_plan(
    app: InscribeApplication,
    ctx: CommandContext,
    *,
    scope: Scope,
    title: str,
    finding: str,
    owner_id: str,
    on: date,
    target_score: Decimal | str | None = None,
) -> CommandResult:
    """8.3.2 (2): raise a plan from the analysis of `scope` (its score is measured now)."""

    def run() -> CommandResult:
        baseline = app.survey_score(check_scope(scope))
        plan = ImprovementPlan.raise_plan(
            plan_id=uuid4(),
            scope=scope,
            baseline=baseline,
            title=title,
            finding=finding,
            owner_id=owner_id,
            on=on,
            target_score=target_score,
        )
        return app.record(ctx, plan)

    return app.once(ctx, run)


def _on(
    app: InscribeApplication, ctx: CommandContext, plan_id: UUID, action: Callable[[ImprovementPlan], None]
) -> CommandResult:
    return app.execute(ctx, ImprovementPlan, UUID(str(plan_id)), action)


def add_action(
    app: InscribeApplication,
    ctx: CommandContext,
    plan_id: UUID,
    on: date,
    *,
    description: str,
    owner_id: str,
    due_on: date,
) -> CommandResult:
    """8.3.2 (2): an action with its owner (责任人) and due date (完成时限)."""
    return _on(app, ctx, plan_id, lambda plan: plan.add_action(description, owner_id, due_on, on))


def complete_action(
    app: InscribeApplication, ctx: CommandContext, plan_id: UUID, on: date, *, no: int, note: str
) -> CommandResult:
    """8.3.2 (3): action `no` was carried out."""
    return _on(app, ctx, plan_id, lambda plan: plan.complete_action(no, note, on))


def measure_follow_up(
    app: InscribeApplication,
    ctx: CommandContext,
    plan_id: UUID,
    on: date,
    *,
    period_from: date | None = None,
    period_to: date | None = None,
) -> CommandResult:
    """8.3.2 (4): measure the plan's dimension in its scope over a later period (default: the next period
    of the analysed period's length after the last one measured)."""

    def measure(plan: ImprovementPlan) -> None:
        last = plan.follow_ups[-1] if plan.follow_ups else None
        start, end = next_period(
            plan.period_from if last is None else last["period_from"],
            plan.period_to if last is None else last["period_to"],
        )
        start, end = period_from or start, period_to or end
        scope = Scope(plan.dimension, start, end, plan.product_code, plan.channel)
        plan.measure_follow_up(start, end, app.survey_score(check_scope(scope)), on)

    return _on(app, ctx, plan_id, measure)


def close(app: InscribeApplication, ctx: CommandContext, plan_id: UUID, on: date, *, conclusion: str) -> CommandResult:
    """Close the plan with its conclusion (every action done, its effect measured)."""
    return _on(app, ctx, plan_id, lambda plan: plan.close(conclusion, on))
