"""The risk register and key risk indicators over HTTP (风险识别, 评估与控制, guide ch. 9; SPEC §13), on SQLite and
PostgreSQL: a risk identified, overdue for review the day after its review date, reviewed and closed; an indicator
defined from a report, measured for the month before, an alert beyond its threshold that its owner acknowledges;
the alerts as of any moment. Refusals name the field or rule and record nothing; only the risk officer acts."""

from __future__ import annotations

from datetime import date
from typing import Any

from tests.builders.desk import Desk, is_problem

D = date
RISKS, KRIS = "/api/v1/risks", "/api/v1/risk-indicators"
OFFICER = "risk_officer"


def risk_body(desk: Desk, on: date, **fields: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "category": "operational",
        "title": "premiums collected late",
        "description": "installments missed, policies lapse",
        "likelihood": 4,
        "impact": 3,
        "owner_id": "ro-1",
        "controls": ["grace period reminders"],
        "review_on": "2025-04-10",
        "on": desk.on(on),
    }
    body.update(fields)
    return body


def test_a_risk_is_overdue_for_review_the_day_after_its_review_date_and_a_closed_risk_refuses_everything(
    desk: Desk,
) -> None:
    rid = str(desk.command(RISKS, risk_body(desk, D(2025, 1, 10)), role=OFFICER, status=201)["id"])

    on_the_day = desk.get(f"{RISKS}/{rid}", today="2025-04-10")
    after = desk.get(f"{RISKS}/{rid}", today="2025-04-11")
    assert (on_the_day["score"], on_the_day["rating"], on_the_day["review_overdue"], after["review_overdue"]) == (
        12,
        "high",
        False,
        True,
    )
    assert [r["risk_id"] for r in desk.get(RISKS, review_overdue="true", today="2025-04-11")["items"]] == [rid]
    assert desk.get(RISKS, review_overdue="true", today="2025-04-10")["total"] == 0

    desk.command(
        f"{RISKS}/{rid}/assessment",
        {"likelihood": 2, "impact": 3, "note": "auto debit", "on": desk.on(D(2025, 4, 11))},
        role=OFFICER,
    )
    desk.command(f"{RISKS}/{rid}/controls", {"control": "auto debit", "on": desk.on(D(2025, 4, 11))}, role=OFFICER)
    desk.command(
        f"{RISKS}/{rid}/review",
        {"note": "fine", "next_review_on": "2025-07-11", "on": desk.on(D(2025, 4, 11))},
        role=OFFICER,
    )
    row = desk.get(f"{RISKS}/{rid}", today="2025-04-12")
    assert (row["score"], row["rating"], row["controls"], row["review_on"], row["review_overdue"]) == (
        6,
        "medium",
        ["grace period reminders", "auto debit"],
        "2025-07-11",
        False,
    )
    desk.command(f"{RISKS}/{rid}/closure", {"reason": "controlled", "on": desk.on(D(2025, 5, 1))}, role=OFFICER)
    before = desk.events()
    late = desk.post(f"{RISKS}/{rid}/controls", {"control": "more", "on": desk.on(D(2025, 5, 2))}, role=OFFICER)
    is_problem(late, 409, "invalid-risk-transition")
    assert desk.events() == before and desk.get(f"{RISKS}/{rid}")["status"] == "closed"
    assert len(desk.get(f"{RISKS}/{rid}/history")["events"]) == 5


def test_bad_input_names_the_field_and_records_nothing_and_only_the_risk_officer_acts(desk: Desk) -> None:
    before = desk.events()
    for fields, field in (
        ({"likelihood": 6}, "likelihood"),
        ({"category": "weather"}, "category"),
        ({"review_on": "2025-01-10"}, "review_on"),  # the day it is identified: the review must come after
    ):
        problem = is_problem(desk.post(RISKS, risk_body(desk, D(2025, 1, 10), **fields), role=OFFICER), 422)
        assert field in str(problem), problem
    for body, field in (
        ({"metric": "complaints_per_10k_policies", "line": "life", "threshold": "5", "owner_id": "ro-1"}, "line"),
        ({"metric": "lapse_rate_pct", "threshold": "5.001", "owner_id": "ro-1"}, "threshold"),
    ):
        problem = is_problem(desk.post(KRIS, body, role=OFFICER), 422)
        assert field in str(problem), problem
    unknown_risk = {
        "metric": "lapse_rate_pct",
        "threshold": "5",
        "owner_id": "ro-1",
        "risk_id": "7c9e6679-7425-40de-944b-e07fc1f90ae7",
    }
    is_problem(desk.post(KRIS, unknown_risk, role=OFFICER), 404)
    is_problem(desk.post(RISKS, risk_body(desk, D(2025, 1, 10)), role="agent"), 403)
    assert desk.events() == before


def test_an_indicator_measured_beyond_its_threshold_raises_an_alert_its_owner_acknowledges(desk: Desk) -> None:
    customer = desk.customer(1)
    desk.today(D(2025, 1, 20))
    desk.command(
        f"/api/v1/customers/{customer}/satisfaction-surveys",
        {"attitude": 2, "speed": 3, "quality": 2, "claims_convenience": 3},
    )
    body = {"metric": "satisfaction_average", "threshold": "3.00", "owner_id": "ro-1", "on": desk.on(D(2025, 1, 21))}
    kid = str(desk.command(KRIS, body, role=OFFICER, status=201)["id"])
    before = desk.events()
    # on 31 January: December ended before the indicator was defined, January has not ended
    is_problem(desk.post(f"{KRIS}/{kid}/measurement", {"on": "2025-01-31"}, role=OFFICER), 422)
    assert desk.events() == before

    measured = desk.command(f"{KRIS}/{kid}/measurement", {"on": desk.on(D(2025, 2, 1))}, role=OFFICER)
    is_problem(
        desk.post(f"{KRIS}/{kid}/measurement", {"on": "2025-02-02"}, role=OFFICER), 409, "indicator-month-measured"
    )

    (alert,) = desk.get(f"{KRIS}/alerts", acknowledged="false")["items"]
    assert (alert["indicator_id"], alert["no"], alert["value"], alert["threshold"]) == (kid, 1, "2.50", "3.00")
    assert (alert["period_from"], alert["period_to"], alert["raised_on"]) == ("2024-02-01", "2025-01-31", "2025-02-01")
    row = desk.get(f"{KRIS}/{kid}")
    assert (row["in_breach"], row["alerts_open"], row["direction"], row["last_value"]) == (True, 1, "below", "2.50")
    desk.command(
        f"{KRIS}/{kid}/alerts/1/acknowledgement",
        {"note": "call-back training", "on": desk.on(D(2025, 2, 3))},
        role=OFFICER,
    )
    is_problem(
        desk.post(f"{KRIS}/{kid}/alerts/1/acknowledgement", {"note": "again"}, role=OFFICER), 409, "alert-acknowledged"
    )
    is_problem(
        desk.post(f"{KRIS}/{kid}/alerts/2/acknowledgement", {"note": "which"}, role=OFFICER),
        404,
        "indicator-alert-not-found",
    )
    assert desk.get(f"{KRIS}/alerts", acknowledged="false")["total"] == 0
    then = desk.get(f"{KRIS}/alerts", as_of=measured["position"])["items"]
    assert [(a["no"], a["acknowledged_on"]) for a in then] == [(1, None)]
    assert desk.get(KRIS, in_breach="true")["total"] == 1
