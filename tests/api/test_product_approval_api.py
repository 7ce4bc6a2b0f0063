"""Product approval over HTTP (guide 3.2; SPEC §13), on SQLite and PostgreSQL: a new version of term life drafted by
a product manager, failing its design check (cooling-off of 14 days), revised, checked, approved by another product
manager, launched on a day and withdrawn from a later one. Only a version on sale on the day is quoted or sold: the
day before its launch and its withdrawal day are refused, the launch day and the day before withdrawal accepted.
The register answers as of any moment; refusals name the field or rule and record nothing; only product roles act.
"""

from __future__ import annotations

import json
from datetime import date, timedelta
from typing import Any

from domain.product.catalogue import shipped_files
from tests.builders.desk import START, Desk, is_problem

VERSIONS = "/api/v1/product-versions"
V2 = f"{VERSIONS}/term_life/2"
LAUNCH = START + timedelta(days=10)
WITHDRAWN = START + timedelta(days=20)


def term_life_v2(**changes: Any) -> dict[str, Any]:
    text = dict(shipped_files())["term_life.v1.json"]
    definition: dict[str, Any] = json.loads(text)
    definition.update(version=2, name_en="Guardian Term Life Insurance 2026", **changes)
    return definition


def pm(desk: Desk, path: str, body: dict[str, Any], sub: str = "pat", status: int = 200) -> dict[str, Any]:
    return desk.command(path, body, role="product_manager", sub=sub, status=status)


def quote_body(desk: Desk, version: int | None) -> dict[str, Any]:
    body: dict[str, Any] = {
        "product_code": "term_life",
        "sum_insured": "500000",
        "term_months": 120,
        "premium_mode": "annual",
        "age": 30,
        "gender": "male",
        "occupation_class": 1,
    }
    if version is not None:
        body["product_version"] = version
    return body


def approved_v2(desk: Desk) -> None:
    """Term life v2 drafted, failed, revised, checked and approved by another product manager, on START."""
    pm(desk, VERSIONS, {"definition": term_life_v2(cooling_off_days=14), "on": desk.on(START)}, status=201)
    assert desk.get(V2)["status"] == "drafted"
    pm(desk, f"{V2}/check", {})
    failed = desk.get(V2)
    assert failed["status"] == "check_failed"
    assert [f["field"] for f in failed["findings"]] == ["cooling_off_days"]
    before = desk.events()
    is_problem(desk.post(f"{V2}/approval", {}, role="product_manager", sub="quinn"), 409, "product-not-checked")
    assert desk.events() == before
    pm(desk, f"{V2}/revision", {"definition": term_life_v2()}, sub="pat")
    pm(desk, f"{V2}/check", {})
    assert desk.get(V2)["status"] == "checked"
    is_problem(desk.post(f"{V2}/approval", {}, role="product_manager", sub="pat"), 409, "approver-is-author")
    assert desk.events() == before + 2  # (the revision and the check only)
    pm(desk, f"{V2}/approval", {"note": "rates reviewed"}, sub="quinn")


