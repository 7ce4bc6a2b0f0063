"""The improvement plans register (guide 8.3.2): one versioned row per plan (its finding, baseline, actions and
latest follow-up), and one per action (for the report's due, done and overdue actions).

Every row is a function of the plan as it stands after the event (`AggregateCache` applies each event exactly
as a replay would), so a rebuild writes exactly the rows the live projection wrote. Whether an action is
overdue depends on the day it is asked on: `actions_overdue` is derived for `today` when a page is read.
"""

from __future__ import annotations

from datetime import date
from typing import Any, cast

from eventsourcing.domain import DomainEventProtocol
from sqlalchemy import JSON, BigInteger, Boolean, Column, Date, Index, Integer, Numeric, String, Text

from domain.identifiers import china_today
from domain.improvement.aggregate import ImprovementPlan
from projections.aggregates import AggregateCache
from projections.base import Batch, Projection
from projections.customers import plain
from projections.policies import ID
from projections.register import Register
from projections.versioned import versioned_table

SCORE = Numeric(4, 2)  # a 1–5 score to 2 decimals; a change −4.00 … +4.00

improvement_plans = versioned_table(
    "improvement_plans",
    "plan_id",
    Column("version", Integer, nullable=False),
    Column("status", String(10), nullable=False),  # open | closed
    Column("title", String(200), nullable=False),
    Column("finding", Text, nullable=False),
    Column("owner_id", ID, nullable=False),
    Column("dimension", String(30), nullable=False),
    Column("product_code", String(50), nullable=True),
    Column("channel", String(50), nullable=True),
    Column("period_from", Date, nullable=False),
    Column("period_to", Date, nullable=False),
    Column("baseline_surveys", Integer, nullable=False),
    Column("baseline_score", SCORE, nullable=False),
    Column("baseline_position", BigInteger, nullable=False),
    Column("target_score", SCORE, nullable=True),
    Column("raised_on", Date, nullable=False),
    Column("last_event_on", Date, nullable=False),
    Column("actions", JSON(none_as_null=True), nullable=False),  # each as added and done
    Column("actions_total", Integer, nullable=False),
    Column("actions_done", Integer, nullable=False),
    Column("next_due_on", Date, nullable=True),  # the earliest due date of the actions not done
    Column("follow_ups", JSON(none_as_null=True), nullable=False),  # each measurement, in order
    Column("follow_up_score", SCORE, nullable=True),  # the latest follow-up's
    Column("follow_up_surveys", Integer, nullable=True),
    Column("score_change", SCORE, nullable=True),  # the latest follow-up's score − the baseline score
    Column("improved", Boolean, nullable=True),  # score_change > 0 (None before a follow-up with surveys)
    Column("target_met", Boolean, nullable=True),  # the latest follow-up reached the target (None: no target)
    Column("closed_on", Date, nullable=True),
    Column("conclusion", Text, nullable=True),
    days=True,  # reports read its rows as they stood at the end of a day (projections.versioned)
)
Index("ix_improvement_plans_owner", improvement_plans.c.owner_id, improvement_plans.c.valid_to)

improvement_plan_actions = versioned_table(
    "improvement_plan_actions",
    "action_id",  # <plan id>/<action number>
    Column("plan_id", String(36), nullable=False),
    Column("no", Integer, nullable=False),
    Column("dimension", String(30), nullable=False),
    Column("description", Text, nullable=False),
    Column("owner_id", ID, nullable=False),
    Column("added_on", Date, nullable=False),
    Column("due_on", Date, nullable=False),
    Column("done_on", Date, nullable=True),
    Column("note", Text, nullable=True),
    Column("last_event_on", Date, nullable=False),
    key_length=50,
    days=True,  # reports read its rows as they stood at the end of a day (projections.versioned)
)


def plan_row(plan: ImprovementPlan) -> dict[str, Any]:
    """The register row of a plan's current state."""
    open_dues = [a["due_on"] for a in plan.actions if a["done_on"] is None]
    latest = plan.follow_ups[-1] if plan.follow_ups else None
    score = None if latest is None else latest["score"]
    return {
        "version": plan.version,
        "status": plan.status,
        "title": plan.title,
        "finding": plan.finding,
        "owner_id": plan.owner_id,
        "dimension": plan.dimension,
        "product_code": plan.product_code,
        "channel": plan.channel,
        "period_from": plan.period_from,
        "period_to": plan.period_to,
        "baseline_surveys": plan.baseline_surveys,
        "baseline_score": plan.baseline_score,
        "baseline_position": plan.baseline_position,
        "target_score": plan.target_score,
        "raised_on": plan.raised_on,
        "last_event_on": plan.business_date,
        "actions": plain(plan.actions),
        "actions_total": len(plan.actions),
        "actions_done": sum(1 for a in plan.actions if a["done_on"] is not None),
        "next_due_on": min(open_dues) if open_dues else None,
        "follow_ups": plain(plan.follow_ups),
        "follow_up_score": score,
        "follow_up_surveys": None if latest is None else latest["surveys"],
        "score_change": plan.latest_change,
        "improved": None if plan.latest_change is None else plan.latest_change > 0,
        "target_met": None if score is None or plan.target_score is None else score >= plan.target_score,
        "closed_on": plan.closed_on,
        "conclusion": plan.conclusion,
    }


