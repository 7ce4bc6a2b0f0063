"""Improvement plans from the satisfaction surveys over HTTP (改进措施, guide 8.3.2; SPEC §13), on SQLite and
PostgreSQL: the survey analysis by dimension, product and channel; a plan raised from a finding with the
baseline the server measures; actions with owners and due dates, overdue the day after their due date; the
follow-up measurement of the next period and its change; closing; the report. Refusals name the field or
rule and record nothing."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from tests.builders.desk import Desk, is_problem

D = date
PLANS = "/api/v1/improvement-plans"
Q1 = (D(2025, 1, 1), D(2025, 3, 31))
Q2 = (D(2025, 4, 1), D(2025, 6, 30))


def survey(desk: Desk, customer: str, day: date, speed: int, related: str | None = None, **scores: int) -> None:
    desk.today(day)
    body: dict[str, Any] = {"attitude": 4, "speed": speed, "quality": 4, "claims_convenience": 4, **scores}
    if related is not None:
        body["related_id"] = related
    desk.command(f"/api/v1/customers/{customer}/satisfaction-surveys", body)


def plan_body(desk: Desk, on: date, **fields: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "title": "Faster service in Q2",
        "finding": "speed scored lowest of the four dimensions in Q1",
        "owner_id": "sm-zhouyan",
        "dimension": "speed",
        "period_from": Q1[0].isoformat(),
        "period_to": Q1[1].isoformat(),
        "on": desk.on(on),
    }
    body.update(fields)
    return body


def raise_plan(desk: Desk, on: date = D(2025, 4, 1), **fields: Any) -> str:
    answer = desk.command(PLANS, plan_body(desk, on, **fields), role="service_manager", status=201)
    return str(answer["id"])


def book(desk: Desk) -> tuple[str, str]:
    """Two customers, one with a term life policy (agent channel); Q1 surveys: speed 2 and 3 about the policy,
    4 about nothing; Q2: speed 4 and 5 about the policy."""
    first, second = desk.customer(1), desk.customer(2)
    policy = desk.apply(first)
    survey(desk, first, D(2025, 1, 20), 2, policy)
    survey(desk, second, D(2025, 3, 31), 3, policy, attitude=5)
    survey(desk, second, D(2025, 3, 31), 4)
    survey(desk, first, D(2025, 4, 1), 4, policy)  # the first day of Q2, not Q1
    survey(desk, first, D(2025, 6, 30), 5, policy)
    return first, policy


def test_the_survey_analysis_shows_each_dimension_by_product_and_channel_as_of_any_moment(desk: Desk) -> None:
    book(desk)

    report = desk.get(
        "/api/v1/reports/survey-analysis",
        role="service_manager",
        group_by="product",
        **{"from": "2025-01-01", "to": "2025-03-31"},
    )

    rows = {row["product"]: row for row in report["rows"]}
    assert set(rows) == {"term_life", "unknown"}
    assert (rows["term_life"]["surveys"], rows["term_life"]["speed_avg"], rows["term_life"]["attitude_avg"]) == (
        2,
        "2.50",
        "4.50",
    )
    assert rows["term_life"]["dissatisfied_pct"] == "50.00"
    assert (report["totals"]["surveys"], report["totals"]["speed_avg"], report["totals"]["overall_avg"]) == (
        3,
        "3.00",
        "3.83",  # (4+2+4+4 + 5+3+4+4 + 4+4+4+4) / 12 = 46 / 12
    )
    by_channel = desk.get(
        "/api/v1/reports/survey-analysis", group_by="channel", **{"from": "2025-01-01", "to": "2025-03-31"}
    )
    assert [(r["channel"], r["surveys"]) for r in by_channel["rows"]] == [("agent", 2), ("unknown", 1)]
    earlier = desk.get(
        "/api/v1/reports/survey-analysis",
        as_of=report["position"] - 1,  # before the last survey (on 2025-06-30, outside the period anyway)
        **{"from": "2025-01-01", "to": "2025-06-30"},
    )
    assert earlier["totals"]["surveys"] == 4


def test_a_plan_measures_its_baseline_carries_actions_and_follows_up_the_next_period(desk: Desk) -> None:
    book(desk)

    pid = raise_plan(desk, product_code="term_life", channel="agent", target_score="3.50")
    row = desk.get(f"{PLANS}/{pid}")
    assert (row["status"], row["baseline_surveys"], row["baseline_score"], row["target_score"]) == (
        "open",
        2,
        "2.50",
        "3.50",
    )
    assert row["baseline_position"] > 0 and row["owner_id"] == "sm-zhouyan"

    due = D(2025, 4, 30)
    desk.command(
        f"{PLANS}/{pid}/actions",
        {
            "description": "answer the phone within 20 seconds",
            "owner_id": "co-linna",
            "due_on": due.isoformat(),
            "on": desk.on(D(2025, 4, 2)),
        },
        role="service_manager",
    )
    on_due = desk.get(f"{PLANS}/{pid}", today=due.isoformat())
    after = desk.get(f"{PLANS}/{pid}", today=(due + timedelta(days=1)).isoformat())
    assert (on_due["actions_overdue"], after["actions_overdue"], on_due["next_due_on"]) == (0, 1, "2025-04-30")
    assert [r["plan_id"] for r in desk.get(PLANS, overdue="true", today="2025-05-01")["items"]] == [pid]
    assert desk.get(PLANS, overdue="true", today="2025-04-30")["total"] == 0
    assert [r["plan_id"] for r in desk.get(PLANS, overdue="false", today="2025-04-30")["items"]] == [pid]

    done = desk.command(
        f"{PLANS}/{pid}/actions/1/done",
        {"note": "new call routing", "on": desk.on(D(2025, 5, 3))},
        role="service_manager",
    )
    measured = desk.command(f"{PLANS}/{pid}/follow-ups", {"on": desk.on(D(2025, 7, 1))}, role="service_manager")

    row = desk.get(f"{PLANS}/{pid}", today="2025-07-01")
    (follow_up,) = row["follow_ups"]
    assert (follow_up["period_from"], follow_up["period_to"]) == ("2025-04-01", "2025-06-29")  # Q1's 90 days
    assert (row["follow_up_surveys"], row["follow_up_score"], row["score_change"]) == (1, "4.00", "1.50")
    assert (row["improved"], row["target_met"], row["actions_done"], row["actions_overdue"]) == (True, True, 1, 0)
    assert measured["version"] == done["version"] + 1
    closed = desk.command(
        f"{PLANS}/{pid}/closure",
        {"conclusion": "speed up by 1.5", "on": desk.on(D(2025, 7, 2))},
        role="service_manager",
    )
    assert desk.get(f"{PLANS}/{pid}")["status"] == "closed"
    history = desk.get(f"{PLANS}/{pid}/history")["events"]
    assert [e["type"] for e in history][-1].endswith("Closed") and len(history) == closed["version"]

    report = desk.get("/api/v1/reports/improvement-plans", **{"from": "2025-04-01", "to": "2025-07-31"})
    (dimension,) = report["rows"]
    assert dimension["dimension"] == "speed"
    assert (dimension["plans_raised"], dimension["plans_closed"], dimension["actions_due"]) == (1, 1, 1)
    assert (dimension["actions_done_on_time"], dimension["actions_overdue"], dimension["plans_improved"]) == (0, 0, 1)
    assert dimension["average_change"] == "1.50"
    april = desk.get("/api/v1/reports/improvement-plans", **{"from": "2025-04-01", "to": "2025-05-01"})
    assert (april["totals"]["actions_overdue"], april["totals"]["plans_open"]) == (1, 1)  # due 04-30, not done by 05-01


def test_refusals_name_the_field_or_rule_and_record_nothing(desk: Desk) -> None:
    book(desk)
    before = desk.events()
    cases = [
        (plan_body(desk, D(2025, 3, 31)), 422, "invalid-input", "period_to"),  # the period has not ended
        (plan_body(desk, D(2025, 4, 1), dimension="courtesy"), 422, "invalid-input", "dimension"),
        (plan_body(desk, D(2025, 4, 1), period_from="2025-04-01"), 422, "invalid-input", "period_to"),
        (
            plan_body(desk, D(2025, 4, 1), target_score="2.50", product_code="term_life"),
            422,
            "invalid-input",
            "target_score",
        ),
        (plan_body(desk, D(2025, 4, 1), product_code="home_property"), 409, "no-surveys-in-scope", None),
        (plan_body(desk, D(2025, 4, 1), title="x" * 201), 422, "invalid-input", "title"),
    ]
    for body, status, code, field in cases:
        problem = is_problem(desk.post(PLANS, body, role="service_manager"), status, code)
        if field is not None:
            assert field in str(problem), problem
    assert desk.events() == before
    is_problem(desk.post(PLANS, plan_body(desk, D(2025, 4, 1)), role="agent"), 403)

    pid = raise_plan(desk)
    before = desk.events()
    late = {"description": "train", "owner_id": "co-linna", "due_on": "2025-04-01", "on": desk.on(D(2025, 4, 2))}
    is_problem(desk.post(f"{PLANS}/{pid}/actions", late, role="service_manager"), 422, "invalid-input")
    is_problem(
        desk.post(f"{PLANS}/{pid}/actions/1/done", {"note": "x"}, role="service_manager"),
        404,
        "improvement-action-not-found",
    )
    is_problem(
        desk.post(f"{PLANS}/{pid}/closure", {"conclusion": "x"}, role="service_manager"),
        409,
        "improvement-actions-open",
    )
    early = {"period_from": "2025-03-31", "period_to": "2025-04-01", "on": desk.on(D(2025, 4, 2))}
    is_problem(desk.post(f"{PLANS}/{pid}/follow-ups", early, role="service_manager"), 422, "invalid-input")
    unfinished = {"period_from": "2025-04-01", "period_to": "2025-04-02", "on": desk.on(D(2025, 4, 2))}
    is_problem(desk.post(f"{PLANS}/{pid}/follow-ups", unfinished, role="service_manager"), 422, "invalid-input")
    assert desk.events() == before
    # the period's last day is over the day after: measured then
    ended = {"period_from": "2025-04-01", "period_to": "2025-04-02", "on": desk.on(D(2025, 4, 3))}
    assert desk.command(f"{PLANS}/{pid}/follow-ups", ended, role="service_manager")["version"] == 2