def test_a_version_is_sold_from_its_launch_day_up_to_the_day_before_its_withdrawal(desk: Desk) -> None:
    approved_v2(desk)
    applicant = desk.customer(1)
    # approved, not launched: not in the catalogue that quotes and sells
    is_problem(desk.post("/api/v1/quotes", quote_body(desk, 2)), 404, "unknown-product-version")
    launched = pm(desk, f"{V2}/launch", {"launches_on": LAUNCH.isoformat()})
    day_before = LAUNCH - timedelta(days=1)

    desk.today(day_before)
    before = desk.events()
    is_problem(desk.post("/api/v1/quotes", quote_body(desk, 2)), 409, "product-not-on-sale")
    refused = desk.post("/api/v1/policies", desk.application(applicant, on=day_before, product_version=2))
    is_problem(refused, 409, "product-not-on-sale")
    assert desk.events() == before
    assert desk.quote(quote_body(desk, None))["product_version"] == 1  # the latest on sale that day
    sold_v1 = desk.apply(applicant, on=day_before)
    assert desk.policy(sold_v1)["product_version"] == 1

    desk.today(LAUNCH)
    assert desk.quote(quote_body(desk, 2))["product_version"] == 2
    sold_v2 = desk.apply(applicant, on=LAUNCH)
    assert desk.policy(sold_v2)["product_version"] == 2

    pm(desk, f"{V2}/withdrawal", {"withdrawn_on": WITHDRAWN.isoformat(), "reason": "repriced", "on": desk.on(LAUNCH)})
    last = WITHDRAWN - timedelta(days=1)
    assert desk.policy(desk.apply(applicant, on=last, product_version=2))["product_version"] == 2
    desk.today(WITHDRAWN)
    before = desk.events()
    refused = desk.post("/api/v1/policies", desk.application(applicant, on=WITHDRAWN, product_version=2))
    is_problem(refused, 409, "product-not-on-sale")
    assert desk.events() == before
    assert desk.policy(desk.apply(applicant, on=WITHDRAWN))["product_version"] == 1  # back to v1

    rows = desk.get(VERSIONS, code="term_life", today=last.isoformat())["items"]
    assert [(r["version"], r["status"], r["on_sale"]) for r in rows] == [(1, "launched", True), (2, "withdrawn", True)]
    on_sale = desk.get(VERSIONS, code="term_life", on_sale="true", today=WITHDRAWN.isoformat())["items"]
    assert [r["version"] for r in on_sale] == [1]
    as_launched = desk.get(V2, as_of=launched["position"])
    assert (as_launched["status"], as_launched["launches_on"], as_launched["approved_by"]) == (
        "launched",
        LAUNCH.isoformat(),
        "quinn",
    )
    history = desk.get(f"{VERSIONS}/history")["events"]
    mine = [e for e in history if e["data"].get("code") == "term_life" and e["data"].get("version") == 2]
    assert [e["type"] for e in mine] == [
        "VersionDrafted",
        "VersionChecked",
        "VersionRevised",
        "VersionChecked",
        "VersionApproved",
        "VersionLaunched",
        "VersionWithdrawn",
    ]
    assert {e["metadata"]["actor_id"] for e in mine} == {"pat", "quinn"}
    assert desk.get(f"{V2}/definition")["cooling_off_days"] == 15


def test_the_shipped_files_are_the_catalogues_first_versions(desk: Desk) -> None:
    rows = desk.get(VERSIONS, page_size=100)["items"]
    shipped = {name for name, _ in shipped_files()}
    assert {f"{r['code']}.v{r['version']}.json" for r in rows} == shipped
    assert {(r["status"], r["launches_on"], r["drafted_by"]) for r in rows} == {("launched", "2000-01-01", "system")}
    assert {r["source"] for r in rows} == shipped


def test_refusals_name_the_field_or_rule_and_record_nothing(desk: Desk) -> None:
    desk.on(START)
    before = desk.events()
    is_problem(desk.post(VERSIONS, {"definition": term_life_v2()}, role="agent"), 403)
    for definition, field in (
        ({"code": "Bad Code", "version": 1}, "definition.code"),
        ({"code": "term_life", "version": 0}, "definition.version"),
        ({"code": "term_life"}, "definition.version"),
    ):
        response = desk.post(VERSIONS, {"definition": definition}, role="product_manager")
        assert field in json.dumps(is_problem(response, 422)), (definition, response.text)
    is_problem(desk.post(VERSIONS, {"definition": "term_life"}, role="product_manager"), 422)
    shipped = json.loads(dict(shipped_files())["term_life.v1.json"])
    is_problem(desk.post(VERSIONS, {"definition": shipped}, role="product_manager"), 409, "product-version-exists")
    is_problem(desk.post(f"{VERSIONS}/term_life/9/check", {}, role="product_manager"), 404)
    is_problem(desk.post(f"{VERSIONS}/term_life/1/launch", {}, role="product_manager"), 409, "product-not-approved")
    withdrawal = {"withdrawn_on": "1999-12-31", "reason": "too early", "on": START.isoformat()}
    response = desk.post(f"{VERSIONS}/term_life/1/withdrawal", withdrawal, role="product_manager")
    assert "withdrawn_on" in json.dumps(is_problem(response, 422))
    assert desk.events() == before
    pm(desk, VERSIONS, {"definition": term_life_v2()}, status=201)
    late = {"launches_on": (START - timedelta(days=1)).isoformat()}
    pm(desk, f"{V2}/check", {})
    pm(desk, f"{V2}/approval", {}, sub="quinn")
    before = desk.events()
    assert "launches_on" in json.dumps(is_problem(desk.post(f"{V2}/launch", late, role="product_manager"), 422))
    assert desk.events() == before
    assert desk.get(V2)["status"] == "approved"
    assert date.fromisoformat(desk.get(V2)["approved_on"]) == START
