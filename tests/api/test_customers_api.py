"""The customer API end to end: every command, read-your-writes, the register, history and as-of."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from litestar.testing import TestClient

from domain import clock
from domain.clock import SimulatedClock
from tests.builders.common import enterprise_body, individual_body
from tests.builders.http import BASE, auth

Client = TestClient[Any]

# action → (request body, commands that must come first, what the register shows afterwards)
ACTIONS: dict[str, tuple[dict[str, Any], list[tuple[str, dict[str, Any]]], Callable[[dict[str, Any]], bool]]] = {
    "contacts": (
        {"contacts": {"email": "zhang.wei@example.cn", "address": "福州市鼓楼区"}},
        [],
        lambda v: v["contacts"] == {"email": "zhang.wei@example.cn", "address": "福州市鼓楼区"},
    ),
    "profile": (
        {"changes": {"occupation": "engineer", "occupation_class": 2, "annual_income": "250000"}},
        [],
        lambda v: (
            (v["occupation"], v["occupation_class"], v["profile"]["annual_income"]) == ("engineer", 2, "250000.00")
        ),
    ),
    "segment": (
        {"segment": "mass_affluent", "basis": "income and family status"},
        [],
        lambda v: v["segment"] == "mass_affluent",
    ),
    "lifecycle-stage": (
        {"stage": "churned", "reason": "moved abroad"},
        [],
        lambda v: v["lifecycle_stage"] == "churned",
    ),
    "interactions": (
        {"kind": "care_call", "summary": "birthday call", "occurred_at": "2024-05-01T10:00:00+08:00"},
        [],
        lambda v: v["interactions"] == 1,
    ),
    "consents": ({"purpose": "marketing"}, [], lambda v: v["consents"] == ["marketing"]),
    "consent-withdrawals": (
        {"purpose": "marketing"},
        [("consents", {"purpose": "marketing"}), ("consents", {"purpose": "health_data"})],
        lambda v: v["consents"] == ["health_data"],
    ),
    "needs-analyses": (
        {"concerns": ["children's education"], "potential_needs": ["education fund"], "budget": "12000"},
        [],
        lambda v: (
            v["needs"]
            == {"concerns": ["children's education"], "potential_needs": ["education fund"], "budget": "12000.00"}
        ),
    ),
    "risk-assessments": (
        {
            "risks": [
                {"description": "sole earner", "category": "personal", "likelihood": 3, "severity": 5},
                {"description": "flat near river", "category": "property", "likelihood": 2, "severity": 3},
            ]
        },
        [],
        lambda v: (v["risk"]["overall_score"], v["risk"]["priority"], len(v["risk"]["risks"])) == (15, "high", 2),
    ),
    "satisfaction-surveys": (
        {"attitude": 5, "speed": 4, "quality": 5, "claims_convenience": 4, "comment": "quick and kind"},
        [],
        lambda v: (v["surveys"], v["satisfaction_average"]) == (1, "4.50"),
    ),
}


def post(client: Client, path: str, body: dict[str, Any], role: str = "agent", **headers: str) -> Any:
    return client.post(f"{BASE}{path}", json=body, headers=auth(role, **headers))


def get(client: Client, path: str = "", role: str = "agent", **params: Any) -> Any:
    return client.get(f"{BASE}{path}", params=params, headers=auth(role))


# --- commands ------------------------------------------------------------------------------


def test_registering_an_individual_answers_id_version_position_and_the_register_shows_it(client: Client) -> None:
    body = individual_body(11, id_number="11010519491231002X")

    response = post(client, "", body)

    assert response.status_code == 201
    answer = response.json()
    assert set(answer) == {"id", "version", "position"}
    assert answer["version"] == 1 and answer["position"] >= 1
    view = get(client, f"/{answer['id']}", after=answer["position"]).json()
    assert view["kind"] == "individual"
    assert view["name"] == body["name"]
    assert view["identity_number"] == "110***********002X"  # masked unless asked for (SPEC §9)
    assert (
        get(client, f"/{answer['id']}", unmasked="true", reason="check").json()["identity_number"]
        == "11010519491231002X"
    )
    assert (view["birth_date"], view["gender"]) == ("1949-12-31", "female")
    assert view["lifecycle_stage"] == "prospect"
    assert view["version"] == 1


def test_registering_an_enterprise_answers_id_version_position_and_the_register_shows_it(client: Client) -> None:
    body = enterprise_body(12)

    response = post(client, "", body)

    assert response.status_code == 201
    answer = response.json()
    view = get(client, f"/{answer['id']}", after=answer["position"], unmasked="true", reason="check").json()
    assert (view["kind"], view["name"], view["identity_number"]) == ("enterprise", body["name"], body["credit_code"])
    assert (view["industry"], view["size"]) == ("wholesale", "small")
    assert view["profile"]["contact_person"] == "李娜"
    assert view["birth_date"] is None


def test_each_customer_command_answers_200_and_a_read_after_its_position_shows_the_change(
    client: Client, register: Callable[..., dict[str, Any]]
) -> None:
    for seed, (action, (body, before, shows)) in enumerate(ACTIONS.items(), start=21):
        customer = register(seed)
        cid = customer["id"]
        last = customer
        for path, prerequisite in before:
            last = post(client, f"/{cid}/{path}", prerequisite).json()

        response = post(client, f"/{cid}/{action}", body)

        assert response.status_code == 200, (action, response.text)
        answer = response.json()
        assert answer["id"] == cid
        assert answer["version"] == last["version"] + 1, action
        assert answer["position"] > last["position"], action
        view = get(client, f"/{cid}", after=answer["position"], unmasked="true", reason="check")
        assert view.status_code == 200, action
        assert view.json()["version"] == answer["version"], action
        assert shows(view.json()), (action, view.json())


# --- queries -------------------------------------------------------------------------------


def test_the_list_reads_after_a_position_and_its_paging_filters_and_sort_reach_the_register(
    client: Client, register: Callable[..., dict[str, Any]]
) -> None:
    register(31, name="Wang Fang")
    lei = register(32, name="Li Lei")
    firm = register(body=enterprise_body(33, name="Fuzhou Trading Co"))
    segment = post(client, f"/{lei['id']}/segment", {"segment": "young_family", "basis": "two children"}).json()
    after = segment["position"]

    everyone = get(client, after=after, sort="name").json()
    reversed_names = get(client, after=after, sort="-name").json()
    second_page = get(client, after=after, sort="name", page=2, page_size=2).json()
    enterprises = get(client, after=after, kind="enterprise").json()
    by_name = get(client, after=after, name="wang").json()
    by_segment = get(client, after=after, segment="young_family").json()
    by_stage = get(client, after=after, lifecycle_stage="active").json()
    later = get(client, after=after, registered_from="2999-01-01T00:00:00Z").json()

    names = [c["name"] for c in everyone["items"]]
    assert names == ["Fuzhou Trading Co", "Li Lei", "Wang Fang"]
    assert everyone["total"] == 3 and everyone["position"] >= after
    assert [c["name"] for c in reversed_names["items"]] == names[::-1]
    assert (second_page["page"], second_page["page_size"], second_page["total"]) == (2, 2, 3)
    assert [c["name"] for c in second_page["items"]] == ["Wang Fang"]
    assert [c["id"] for c in enterprises["items"]] == [firm["id"]]
    assert [c["name"] for c in by_name["items"]] == ["Wang Fang"]
    assert [c["id"] for c in by_segment["items"]] == [lei["id"]]
    assert by_stage["total"] == 0 and later["total"] == 0


def test_history_lists_every_event_with_actor_role_reason_and_data(client: Client) -> None:
    cid = post(client, "", individual_body(41)).json()["id"]
    client.post(
        f"{BASE}/{cid}/segment", json={"segment": "senior", "basis": "retired teacher"}, headers=auth("admin", "bob")
    )
    last = client.post(
        f"{BASE}/{cid}/lifecycle-stage",
        json={"stage": "churned", "reason": "declined every offer"},
        headers=auth("agent", "carol", **{"X-Correlation-Id": "campaign-7"}),
    ).json()

    history = get(client, f"/{cid}/history", role="auditor", after=last["position"]).json()

    assert history["id"] == cid
    events = history["events"]
    assert [e["type"] for e in events] == ["IndividualRegistered", "SegmentAssigned", "LifecycleStageChanged"]
    assert [e["version"] for e in events] == [1, 2, 3]
    positions = [e["position"] for e in events]
    assert positions == sorted(positions) and positions[-1] == last["position"]
    actors = [(e["metadata"]["actor_id"], e["metadata"]["actor_role"], e["metadata"]["reason"]) for e in events]
    assert actors == [
        ("alice", "agent", None),
        ("bob", "admin", "retired teacher"),
        ("carol", "agent", "declined every offer"),
    ]
    assert all(e["metadata"]["channel"] == "api" for e in events)
    assert events[2]["metadata"]["correlation_id"] == "campaign-7"
    number = individual_body(41)["id_number"]
    assert events[0]["data"]["id_number"] == number[:3] + "*" * 11 + number[-4:]  # the auditor sees it masked
    assert events[1]["data"] == {"segment": "senior", "basis": "retired teacher"}
    assert events[2]["data"] == {"stage": "churned", "previous": "prospect", "reason": "declined every offer"}


def test_as_of_a_position_shows_the_customer_as_it_stood_then(
    client: Client, register: Callable[..., dict[str, Any]]
) -> None:
    customer = register(51)
    cid = customer["id"]
    changed = post(client, f"/{cid}/segment", {"segment": "mass", "basis": "income"}).json()
    get(client, f"/{cid}", after=changed["position"])

    then = get(client, f"/{cid}", as_of=customer["position"]).json()
    now = get(client, f"/{cid}", as_of=changed["position"]).json()
    listed_then = get(client, as_of=customer["position"]).json()
    before = get(client, f"/{cid}", as_of=0)
    history_then = get(client, f"/{cid}/history", as_of=customer["position"]).json()

    assert (then["segment"], then["version"]) == (None, 1)
    assert (now["segment"], now["version"]) == ("mass", 2)
    assert listed_then["items"][0]["segment"] is None and listed_then["position"] == customer["position"]
    assert before.status_code == 404
    assert before.headers["content-type"].startswith("application/problem+json")
    assert [e["type"] for e in history_then["events"]] == ["IndividualRegistered"]


def test_as_of_a_moment_or_a_date_follows_the_recorded_times(client: Client) -> None:
    simulated = SimulatedClock(datetime(2024, 3, 1, 9, 0, tzinfo=UTC))
    with clock.using(simulated):
        cid = post(client, "", individual_body(61)).json()["id"]
        simulated.advance(timedelta(days=4))
        changed = post(client, f"/{cid}/segment", {"segment": "mass", "basis": "income"}).json()
    get(client, f"/{cid}", after=changed["position"])

    on_day_one = get(client, f"/{cid}", as_of="2024-03-01T12:00:00Z").json()
    in_beijing_just_after = get(client, f"/{cid}", as_of="2024-03-01T17:00:01+08:00").json()
    on_day_five = get(client, f"/{cid}", as_of="2024-03-05").json()
    before = get(client, f"/{cid}", as_of="2024-02-29")
    in_beijing_just_before = get(client, f"/{cid}", as_of="2024-03-01T16:59:59+08:00")
    history_then = get(client, f"/{cid}/history", as_of="2024-03-02").json()
    history_before = get(client, f"/{cid}/history", as_of="2024-02-29")
    list_then = get(client, as_of="2024-03-02T00:00:00Z").json()

    assert on_day_one["segment"] is None and on_day_one["registered_at"].startswith("2024-03-01T09:00:00")
    assert in_beijing_just_after["segment"] is None
    assert on_day_five["segment"] == "mass" and on_day_five["updated_at"].startswith("2024-03-05T09:00:00")
    assert before.status_code == 404 and in_beijing_just_before.status_code == 404
    assert history_before.status_code == 404  # it did not exist yet: as then, not an empty history
    assert [e["type"] for e in history_then["events"]] == ["IndividualRegistered"]
    assert history_then["events"][0]["recorded_at"].startswith("2024-03-01T09:00:00")
    assert [c["id"] for c in list_then["items"]] == [cid]


def test_an_auditor_reads_the_list_each_customer_its_history_and_the_projections(
    client: Client, register: Callable[..., dict[str, Any]]
) -> None:
    customer = register(71)
    cid, after = customer["id"], customer["position"]

    answers = [
        get(client, role="auditor", after=after),
        get(client, f"/{cid}", role="auditor", after=after),
        get(client, f"/{cid}/history", role="auditor", after=after),
        get(client, f"/{cid}", role="auditor", as_of=after),
        client.get("/api/v1/projections", headers=auth("auditor")),
    ]

    assert [r.status_code for r in answers] == [200] * 5
    assert answers[0].json()["total"] == 1
    assert {p["name"] for p in answers[4].json()} >= {"customers", "audit_log"}
    assert client.get("/api/v1/projections", headers=auth("agent")).status_code == 403


# --- OpenAPI -------------------------------------------------------------------------------


def test_the_openapi_document_lists_the_customer_paths_and_the_bearer_scheme_and_swagger_renders(
    client: Client,
) -> None:
    response = client.get("/schema/openapi.json")
    swagger = client.get("/schema/swagger")

    assert response.status_code == 200
    document = response.json()
    paths = set(document["paths"])
    expected = {"/api/v1/customers", "/api/v1/customers/{customer_id}", "/api/v1/customers/{customer_id}/history"}
    expected |= {f"/api/v1/customers/{{customer_id}}/{action}" for action in ACTIONS}
    assert expected <= paths
    assert {"get", "post"} <= set(document["paths"]["/api/v1/customers"])
    schemes = document["components"]["securitySchemes"].values()
    assert any(s["type"] == "http" and s["scheme"].lower() == "bearer" for s in schemes)
    assert swagger.status_code == 200
    assert swagger.headers["content-type"].startswith("text/html")
