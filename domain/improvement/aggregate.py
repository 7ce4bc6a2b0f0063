"""The improvement plan (SPEC §13; guide 8.3.2 改进措施): raised from a finding of the satisfaction survey
analysis, carried out as actions with owners and due dates, and followed up by measuring the same score
in a later period.

A plan is `open` until it is `closed`; a closed plan refuses every command
(`invalid-improvement-transition`). Every command validates first and then triggers its event, so a refused
command records nothing. Business dates are explicit and never go back (`date-before-last-event`).

Its figures come from the read side (the survey analysis, `projections.reports.survey_analysis`): the
application measures a `Score` and hands it in, and the event keeps the log position it was measured at,
so the figure can be asked again as of that position.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID

from domain.base import InscribeAggregate
from domain.errors import DomainError, InvalidTransition, InvalidValue, NotFound
from domain.improvement import events as ev
from domain.improvement.rules import ACTION, DIMENSIONS, MAX_ACTIONS, STATUSES, TEXT, TITLE, Scope, Score
from domain.values import check_choice, check_date, check_id, check_text, parse_decimal

__all__ = ["DIMENSIONS", "STATUSES", "ImprovementPlan", "Scope", "Score", "next_period"]


def next_period(period_from: date, period_to: date) -> tuple[date, date]:
    """The period of the same length that begins the day after `period_to`."""
    length = period_to - period_from
    start = period_to + timedelta(days=1)
    return start, start + length


def check_scope(scope: Scope) -> Scope:
    """The scope's dimension is one of the four; its period does not end before it begins."""
    check_choice(scope.dimension, "dimension", DIMENSIONS)
    start, end = check_date(scope.period_from, "period_from"), check_date(scope.period_to, "period_to")
    if end < start:
        raise InvalidValue("period_to", "must not be before period_from")
    for field in ("product_code", "channel"):
        value = getattr(scope, field)
        if value is not None:
            check_text(value, field, 50)
    return scope