def action_row(plan: ImprovementPlan, action: dict[str, Any]) -> dict[str, Any]:
    return {
        "plan_id": str(plan.id),
        "no": action["no"],
        "dimension": plan.dimension,
        "description": action["description"],
        "owner_id": action["owner_id"],
        "added_on": action["added_on"],
        "due_on": action["due_on"],
        "done_on": action["done_on"],
        "note": action["note"],
        "last_event_on": plan.business_date,
    }


class ImprovementPlansProjection(Projection):
    """Keeps the improvement plans register and its actions."""

    handles = (ImprovementPlan.Event,)
    aggregate = ImprovementPlan

    name = "improvement_plans"
    tables = (improvement_plans, improvement_plan_actions)

    def bind(self, app: Any) -> None:
        super().bind(app)
        self.cache = AggregateCache(app)

    def keys(self, event: DomainEventProtocol[Any]) -> list[str]:
        return [str(event.originator_id)] if isinstance(event, ImprovementPlan.Event) else []

    def preload(self, events: list[tuple[DomainEventProtocol[Any], int]], batch: Batch) -> None:
        """The plans' rows; an action's row is read when its event comes (few per batch)."""
        batch.versioned(improvement_plans).preload([k for event, _ in events for k in self.keys(event)])

    def apply(self, event: DomainEventProtocol[Any], position: int, batch: Batch) -> None:
        if not isinstance(event, ImprovementPlan.Event):
            return
        plan = cast(ImprovementPlan, self.cache.apply(event))
        batch.versioned(improvement_plans).put(str(plan.id), plan_row(plan), position)
        no = getattr(event, "no", None)
        if isinstance(event, (ImprovementPlan.ActionAdded, ImprovementPlan.ActionDone)) and no is not None:
            writer = batch.versioned(improvement_plan_actions)
            key = f"{plan.id}/{no}"
            if isinstance(event, ImprovementPlan.ActionAdded):
                writer.seed(key, None)
            writer.put(key, action_row(plan, plan.actions[no - 1]), position)


# --- queries ---------------------------------------------------------------------------------
_p = improvement_plans.c
_a = improvement_plan_actions.c
SORTABLE = {
    "raised_on": _p.raised_on,
    "next_due_on": _p.next_due_on,
    "status": _p.status,
    "dimension": _p.dimension,
    "score_change": _p.score_change,
}
DEFAULT_SORT = "-raised_on"


def with_actions_overdue(row: dict[str, Any], today: date) -> None:
    """`actions_overdue` as of `today`: how many actions not done are past their due date (due today is not)."""
    row["actions_overdue"] = sum(
        1 for a in row.get("actions") or [] if a.get("done_on") is None and date.fromisoformat(a["due_on"]) < today
    )


#: 改进计划: each plan from a survey finding, its actions and the effect measured.
PLANS = Register(
    improvement_plans,
    "improvement_plans",
    SORTABLE,
    DEFAULT_SORT,
    view="ImprovementPlanView",
    doc="An improvement plan from the satisfaction surveys (8.3.2): the finding and its baseline score, the "
    "actions with owners and due dates, the follow-up measurements and the change in score; `actions_overdue` "
    "as of `today`.",
    page_view="ImprovementPlanPage",
    extra={"actions_overdue": (int, 0)},
    derive=with_actions_overdue,
)


def plan_filters(
    status: str | None = None,
    dimension: str | None = None,
    owner_id: str | None = None,
    product_code: str | None = None,
    channel: str | None = None,
    improved: bool | None = None,
    overdue: bool | None = None,
    today: date | None = None,
) -> list[Any]:
    """SQL conditions for the register's filters. `overdue`: True keeps the plans with an action not done
    whose due date is before `today` (default: today in China), False the others."""
    conditions: list[Any] = []
    for column, value in (
        (_p.status, status),
        (_p.dimension, dimension),
        (_p.owner_id, owner_id),
        (_p.product_code, product_code),
        (_p.channel, channel),
        (_p.improved, improved),
    ):
        if value is not None:
            conditions.append(column == value)
    if overdue is not None:
        late = _p.next_due_on < (today or china_today())
        conditions.append(late if overdue else ~late | _p.next_due_on.is_(None))
    return conditions
