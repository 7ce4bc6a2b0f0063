"""Changes by written agreement (SPEC §5 "Changes", "Surrender") over HTTP on both databases: a lower
sum insured on a cash-value product refunds the cash value given up; a beneficiary change where the
applicant is not the insured needs the insured's written consent (Art. 41)."""

from __future__ import annotations

from datetime import date

from tests.builders.desk import Desk, is_problem

D = date


def test_a_lower_sum_insured_on_term_life_refunds_the_cash_value_given_up_not_premium_pro_rata(desk: Desk) -> None:
    # term life 500,000 at 700.00 a year from 2025-01-10; three years paid (2,100.00)
    pid = desk.in_force(desk.customer(41))
    desk.pay(pid, D(2026, 1, 10))
    desk.pay(pid, D(2027, 1, 10))

    desk.do(
        pid,
        "changes",
        {
            "kind": "sum_insured",
            "details": {"sum_insured": "250000"},
            "document_ref": "DOC-SI-1",
            "effective_on": "2027-03-10",
            "on": desk.on(D(2027, 3, 1)),
        },
    )
    after_change = desk.payments(pid)
    desk.do(pid, "surrender", {"on": desk.on(D(2027, 3, 10))})

    # two completed years on 2027-03-10: the table's 20% × 2,100.00 = 420.00 at 500,000, less
    # 20% × 1,050.00 = 210.00 at 250,000 (pro rata it would have been about 293: 306 of 365 days at half the premium)
    assert [(p["kind"], p["amount"], p["reason"]) for p in after_change][-1] == (
        "refund",
        "-210.00",
        "sum-insured-decrease",
    )
    change = [e for e in desk.history(pid) if e["type"] == "PolicyChanged"][-1]["data"]
    assert (change["details"]["refund_basis"], change["settled_now"]) == ("cash_value", "-210.00")
    # the rest surrendered: the cash value at 250,000, so both refunds make the cash value at 500,000
    assert [(p["kind"], p["amount"], p["reason"]) for p in desk.payments(pid)][-1] == ("refund", "-210.00", "surrender")
    policy = desk.policy(pid)
    assert (policy["status"], policy["sum_insured"], policy["annual_premium"]) == ("surrendered", "250000.00", "350.00")


def test_a_beneficiary_change_by_an_applicant_who_is_not_the_insured_needs_the_insureds_written_consent(
    desk: Desk,
) -> None:
    applicant, insured = desk.customer(42), desk.customer(43)
    pid = desk.in_force(applicant, insured=insured, relationship="spouse", insured_consent=True)
    change = {
        "kind": "beneficiary",
        "details": {"beneficiaries": [{"name": "李娜", "share": "100"}]},
        "document_ref": "DOC-B-1",
        "effective_on": "2025-02-01",
        "on": desk.on(date(2025, 1, 20)),
    }
    before = desk.events()

    missing = desk.act(pid, "changes", change)
    refused_events = desk.events()
    desk.do(pid, "changes", {**change, "insured_consent_document": "CONSENT-B-1"})

    problem = is_problem(missing, 422, "insured-consent-required")
    assert [e["field"] for e in problem["errors"]] == ["insured_consent_document"]
    assert refused_events == before  # nothing recorded on refusal
    [changed] = [e for e in desk.history(pid) if e["type"] == "PolicyChanged"]
    assert (changed["data"]["document_ref"], changed["data"]["insured_consent_document"]) == ("DOC-B-1", "CONSENT-B-1")
    assert [(b["name"], b["share"]) for b in changed["data"]["details"]["beneficiaries"]] == [("李娜", "100.00")]
