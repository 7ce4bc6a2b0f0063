"""An improvement plan as a state machine (guide 8.3.2; domain.improvement): any order of actions added and done,
follow-ups of any periods and closing, on any days. Invariants: a refused command records nothing; actions are
numbered in order and each is done at most once, on or after the day it was added; the follow-ups measure ended
periods after the analysed one, in order, and their change is the score less the baseline; a closed plan has
every action done and its effect measured; replaying the events gives the live state."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from functools import reduce
from typing import Any

from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from domain.errors import DomainError
from domain.improvement.aggregate import ImprovementPlan, Scope, Score

START = date(2025, 4, 1)
SCOPE = Scope("claims_convenience", date(2025, 1, 1), date(2025, 3, 31))
SCORES = st.one_of(st.none(), st.decimals(Decimal(1), Decimal(5), places=2))


class PlanLifecycle(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.day = START
        self.refusals = 0

    @initialize(baseline=st.decimals(Decimal(1), Decimal("4.99"), places=2))
    def raise_plan(self, baseline: Decimal) -> None:
        self.plan = ImprovementPlan.raise_plan(
            scope=SCOPE, baseline=Score(9, baseline, 10), title="t", finding="f", owner_id="sm-1", on=START
        )
        self.events: list[Any] = list(self.plan.collect_events())

    def attempt(self, command: Any) -> None:
        version = self.plan.version
        try:
            command()
        except DomainError:
            assert self.plan.pending_events == [] and self.plan.version == version  # nothing recorded
            self.refusals += 1
        self.events.extend(self.plan.collect_events())

    @rule(days=st.integers(0, 40))
    def time_passes(self, days: int) -> None:
        self.day += timedelta(days=days)

    @rule(due_in=st.integers(-3, 60), back=st.integers(0, 2))
    def add_action(self, due_in: int, back: int) -> None:
        on = self.day - timedelta(days=back)
        self.attempt(lambda: self.plan.add_action("act", "co-1", on + timedelta(days=due_in), on=on))

    @rule(no=st.integers(0, 5))
    def complete(self, no: int) -> None:
        self.attempt(lambda: self.plan.complete_action(no, "done", on=self.day))

    @rule(start_in=st.integers(-10, 120), length=st.integers(-1, 90), score=SCORES)
    def follow_up(self, start_in: int, length: int, score: Decimal | None) -> None:
        start = SCOPE.period_to + timedelta(days=start_in)
        measured = Score(0 if score is None else 4, score, 20)
        self.attempt(lambda: self.plan.measure_follow_up(start, start + timedelta(days=length), measured, self.day))

    @rule()
    def close(self) -> None:
        self.attempt(lambda: self.plan.close("concluded", self.day))

    @invariant()
    def actions_are_numbered_in_order_and_done_at_most_once_after_they_were_added(self) -> None:
        added = [e for e in self.events if isinstance(e, ImprovementPlan.ActionAdded)]
        done = [e.no for e in self.events if isinstance(e, ImprovementPlan.ActionDone)]
        assert [e.no for e in added] == list(range(1, len(added) + 1)) and len(done) == len(set(done))
        for action in self.plan.actions:
            assert action["due_on"] >= action["added_on"]
            assert action["done_on"] is None or action["done_on"] >= action["added_on"]

    @invariant()
    def follow_ups_measure_later_ended_periods_in_order(self) -> None:
        after = SCOPE.period_to
        for item in self.plan.follow_ups:
            assert after < item["period_from"] <= item["period_to"] < item["on"]
            after = item["period_to"]
            expected = None if item["score"] is None else item["score"] - self.plan.baseline_score
            assert item["change"] == expected

    @invariant()
    def a_closed_plan_has_every_action_done_and_its_effect_measured(self) -> None:
        if self.plan.status == "closed":
            assert self.plan.actions and all(a["done_on"] is not None for a in self.plan.actions)
            assert self.plan.follow_ups and isinstance(self.events[-1], ImprovementPlan.Closed)

    @invariant()
    def replaying_the_events_gives_the_live_state(self) -> None:
        replayed = reduce(lambda plan, event: event.mutate(plan), self.events, None)
        live = {k: v for k, v in vars(self.plan).items() if k != "_pending_events"}
        assert {k: v for k, v in vars(replayed).items() if k != "_pending_events"} == live
        days = [getattr(e, "on", None) or e.raised_on for e in self.events]
        assert days == sorted(days)  # business dates never go back


TestPlanLifecycle = PlanLifecycle.TestCase
