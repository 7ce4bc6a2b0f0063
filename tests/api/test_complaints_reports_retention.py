"""Through HTTP, on SQLite and PostgreSQL: the complaint clock stops at the decision's notice (Art. 21),
the especially complex extension needs a manager, a complainant's records are kept while the contract's
retention runs, and the loss ratio shows both incurred figures."""

from __future__ import annotations

from datetime import date
from typing import Any

from interface.scheduler import tick
from tests.builders.desk import Desk
from tests.builders.http import auth, stored_events

OFFICER = auth("complaints_officer", "zhou")
RECEIVED = date(2025, 3, 3)  # a Monday: the 15 days end on Tuesday 2025-03-18, a working day


def receive(desk: Desk, **extra: Any) -> str:
    desk.today(RECEIVED)
    body = {
        "channel": "phone",
        "complainant": {"name": "张伟", "contact": "13800138000"},
        "content": "理赔太慢",
        "category": "claims",
        "recording_ref": "REC-1",
        **extra,
    }
    answer = desk.client.post("/api/v1/complaints", json=body, headers=auth())
    assert answer.status_code == 201, answer.text
    return str(answer.json()["id"])


def post(
    desk: Desk, cid: str, action: str, body: dict[str, Any], expect: int = 200, headers: dict[str, str] = OFFICER
) -> dict[str, Any]:
    answer = desk.client.post(f"/api/v1/complaints/{cid}/{action}", json=body, headers=headers)
    assert answer.status_code == expect, answer.text
    return dict(answer.json())


def decided(desk: Desk) -> str:
    cid = receive(desk)
    post(desk, cid, "assignment", {"responsible_id": "zhou", "on": "2025-03-03"})
    post(desk, cid, "investigation", {"on": "2025-03-04"})
    desk.today(date(2025, 3, 13))
    post(desk, cid, "resolution", {"outcome": "not_upheld", "measures": [], "decided_on": "2025-03-13"})
    return cid


def shown(desk: Desk, cid: str, today: date) -> dict[str, Any]:
    answer = desk.client.get(
        f"/api/v1/complaints/{cid}", params={"after": head(desk), "today": today.isoformat()}, headers=auth()
    )
    assert answer.status_code == 200, answer.text
    return dict(answer.json())


def head(desk: Desk) -> int:
    return int(desk.services.app.recorder.max_notification_id() or 0)


# --- Art. 21: the decision and telling the complainant --------------------------------------------------


def test_a_notice_on_the_last_day_meets_the_deadline_and_is_shown_with_its_channel(desk: Desk) -> None:
    cid = decided(desk)
    before = shown(desk, cid, date(2025, 3, 18))
    assert (before["decided_on"], before["on_time"], before["notice_on"], before["next_due_date"]) == (
        "2025-03-13",
        None,
        None,
        "2025-03-19",
    )  # decided, not yet told: the clock runs on

    desk.today(date(2025, 3, 18))
    post(desk, cid, "decision-notice", {"on": "2025-03-18", "channel": "letter"})

    row = shown(desk, cid, date(2025, 4, 30))
    assert (row["notice_on"], row["notice_channel"], row["notice_on_time"], row["on_time"]) == (
        "2025-03-18",
        "letter",
        True,
        True,
    )
    assert (row["days_used"], row["overdue"], row["next_due_date"], row["breached_on"]) == (15, False, None, None)
    again = post(desk, cid, "decision-notice", {"on": "2025-03-18", "channel": "sms"}, expect=409)
    assert again["code"] == "decision-already-notified"


def test_a_decision_not_notified_by_the_deadline_is_breached_by_the_scheduler_and_a_late_notice_shows_it(
    desk: Desk,
) -> None:
    cid = decided(desk)
    desk.today(date(2025, 3, 18))
    assert not tick(desk.services, date(2025, 3, 18)).failures
    assert shown(desk, cid, date(2025, 3, 18))["breached_on"] is None

    desk.today(date(2025, 3, 19))
    tick(desk.services, date(2025, 3, 19))
    breached = shown(desk, cid, date(2025, 3, 19))
    assert (breached["breached_on"], breached["overdue"]) == ("2025-03-19", True)
    listed = desk.client.get(
        "/api/v1/complaints", params={"after": head(desk), "overdue": "true", "today": "2025-03-19"}, headers=auth()
    ).json()
    assert cid in [item["complaint_id"] for item in listed["items"]]

    post(desk, cid, "decision-notice", {"on": "2025-03-19", "channel": "phone"})
    late = shown(desk, cid, date(2025, 3, 30))
    assert (late["notice_on"], late["notice_channel"], late["notice_on_time"], late["on_time"]) == (
        "2025-03-19",
        "phone",
        False,
        False,
    )
    assert (late["days_used"], late["overdue"]) == (16, False)


def test_a_notice_before_the_decision_is_refused_and_records_nothing(desk: Desk) -> None:
    cid = receive(desk)
    before = stored_events(desk.services)

    early = post(desk, cid, "decision-notice", {"on": "2025-03-03", "channel": "letter"}, expect=409)
    bad = post(desk, cid, "decision-notice", {"on": "2025-03-03", "channel": "pigeon"}, expect=422)

    assert early["code"] == "invalid-complaint-transition"
    assert [e["field"] for e in bad["errors"]] == ["channel"]
    assert stored_events(desk.services) == before


