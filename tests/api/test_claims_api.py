"""Claims through HTTP (SPEC §6, guide ch. 7), on SQLite and PostgreSQL: from report to closing with
every clock in the register, refusals with their codes recording nothing, and breaches flagged."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from interface.scheduler import tick
from tests.builders.claims_http import (
    CLAIMS,
    HANDLER,
    MANAGER,
    act,
    assess_and_agree,
    clocks,
    do,
    home_policy,
    receive_all,
    report,
    report_body,
    row,
)
from tests.builders.desk import Desk, is_problem, money


def test_a_claim_goes_from_report_to_closing_with_its_clock_pausing_for_missing_documents(desk: Desk) -> None:
    policy_id, holder = home_policy(desk)
    reported = date(2025, 3, 3)
    claim_id = report(desk, policy_id, holder, date(2025, 3, 1), reported)
    first = row(desk, claim_id)
    assert (first["status"], first["reserve"], first["decision_due_on"]) == ("reported", "20000.00", "2025-04-02")
    assert first["fraud_flags"] == 0 and first["required_documents"][:3] == [
        "policy_contract",
        "insurance_certificate",
        "id_proof",
    ]

    do(desk, claim_id, "documents", reported, {"code": "claim_form"})
    do(desk, claim_id, "missing-documents-notice", date(2025, 3, 5))  # the clock pauses from here
    paused = row(desk, claim_id, today="2025-03-12")
    assert (paused["status"], paused["decision_paused"]) == ("documents_pending", True)
    assert (
        clocks(desk, claim_id, date(2025, 3, 12))["decision"] | {}
        == clocks(desk, claim_id, date(2025, 3, 12))["decision"]
    )
    on_12 = clocks(desk, claim_id, date(2025, 3, 12))["decision"]
    assert (on_12["days_used"], on_12["paused_days"], on_12["paused"], on_12["due_on"]) == (2, 7, True, "2025-04-09")
    assert row(desk, claim_id, today="2025-05-01")["decision_overdue"] is False  # paused: not overdue

    receive_all(desk, claim_id, date(2025, 3, 15))  # 10 paused days: nominally due 2025-04-12
    do(desk, claim_id, "acceptance", date(2025, 3, 15))
    running = row(desk, claim_id)
    # 2025-04-12 is a Saturday: the decision period ends on Monday 2025-04-14 (Art. 203)
    assert (running["status"], running["decision_paused"], running["decision_due_on"]) == (
        "accepted",
        False,
        "2025-04-14",
    )
    moved = clocks(desk, claim_id, date(2025, 3, 15))["decision"]
    assert (moved["nominal_due_on"], moved["due_on"]) == ("2025-04-12", "2025-04-14")
    do(desk, claim_id, "investigations", date(2025, 3, 16), {"activity": "site_survey", "findings": "stove fire"})
    do(
        desk,
        claim_id,
        "assessments",
        date(2025, 3, 18),
        {"items": [{"description": "kitchen", "claimed": "12000", "assessed": "9000"}]},
    )
    do(desk, claim_id, "assessment-notice", date(2025, 3, 18))
    do(desk, claim_id, "assessment-dispute", date(2025, 3, 19), {"reason": "cabinets were not counted"})
    assess_and_agree(desk, claim_id, date(2025, 3, 20), assessed="10500")
    settlement = desk.get(f"{CLAIMS}/{claim_id}/settlement")["computation"]
    assert money(settlement["payable"]) == Decimal("10000.00")  # 10,500 less the 500 deductible
    do(desk, claim_id, "approval", date(2025, 3, 21))
    do(desk, claim_id, "payments", date(2025, 3, 25), {"amount": "10000", "reference": "bank-1"})
    do(desk, claim_id, "receipt-confirmation", date(2025, 3, 26))
    last = do(desk, claim_id, "closing", date(2025, 3, 26))

    closed = row(desk, claim_id, after=last["position"])
    assert (closed["status"], closed["reserve"], closed["paid_total"], closed["payable"]) == (
        "closed",
        "0.00",
        "10000.00",
        "10000.00",
    )
    assert (closed["assessments"], closed["decision"], closed["breach_count"]) == (2, "approved", 0)
    decision = clocks(desk, claim_id, date(2025, 3, 26))
    assert (decision["decision"]["on_time"], decision["decision"]["days_used"]) == (True, 8)  # 18 days less 10 paused
    assert (decision["payment"]["on_time"], decision["payment"]["met_on"]) == (True, "2025-03-25")
    cover = desk.cover(policy_id, date(2025, 3, 26))
    assert money(cover["remaining_sum_insured"]) == Decimal("790000.00")  # the payment reached the policy
    history = desk.get(f"{CLAIMS}/{claim_id}/history")["events"]
    assert [e["type"] for e in history][:2] == ["Reported", "DocumentReceived"]
    assert {e["metadata"]["actor_role"] for e in history} == {"claims_handler"}
    earlier = row(desk, claim_id, as_of=str(running_position(desk, claim_id, "Accepted")))
    assert earlier["status"] == "accepted" and earlier["reserve"] == "20000.00"


def running_position(desk: Desk, claim_id: str, event_type: str) -> int:
    events = desk.get(f"{CLAIMS}/{claim_id}/history")["events"]
    return int(next(e["position"] for e in events if e["type"] == event_type))


def test_a_claim_on_a_policy_lapsed_on_the_loss_date_is_refused_and_records_nothing(desk: Desk) -> None:
    holder = desk.customer(2)
    policy_id = desk.in_force(holder, "medical", sum_insured="1000000", term=12, mode="monthly")
    # the second installment (due 2025-02-10) is never paid: the policy lapses after 60 days of grace
    loss, reported = date(2025, 5, 1), date(2025, 5, 3)
    desk.today(reported)
    assert desk.cover(policy_id, loss)["in_force"] is False
    claim_id = report(desk, policy_id, holder, loss, reported, cause="illness_hospitalisation")
    receive_all(desk, claim_id, reported)
    do(desk, claim_id, "acceptance", reported)
    assess_and_agree(desk, claim_id, date(2025, 5, 6), assessed="30000")
    before = desk.events()
    refused = is_problem(act(desk, claim_id, "approval", date(2025, 5, 7)), 409, "not-covered-on-loss-date")
    assert refused["reason"] == "not-in-force"
    assert desk.events() == before
    is_problem(desk.query(f"{CLAIMS}/{claim_id}/settlement"), 409, "not-covered-on-loss-date")
    do(desk, claim_id, "rejection", date(2025, 5, 7), {"reasons": ["the policy had lapsed on the loss date"]})
    do(desk, claim_id, "rejection-notice", date(2025, 5, 9))
    last = do(desk, claim_id, "closing", date(2025, 5, 9))
    closed = row(desk, claim_id, after=last["position"])
    assert (closed["status"], closed["decision"], closed["reserve"], closed["paid_total"]) == (
        "closed",
        "rejected",
        "0.00",
        "0.00",
    )
    assert clocks(desk, claim_id, date(2025, 5, 9))["rejection_notice"]["on_time"] is True


def test_a_late_decision_is_overdue_then_recorded_as_a_breach_by_the_scheduler(desk: Desk) -> None:
    policy_id, holder = home_policy(desk, 3)
    claim_id = report(desk, policy_id, holder, date(2025, 4, 1), date(2025, 4, 2))
    receive_all(desk, claim_id, date(2025, 4, 2))
    do(desk, claim_id, "acceptance", date(2025, 4, 2))
    # the 30th day, 2025-05-02, falls in the Labour Day holiday (2025-05-01..05-05): the period ends on
    # the next working day, Tuesday 2025-05-06 (Art. 203), and is overdue from 2025-05-07
    assert row(desk, claim_id, today="2025-05-02")["decision_overdue"] is False  # the nominal 30th day
    assert row(desk, claim_id, today="2025-05-03")["decision_overdue"] is False  # still the holiday
    assert row(desk, claim_id, today="2025-05-06")["decision_overdue"] is False  # the moved last day
    assert row(desk, claim_id, today="2025-05-07")["decision_overdue"] is True
    assert tick(desk.services, date(2025, 5, 6)).changed == 0  # nothing breached on the last day

    desk.today(date(2025, 5, 7))
    report_ = tick(desk.services, date(2025, 5, 7))
    assert report_.changed >= 1
    breached = row(desk, claim_id)
    assert breached["breach_count"] == 1
    assert [(b["clock"], b["due_on"], b["on"]) for b in breached["breaches"]] == [
        ("decision", "2025-05-06", "2025-05-07")
    ]
    listed = desk.get(CLAIMS, breached="true")["items"]
    assert [c["claim_id"] for c in listed] == [claim_id]
    history = desk.get(f"{CLAIMS}/{claim_id}/history")["events"]
    assert history[-1]["type"] == "ClockBreached" and history[-1]["metadata"]["actor_id"] == "system"
    assert tick(desk.services, date(2025, 5, 7)).changed == 0  # once only


def test_approval_beyond_the_handlers_authority_is_refused_and_a_manager_approves(desk: Desk) -> None:
    policy_id, holder = home_policy(desk, 4)
    claim_id = report(desk, policy_id, holder, date(2025, 2, 20), date(2025, 3, 1))
    receive_all(desk, claim_id, date(2025, 3, 1))
    do(desk, claim_id, "acceptance", date(2025, 3, 1))
    assess_and_agree(desk, claim_id, date(2025, 3, 2), assessed="60500")  # 60,000 payable
    before = desk.events()
    is_problem(act(desk, claim_id, "approval", date(2025, 3, 3)), 403, "insufficient-authority")
    assert desk.events() == before
    do(desk, claim_id, "approval", date(2025, 3, 3), who=MANAGER)
    before = desk.events()
    too_much = is_problem(
        act(desk, claim_id, "payments", date(2025, 3, 4), {"amount": "60000.01", "reference": "b"}), 409
    )
    assert too_much["code"] == "exceeds-payable" and desk.events() == before
    do(desk, claim_id, "payments", date(2025, 3, 4), {"amount": "60000", "reference": "bank"})
    assert row(desk, claim_id)["status"] == "paid"


def test_refusals_name_their_rule_or_fields_and_record_nothing(desk: Desk) -> None:
    policy_id, holder = home_policy(desk, 5)
    other = desk.customer(6)
    desk.today(date(2025, 3, 1))
    before = desk.events()

    def refused(body: dict[str, Any], status: int, code: str | None = None, role: tuple[str, str] = HANDLER) -> Any:
        return is_problem(desk.post(CLAIMS, body, *role), status, code)

    body = report_body(policy_id, holder, date(2025, 2, 20), date(2025, 3, 1))
    bad = refused({**body, "estimated_amount": "-1", "claimant_id": None}, 422, "invalid-input")
    assert {"estimated_amount", "claimant_id"} <= {e["field"] for e in bad["errors"]}
    named = refused({**body, "claimant_id": other}, 422)
    assert [e["field"] for e in named["errors"]] == ["claimant_id"]
    refused(body, 403, role=("auditor", "audrey"))
    refused(body, 403, role=("underwriter", "uw"))
    desk.today(date(2027, 3, 2))
    barred = refused({**body, "reported_on": "2027-03-02"}, 409, "claim-time-barred")
    # two years from the loss end nominally on 2027-02-20, a Saturday: the limitation period ends on
    # Monday 2027-02-22 (Art. 203), and a report on 2027-03-02 is still past it
    assert barred["last_day"] == "2027-02-22"
    assert desk.events() == before

    claim_id = report(desk, policy_id, holder, date(2027, 2, 20), date(2027, 3, 2))
    before = desk.events()
    missing_docs = is_problem(act(desk, claim_id, "acceptance", date(2027, 3, 2)), 409, "documents-incomplete")
    assert "claim_form" in missing_docs["missing"]
    do(desk, claim_id, "missing-documents-notice", date(2027, 3, 2))
    before = desk.events()
    is_problem(
        act(desk, claim_id, "missing-documents-notice", date(2027, 3, 3)), 409, "missing-documents-already-notified"
    )
    is_problem(act(desk, claim_id, "approval", date(2027, 3, 3)), 409)
    is_problem(act(desk, claim_id, "documents", date(2027, 3, 3), {"code": ""}), 422)
    is_problem(
        act(desk, claim_id, "documents", date(2027, 3, 3), {"code": "claim_form"}, who=("auditor", "audrey")), 403
    )
    assert desk.events() == before
    do(desk, claim_id, "missing-documents-notice", date(2027, 3, 4), {"breach_reason": "the first notice was lost"})
    assert row(desk, claim_id)["notice_breach"] is True


def test_retries_and_stale_versions_on_claim_commands_record_nothing_new(desk: Desk) -> None:
    policy_id, holder = home_policy(desk, 7)
    claim_id = report(desk, policy_id, holder, date(2025, 2, 20), date(2025, 3, 1))
    key = {"Idempotency-Key": "doc-1"}
    desk.today(date(2025, 3, 1))
    first = desk.post(
        f"{CLAIMS}/{claim_id}/documents", {"code": "claim_form", "on": "2025-03-01"}, *HANDLER, headers=key
    )
    before = desk.events()
    again = desk.post(
        f"{CLAIMS}/{claim_id}/documents", {"code": "claim_form", "on": "2025-03-01"}, *HANDLER, headers=key
    )
    assert again.json() == first.json() and desk.events() == before
    stale = desk.post(
        f"{CLAIMS}/{claim_id}/documents", {"code": "id_proof", "on": "2025-03-01"}, *HANDLER, headers={"If-Match": "1"}
    )
    is_problem(stale, 409, "stale-version")
    assert desk.events() == before


def test_an_advance_is_paid_when_the_amount_is_undetermined_and_reduces_the_policy(desk: Desk) -> None:
    policy_id, holder = home_policy(desk, 8)
    claim_id = report(
        desk, policy_id, holder, date(2025, 3, 1), date(2025, 3, 2), estimated_amount="200000", initial_reserve="150000"
    )
    receive_all(desk, claim_id, date(2025, 3, 2))
    do(desk, claim_id, "acceptance", date(2025, 3, 2))
    do(
        desk,
        claim_id,
        "payments",
        date(2025, 4, 30),
        {"amount": "50000", "reference": "adv-1", "kind": "advance", "determinable_amount": "50000"},
        who=MANAGER,
    )
    advanced = row(desk, claim_id)
    assert (advanced["status"], advanced["advance_total"], advanced["reserve"]) == (
        "advance_paid",
        "50000.00",
        "100000.00",
    )
    assert clocks(desk, claim_id, date(2025, 5, 2))["advance"]["met_on"] == "2025-04-30"
    assert money(desk.cover(policy_id, date(2025, 4, 30))["remaining_sum_insured"]) == Decimal("750000.00")
    flags = desk.get(f"{CLAIMS}/flags", claim_id=claim_id)["items"]
    assert flags == []
