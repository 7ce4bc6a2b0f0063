"""The HTTP conventions every operation follows (SPEC §10), on SQLite and PostgreSQL: a 201 names the created
resource in `Location`; a single resource's GET carries its version as `ETag` and answers 304 to
`If-None-Match`, and a command takes that tag back in `If-Match`; one name for paging (`page_size`) both
ways; a query parameter the operation does not declare is refused (and records nothing); every register
answers CSV (`?format=csv` or `Accept: text/csv`) as `text/csv; charset=utf-8`; 405 names the allowed methods.
"""

from __future__ import annotations

import csv
import io
from typing import Any

from tests.builders.claims_http import CLAIMS, HANDLER, home_policy, report_body
from tests.builders.common import individual_body
from tests.builders.desk import START, Desk, is_problem
from tests.builders.http import auth, field_names, head

CUSTOMERS = "/api/v1/customers"
CSV = "text/csv; charset=utf-8"
SEGMENT = {"segment": "mass_affluent", "basis": "income and family status"}
#: The register lists (and reports) that must answer CSV: every one of them, not a handful.
REGISTERS = {
    "/api/v1/customers",
    "/api/v1/policies",
    "/api/v1/policies/renewals-due",
    "/api/v1/underwriting-decisions",
    "/api/v1/premiums/schedule",
    "/api/v1/premiums/payments",
    "/api/v1/premiums/overdue",
    "/api/v1/claims",
    "/api/v1/claims/flags",
    "/api/v1/complaints",
    "/api/v1/complaints/improvement-actions",
    "/api/v1/service-requests",
    "/api/v1/service-requests/renewal-reminders",
    "/api/v1/audit/log",
    "/api/v1/reports/loss-ratio",
}


def created(desk: Desk, path: str, body: dict[str, Any], who: tuple[str, str] = ("agent", "alice")) -> Any:
    response = desk.post(path, body, *who)
    assert response.status_code == 201, response.text
    return response


