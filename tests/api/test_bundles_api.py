"""Bundles over HTTP (guide 3.3 保险产品组合策略; SPEC §13), on SQLite and PostgreSQL: one applicant's term life with
its accidental death rider and home insurance proposed together; each item is an application with its automatic
underwriting and quote, the bundle records their combined premium (to the cent: the sum of the items' quotes) and the
strategies it follows, and each policy is issued from it on its own (the register of its policies as of any
moment). A refusal names the item and records nothing, not even the items before it."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from tests.builders.desk import START, Desk, answers, is_problem

BUNDLES = "/api/v1/bundles"
RIDER = "accidental_death_rider"


def items(holder: str, **life: Any) -> list[dict[str, Any]]:
    return [
        {
            "insured_id": holder,
            "relationship": "self",
            "product_code": "term_life",
            "sum_insured": "500000",
            "term_months": 120,
            "premium_mode": "annual",
            "riders": [{"product_code": RIDER, "sum_insured": "300000"}],
            "disclosures": {**answers("term_life"), **answers(RIDER)},
            "beneficiaries": [{"name": "王芳", "share": "100"}],
            **life,
        },
        {
            "insured_id": holder,
            "relationship": "owner",
            "product_code": "home_property",
            "sum_insured": "800000",
            "term_months": 12,
            "premium_mode": "annual",
            "disclosures": answers("home_property"),
            "declared_property_value": "1000000",
        },
    ]


def test_a_bundle_applies_for_each_cover_prices_them_together_and_each_policy_is_issued_on_its_own(desk: Desk) -> None:
    holder = desk.customer(1)
    proposed = desk.command(
        BUNDLES, {"applicant_id": holder, "items": items(holder), "applied_on": desk.on(START)}, status=201
    )
    bundle = desk.get(f"{BUNDLES}/{proposed['id']}")
    assert [(i["product_code"], i["outcome"], i["riders"]) for i in bundle["items"]] == [
        ("term_life", "accepted", [RIDER]),
        ("home_property", "accepted", []),
    ]
    assert set(bundle["strategies"]) == {"personal_with_property", "main_with_riders", "long_with_short"}
    policies = [desk.policy(i["policy_id"]) for i in bundle["items"]]
    quoted = [Decimal(str(p["annual_premium"])) for p in policies]
    assert [Decimal(i["annual_premium"]) for i in bundle["items"]] == quoted
    assert Decimal(str(bundle["combined_annual_premium"])) == sum(quoted) > 0
    assert {p["applicant_id"] for p in policies} == {holder} and {p["applied_on"] for p in policies} == {"2025-01-10"}

    before_issue = desk.get(f"{BUNDLES}/{proposed['id']}/policies")
    assert before_issue["issued"] == 0
    life = bundle["items"][0]["policy_id"]
    desk.pay(life, START)
    after = desk.get(f"{BUNDLES}/{proposed['id']}/policies")
    assert [(i["product_code"], i["status"]) for i in after["items"]] == [
        ("term_life", "in_force"),
        ("home_property", "accepted"),
    ]
    assert after["issued"] == 1 and after["items"][0]["policy_number"]
    as_before = desk.get(f"{BUNDLES}/{proposed['id']}/policies", as_of=proposed["position"])
    assert as_before["issued"] == 0
    assert [b["bundle_id"] for b in desk.get(BUNDLES, applicant_id=holder)["items"]] == [proposed["id"]]
    history = desk.get(f"{BUNDLES}/{proposed['id']}/history")["events"]
    assert [e["metadata"]["actor_id"] for e in history] == ["alice"]


def test_a_refused_item_refuses_the_bundle_naming_the_item_and_records_nothing(desk: Desk) -> None:
    holder = desk.customer(2)
    desk.on(START)
    before = desk.events()
    cases = [
        ({"applicant_id": holder, "items": items(holder, sum_insured="1")}, 422, "items[0].sum_insured"),
        ({"applicant_id": holder, "items": items(holder)[:1]}, 422, "items"),
        ({"applicant_id": holder, "items": items(holder, product_code="pet_insurance")}, 422, "items[0].product_code"),
    ]
    for body, status, field in cases:
        response = desk.post(BUNDLES, body)
        problem = is_problem(response, status)
        assert field in [e["field"] for e in problem.get("errors", [])] or problem.get("field") == field, problem
    is_problem(desk.post(BUNDLES, {"applicant_id": holder, "items": items(holder)}, role="auditor"), 403)
    assert desk.events() == before
