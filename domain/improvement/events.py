"""The improvement plan's events (guide 8.3.2). Stored names are a contract: each has an explicit, versioned topic.

Each event carries `on`, the business date it is recorded for (Raised: `raised_on`). The classes are
assigned on `domain.improvement.aggregate.ImprovementPlan` (e.g. `ImprovementPlan.Raised`), which registers
their topics.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from domain.base import DatedEvent, InscribeAggregate

if TYPE_CHECKING:
    from domain.improvement.aggregate import ImprovementPlan


class Event(DatedEvent):
    """The base of the plan's events: each moves the plan's business date (Raised: `raised_on`)."""

    TOPIC = "inscribe.improvement.Event"
    DATE = "raised_on"


class Created(Event, InscribeAggregate.Created):
    """Never triggered; declared so that it does not inherit the topic of `Event`."""

    TOPIC = "inscribe.improvement.Created"


class Raised(Event, InscribeAggregate.Created):
    """8.3.2 (1)–(2): a plan raised from a finding of the survey analysis: the dimension, scope and period
    analysed, the score found there, the plan's owner (责任人) and the score it aims for."""

    TOPIC = "inscribe.improvement.Raised.v1"
    raised_on: date
    title: str
    finding: str
    owner_id: str
    dimension: str
    product_code: str | None
    channel: str | None
    period_from: date
    period_to: date
    baseline_surveys: int
    baseline_score: Decimal
    baseline_position: int
    target_score: Decimal | None

    def effect(self, plan: ImprovementPlan) -> None:
        for key in (
            "raised_on",
            "title",
            "finding",
            "owner_id",
            "dimension",
            "product_code",
            "channel",
            "period_from",
            "period_to",
            "baseline_surveys",
            "baseline_score",
            "baseline_position",
            "target_score",
        ):
            setattr(plan, key, getattr(self, key))
        plan.status = "open"


class ActionAdded(Event):
    """8.3.2 (2): an action of the plan, with who does it and by when (完成时限)."""

    TOPIC = "inscribe.improvement.ActionAdded.v1"
    on: date
    no: int
    description: str
    owner_id: str
    due_on: date

    def effect(self, plan: ImprovementPlan) -> None:
        action: dict[str, Any] = {
            "no": self.no,
            "description": self.description,
            "owner_id": self.owner_id,
            "added_on": self.on,
            "due_on": self.due_on,
            "done_on": None,
            "note": None,
        }
        plan.actions.append(action)


class ActionDone(Event):
    """8.3.2 (3): an action carried out, with what was done."""

    TOPIC = "inscribe.improvement.ActionDone.v1"
    on: date
    no: int
    note: str

    def effect(self, plan: ImprovementPlan) -> None:
        action = plan.actions[self.no - 1]
        action["done_on"] = self.on
        action["note"] = self.note


class FollowUpMeasured(Event):
    """8.3.2 (4) 持续跟踪: the dimension's score in the same scope over a later period, beside the baseline."""

    TOPIC = "inscribe.improvement.FollowUpMeasured.v1"
    on: date
    no: int
    period_from: date
    period_to: date
    surveys: int
    score: Decimal | None  # None: no survey in the scope in that period
    position: int
    change: Decimal | None  # score − the plan's baseline score

    def effect(self, plan: ImprovementPlan) -> None:
        plan.follow_ups.append(
            {
                "no": self.no,
                "on": self.on,
                "period_from": self.period_from,
                "period_to": self.period_to,
                "surveys": self.surveys,
                "score": self.score,
                "position": self.position,
                "change": self.change,
            }
        )


class Closed(Event):
    """The plan is closed with its conclusion, every action done and its effect measured."""

    TOPIC = "inscribe.improvement.Closed.v1"
    on: date
    conclusion: str

    def effect(self, plan: ImprovementPlan) -> None:
        plan.status = "closed"
        plan.closed_on = self.on
        plan.conclusion = self.conclusion