def rows(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


# --- 201 with Location ---------------------------------------------------------------------------------


def test_a_command_that_creates_names_the_created_resource_in_location(desk: Desk) -> None:
    customer = created(desk, CUSTOMERS, individual_body(1))
    policy_id, holder = home_policy(desk, 2)
    desk.today(START)
    claim = created(desk, CLAIMS, report_body(policy_id, holder, START, START), HANDLER)
    complaint_body = {
        "channel": "phone",
        "complainant": {"name": "张伟", "contact": "13800138000"},
        "content": "理赔太慢",
        "category": "claims",
        "recording_ref": "REC-1",
    }
    complaint = created(desk, "/api/v1/complaints", complaint_body)
    request_body = {"customer_id": holder, "kind": "consultation", "description": "beneficiary", "channel": "phone"}
    service_request = created(desk, "/api/v1/service-requests", request_body)
    policy = created(desk, "/api/v1/policies", desk.application(customer.json()["id"], "term_life"))

    for response, collection, key in [
        (customer, CUSTOMERS, "id"),
        (policy, "/api/v1/policies", "policy_id"),
        (claim, CLAIMS, "claim_id"),
        (complaint, "/api/v1/complaints", "complaint_id"),
        (service_request, "/api/v1/service-requests", "request_id"),
    ]:
        answer = response.json()
        assert response.headers["Location"] == f"{collection}/{answer['id']}"
        shown = desk.query(response.headers["Location"], after=answer["position"])
        assert shown.status_code == 200, shown.text
        assert shown.json()[key] == answer["id"]
        assert shown.headers["ETag"] == f'"{answer["version"]}"', collection


def test_a_command_that_creates_nothing_has_no_location(desk: Desk) -> None:
    customer = desk.customer(1)

    response = desk.post(f"{CUSTOMERS}/{customer}/segment", SEGMENT)

    assert response.status_code == 200, response.text
    assert "Location" not in response.headers


# --- ETag, If-None-Match and If-Match ---------------------------------------------------------------------


def test_a_single_resource_carries_its_version_as_etag_and_if_none_match_answers_304(desk: Desk) -> None:
    customer = created(desk, CUSTOMERS, individual_body(1)).json()
    path = f"{CUSTOMERS}/{customer['id']}"

    first = desk.query(path)
    assert first.status_code == 200
    assert first.headers["ETag"] == '"1"' == f'"{first.json()["version"]}"'

    for tag in ('"1"', 'W/"1"', '"7", "1"', "*"):
        unchanged = desk.client.get(path, headers=auth("auditor", **{"If-None-Match": tag}))
        assert (unchanged.status_code, unchanged.content) == (304, b""), tag
        assert unchanged.headers["ETag"] == '"1"'

    changed = desk.post(f"{path}/segment", SEGMENT, headers={"If-Match": first.headers["ETag"]})
    assert changed.status_code == 200, changed.text
    after = {"after": changed.json()["position"]}
    second = desk.client.get(path, params=after, headers=auth("auditor", **{"If-None-Match": '"1"'}))
    assert second.status_code == 200
    assert second.headers["ETag"] == '"2"'
    assert second.json()["segment"] == "mass_affluent"


def test_if_match_takes_the_etag_as_sent_and_a_stale_one_records_nothing(desk: Desk) -> None:
    customer = desk.customer(1)
    path = f"{CUSTOMERS}/{customer}"
    tag = desk.query(path).headers["ETag"]
    desk.command(f"{path}/segment", SEGMENT, headers={"If-Match": tag})
    stored = desk.events()

    stale = desk.post(f"{path}/segment", {**SEGMENT, "segment": "high_net_worth"}, headers={"If-Match": tag})

    assert is_problem(stale, 409, "stale-version")["current_version"] == 2
    assert desk.events() == stored


def test_lists_and_pages_carry_no_etag(desk: Desk) -> None:
    desk.customer(1)

    listed = desk.query(CUSTOMERS)

    assert listed.status_code == 200
    assert "ETag" not in listed.headers


# --- one name for paging ----------------------------------------------------------------------------------


def test_a_page_answers_page_size_as_the_request_asks_it(desk: Desk) -> None:
    for seed in range(3):
        desk.customer(seed)
    holder = desk.customer(9)
    desk.apply(holder)

    for path in (CUSTOMERS, "/api/v1/policies", "/api/v1/audit/log"):
        page = desk.get(path, role="admin", page=1, page_size=2)
        assert (page["page"], page["page_size"]) == (1, 2), path
        assert "size" not in page


# --- unknown query parameters -----------------------------------------------------------------------------


def test_a_query_parameter_the_operation_does_not_declare_is_422_naming_it(desk: Desk) -> None:
    customer = desk.customer(1)

    misspelt = desk.query(CUSTOMERS, nmae="张伟")
    on_one = desk.query(f"{CUSTOMERS}/{customer}", page_size="2", bogus="1")
    no_after = desk.client.get(f"/api/v1/claims/{customer}/settlement?after=1", headers=auth("auditor"))

    assert field_names(is_problem(misspelt, 422, "invalid-input")) == {"nmae"}
    assert field_names(is_problem(on_one, 422, "invalid-input")) == {"bogus", "page_size"}
    assert field_names(is_problem(no_after, 422, "invalid-input")) == {"after"}
    assert "nmae" in is_problem(misspelt, 422)["detail"]


def test_a_command_with_an_undeclared_query_parameter_is_refused_and_records_nothing(desk: Desk) -> None:
    customer = desk.customer(1)
    stored = desk.events()

    registered = desk.post(f"{CUSTOMERS}?dry_run=true", individual_body(2))
    segmented = desk.post(f"{CUSTOMERS}/{customer}/segment?force=1", SEGMENT)

    assert field_names(is_problem(registered, 422, "invalid-input")) == {"dry_run"}
    assert field_names(is_problem(segmented, 422, "invalid-input")) == {"force"}
    assert desk.events() == stored
    assert desk.get(CUSTOMERS)["total"] == 1


def test_format_other_than_json_or_csv_is_422(desk: Desk) -> None:
    assert field_names(is_problem(desk.query(CUSTOMERS, format="xml"), 422, "invalid-input")) == {"format"}


# --- CSV on every register --------------------------------------------------------------------------------


def _csv_operations(desk: Desk) -> list[str]:
    """Every GET the OpenAPI document says answers CSV (it declares `format`)."""
    paths = desk.client.get("/schema/openapi.json").json()["paths"]
    return [
        path
        for path, item in paths.items()
        if "get" in item and any(p["name"] == "format" for p in item["get"].get("parameters", []))
    ]


def test_every_register_answers_csv_for_format_csv_and_for_accept_text_csv(desk: Desk) -> None:
    holder = desk.customer(1)
    desk.in_force(holder)
    operations = _csv_operations(desk)
    assert set(operations) >= REGISTERS

    for path in operations:
        asked = desk.client.get(path, params={"format": "csv"}, headers=auth("admin"))
        accepted = desk.client.get(path, headers={**auth("admin"), "Accept": "text/csv"})
        plain = desk.client.get(path, headers=auth("admin"))

        for response in (asked, accepted):
            assert response.status_code == 200, (path, response.text)
            assert response.headers["content-type"] == CSV, path
            assert rows(response.text)[0], path  # a header row, even for an empty register
        assert plain.status_code == 200, (path, plain.text)
        assert plain.headers["content-type"] == "application/json", path


def test_a_register_as_csv_has_a_header_and_one_row_per_item_masked_as_in_json(desk: Desk) -> None:
    for seed in (1, 2):
        desk.customer(seed)

    response = desk.query(CUSTOMERS, format="csv", sort="name")
    as_json = desk.get(CUSTOMERS, sort="name")

    assert response.headers["content-type"] == CSV
    header, *body = rows(response.text)
    assert len(body) == as_json["total"] == 2
    for item, row in zip(as_json["items"], body):
        values = dict(zip(header, row))
        assert values["id"] == item["id"]
        assert values["identity_number"] == item["identity_number"]
        assert "*" in values["identity_number"]  # masked, as the JSON shows it
    empty = rows(desk.query(CLAIMS, format="csv").text)
    assert len(empty) == 1 and "claim_id" in empty[0]


def test_json_is_the_default_and_an_accept_header_preferring_json_gets_json(desk: Desk) -> None:
    desk.customer(1)
    after = {"after": head(desk.services)}

    preferring = desk.client.get(
        CUSTOMERS, params=after, headers={**auth(), "Accept": "application/json, text/csv;q=0.5"}
    )
    forced = desk.client.get(CUSTOMERS, params={**after, "format": "json"}, headers={**auth(), "Accept": "text/csv"})

    for response in (preferring, forced):
        assert response.headers["content-type"] == "application/json"
        assert response.json()["total"] == 1


# --- 405 with Allow ---------------------------------------------------------------------------------------


def test_a_method_the_path_does_not_answer_is_405_with_allow(desk: Desk) -> None:
    customer = desk.customer(1)

    for method, path, allowed in [
        ("DELETE", CUSTOMERS, {"GET", "POST", "OPTIONS"}),
        ("PUT", f"{CUSTOMERS}/{customer}", {"GET", "OPTIONS"}),
        ("GET", f"{CUSTOMERS}/{customer}/segment", {"POST", "OPTIONS"}),
    ]:
        response = desk.client.request(method, path, headers=auth())

        body = is_problem(response, 405, "method-not-allowed")
        assert {m.strip() for m in response.headers["Allow"].split(",")} == allowed, (method, path)
        assert method in body["detail"]
