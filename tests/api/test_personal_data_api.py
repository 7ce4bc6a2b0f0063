"""Personal data through HTTP (SPEC §9): masked registers, recorded unmasked reads, deletion requests,
erasure refused during retention, and the retention query."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from litestar.testing import TestClient

from application.retention import Contract
from domain.identifiers import china_today
from tests.builders.common import individual_body
from tests.builders.http import BASE, PROBLEM, auth

Client = TestClient[Any]
WHY = {"unmasked": "true", "reason": "verifying identity on a call"}


def test_the_register_masks_id_numbers_and_contacts_by_default(client: Client, register: Callable[..., Any]) -> None:
    body = individual_body(81, contacts={"phone": "13812345678", "email": "zhang@example.cn"})
    created = register(body=body)

    view = client.get(f"{BASE}/{created['id']}", params={"after": created["position"]}, headers=auth()).json()

    number = body["id_number"]
    assert view["identity_number"] == number[:3] + "*" * 11 + number[-4:]
    assert view["contacts"] == {"phone": "*******5678", "email": "z***@example.cn"}
    assert view["masked"] is True and view["personal_data"] == "available"


def test_an_unmasked_read_is_recorded_with_the_reader_and_reason(
    client: Client, register: Callable[..., Any], events: Callable[[], int], running_services: Any
) -> None:
    created = register(81)
    before = events()

    view = client.get(
        f"{BASE}/{created['id']}", params={"after": created["position"], **WHY}, headers=auth("agent", "dora")
    )

    assert view.status_code == 200 and view.json()["masked"] is False
    assert view.json()["identity_number"] == individual_body(81)["id_number"]
    assert events() == before + 1
    last = running_services.app.recorder.select_notifications(start=running_services.read_side.head(), limit=1)[0]
    disclosed = running_services.app.mapper.to_domain_event(last)
    assert (disclosed.subject_ids, disclosed.view) == ([created["id"]], "customer")
    assert (disclosed.meta["actor_id"], disclosed.meta["reason"]) == ("dora", WHY["reason"])


def test_unmasked_reads_without_the_right_or_a_reason_are_refused_and_record_nothing(
    client: Client, register: Callable[..., Any], events: Callable[[], int]
) -> None:
    created = register(82)
    before = events()

    auditor = client.get(f"{BASE}/{created['id']}", params=WHY, headers=auth("auditor"))
    no_reason = client.get(f"{BASE}/{created['id']}", params={"unmasked": "true"}, headers=auth())

    assert auditor.status_code == 403 and auditor.headers["content-type"].startswith(PROBLEM)
    assert no_reason.status_code == 422 and no_reason.json()["errors"][0]["field"] == "reason"
    assert events() == before


def test_a_prospects_deletion_request_erases_the_data_everywhere(
    client: Client, register: Callable[..., Any], running_services: Any
) -> None:
    body = individual_body(83)
    created = register(body=body)

    erased = client.post(f"{BASE}/{created['id']}/erasure-request", json={"reason": "asked by letter"}, headers=auth())

    assert erased.status_code == 200, erased.text
    after = {"after": erased.json()["position"]}
    view = client.get(f"{BASE}/{created['id']}", params={**after, **WHY}, headers=auth("admin")).json()
    history = client.get(f"{BASE}/{created['id']}/history", params={**after, **WHY}, headers=auth("admin")).json()
    assert (view["name"], view["identity_number"], view["personal_data"]) == ("[erased]", "[erased]", "erased")
    assert body["name"] not in str(history) and body["id_number"] not in str(history)
    assert history["events"][-1]["type"] == "PersonalDataErased"


def test_during_retention_a_request_restricts_and_an_erasure_is_refused_with_a_code(
    client: Client, register: Callable[..., Any], running_services: Any, events: Callable[[], int]
) -> None:
    body = individual_body(84)
    created = register(body=body)
    today = china_today()
    running_services.app.contracts_of = lambda _id: [
        Contract("p-1", "applicant", "in_force", 120, today - timedelta(days=10), today + timedelta(days=3000), today)
    ]
    before = events()

    refused = client.post(f"{BASE}/{created['id']}/erasure", json={"reason": "too early"}, headers=auth("admin"))
    not_admin = client.post(f"{BASE}/{created['id']}/erasure", json={"reason": "x"}, headers=auth("agent"))
    assert (refused.status_code, refused.json()["code"]) == (409, "retention-period-running")
    assert not_admin.status_code == 403
    assert events() == before

    restricted = client.post(f"{BASE}/{created['id']}/erasure-request", json={"reason": "asked"}, headers=auth())
    assert restricted.status_code == 200, restricted.text
    view = client.get(
        f"{BASE}/{created['id']}", params={"after": restricted.json()["position"], **WHY}, headers=auth("admin")
    ).json()
    assert view["personal_data"] == "restricted" and view["masked"] is True  # even for a role with the right
    assert view["name"] != body["name"] and view["identity_number"] != body["id_number"]


def test_the_retention_query_answers_for_a_customer_without_policies(
    client: Client, register: Callable[..., Any]
) -> None:
    created = register(85)

    one = client.get(
        f"{BASE}/{created['id']}/retention", params={"after": created["position"]}, headers=auth("auditor")
    )
    report = client.get("/api/v1/retention", params={"customer_id": created["id"]}, headers=auth("auditor"))

    assert one.status_code == 200, one.text
    assert one.json() == {
        "customer_id": created["id"],
        "retention_end": None,
        "open": False,
        "running": False,
        "policies": [],
    }
    assert report.json() == [one.json()]
