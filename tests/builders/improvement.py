"""An improvement plan carried through every step (guide 8.3.2) by the application layer: a survey yesterday,
a plan on it raised today, an action done, a follow-up and the closing tomorrow. For the tests whose log must
hold every kind of event (the demo book has a plan only in a book of several quarters)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from uuid import UUID

from application.commands import improvement
from application.commands.customers import record_satisfaction_survey
from domain import clock
from domain.identifiers import china_today
from domain.improvement.rules import Scope
from tests.builders.common import ctx

DAY = timedelta(days=1)


def carry_a_plan_through(services: Any, customer_id: UUID) -> UUID:
    """Survey `customer_id` yesterday, then raise, act on, follow up and close a plan on it; the plan's id."""
    today = china_today()
    with clock.using(clock.SimulatedClock(clock.now() - DAY)):
        record_satisfaction_survey(
            services.app, ctx(), customer_id, attitude=3, speed=2, quality=3, claims_convenience=4
        )
    services.read_side.catch_up()

    def manager() -> Any:
        return ctx("sm-1", "service_manager")

    scope = Scope("speed", today - DAY, today - DAY)
    plan = UUID(
        improvement.raise_plan(
            services.app, manager(), scope=scope, title="t", finding="f", owner_id="sm-1", on=today
        ).id
    )
    improvement.add_action(services.app, manager(), plan, today, description="train", owner_id="co-1", due_on=today)
    improvement.complete_action(services.app, manager(), plan, today, no=1, note="done")
    services.read_side.catch_up()
    tomorrow = today + DAY
    improvement.measure_follow_up(services.app, manager(), plan, tomorrow, period_from=today, period_to=today)
    improvement.close(services.app, manager(), plan, tomorrow, conclusion="measured")
    return plan
