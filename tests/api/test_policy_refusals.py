"""Refused policy commands over HTTP (SPEC §10): the status, the stable code or the field named, and
that a refusal records nothing: the stored event count and the register stay as they were.
"""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import uuid4

from tests.builders.desk import POLICIES, START, Desk, is_problem
from tests.builders.http import auth

D = date

#: Every policy command: (action, a body that is well formed on any policy).
COMMANDS: list[tuple[str, dict[str, Any]]] = [
    ("underwriting-decision", {"decision": "accept"}),
    ("conditions-acceptance", {}),
    ("conditions-refusal", {}),
    ("premium-payments", {"amount": "700.00", "reference": "r"}),
    ("payment-demands", {"installment_no": 2}),
    ("receipt", {}),
    ("cooling-off-cancellation", {}),
    ("reinstatement-requests", {}),
    ("reinstatement-decision", {"agree": True}),
    ("arrears-payments", {"amount": "700.00", "reference": "r"}),
    (
        "changes",
        {
            "kind": "beneficiary",
            "details": {"beneficiaries": [{"name": "李娜", "share": "100"}]},
            "document_ref": "DOC-1",
            "effective_on": "2025-03-01",
        },
    ),
    ("sum-insured-increases", {"new_sum_insured": "600000", "document_ref": "DOC-2", "effective_on": "2025-03-01"}),
    ("sum-insured-increase-decision", {"approved": True}),
    ("renewal-offers", {}),
    ("renewals", {"amount": "700.00", "reference": "r"}),
    ("surrender", {}),
    ("rescission", {"ground": "intentional", "learned_on": "2025-02-20", "reason": "non-disclosure"}),
]


def refused(desk: Desk, policy_id: str, calls: list[tuple[str, dict[str, Any], str]]) -> list[tuple[str, int, str]]:
    """Send each (action, body, role); the (action, status, code) of each answer. The store and the
    policy's register row must not change."""
    events, row = desk.events(), desk.policy(policy_id)
    answers = []
    for action, body, role in calls:
        response = desk.act(policy_id, action, body, role)
        answers.append((action, response.status_code, response.json().get("code", "")))
    assert desk.events() == events
    assert desk.policy(policy_id) == row
    return answers


def test_a_payment_of_the_wrong_amount_or_on_a_declined_application_is_refused_and_records_nothing(desk: Desk) -> None:
    accepted = desk.apply(desk.customer(1))
    declined = desk.apply(desk.customer(2), adverse=("serious_illness",))
    desk.do(
        declined,
        "underwriting-decision",
        {"decision": "decline", "reason": "cancer history", "decided_on": START.isoformat()},
        role="underwriter",
    )
    payment = {"amount": "700.00", "paid_on": START.isoformat(), "reference": "bank-1"}

    wrong = desk.act(accepted, "premium-payments", {**payment, "amount": "699.99"})
    answers = refused(desk, accepted, [("premium-payments", {**payment, "amount": "700.01"}, "agent")])
    on_declined = refused(desk, declined, [("premium-payments", payment, "agent")])

    assert is_problem(wrong, 409, "wrong-amount")["due"] == "700.00"
    assert answers == [("premium-payments", 409, "wrong-amount")]
    assert on_declined == [("premium-payments", 409, "invalid-policy-transition")]
    assert desk.payments(accepted) == [] and desk.payments(declined) == []
    assert desk.policy(accepted)["status"] == "accepted"


def test_every_command_on_an_ended_policy_is_refused_as_an_invalid_transition(desk: Desk) -> None:
    pid = desk.in_force(desk.customer(3))
    desk.do(pid, "receipt", {"on": desk.on(D(2025, 1, 12))})
    desk.do(pid, "cooling-off-cancellation", {"on": desk.on(D(2025, 1, 20))})
    desk.today(D(2025, 2, 20))

    answers = refused(desk, pid, [(action, body, "admin") for action, body in COMMANDS])

    assert answers == [(action, 409, "invalid-policy-transition") for action, _ in COMMANDS]


