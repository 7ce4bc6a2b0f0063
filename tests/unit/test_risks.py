"""The business risk and the key risk indicator (guide ch. 9; domain.risk): a review due on its day and overdue
the day after; the rating bands; an indicator measured once a month after the month ends, an alert at each
crossing of its threshold (not at the threshold itself), acknowledged once. Every refusal records nothing."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest

from domain.errors import DomainError, InvalidTransition, InvalidValue, NotFound
from domain.risk.aggregate import Indicator, Risk
from domain.risk.rules import rating, window

D = date
DAY = timedelta(days=1)
ON = D(2026, 1, 5)


def risk(**fields: Any) -> Risk:
    args: dict[str, Any] = {
        "category": "fraud",
        "title": "inflated claims",
        "description": "losses claimed above what was lost",
        "likelihood": 3,
        "impact": 4,
        "owner_id": "ro-1",
        "controls": ["claims investigation"],
        "review_on": D(2026, 4, 5),
        "on": ON,
    }
    args.update(fields)
    return Risk.identify(**args)


def indicator(metric: str = "lapse_rate_pct", threshold: str = "5.00", **fields: Any) -> Indicator:
    return Indicator.define(
        metric=metric, line=fields.pop("line", "life"), threshold=threshold, owner_id="ro-1", on=ON, **fields
    )


def refused(aggregate: Any, command: Any, error: type[DomainError], code: str | None = None) -> DomainError:
    version = aggregate.version
    with pytest.raises(error) as raised:
        command()
    assert aggregate.version == version and aggregate.pending_events[-1].originator_version == version
    if code is not None:
        assert raised.value.code == code
    return raised.value


@pytest.mark.parametrize(
    ("score", "band"),
    [
        (1, "low"),
        (4, "low"),
        (5, "medium"),
        (9, "medium"),
        (10, "high"),
        (16, "high"),
        (20, "critical"),
        (25, "critical"),
    ],
)
def test_a_score_falls_in_its_band(score: int, band: str) -> None:
    assert rating(score) == band


def test_a_review_is_due_on_its_day_overdue_the_day_after_and_the_next_one_after_the_review() -> None:
    r = risk()
    assert (r.score, r.rating) == (12, "high")
    assert not r.review_overdue(D(2026, 4, 5)) and r.review_overdue(D(2026, 4, 6))
    refused(r, lambda: r.review("done", D(2026, 4, 6), on=D(2026, 4, 6)), InvalidValue)
    r.review("done", D(2026, 4, 7), on=D(2026, 4, 6))
    assert not r.review_overdue(D(2026, 4, 7)) and r.review_overdue(D(2026, 4, 8))
    with pytest.raises(InvalidValue) as same_day:
        risk(review_on=ON)
    assert same_day.value.field == "review_on"
    assert risk(review_on=ON + DAY).review_on == ON + DAY


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"category": "weather"}, "category"),
        ({"likelihood": 0}, "likelihood"),
        ({"impact": 6}, "impact"),
        ({"title": ""}, "title"),
        ({"controls": ["x" * 501]}, "controls[0]"),
        ({"owner_id": " "}, "owner_id"),
    ],
)
def test_a_risk_refuses_a_bad_value_naming_its_field(fields: dict[str, Any], field: str) -> None:
    with pytest.raises(InvalidValue) as raised:
        risk(**fields)
    assert raised.value.field == field


def test_a_closed_risk_refuses_everything() -> None:
    r = risk()
    r.assess(2, 2, "controls work", on=D(2026, 2, 1))
    r.add_control("second look", on=D(2026, 2, 1))
    refused(r, lambda: r.assess(2, 2, "back", on=D(2026, 1, 31)), DomainError, "date-before-last-event")
    r.close("no longer relevant", on=D(2026, 3, 1))
    assert (r.rating, r.controls[-1], r.status) == ("low", "second look", "closed")
    refused(r, lambda: r.add_control("late", on=D(2026, 3, 2)), InvalidTransition, "invalid-risk-transition")


@pytest.mark.parametrize(
    ("metric", "line", "threshold", "field"),
    [
        ("profit_pct", None, "5", "metric"),
        ("complaints_per_10k_policies", "life", "5", "line"),
        ("lapse_rate_pct", "marine", "5", "line"),
        ("lapse_rate_pct", "life", "5.001", "threshold"),
        ("lapse_rate_pct", "life", "-1", "threshold"),
    ],
)
def test_an_indicator_refuses_a_bad_definition_naming_its_field(
    metric: str, line: str | None, threshold: str, field: str
) -> None:
    with pytest.raises(InvalidValue) as raised:
        Indicator.define(metric=metric, line=line, threshold=threshold, owner_id="ro-1", on=ON)
    assert raised.value.field == field


def test_a_month_is_measured_after_it_ends_once_and_from_the_month_the_indicator_was_defined() -> None:
    i = indicator()
    assert i.due_month(D(2026, 1, 31)) is None and i.due_month(D(2026, 2, 1)) == D(2026, 1, 31)
    assert window(D(2026, 1, 31)) == (D(2025, 2, 1), D(2026, 1, 31))
    refused(i, lambda: i.measure(D(2026, 1, 31), Decimal(1), 10, on=D(2026, 1, 31)), InvalidValue)
    refused(i, lambda: i.measure(D(2026, 1, 30), Decimal(1), 10, on=D(2026, 2, 1)), InvalidValue)
    refused(i, lambda: i.measure(D(2025, 12, 31), Decimal(1), 10, on=D(2026, 2, 1)), InvalidValue)  # before defined
    i.measure(D(2026, 1, 31), Decimal(1), 10, on=D(2026, 2, 1))
    assert i.due_month(D(2026, 2, 27)) is None and i.due_month(D(2026, 3, 1)) == D(2026, 2, 28)
    refused(
        i, lambda: i.measure(D(2026, 1, 31), Decimal(1), 11, on=D(2026, 2, 2)), DomainError, "indicator-month-measured"
    )


def test_an_alert_comes_at_each_crossing_of_the_threshold_not_at_the_threshold_itself() -> None:
    i = indicator(threshold="5.00")
    months = [D(2026, m, 28 if m == 2 else 30 if m in (4, 6) else 31) for m in range(1, 8)]
    values = ["5.00", "5.01", "7.00", None, "4.99", "6.00", "5.00"]
    for n, (month, value) in enumerate(zip(months, values, strict=True)):
        i.measure(month, None if value is None else Decimal(value), 10 + n, on=month + DAY)
    assert [a["period_to"] for a in i.alerts] == [months[1], months[5]]
    assert [m["breached"] for m in i.measurements] == [False, True, True, False, False, True, False]
    assert not i.in_breach

    below = indicator("claims_decided_in_time_pct", "95.00", line=None)
    below.measure(months[0], Decimal("95.00"), 1, on=months[0] + DAY)
    below.measure(months[1], Decimal("94.99"), 2, on=months[1] + DAY)
    assert [a["value"] for a in below.alerts] == [Decimal("94.99")]


def test_an_alert_is_acknowledged_once_and_a_retired_indicator_refuses_everything() -> None:
    i = indicator()
    i.measure(D(2026, 1, 31), Decimal(9), 10, on=D(2026, 2, 1))
    refused(i, lambda: i.acknowledge(2, "which?", on=D(2026, 2, 2)), NotFound, "indicator-alert-not-found")
    i.acknowledge(1, "lapse campaign", on=D(2026, 2, 3))
    assert (i.alerts[0]["acknowledged_on"], i.alerts[0]["note"]) == (D(2026, 2, 3), "lapse campaign")
    refused(i, lambda: i.acknowledge(1, "again", on=D(2026, 2, 4)), DomainError, "alert-acknowledged")
    refused(i, lambda: i.change_threshold("5.00", "same", on=D(2026, 2, 4)), InvalidValue)
    i.change_threshold("8.00", "new appetite", on=D(2026, 2, 4))
    i.retire("replaced", on=D(2026, 2, 5))
    refused(
        i,
        lambda: i.measure(D(2026, 2, 28), Decimal(1), 11, on=D(2026, 3, 1)),
        InvalidTransition,
        "invalid-indicator-transition",
    )
