"""The policy API end to end (SPEC §5, §10): quote, apply, underwriting, pay, change, cancel, renew,
surrender and rescind over HTTP, and what the registers show after each, now and as of the past.

Every test runs on a simulated clock (policy_fixtures.desk): business dates are explicit, and "today"
is moved forward before each dated command.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from tests.builders.desk import POLICIES, START, Desk, answers, is_problem, money

D = date
DECISIONS = "/api/v1/underwriting-decisions"


def types(events: list[dict[str, Any]]) -> list[str]:
    return [e["type"] for e in events]


def command_ids(events: list[dict[str, Any]], kind: str) -> list[str]:
    return [e["metadata"]["command_id"] for e in events if e["type"] == kind]


# --- application, automatic underwriting and issue ------------------------------------------------


def test_a_clean_application_is_accepted_automatically_and_the_exact_first_premium_puts_it_in_force(desk: Desk) -> None:
    holder = desk.customer(1)
    quoted = desk.quote(
        {
            "product_code": "term_life",
            "customer_id": holder,
            "sum_insured": "500000",
            "term_months": 120,
            "premium_mode": "annual",
            "disclosures": answers("term_life"),
        }
    )
    applied = desk.command(POLICIES, desk.application(holder), status=201)
    pid = applied["id"]

    paid = desk.pay(pid, D(2025, 1, 12), amount=quoted["installment_amount"], reference="bank-0001")

    policy = desk.policy(pid)
    then = desk.policy(pid, as_of=applied["position"])
    decision = desk.decision(pid)
    listed = desk.get(POLICIES, customer_id=holder, status="in_force")
    schedule = desk.schedule(pid)
    payments = desk.payments(pid)
    policy_events = desk.history(pid)
    customer_events = desk.get(f"/api/v1/customers/{holder}/history")["events"]
    assert paid["id"] == pid and paid["position"] > applied["position"]
    assert (then["status"], then["in_force"], then["policy_number"]) == ("accepted", False, None)
    assert then["annual_premium"] == quoted["annual_premium"] == "700.00"
    assert {
        k: policy[k]
        for k in (
            "status",
            "in_force",
            "start_date",
            "end_date",
            "premium_paid",
            "period",
            "waiting_period_end",
            "next_installment_due",
        )
    } == {
        "status": "in_force",
        "in_force": True,
        "start_date": "2025-01-12",
        "end_date": "2035-01-11",
        # the 90-day waiting period counts from the day after the start (Art. 201): 13 January … 12 April,
        # so 13 April is the first day past it
        "premium_paid": "700.00",
        "period": 1,
        "waiting_period_end": "2025-04-13",
        "next_installment_due": "2026-01-12",
    }
    assert policy["policy_number"].startswith("P2025")
    assert [p["policy_number"] for p in listed["items"]] == [policy["policy_number"]]
    assert (decision["automatic_outcome"], decision["decided_by"], decision["decision"]) == (
        "accepted",
        "automatic",
        "accept",
    )
    assert [f["outcome"] for f in decision["findings"]] == ["pass"] * 5
    assert len(schedule) == 10 and {i["amount"] for i in schedule} == {"700.00"}
    assert [(i["installment_no"], i["due_date"], i["status"]) for i in schedule[:2]] == [
        (1, "2025-01-12", "paid"),
        (2, "2026-01-12", "due"),
    ]
    assert [(p["kind"], p["amount"], p["installment_no"], p["reference"], p["on"]) for p in payments] == [
        ("payment", "700.00", 1, "bank-0001", "2025-01-12")
    ]
    assert desk.stage(holder) == "active"
    assert types(policy_events) == [
        "Applied",
        "UnderwritingStarted",
        "AutomaticUnderwritingCompleted",
        "Accepted",
        "PremiumPaid",
        "Issued",
    ]
    # the customer's lifecycle moved in the payment's own transaction
    assert command_ids(customer_events, "PolicyEnteredForce") == command_ids(policy_events, "Issued")
    assert command_ids(customer_events, "LifecycleStageChanged") == command_ids(policy_events, "Issued")


def test_an_adverse_disclosure_refers_the_case_and_only_a_role_with_authority_for_the_sum_decides_it(
    desk: Desk,
) -> None:
    small_holder = desk.customer(2)
    small = desk.apply(small_holder, sum_insured="1000000", adverse=("hypertension",))
    large = desk.apply(desk.customer(3), sum_insured="1500000", adverse=("hypertension",))
    desk.pay(small, START, amount=desk.quoted_installment(small), reference="with-application")
    queue = desk.get(DECISIONS, pending=True, sort="sum_insured")
    decide = {"decision": "accept", "reason": "controlled with medication", "decided_on": desk.on(D(2025, 1, 15))}
    before = desk.events()

    refused = desk.act(large, "underwriting-decision", decide, role="underwriter")

    after_refusal = desk.events()
    desk.do(small, "underwriting-decision", decide, role="underwriter")
    desk.do(large, "underwriting-decision", decide, role="senior_underwriter")
    decided = {pid: desk.decision(pid) for pid in (small, large)}
    problem = is_problem(refused, 403, "insufficient-authority")
    assert (problem["role"], problem["limit"]) == ("underwriter", "1000000")
    assert after_refusal == before
    assert [row["policy_id"] for row in queue["items"]] == [small, large]
    assert all(
        row["status"] == "referred" and row["referred_reasons"] == ["adverse-disclosure"] for row in queue["items"]
    )
    rate = queue["items"][0]["findings"][3]
    assert (rate["outcome"], rate["code"], rate["data"]["adverse_answers"]) == (
        "refer",
        "adverse-disclosure",
        ["hypertension"],
    )
    assert [
        (decided[p]["underwriter_role"], decided[p]["decided_by"], decided[p]["turnaround_days"])
        for p in (small, large)
    ] == [("underwriter", "underwriter", 5), ("senior_underwriter", "underwriter", 5)]
    # the premium paid with the application was the one accepted: the contract is formed at once
    assert [desk.policy(p)["status"] for p in (small, large)] == ["in_force", "accepted"]
    assert (desk.policy(small)["start_date"], desk.stage(small_holder)) == ("2025-01-15", "active")
    assert desk.policy(small)["annual_premium"] == "2100.00"  # 1.4‰ of 1,000,000, +50% for hypertension
    assert desk.get(DECISIONS, pending=True)["total"] == 0


def test_conditions_offered_by_the_underwriter_are_accepted_or_refused_by_the_applicant(desk: Desk) -> None:
    accepting = desk.apply(desk.customer(4), adverse=("heavy_smoker",))
    refusing = desk.apply(desk.customer(5), adverse=("heavy_smoker",))
    offer = {
        "decision": "offer_with_conditions",
        "reason": "heavy smoker",
        "loading_pct": "50",
        "exclusions": ["smoking_related_illness"],
        "decided_on": desk.on(D(2025, 1, 13)),
    }
    for pid in (accepting, refusing):
        desk.do(pid, "underwriting-decision", offer, role="underwriter")
    awaiting = desk.decision(accepting)

    desk.do(accepting, "conditions-acceptance", {"on": desk.on(D(2025, 1, 14))})
    desk.do(refusing, "conditions-refusal", {"on": "2025-01-14"})
    desk.pay(accepting, D(2025, 1, 14))

    accepted, refused = desk.decision(accepting), desk.decision(refusing)
    assert (awaiting["status"], awaiting["decision"], awaiting["loading_pct"]) == (
        "awaiting_applicant",
        "offer_with_conditions",
        "50.00",
    )
    assert (accepted["applicant_response"], accepted["responded_on"]) == ("accepted", "2025-01-14")
    assert (refused["applicant_response"], refused["policy_status"]) == ("refused", "withdrawn")
    policy = desk.policy(accepting)
    assert policy["status"] == "in_force"
    # 1.4‰ × 500,000 = 700 at standard rates, × 1.25 for the disclosure, × 1.5 for the loading
    assert (policy["annual_premium"], policy["premium_paid"]) == ("1312.50", "1312.50")
    assert "smoking_related_illness" in desk.cover(accepting, D(2025, 1, 14))["details"]["exclusions"]
    assert desk.policy(refusing)["status"] == "withdrawn"


def test_a_postponed_case_closes_and_a_declined_one_refunds_the_premium_paid_with_the_application(desk: Desk) -> None:
    holder = desk.customer(6)
    postponed = desk.apply(desk.customer(7), adverse=("serious_illness",))
    declined = desk.apply(holder, adverse=("serious_illness",))
    deposit = desk.quoted_installment(declined)
    desk.pay(declined, START, amount=deposit, reference="with-application")
    day = desk.on(D(2025, 1, 20))

    desk.do(
        postponed,
        "underwriting-decision",
        {"decision": "postpone", "reason": "awaiting biopsy results", "decided_on": day},
        role="underwriter",
    )
    desk.do(
        declined,
        "underwriting-decision",
        {
            "decision": "decline",
            "reason": "uncontrolled diabetes",
            "suggested_products": ["personal_accident"],
            "decided_on": day,
        },
        role="underwriter",
    )

    decision = desk.decision(declined)
    assert (desk.policy(postponed)["status"], desk.policy(postponed)["closing_reason"]) == (
        "postponed",
        "awaiting biopsy results",
    )
    assert (decision["decision"], decision["reason"], decision["suggested_products"]) == (
        "decline",
        "uncontrolled diabetes",
        ["personal_accident"],
    )
    assert [(p["kind"], p["amount"], p["reason"]) for p in desk.payments(declined)] == [
        ("payment", deposit, None),
        ("refund", f"-{deposit}", "declined"),
    ]
    assert desk.policy(declined)["premium_paid"] == "0.00"
    assert desk.stage(holder) == "prospect"


def test_an_automatic_decline_records_its_written_notice_and_suggests_the_lines_products_that_take_the_case(
    desk: Desk,
) -> None:
    from tests.builders.common import resident_id

    older = desk.customer(8, id_number=resident_id(8, "19660612"))  # 58 on START: critical illness takes 0–55
    declined = desk.apply(older, "critical_illness", sum_insured="1000000", term=240)

    decision = desk.decision(declined)
    events = desk.history(declined)
    notice = (
        "Declined by automatic underwriting (6.3.2): 6.2.2-subject age-out-of-range: the insured's age is "
        "outside the product's insured ages (0–55). Other products to apply for (6.3.3): medical."
    )
    assert (decision["decision"], decision["decided_by"], decision["reason"], decision["suggested_products"]) == (
        "decline",
        "automatic",
        notice,
        ["medical"],
    )  # medical insures 0–65 from 1,000,000
    assert [e["type"] for e in events][-1:] == ["Declined"]
    assert (events[-1]["data"]["reason"], events[-1]["data"]["suggested_products"]) == (notice, ["medical"])
    assert desk.policy(declined)["closing_reason"] == notice


# --- premiums ------------------------------------------------------------------------------------------


def test_monthly_installments_a_payment_demand_the_overdue_list_and_cover_in_grace(desk: Desk) -> None:
    pid = desk.in_force(desk.customer(8), mode="monthly")
    desk.pay(pid, D(2025, 2, 10))
    demanded = desk.do(pid, "payment-demands", {"installment_no": 3, "on": desk.on(D(2025, 3, 20))})
    desk.today(D(2025, 3, 25))

    overdue = desk.get("/api/v1/premiums/overdue", today="2025-03-25", policy_id=pid)
    in_grace = desk.cover(pid, D(2025, 3, 25))
    desk.today(D(2025, 4, 15))
    two_owed = desk.cover(pid, D(2025, 4, 15))
    future = desk.query(f"{POLICIES}/{pid}/cover", on="2025-04-16")
    desk.pay(pid, D(2025, 4, 15))

    third = desk.schedule(pid)[2]
    assert demanded["id"] == pid
    assert [(r["installment_no"], r["days_overdue"], r["amount"]) for r in overdue["items"]] == [(3, 15, "63.00")]
    # 30 days after the demand is Saturday 19 April 2025, so grace ends Monday 21 April (Art. 203), still
    # before 60 days after the 10 March due date (Friday 9 May)
    assert (overdue["items"][0]["demanded_on"], overdue["items"][0]["grace_end"]) == ("2025-03-20", "2025-04-21")
    assert "2025-04-19" in overdue["items"][0]["grace_end_moved_because"]  # the clock says why it moved
    assert (in_grace["in_force"], in_grace["in_grace"], in_grace["premium_owed"]) == (True, True, "63.00")
    assert (two_owed["in_grace"], two_owed["premium_owed"]) == (True, "126.00")
    assert "on" in {e["field"] for e in is_problem(future, 422)["errors"]}
    assert (third["status"], third["paid_on"]) == ("paid", "2025-04-15")
    assert desk.cover(pid, D(2025, 4, 15))["premium_owed"] == "63.00"  # the fourth, due on 10 April


# --- after-sales: cooling-off, changes, renewal, surrender, rescission ------------------------------


def test_cooling_off_cancellation_refunds_all_less_the_fee_and_is_refused_the_day_after_the_window(desk: Desk) -> None:
    holder = desk.customer(9)
    pid = desk.in_force(holder)
    desk.do(pid, "receipt", {"on": desk.on(D(2025, 1, 12))})
    desk.today(D(2025, 1, 28))
    before = desk.events()

    late = desk.act(pid, "cooling-off-cancellation", {"on": "2025-01-28"})  # 15 days from the 12th end on the 27th
    unchanged = desk.events()
    desk.do(pid, "cooling-off-cancellation", {"on": "2025-01-27"})

    is_problem(late, 409, "cooling-off-ended")
    assert unchanged == before
    policy = desk.policy(pid)
    assert (policy["status"], policy["in_force"], policy["premium_paid"]) == ("cancelled", False, "10.00")
    assert [(p["kind"], p["amount"], p["reason"]) for p in desk.payments(pid)] == [
        ("payment", "700.00", None),
        ("refund", "-690.00", "cooling-off"),
    ]
    assert desk.stage(holder) == "dormant"


def test_changes_in_writing_record_the_document_and_a_premium_mode_change_replaces_the_schedule(desk: Desk) -> None:
    pid = desk.in_force(desk.customer(10))
    shares = [{"name": "李娜", "share": "60"}, {"name": "王芳", "share": "40"}]
    beneficiary = {
        "kind": "beneficiary",
        "details": {"beneficiaries": shares},
        "effective_on": "2025-02-01",
        "on": desk.on(D(2025, 1, 20)),
    }

    unwritten = desk.act(pid, "changes", beneficiary)
    desk.do(pid, "changes", {**beneficiary, "document_ref": "DOC-2025-001"})
    desk.do(
        pid,
        "changes",
        {
            "kind": "premium_mode",
            "details": {"premium_mode": "monthly"},
            "document_ref": "DOC-2025-002",
            "effective_on": "2026-01-10",
            "on": desk.on(D(2025, 6, 1)),
        },
    )

    assert "document_ref" in {e["field"] for e in is_problem(unwritten, 422)["errors"]}
    changes = [e for e in desk.history(pid) if e["type"] == "PolicyChanged"]
    assert [(e["data"]["kind"], e["data"]["document_ref"], e["metadata"]["reason"]) for e in changes] == [
        ("beneficiary", "DOC-2025-001", "document DOC-2025-001"),
        ("premium_mode", "DOC-2025-002", "document DOC-2025-002"),
    ]
    assert [(b["name"], b["share"]) for b in changes[0]["data"]["details"]["beneficiaries"]] == [
        ("李娜", "60.00"),
        ("王芳", "40.00"),
    ]
    policy = desk.policy(pid)
    assert (policy["premium_mode"], policy["installment"], policy["next_installment_due"]) == (
        "monthly",
        "63.00",
        "2026-01-10",
    )
    schedule = desk.schedule(pid)
    assert [i["status"] for i in schedule[:10]] == ["paid"] + ["replaced"] * 9
    monthly = schedule[10:]
    assert len(monthly) == 108 and {i["amount"] for i in monthly} == {"63.00"}
    assert (monthly[0]["installment_no"], monthly[0]["due_date"]) == (11, "2026-01-10")


def test_a_sum_insured_increase_is_underwritten_again_by_a_role_with_authority_for_the_new_sum(desk: Desk) -> None:
    pid = desk.in_force(desk.customer(11))
    desk.do(
        pid,
        "sum-insured-increases",
        {
            "new_sum_insured": "1200000",
            "document_ref": "DOC-2025-003",
            "effective_on": "2025-03-01",
            "on": desk.on(D(2025, 2, 20)),
        },
    )
    decide = {"approved": True, "decided_on": desk.on(D(2025, 2, 25))}
    before = desk.events()

    refused = desk.act(pid, "sum-insured-increase-decision", decide, role="underwriter")
    unchanged = desk.events()
    desk.do(pid, "sum-insured-increase-decision", decide, role="senior_underwriter")
    again = desk.act(pid, "sum-insured-increase-decision", decide, role="senior_underwriter")
    desk.today(D(2025, 3, 1))

    assert is_problem(refused, 403, "insufficient-authority")["amount"] == "1200000.00"
    assert unchanged == before
    is_problem(again, 409, "no-pending-increase")
    policy = desk.policy(pid)
    assert (policy["sum_insured"], policy["annual_premium"], policy["next_installment_due"]) == (
        "1200000.00",
        "1680.00",
        "2025-03-01",
    )
    adjustment = [i for i in desk.schedule(pid) if i["kind"] == "adjustment"]
    # the premium difference for 1 March 2025 to 9 January 2026 (315 of 365 days), pro rata
    unearned = money(Decimal(700) * 315 / 365)
    assert [(i["due_date"], i["amount"]) for i in adjustment] == [
        ("2025-03-01", str(money(unearned * Decimal("2.4")) - unearned))
    ]
    assert desk.cover(pid, D(2025, 2, 28))["sum_insured"] == "500000.00"
    assert desk.cover(pid, D(2025, 3, 1))["sum_insured"] == "1200000.00"


def test_a_short_term_policy_is_offered_renewal_from_its_offer_day_and_renewed_by_paying(desk: Desk) -> None:
    pid = desk.in_force(
        desk.customer(12), "home_property", relationship="owner", term=12, declared_property_value="1000000"
    )
    early = desk.act(pid, "renewal-offers", {"on": desk.on(D(2025, 12, 9))})
    due = desk.get(f"{POLICIES}/renewals-due", today="2025-12-10")

    desk.do(pid, "renewal-offers", {"on": desk.on(D(2025, 12, 10))})
    offered = desk.policy(pid)
    desk.do(pid, "renewals", {"amount": "400.00", "paid_on": desk.on(D(2025, 12, 20)), "reference": "renewal-1"})

    is_problem(early, 409, "renewal-not-yet-open")
    assert [p["policy_id"] for p in due["items"]] == [pid]
    assert offered["renewal_offered_on"] == "2025-12-10"
    assert desk.get(f"{POLICIES}/renewals-due", today="2025-12-10")["total"] == 0
    renewed = desk.policy(pid)
    assert (renewed["period"], renewed["start_date"], renewed["end_date"], renewed["premium_paid"]) == (
        2,
        "2025-01-10",
        "2027-01-09",
        "800.00",
    )
    assert [e["type"] for e in desk.history(pid)][-3:] == ["RenewalOffered", "PremiumPaid", "Renewed"]


def test_surrender_refunds_the_unearned_premium_day_by_day(desk: Desk) -> None:
    holder = desk.customer(13)
    pid = desk.in_force(holder, "home_property", relationship="owner", term=12, declared_property_value="1000000")

    desk.do(pid, "surrender", {"on": desk.on(D(2025, 7, 10))})

    policy = desk.policy(pid)
    unearned = money(Decimal(400) * 184 / 365)  # 10 July 2025 to 9 January 2026 of 365 days
    assert (policy["status"], policy["in_force"]) == ("surrendered", False)
    assert [(p["kind"], p["amount"], p["reason"]) for p in desk.payments(pid)][-1] == (
        "refund",
        f"-{unearned}",
        "surrender",
    )
    assert desk.cover(pid, D(2025, 7, 9))["in_force"] is True
    assert desk.cover(pid, D(2025, 7, 10))["in_force"] is False
    assert desk.stage(holder) == "dormant"


def test_rescission_for_non_disclosure_within_the_art_16_windows_by_a_senior_underwriter(desk: Desk) -> None:
    # Rescinded on Friday 6 June 2025 (was Sunday 1 June): the 30 days from learning on 1 May now end on
    # Tuesday 3 June (the last day, 31 May, is the Dragon Boat Festival holiday 31 May–2 June; Art. 203), so
    # 1 May was no longer too late. Learning on 6 May gives 7 May … Thursday 5 June, a working day: the
    # rescission on 6 June is still exactly one day past the window.
    pid = desk.in_force(desk.customer(14))
    today = desk.on(D(2025, 6, 6))
    body = {"ground": "gross_negligence", "learned_on": "2025-05-20", "reason": "undisclosed hypertension", "on": today}
    before = desk.events()

    by_agent = desk.act(pid, "rescission", body)
    too_late = desk.act(pid, "rescission", {**body, "learned_on": "2025-05-06"}, role="senior_underwriter")
    insurer_knew = desk.act(pid, "rescission", {**body, "insurer_knew_at_contracting": True}, role="senior_underwriter")
    unchanged = desk.events()
    desk.do(pid, "rescission", body, role="senior_underwriter")

    is_problem(by_agent, 403)
    is_problem(too_late, 409, "rescission-time-barred")
    is_problem(insurer_knew, 409, "rescission-not-allowed")
    assert unchanged == before
    policy = desk.policy(pid)
    assert (policy["status"], policy["premium_paid"]) == ("rescinded", "0.00")
    assert [(p["kind"], p["amount"], p["reason"]) for p in desk.payments(pid)][-1] == (
        "refund",
        "-700.00",
        "rescission",
    )
    cover = desk.cover(pid, D(2025, 5, 1))
    assert (cover["in_force"], cover["rescinded"], cover["details"]["no_liability_before"]) == (
        True,
        True,
        "2025-06-06",
    )
    assert desk.history(pid)[-2]["metadata"]["reason"] == "undisclosed hypertension"