def test_each_rule_a_command_breaks_is_named_by_its_code_and_records_nothing(desk: Desk) -> None:
    life = desk.in_force(desk.customer(4))
    monthly = desk.in_force(desk.customer(5), mode="monthly")
    desk.today(D(2025, 2, 1))
    halves = [{"name": "李娜", "share": "50"}, {"name": "王芳", "share": "40"}]

    on_life = refused(
        desk,
        life,
        [
            ("payment-demands", {"installment_no": 2}, "agent"),
            ("reinstatement-requests", {}, "agent"),
            ("arrears-payments", {"amount": "700.00", "reference": "r"}, "agent"),
            ("cooling-off-cancellation", {}, "agent"),
            ("renewal-offers", {}, "agent"),
            ("sum-insured-increase-decision", {"approved": True}, "underwriter"),
            (
                "sum-insured-increases",
                {"new_sum_insured": "400000", "document_ref": "D", "effective_on": "2025-03-01"},
                "agent",
            ),
            (
                "changes",
                {
                    "kind": "beneficiary",
                    "details": {"beneficiaries": halves},
                    "document_ref": "D",
                    "effective_on": "2025-03-01",
                },
                "agent",
            ),
            (
                "changes",
                {
                    "kind": "sum_insured",
                    "details": {"sum_insured": "600000"},
                    "document_ref": "D",
                    "effective_on": "2025-03-01",
                },
                "agent",
            ),
            ("underwriting-decision", {"decision": "accept"}, "underwriter"),
            ("premium-payments", {"amount": "700.00", "paid_on": "2027-01-01", "reference": "r"}, "agent"),
        ],
    )
    on_monthly = refused(
        desk,
        monthly,
        [
            ("payment-demands", {"installment_no": 2}, "agent"),  # due 10 February
            ("payment-demands", {"installment_no": 1}, "agent"),  # paid
            ("premium-payments", {"amount": "63.00", "paid_on": "2025-01-09", "reference": "r"}, "agent"),
        ],
    )

    assert on_life == [
        ("payment-demands", 409, "installment-not-overdue"),
        ("reinstatement-requests", 409, "policy-not-lapsed"),
        ("arrears-payments", 409, "policy-not-lapsed"),
        ("cooling-off-cancellation", 409, "receipt-not-signed"),
        ("renewal-offers", 409, "not-renewable"),
        ("sum-insured-increase-decision", 409, "no-pending-increase"),
        ("sum-insured-increases", 422, "invalid-input"),
        ("changes", 422, "invalid-input"),
        ("changes", 409, "sum-insured-increase-needs-underwriting"),
        ("underwriting-decision", 409, "invalid-policy-transition"),
        ("premium-payments", 422, "invalid-input"),  # dated after today
    ]
    assert on_monthly == [
        ("payment-demands", 409, "installment-not-overdue"),
        ("payment-demands", 422, "invalid-input"),
        ("premium-payments", 409, "date-before-last-event"),
    ]


def test_a_command_dated_after_today_is_refused_naming_the_date_and_records_no_lapse(desk: Desk) -> None:
    pid = desk.in_force(desk.customer(6), mode="monthly")
    before = desk.events()

    payment = desk.act(pid, "premium-payments", {"amount": "63.00", "paid_on": "2025-06-01", "reference": "r"})
    decision = desk.act(
        pid, "sum-insured-increase-decision", {"approved": True, "decided_on": "2025-06-01"}, role="underwriter"
    )
    surrender = desk.act(pid, "surrender", {"on": "2025-06-01"})

    assert [e["field"] for e in is_problem(payment, 422)["errors"]] == ["paid_on"]
    assert [e["field"] for e in is_problem(decision, 422)["errors"]] == ["decided_on"]
    assert [e["field"] for e in is_problem(surrender, 422)["errors"]] == ["on"]
    assert desk.events() == before
    assert desk.policy(pid)["status"] == "in_force"


def test_an_unknown_policy_is_not_found_by_commands_or_queries(desk: Desk) -> None:
    holder = desk.customer(7)
    before = desk.events()
    unknown = str(uuid4())

    commands = [desk.act(pid, action, body, "admin") for pid in (unknown, holder) for action, body in COMMANDS]
    queries = [
        desk.query(path)
        for path in (
            f"{POLICIES}/{unknown}",
            f"{POLICIES}/{unknown}/history",
            f"{POLICIES}/{holder}/history",
            f"/api/v1/underwriting-decisions/{unknown}",
        )
    ]
    cover = desk.query(f"{POLICIES}/{unknown}/cover", on=START.isoformat())

    assert [r.status_code for r in commands] == [404] * len(commands)
    assert [r.status_code for r in queries] == [404] * len(queries)
    is_problem(cover, 404)
    assert desk.events() == before


