"""Bad input (SPEC §10): text with control, format or unassigned characters, text over its limit (as stored),
and money with more than 2 decimals, not positive or unbounded answer 422 naming the field and record nothing.
On SQLite and PostgreSQL."""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest

from tests.builders.common import enterprise_body, individual_body
from tests.builders.desk import Desk
from tests.builders.http import auth, field_names

POLICY_ID = str(uuid.uuid4())
CLAIM_ID = str(uuid.uuid4())
COMPLAINT_ID = str(uuid.uuid4())

NUL, RLO, ZWSP, BOM, UNASSIGNED = "\x00", "\u202e", "\u200b", "\ufeff", "\u0378"


def application(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "applicant_id": str(uuid.uuid4()),
        "insured_id": str(uuid.uuid4()),
        "relationship": "self",
        "product_code": "term_life",
        "sum_insured": "500000",
        "term_months": 120,
        "premium_mode": "annual",
        "disclosures": {},
        "beneficiaries": [{"name": "王芳", "share": "100"}],
        "applied_on": "2025-01-10",
    }
    return {**body, **overrides}


def claim(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "policy_id": POLICY_ID,
        "claimant_id": str(uuid.uuid4()),
        "claimant_role": "insured",
        "loss_date": "2025-03-01",
        "cause": "fire",
        "description": "kitchen fire",
        "estimated_amount": "20000",
        "initial_reserve": "20000",
        "reported_on": "2025-03-02",
    }
    return {**body, **overrides}


def complaint(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "channel": "phone",
        "complainant": {"name": "张伟", "contact": "13800138000"},
        "content": "理赔太慢",
        "category": "claims",
        "recording_ref": "REC-1",
    }
    return {**body, **overrides}


def service_request(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "customer_id": str(uuid.uuid4()),
        "kind": "consultation",
        "description": "how do I change my address",
        "channel": "phone",
    }
    return {**body, **overrides}


CASES: list[tuple[str, str, dict[str, Any], str]] = [
    # customers
    ("nul-in-name", "/api/v1/customers", individual_body(1, name=f"张{NUL}伟"), "name"),
    ("rlo-in-name", "/api/v1/customers", individual_body(1, name=f"张伟{RLO}gnp.exe"), "name"),
    ("zero-width-in-name", "/api/v1/customers", individual_body(1, name=f"张{ZWSP}伟"), "name"),
    (
        "unassigned-in-occupation",
        "/api/v1/customers",
        individual_body(1, occupation=f"teacher{UNASSIGNED}"),
        "occupation",
    ),
    ("name-201-as-stored", "/api/v1/customers", individual_body(1, name="e\u0301" * 201), "name"),
    ("income-sub-cent", "/api/v1/customers", individual_body(1, annual_income="0.0000001"), "annual_income"),
    ("income-3-decimals", "/api/v1/customers", individual_body(1, annual_income="180000.005"), "annual_income"),
    ("income-negative", "/api/v1/customers", individual_body(1, annual_income="-1"), "annual_income"),
    ("income-unbounded", "/api/v1/customers", individual_body(1, annual_income="1e13"), "annual_income"),
    ("bom-in-contact-person", "/api/v1/customers", enterprise_body(1, contact_person=f"{BOM}李娜"), "contact_person"),
    (
        "nul-in-address",
        "/api/v1/customers",
        individual_body(1, contacts={"phone": "13800138000", "address": f"北京{NUL}"}),
        "contacts.address",
    ),
    # policies
    ("sum-insured-3-decimals", "/api/v1/policies", application(sum_insured="500000.001"), "sum_insured"),
    ("sum-insured-zero", "/api/v1/policies", application(sum_insured="0"), "sum_insured"),
    ("control-in-channel", "/api/v1/policies", application(channel="agent\x1b[31m"), "channel"),
    (
        "zero-width-beneficiary",
        "/api/v1/policies",
        application(beneficiaries=[{"name": f"王{ZWSP}芳", "share": "100"}]),
        "beneficiaries[0].name",
    ),
    (
        "share-3-decimals",
        "/api/v1/policies",
        application(beneficiaries=[{"name": "王芳", "share": "33.333"}, {"name": "李", "share": "66.67"}]),
        "beneficiaries[0].share",
    ),
    (
        "payment-3-decimals",
        f"/api/v1/policies/{POLICY_ID}/premium-payments",
        {"amount": "100.001", "reference": "bank-1"},
        "amount",
    ),
    (
        "payment-reference-nul",
        f"/api/v1/policies/{POLICY_ID}/premium-payments",
        {"amount": "100", "reference": f"bank{NUL}1"},
        "reference",
    ),
    (
        "exclusion-rlo",
        f"/api/v1/policies/{POLICY_ID}/underwriting-decision",
        {"decision": "offer_with_conditions", "exclusions": ["ok", f"x{RLO}"]},
        "exclusions[1]",
    ),
    # claims
    ("nul-in-description", "/api/v1/claims", claim(description=f"fire{NUL}"), "description"),
    ("estimate-unbounded", "/api/v1/claims", claim(estimated_amount="10000000000000"), "estimated_amount"),
    ("reserve-3-decimals", "/api/v1/claims", claim(initial_reserve="1.005"), "initial_reserve"),
    ("claim-payment-negative", f"/api/v1/claims/{CLAIM_ID}/payments", {"amount": "-5", "reference": "pay-1"}, "amount"),
    # complaints and service requests
    (
        "complainant-rlo",
        "/api/v1/complaints",
        complaint(complainant={"name": f"{RLO}张伟", "contact": "13800138000"}),
        "complainant.name",
    ),
    ("content-too-long", "/api/v1/complaints", complaint(content="长" * 5001), "content"),
    (
        "compensation-3-decimals",
        f"/api/v1/complaints/{COMPLAINT_ID}/resolution",
        {"outcome": "upheld", "compensation": "200.001"},
        "compensation",
    ),
    (
        "measure-nul",
        f"/api/v1/complaints/{COMPLAINT_ID}/resolution",
        {"outcome": "upheld", "measures": ["pay", f"apologise{NUL}"]},
        "measures[1]",
    ),
    ("request-bom", "/api/v1/service-requests", service_request(description=f"{BOM}address"), "description"),
    # quotes (a calculation: still a bad amount)
    (
        "quote-3-decimals",
        "/api/v1/quotes",
        {
            "product_code": "term_life",
            "age": 35,
            "gender": "male",
            "occupation_class": 1,
            "sum_insured": "1.001",
            "term_months": 120,
            "premium_mode": "annual",
        },
        "sum_insured",
    ),
]