# --- the especially complex extension needs a manager -------------------------------------------------------


def test_only_a_complaints_manager_or_an_admin_grants_the_sixty_days(desk: Desk) -> None:
    cid = receive(desk)
    post(desk, cid, "assignment", {"responsible_id": "zhou", "on": "2025-03-03"})
    post(desk, cid, "investigation", {"on": "2025-03-04"})
    post(desk, cid, "extensions", {"kind": "complex", "reason": "many parties", "on": "2025-03-04"})
    body = {
        "kind": "especially_complex",
        "reason": "an expert is needed",
        "on": "2025-03-05",
        "complainant_notified_on": "2025-03-05",
        "approved_by": "manager-1",
    }
    desk.today(date(2025, 3, 5))
    before = stored_events(desk.services)

    refused = post(desk, cid, "extensions", body, expect=403)
    assert refused["code"] == "insufficient-authority"
    assert stored_events(desk.services) == before

    granted = post(
        desk,
        cid,
        "extensions",
        {k: v for k, v in body.items() if k != "approved_by"},
        headers=auth("complaints_manager", "qian"),
    )
    row = shown(desk, cid, date(2025, 3, 5))
    assert (row["days_allowed"], row["version"]) == (60, granted["version"])
    history = desk.client.get(f"/api/v1/complaints/{cid}/history", headers=auth()).json()
    extension = history["events"][-1]
    assert extension["data"]["approved_by"] == "qian"  # the manager who sent it approved it


# --- retention: a complainant about a contract is kept with it ----------------------------------------------


def test_a_complainant_about_a_policy_is_restricted_not_shredded_while_its_retention_runs(desk: Desk) -> None:
    holder, complainant = desk.customer(41), desk.customer(42)
    policy_id = desk.in_force(holder)
    receive(
        desk,
        complainant={"customer_id": complainant, "name": "李四", "contact": "13900139000"},
        related_policy_id=policy_id,
    )

    retention = desk.query(f"/api/v1/customers/{complainant}/retention", role="admin").json()
    answer = desk.client.post(
        f"/api/v1/customers/{complainant}/erasure-request", json={"reason": "asked"}, headers=auth()
    )
    assert answer.status_code == 200, answer.text
    view = desk.query(f"/api/v1/customers/{complainant}", role="admin", unmasked="true", reason="check").json()

    assert ([p["policy_id"] for p in retention["policies"]], retention["running"]) == ([policy_id], True)
    assert retention["policies"][0]["role"] == "complainant"
    assert view["personal_data"] == "restricted"


def test_a_beneficiary_named_by_customer_id_is_restricted_not_shredded_while_the_policys_retention_runs(
    desk: Desk,
) -> None:
    holder, beneficiary, former = desk.customer(44), desk.customer(45), desk.customer(46)
    policy_id = desk.in_force(
        holder,
        beneficiaries=[
            {"customer_id": beneficiary, "name": "李四", "share": "60"},
            {"customer_id": former, "name": "王五", "share": "40"},
        ],
    )
    # a change by agreement names only the first: the second was named in the contract, so is kept too
    desk.today(date(2025, 2, 1))
    changed = desk.act(
        policy_id,
        "changes",
        {
            "kind": "beneficiary",
            "details": {"beneficiaries": [{"customer_id": beneficiary, "name": "李四", "share": "100"}]},
            "document_ref": "DOC-1",
            "effective_on": "2025-02-01",
            "on": "2025-02-01",
        },
    )
    assert changed.status_code == 200, changed.text

    kept = {}
    for customer in (beneficiary, former):
        retention = desk.query(f"/api/v1/customers/{customer}/retention", role="admin").json()
        refused = desk.client.post(
            f"/api/v1/customers/{customer}/erasure", json={"reason": "asked"}, headers=auth("admin", "root")
        )
        answer = desk.client.post(
            f"/api/v1/customers/{customer}/erasure-request", json={"reason": "asked"}, headers=auth()
        )
        assert answer.status_code == 200, answer.text
        view = desk.query(f"/api/v1/customers/{customer}", role="admin", unmasked="true", reason="check").json()
        kept[customer] = (retention, refused.status_code, refused.json().get("code"), view)

    for customer in (beneficiary, former):
        retention, status, code, view = kept[customer]
        assert ([p["policy_id"] for p in retention["policies"]], retention["running"]) == ([policy_id], True)
        assert retention["policies"][0]["role"] == "beneficiary"
        assert (status, code) == (409, "retention-period-running")
        assert view["personal_data"] == "restricted"
        assert view["name"] != "[erased]"  # the key is kept: the data is still readable


# --- the loss ratio's two incurred figures ------------------------------------------------------------------


def test_the_loss_ratio_report_shows_both_incurred_figures_with_their_definitions(desk: Desk) -> None:
    desk.in_force(desk.customer(43))

    report = desk.query("/api/v1/reports/loss-ratio", role="auditor", **{"from": "2025-01-01", "to": "2025-12-31"})
    assert report.status_code == 200, report.text
    body = report.json()

    for name in ("incurred", "period_incurred", "opening_reserves", "period_loss_ratio_pct", "earned_premium"):
        assert name in body["definitions"] and name in body["totals"], name
    assert body["totals"]["period_incurred"] in ("0.00", 0, "0")
