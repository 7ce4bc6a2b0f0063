"""The improvement plan (guide 8.3.2; domain.improvement): raised from a finding of an ended period, actions with
owners and due dates, follow-ups of later ended periods, closing. Every window on its last day and the day
after; every refusal records nothing."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest

from domain.errors import DomainError, InvalidTransition, InvalidValue, NotFound
from domain.improvement.aggregate import ImprovementPlan, Scope, Score, next_period

D = date
DAY = timedelta(days=1)
Q1 = Scope("speed", D(2025, 1, 1), D(2025, 3, 31), "term_life", "agent")
BASELINE = Score(12, Decimal("2.75"), 40)


def plan(on: date = D(2025, 4, 1), **fields: Any) -> ImprovementPlan:
    args: dict[str, Any] = {
        "scope": Q1,
        "baseline": BASELINE,
        "title": "Faster service",
        "finding": "speed lowest",
        "owner_id": "sm-1",
        "on": on,
    }
    args.update(fields)
    return ImprovementPlan.raise_plan(**args)


def refused(aggregate: ImprovementPlan, command: Any, error: type[DomainError], code: str | None = None) -> DomainError:
    version = aggregate.version
    with pytest.raises(error) as raised:
        command()
    assert aggregate.version == version and aggregate.pending_events[-1].originator_version == version
    if code is not None:
        assert raised.value.code == code
    return raised.value


def test_a_plan_is_raised_the_day_after_the_analysed_period_ends_never_on_its_last_day() -> None:
    with pytest.raises(InvalidValue) as last_day:
        plan(on=Q1.period_to)
    raised = plan(on=Q1.period_to + DAY)
    assert last_day.value.field == "period_to"
    assert (raised.status, raised.baseline_score, raised.baseline_position, raised.scope) == (
        "open",
        Decimal("2.75"),
        40,
        Q1,
    )


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"scope": Scope("courtesy", D(2025, 1, 1), D(2025, 3, 31))}, "dimension"),
        ({"scope": Scope("speed", D(2025, 3, 31), D(2025, 3, 30))}, "period_to"),
        ({"title": " "}, "title"),
        ({"finding": "x" * 2001}, "finding"),
        ({"owner_id": ""}, "owner_id"),
        ({"target_score": "2.75"}, "target_score"),  # not above the baseline
        ({"target_score": "5.01"}, "target_score"),
        ({"target_score": "3.333"}, "target_score"),
    ],
)
def test_a_plan_refuses_a_bad_value_naming_its_field(fields: dict[str, Any], field: str) -> None:
    with pytest.raises(InvalidValue) as raised:
        plan(**fields)
    assert raised.value.field == field


def test_a_finding_needs_surveys_in_its_scope() -> None:
    with pytest.raises(DomainError) as raised:
        plan(baseline=Score(0, None, 40))
    assert raised.value.code == "no-surveys-in-scope"


def test_an_action_is_due_on_or_after_the_day_it_is_added_and_overdue_the_day_after_its_due_date() -> None:
    p = plan()
    refused(p, lambda: p.add_action("train", "co-1", D(2025, 4, 1), on=D(2025, 4, 2)), InvalidValue)
    p.add_action("train", "co-1", D(2025, 4, 2), on=D(2025, 4, 2))
    p.add_action("route calls", "co-2", D(2025, 4, 30), on=D(2025, 4, 2))

    assert p.overdue_actions(D(2025, 4, 2)) == [] and p.overdue_actions(D(2025, 4, 3)) == [1]
    assert p.overdue_actions(D(2025, 5, 1)) == [1, 2]
    p.complete_action(1, "done", on=D(2025, 4, 5))
    assert p.overdue_actions(D(2025, 5, 1)) == [2]
    refused(p, lambda: p.complete_action(1, "again", on=D(2025, 4, 6)), DomainError, "improvement-action-done")
    refused(p, lambda: p.complete_action(3, "none", on=D(2025, 4, 6)), NotFound, "improvement-action-not-found")
    refused(p, lambda: p.complete_action(2, "back", on=D(2025, 4, 4)), DomainError, "date-before-last-event")


def test_a_follow_up_measures_a_later_period_once_it_has_ended_and_its_change_from_the_baseline() -> None:
    p = plan()
    start, end = next_period(Q1.period_from, Q1.period_to)
    assert (start, end) == (D(2025, 4, 1), D(2025, 6, 29))
    refused(p, lambda: p.measure_follow_up(Q1.period_to, end, Score(3, Decimal(4), 50), D(2025, 7, 1)), InvalidValue)
    refused(p, lambda: p.measure_follow_up(start, end, Score(3, Decimal(4), 50), end), InvalidValue)

    p.measure_follow_up(start, end, Score(3, Decimal("3.10"), 50), end + DAY)
    assert p.latest_change == Decimal("0.35")
    refused(p, lambda: p.measure_follow_up(start, end + DAY, Score(3, Decimal(4), 60), D(2025, 8, 1)), InvalidValue)
    p.measure_follow_up(end + DAY, D(2025, 7, 31), Score(0, None, 60), D(2025, 8, 1))
    assert p.latest_change is None and [f["no"] for f in p.follow_ups] == [1, 2]


def test_a_plan_closes_once_every_action_is_done_and_its_effect_measured_and_then_refuses_everything() -> None:
    p = plan()
    refused(p, lambda: p.close("no actions", D(2025, 4, 2)), DomainError, "improvement-actions-open")
    p.add_action("train", "co-1", D(2025, 4, 20), on=D(2025, 4, 2))
    refused(p, lambda: p.close("open", D(2025, 4, 2)), DomainError, "improvement-actions-open")
    p.complete_action(1, "done", D(2025, 4, 20))
    refused(p, lambda: p.close("unmeasured", D(2025, 4, 21)), DomainError, "improvement-not-measured")
    p.measure_follow_up(D(2025, 4, 1), D(2025, 6, 29), Score(5, Decimal("3.00"), 70), D(2025, 6, 30))
    p.close("better", D(2025, 6, 30))

    assert (p.status, p.closed_on, p.conclusion) == ("closed", D(2025, 6, 30), "better")
    for command in (
        lambda: p.add_action("more", "co-1", D(2025, 8, 1), on=D(2025, 7, 1)),
        lambda: p.close("again", D(2025, 7, 1)),
        lambda: p.measure_follow_up(D(2025, 7, 1), D(2025, 7, 2), Score(1, Decimal(3), 80), D(2025, 7, 3)),
    ):
        refused(p, command, InvalidTransition, "invalid-improvement-transition")