@pytest.mark.parametrize(("path", "body", "field"), [case[1:] for case in CASES], ids=[case[0] for case in CASES])
def test_bad_text_or_money_answers_422_naming_the_field_and_records_nothing(
    desk: Desk, path: str, body: dict[str, Any], field: str
) -> None:
    desk.customer(900)  # something recorded already: nothing more may be
    before = desk.events()

    response = desk.client.post(path, json=body, headers=auth("admin", "root"))

    assert response.status_code == 422, response.text
    problem = response.json()
    assert problem["code"] == "invalid-input"
    assert field_names(problem) == {field}, problem
    assert desk.events() == before


def test_a_lone_surrogate_sent_as_a_json_escape_is_refused(desk: Desk) -> None:
    body = json.dumps(individual_body(2, name="张伟\ud800"))  # ASCII JSON: the escape "\ud800" as sent
    before = desk.events()

    response = desk.client.post(
        "/api/v1/customers", content=body.encode(), headers=auth(**{"Content-Type": "application/json"})
    )

    # The JSON reader may refuse it as malformed (400 invalid-json); if it reads it, the name is refused.
    assert response.status_code in (400, 422), response.text
    if response.status_code == 422:
        assert field_names(response.json()) == {"name"}
    assert desk.events() == before


def test_text_is_stored_normalised_and_the_widest_accepted_values_answer_201(desk: Desk) -> None:
    name = " " + "e\u0301" * 200 + " "  # 402 characters sent, 200 as stored (NFC, stripped)
    answer = desk.command(
        "/api/v1/customers",
        individual_body(3, name=name, annual_income="1000000000000.00", occupation="ß" * 100),
        status=201,
    )

    shown = desk.get(f"/api/v1/customers/{answer['id']}", after=answer["position"])
    assert shown["name"] == "é" * 200
    assert shown["occupation"] == "ß" * 100
    assert shown["profile"]["annual_income"] == "1000000000000.00"
