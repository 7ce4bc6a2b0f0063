"""Complaints and service requests through HTTP (SPEC §7, guide 8.1–8.2), on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date
from typing import Any

from interface.scheduler import tick
from tests.builders.complaints_http import receive
from tests.builders.desk import Desk
from tests.builders.http import auth, stored_events

OFFICER = auth("complaints_officer", "zhou")


def post(desk: Desk, complaint_id: str, action: str, body: dict[str, Any], expect: int = 200) -> dict[str, Any]:
    answer = desk.client.post(f"/api/v1/complaints/{complaint_id}/{action}", json=body, headers=OFFICER)
    assert answer.status_code == expect, answer.text
    return dict(answer.json())


def row(desk: Desk, complaint_id: str, after: int, today: date) -> dict[str, Any]:
    answer = desk.client.get(f"/api/v1/complaints/{complaint_id}?after={after}&today={today}", headers=auth())
    assert answer.status_code == 200, answer.text
    return dict(answer.json())


def test_a_complaint_goes_from_receipt_through_extension_resolution_feedback_and_action_to_the_archive(
    desk: Desk,
) -> None:
    cid = receive(desk, date(2025, 3, 3))
    post(desk, cid, "assignment", {"responsible_id": "zhou", "on": "2025-03-03"})
    post(desk, cid, "investigation", {"on": "2025-03-04"})
    post(desk, cid, "notes", {"note": "called the claims team", "on": "2025-03-05"})
    desk.today(date(2025, 3, 10))
    post(desk, cid, "extensions", {"kind": "complex", "reason": "three parties involved", "on": "2025-03-10"})
    desk.today(date(2025, 3, 25))
    post(
        desk,
        cid,
        "resolution",
        {
            "outcome": "partly_upheld",
            "measures": ["pay interest"],
            "compensation": "200",
            "apology": True,
            "decided_on": "2025-03-25",
        },
    )
    post(desk, cid, "feedback", {"channel": "phone", "summary": "explained", "on": "2025-03-25"})
    post(desk, cid, "response", {"satisfied": True, "on": "2025-03-25"})
    post(
        desk,
        cid,
        "improvement-actions",
        {"description": "claims SLA review", "owner_id": "li", "due_on": "2025-04-30", "on": "2025-03-25"},
    )
    last = post(desk, cid, "archive", {"on": "2025-03-26"})

    shown = row(desk, cid, last["position"], date(2025, 3, 26))
    actions = desk.client.get(
        f"/api/v1/complaints/improvement-actions?complaint_id={cid}&after={last['position']}", headers=auth()
    ).json()
    assert (shown["status"], shown["deadline_on"], shown["days_allowed"]) == ("archived", "2025-04-02", 30)
    assert (shown["outcome"], shown["on_time"], shown["overdue"]) == ("partly_upheld", True, False)
    assert [a["status"] for a in actions["items"]] == ["open"]
    history = desk.client.get(f"/api/v1/complaints/{cid}/history", headers=auth()).json()
    assert history["events"][-1]["type"] == "Archived"


def test_archiving_before_feedback_is_refused_and_records_nothing(desk: Desk) -> None:
    cid = receive(desk, date(2025, 3, 3))
    post(desk, cid, "assignment", {"responsible_id": "zhou", "on": "2025-03-03"})
    before = stored_events(desk.services)

    problem = post(desk, cid, "archive", {"on": "2025-03-04"}, expect=409)

    assert problem["code"] == "feedback-required-before-archive"
    assert stored_events(desk.services) == before


def test_an_overdue_complaint_is_flagged_and_the_scheduler_records_its_breach_on_the_16th_day(desk: Desk) -> None:
    cid = receive(desk, date(2025, 3, 3))
    desk.services.read_side.catch_up()

    desk.today(date(2025, 3, 18))
    on_time = tick(desk.services, date(2025, 3, 18))
    desk.today(date(2025, 3, 19))
    late = tick(desk.services, date(2025, 3, 19))
    position = desk.services.read_side.head()
    flagged = desk.client.get(
        f"/api/v1/complaints?overdue=true&today=2025-03-19&after={position}", headers=auth()
    ).json()

    assert (on_time.changed, late.changed) == (0, 1)
    assert [c["complaint_id"] for c in flagged["items"]] == [cid]
    assert flagged["items"][0]["breached_on"] == "2025-03-19"


def test_an_auditor_may_read_complaints_but_not_receive_one(desk: Desk) -> None:
    cid = receive(desk, date(2025, 3, 3))
    before = stored_events(desk.services)

    refused = desk.client.post("/api/v1/complaints", json={}, headers=auth("auditor"))
    read = desk.client.get(f"/api/v1/complaints/{cid}?after={desk.services.read_side.head()}", headers=auth("auditor"))

    assert (refused.status_code, read.status_code) == (403, 200)
    assert stored_events(desk.services) == before


def test_a_service_request_runs_from_request_to_completion_with_its_turnaround(desk: Desk) -> None:
    desk.today(date(2025, 3, 3))
    customer = desk.client.post(
        "/api/v1/customers",
        json={
            "kind": "individual",
            "name": "李娜",
            "id_number": "11010519491231002X",
            "occupation": "teacher",
            "occupation_class": 1,
            "family_status": "married",
            "annual_income": "180000",
        },
        headers=auth(),
    ).json()["id"]
    opened = desk.client.post(
        "/api/v1/service-requests",
        json={
            "customer_id": customer,
            "kind": "consultation",
            "description": "how to add a beneficiary",
            "channel": "phone",
        },
        headers=auth(),
    )
    assert opened.status_code == 201, opened.text
    rid = opened.json()["id"]
    for action, body in [
        ("assignment", {"staff_id": "wang", "on": "2025-03-03"}),
        ("start", {"on": "2025-03-04"}),
        ("completion", {"resolution": "explained", "on": "2025-03-06"}),
    ]:
        answer = desk.client.post(f"/api/v1/service-requests/{rid}/{action}", json=body, headers=auth())
        assert answer.status_code == 200, answer.text

    shown = desk.client.get(f"/api/v1/service-requests/{rid}?after={answer.json()['position']}", headers=auth()).json()

    assert (shown["status"], shown["turnaround_days"], shown["staff_id"]) == ("completed", 3, "wang")


def test_refused_complaint_commands_name_the_rule_or_field_and_record_nothing(desk: Desk) -> None:
    cid = receive(desk, date(2025, 3, 3))
    post(desk, cid, "assignment", {"responsible_id": "zhou", "on": "2025-03-03"})
    post(desk, cid, "investigation", {"on": "2025-03-04"})
    post(desk, cid, "extensions", {"kind": "complex", "reason": "many parties", "on": "2025-03-04"})
    before = stored_events(desk.services)

    again = post(desk, cid, "extensions", {"kind": "complex", "reason": "still many", "on": "2025-03-05"}, expect=409)
    no_approval = post(
        desk,
        cid,
        "extensions",
        {
            "kind": "especially_complex",
            "reason": "expert needed",
            "on": "2025-03-05",
            "complainant_notified_on": "2025-03-05",
        },
        expect=403,
    )  # an officer may not approve it: a manager must
    manager = desk.client.post(
        f"/api/v1/complaints/{cid}/extensions",
        headers=auth("complaints_manager", "qian"),
        json={"kind": "especially_complex", "reason": "expert needed", "on": "2025-03-05"},
    )
    early = post(desk, cid, "feedback", {"channel": "phone", "summary": "x", "on": "2025-03-05"}, expect=409)
    bad = desk.client.post(
        "/api/v1/complaints",
        json={
            "channel": "fax",
            "complainant": {"name": "x", "contact": "y"},
            "content": "c",
            "category": "claims",
            "recording_ref": "r",
        },
        headers=auth(),
    )

    assert again["code"] == "extension-already-used"
    assert no_approval["code"] == "insufficient-authority"
    assert manager.status_code == 422 and {e["field"] for e in manager.json()["errors"]} == {"complainant_notified_on"}
    assert early["code"] == "invalid-complaint-transition"
    assert (bad.status_code, [e["field"] for e in bad.json()["errors"]]) == (422, ["channel"])
    assert stored_events(desk.services) == before


def test_renewal_reminders_list_the_policies_due_for_renewal_with_the_policyholder_to_contact(desk: Desk) -> None:
    holder = desk.customer(12)
    pid = desk.in_force(holder, "home_property", relationship="owner", term=12, declared_property_value="1000000")
    desk.services.read_side.catch_up()

    before = desk.client.get("/api/v1/service-requests/renewal-reminders?today=2025-12-09", headers=auth()).json()
    due = desk.client.get("/api/v1/service-requests/renewal-reminders?today=2025-12-10", headers=auth()).json()

    assert before == []
    assert [(r["policy_id"], r["customer_id"], r["renewal_due_on"]) for r in due] == [(pid, holder, "2025-12-10")]
    assert due[0]["customer_name"]