APPLICATION_ERRORS: list[tuple[dict[str, Any], str, str]] = [
    ({"product_code": "space_tourism"}, "product_code", "unknown-product"),
    ({"product_version": 9}, "product_version", "unknown-product-version"),
    ({"relationship": "cousin"}, "relationship", "invalid-input"),
    (
        {"beneficiaries": [{"name": "李娜", "share": "60"}, {"name": "王芳", "share": "30"}]},
        "beneficiaries.share",
        "invalid-input",
    ),
    ({"beneficiaries": []}, "beneficiaries", "invalid-input"),
    ({"term_months": 60}, "term_months", "invalid-input"),
    ({"premium_mode": "weekly"}, "premium_mode", "invalid-input"),
    ({"sum_insured": "9000000"}, "sum_insured", "invalid-input"),
    ({"disclosures": {"hospitalised_2y": False}}, "disclosures.serious_illness", "invalid-input"),
    ({"insured_id": str(uuid4())}, "insured_id", "invalid-input"),
    ({"riders": [{"product_code": "home_property", "sum_insured": "100000"}]}, "riders[0]", "invalid-input"),
]


def test_an_invalid_application_is_refused_naming_the_field_and_records_nothing(desk: Desk) -> None:
    holder = desk.customer(8)
    before = desk.events()

    answers = [desk.post(POLICIES, desk.application(holder, **change)) for change, _, _ in APPLICATION_ERRORS]

    found = []
    for response in answers:
        problem = is_problem(response, 422)
        found.append(([e["field"] for e in problem["errors"]], problem["code"]))
    assert found == [([field], code) for _, field, code in APPLICATION_ERRORS]
    assert desk.events() == before
    assert desk.get(POLICIES)["total"] == 0


def test_a_role_without_the_permission_is_forbidden_and_records_nothing(desk: Desk) -> None:
    holder = desk.customer(9)
    referred = desk.apply(holder, adverse=("hypertension",))
    before = desk.events()

    answers = [
        desk.post(POLICIES, desk.application(holder), role="auditor"),
        desk.post(POLICIES, desk.application(holder), role="underwriter"),
        desk.act(referred, "underwriting-decision", {"decision": "accept"}, role="agent"),
        desk.act(referred, "underwriting-decision", {"decision": "accept"}, role="claims_manager"),
        desk.act(referred, "premium-payments", {"amount": "1050.00", "reference": "r"}, role="underwriter"),
        desk.act(
            referred,
            "rescission",
            {"ground": "intentional", "learned_on": "2025-01-10", "reason": "r"},
            role="underwriter",
        ),
        desk.act(referred, "reinstatement-decision", {"agree": True}, role="agent"),
        desk.act(referred, "surrender", {}, role="auditor"),
    ]
    anonymous = desk.client.post(
        f"{POLICIES}/{referred}/premium-payments", json={"amount": "1050.00", "reference": "r"}
    )

    assert [r.status_code for r in answers] == [403] * len(answers)
    assert {is_problem(r, 403)["code"] for r in answers} == {"forbidden"}
    is_problem(anonymous, 401, "unauthorized")
    assert desk.events() == before
    assert desk.policy(referred)["status"] == "referred"


def test_a_stale_if_match_is_refused_and_an_idempotent_retry_answers_the_first_answer(desk: Desk) -> None:
    holder = desk.customer(10)
    body = desk.application(holder)
    first = desk.command(POLICIES, body, status=201, headers={"Idempotency-Key": "apply-10"})
    after_first = desk.events()
    pid = first["id"]
    payment = {"amount": "700.00", "paid_on": START.isoformat(), "reference": "bank-10"}

    retry = desk.post(POLICIES, body, headers={"Idempotency-Key": "apply-10"})
    reused = desk.post(POLICIES, {**body, "sum_insured": "600000"}, headers={"Idempotency-Key": "apply-10"})
    stale = desk.act(pid, "premium-payments", payment, headers={"If-Match": str(first["version"] - 1)})
    after_refusals = desk.events()
    paid = desk.command(
        f"{POLICIES}/{pid}/premium-payments",
        payment,
        headers={"If-Match": str(first["version"]), "Idempotency-Key": "pay-10"},
    )
    paid_again = desk.command(f"{POLICIES}/{pid}/premium-payments", payment, headers={"Idempotency-Key": "pay-10"})

    assert (retry.status_code, retry.json()) == (201, first)
    is_problem(reused, 409, "idempotency-key-reused")
    assert is_problem(stale, 409, "stale-version")["current_version"] == first["version"]
    assert after_refusals == after_first
    assert paid_again == paid and paid["version"] == first["version"] + 2
    assert desk.get(POLICIES, customer_id=holder)["total"] == 1
    assert [p["amount"] for p in desk.payments(pid)] == ["700.00"]
    assert desk.client.get(f"{POLICIES}/{pid}", headers=auth("agent")).json()["status"] == "in_force"