class ImprovementPlan(InscribeAggregate):
    """An improvement plan and its actions and follow-up measurements."""

    TOPIC = "inscribe.improvement.ImprovementPlan"

    Event = ev.Event
    Created = ev.Created
    Raised = ev.Raised
    ActionAdded = ev.ActionAdded
    ActionDone = ev.ActionDone
    FollowUpMeasured = ev.FollowUpMeasured
    Closed = ev.Closed

    def __init__(self) -> None:
        """Blank state; Raised's `apply` fills it in."""
        self.raised_on = date.min
        self.title = ""
        self.finding = ""
        self.owner_id = ""
        self.dimension = ""
        self.product_code: str | None = None
        self.channel: str | None = None
        self.period_from = date.min
        self.period_to = date.min
        self.baseline_surveys = 0
        self.baseline_score = Decimal(0)
        self.baseline_position = 0
        self.target_score: Decimal | None = None
        self.status = ""
        self.business_date = date.min
        self.actions: list[dict[str, Any]] = []
        self.follow_ups: list[dict[str, Any]] = []
        self.closed_on: date | None = None
        self.conclusion: str | None = None

    # -- commands ------------------------------------------------------------------------------------

    @classmethod
    def raise_plan(
        cls,
        *,
        scope: Scope,
        baseline: Score,
        title: str,
        finding: str,
        owner_id: str | UUID,
        on: date,
        target_score: Decimal | str | None = None,
        plan_id: UUID | None = None,
    ) -> ImprovementPlan:
        """8.3.2 (1)–(2): a plan from the analysis of a period that has ended, whose scope holds surveys."""
        check_scope(scope)
        text, found = check_text(title, "title", TITLE), check_text(finding, "finding", TEXT)
        owner = check_id(owner_id, "owner_id")
        day = check_date(on, "on")
        if scope.period_to >= day:
            raise InvalidValue("period_to", f"the analysed period must have ended before the plan is raised ({day})")
        target = None if target_score is None else _score(target_score, "target_score")
        if baseline.surveys == 0 or baseline.average is None:
            raise DomainError(
                "no satisfaction survey in that scope and period: there is no finding to plan from",
                code="no-surveys-in-scope",
            )
        if target is not None and target <= baseline.average:
            raise InvalidValue("target_score", f"must be above the baseline score {baseline.average}")
        return cls._create(
            cls.Raised,
            id=plan_id,
            raised_on=day,
            title=text,
            finding=found,
            owner_id=owner,
            dimension=scope.dimension,
            product_code=scope.product_code,
            channel=scope.channel,
            period_from=scope.period_from,
            period_to=scope.period_to,
            baseline_surveys=baseline.surveys,
            baseline_score=baseline.average,
            baseline_position=baseline.position,
            target_score=target,
        )

    def add_action(self, description: str, owner_id: str | UUID, due_on: date, on: date) -> None:
        """8.3.2 (2): an action with its owner and due date (not before the day it is added)."""
        text, owner = check_text(description, "description", ACTION), check_id(owner_id, "owner_id")
        due = check_date(due_on, "due_on")
        day = self._day(on)
        if due < day:
            raise InvalidValue("due_on", f"must not be before the day the action is added ({day})")
        if len(self.actions) >= MAX_ACTIONS:
            raise DomainError(f"a plan holds at most {MAX_ACTIONS} actions", code="too-many-actions")
        self.trigger_event(
            self.ActionAdded, on=day, no=len(self.actions) + 1, description=text, owner_id=owner, due_on=due
        )

    def complete_action(self, no: int, note: str, on: date) -> None:
        """8.3.2 (3): the action was carried out."""
        text = check_text(note, "note", TEXT)
        day = self._day(on)
        action = self.action(no)
        if action["done_on"] is not None:
            raise DomainError(f"action {no} was done on {action['done_on']}", code="improvement-action-done")
        self.trigger_event(self.ActionDone, on=day, no=no, note=text)

    def measure_follow_up(self, period_from: date, period_to: date, measured: Score, on: date) -> None:
        """8.3.2 (4): the dimension's score in the plan's scope over a period after the analysed one (and
        after the last follow-up's), ended before the day it is measured."""
        day = self._day(on)
        check_scope(Scope(self.dimension, period_from, period_to, self.product_code, self.channel))
        after = self.follow_ups[-1]["period_to"] if self.follow_ups else self.period_to
        if period_from <= after:
            raise InvalidValue("period_from", f"must be after {after} (the period measured before)")
        if period_to >= day:
            raise InvalidValue("period_to", f"the period must have ended before it is measured ({day})")
        change = None if measured.average is None else measured.average - self.baseline_score
        self.trigger_event(
            self.FollowUpMeasured,
            on=day,
            no=len(self.follow_ups) + 1,
            period_from=period_from,
            period_to=period_to,
            surveys=measured.surveys,
            score=measured.average,
            position=measured.position,
            change=change,
        )

    def close(self, conclusion: str, on: date) -> None:
        """Close the plan: every action done and its effect measured at least once."""
        text = check_text(conclusion, "conclusion", TEXT)
        day = self._day(on)
        if not self.actions or any(a["done_on"] is None for a in self.actions):
            open_ = [a["no"] for a in self.actions if a["done_on"] is None]
            raise DomainError(
                "the plan has no action" if not self.actions else f"actions not done yet: {open_}",
                code="improvement-actions-open",
            )
        if not self.follow_ups:
            raise DomainError("the plan's effect has not been measured yet", code="improvement-not-measured")
        self.trigger_event(self.Closed, on=day, conclusion=text)

    # -- queries -------------------------------------------------------------------------------------

    def action(self, no: int) -> dict[str, Any]:
        if isinstance(no, bool) or not isinstance(no, int) or not 1 <= no <= len(self.actions):
            raise NotFound(f"the plan has no action {no}", code="improvement-action-not-found")
        return self.actions[no - 1]

    @property
    def scope(self) -> Scope:
        return Scope(self.dimension, self.period_from, self.period_to, self.product_code, self.channel)

    def overdue_actions(self, today: date) -> list[int]:
        """The actions not done whose due date has passed on `today` (due today is not overdue)."""
        return [a["no"] for a in self.actions if a["done_on"] is None and a["due_on"] < today]

    @property
    def latest_change(self) -> Decimal | None:
        """The latest follow-up's score minus the baseline (None before one, or if it found no survey)."""
        return self.follow_ups[-1]["change"] if self.follow_ups else None

    # -- helpers ---------------------------------------------------------------------------------------

    def _day(self, value: date, field: str = "on") -> date:
        """A command's business date, not before the last recorded one; a closed plan refuses all."""
        if self.status == "closed":
            raise InvalidTransition("the plan is closed", code="invalid-improvement-transition")
        day = check_date(value, field)
        if day < self.business_date:
            raise DomainError(
                f"{field} {day} is before the last recorded date {self.business_date}", code="date-before-last-event"
            )
        return day


def _score(value: Any, field: str) -> Decimal:
    """A score between 1 and 5 with at most 2 decimals."""
    score = parse_decimal(value, field)
    if not Decimal(1) <= score <= Decimal(5):
        raise InvalidValue(field, "must be between 1 and 5")
    if score != score.quantize(Decimal("0.01")):
        raise InvalidValue(field, "must have at most 2 decimal places")
    return score.quantize(Decimal("0.01"))
