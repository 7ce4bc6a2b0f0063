"""Inspection and medical examination over HTTP (审核检验, guide 6.1.2 (2); SPEC §13), on SQLite and PostgreSQL:
an underwriter orders an examination of a referred case, the underwriting queue shows it due (moved past the
Spring Festival) and overdue the day after, its report becomes a finding of the case, and the decision must
carry it. Refusals name the field or rule and record nothing."""

from __future__ import annotations

from datetime import date

from tests.builders.desk import Desk, is_problem

D = date
DECISIONS = "/api/v1/underwriting-decisions"
ORDERED = D(2025, 1, 13)  # the 15th day after is 2025-01-28, the eve of the Spring Festival: a rest day


def referred(desk: Desk, seed: int) -> str:
    return desk.apply(desk.customer(seed), adverse=("hypertension",))


def order(desk: Desk, policy_id: str, on: date = ORDERED) -> dict[str, object]:
    body = {"kind": "medical", "reason": "blood pressure over 160/100 at application", "on": desk.on(on)}
    return desk.command(f"/api/v1/policies/{policy_id}/examinations", body, role="underwriter", status=201)


def report_body(desk: Desk, on: date, **fields: object) -> dict[str, object]:
    """A report dated `on`, which becomes today."""
    desk.today(on)
    body: dict[str, object] = {
        "examiner": "Dr. Wang, Ruijin Hospital",
        "examined_on": on.isoformat(),
        "result": "conditions",
        "summary": "hypertension, grade 2, treated",
        "loading_pct": "50",
        "exclusions": ["cerebrovascular disease"],
        "on": on.isoformat(),
    }
    body.update(fields)
    return body


def test_an_ordered_examination_waits_in_the_queue_and_is_overdue_the_day_after_its_moved_due_date(desk: Desk) -> None:
    pid = referred(desk, 1)
    other = referred(desk, 2)

    ordered = order(desk, pid)

    row = desk.get(f"{DECISIONS}/{pid}", today="2025-02-05")
    assert ordered["id"] == pid
    assert (row["examinations_outstanding"], row["examination_due_on"], row["examination_overdue"]) == (
        1,
        "2025-02-05",  # Spring Festival 2025-01-28 … 02-04 are rest days (Art. 203)
        False,
    )
    (item,) = row["examinations"]
    assert (item["no"], item["kind"], item["ordered_by"], item["ordered_on"]) == (1, "medical", "alice", "2025-01-13")
    assert "2025-01-28" in item["due_moved_because"]
    assert desk.get(f"{DECISIONS}/{pid}", today="2025-02-06")["examination_overdue"] is True
    waiting = desk.get(DECISIONS, examination="outstanding", sort="examination_due_on")
    assert [r["policy_id"] for r in waiting["items"]] == [pid]
    assert desk.get(DECISIONS, examination="overdue", today="2025-02-05")["total"] == 0
    assert [r["policy_id"] for r in desk.get(DECISIONS, examination="overdue", today="2025-02-06")["items"]] == [pid]
    assert desk.decision(other)["examinations"] == []


def test_the_decision_waits_for_the_report_and_carries_its_loading_and_exclusions(desk: Desk) -> None:
    pid = referred(desk, 3)
    order(desk, pid)
    accept = {"decision": "accept", "reason": "controlled", "decided_on": desk.on(D(2025, 1, 14))}
    before = desk.events()

    waiting = desk.act(pid, "underwriting-decision", accept, role="underwriter")

    assert desk.events() == before
    is_problem(waiting, 409, "examination-outstanding")
    desk.do(pid, "examinations/1/report", report_body(desk, D(2025, 1, 20)), role="underwriter")
    too_little = {
        "decision": "offer_with_conditions",
        "reason": "as examined",
        "loading_pct": "50",
        "decided_on": desk.on(D(2025, 1, 21)),
    }
    before = desk.events()
    missing = desk.act(pid, "underwriting-decision", too_little, role="underwriter")
    assert desk.events() == before
    assert "cerebrovascular disease" in is_problem(missing, 409, "examination-conditions-not-applied")["detail"]
    desk.do(pid, "underwriting-decision", {**too_little, "exclusions": ["cerebrovascular disease"]}, role="underwriter")
    row = desk.decision(pid)
    assert (row["status"], row["decision"], row["loading_pct"], row["exclusions"]) == (
        "awaiting_applicant",
        "offer_with_conditions",
        "50.00",
        ["cerebrovascular disease"],
    )
    finding = row["findings"][-1]
    assert (finding["check"], finding["outcome"], finding["code"]) == (
        "6.1.2-examination",
        "refer",
        "examination-conditions",
    )
    assert (finding["data"]["examiner"], finding["data"]["examined_on"]) == ("Dr. Wang, Ruijin Hospital", "2025-01-20")
    assert (row["examinations_outstanding"], row["examination_due_on"]) == (0, None)
    assert [e["type"] for e in desk.history(pid)][-4:] == [
        "ExaminationOrdered",
        "ExaminationReported",
        "UnderwritingDecided",
        "OfferedWithConditions",
    ]


def test_refusals_name_the_field_or_rule_and_record_nothing(desk: Desk) -> None:
    pid = referred(desk, 4)
    desk.today(ORDERED)
    path = f"/api/v1/policies/{pid}/examinations"
    before = desk.events()

    by_agent = desk.post(path, {"kind": "medical", "reason": "x"}, role="agent")
    unknown_kind = desk.post(path, {"kind": "x-ray", "reason": "lungs"}, role="underwriter")
    wrong_line = desk.post(path, {"kind": "property_survey", "reason": "site"}, role="underwriter")
    no_reason = desk.post(path, {"kind": "medical", "reason": ""}, role="underwriter")
    not_ordered = desk.act(pid, "examinations/1/report", report_body(desk, ORDERED), role="underwriter")

    assert desk.events() == before
    is_problem(by_agent, 403)
    for response, field in ((unknown_kind, "kind"), (wrong_line, "kind"), (no_reason, "reason"), (not_ordered, "no")):
        problem = is_problem(response, 422)
        assert field in {e["field"].split(".")[-1] for e in problem["errors"]}, problem
    order(desk, pid)
    desk.do(
        pid,
        "examinations/1/report",
        report_body(desk, D(2025, 1, 15), result="standard", loading_pct="0", exclusions=[]),
        role="underwriter",
    )
    before = desk.events()
    again = desk.act(pid, "examinations/1/report", report_body(desk, D(2025, 1, 16)), role="underwriter")
    assert desk.events() == before
    is_problem(again, 409, "examination-already-reported")
    accepted = desk.do(
        pid, "underwriting-decision", {"decision": "accept", "decided_on": desk.on(D(2025, 1, 16))}, role="underwriter"
    )
    assert accepted["id"] == pid and desk.decision(pid)["decision"] == "accept"
