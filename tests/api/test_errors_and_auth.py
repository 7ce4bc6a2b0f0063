"""Refusals over HTTP: problem details, status codes, stable codes, and that a refusal records nothing."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from typing import Any

import jwt
import pytest
from litestar.testing import TestClient

from application.infrastructure.settings import Settings
from domain.identity.aggregate import IdentityClaim
from interface.app import create_app
from interface.bootstrap import bootstrap
from interface.permissions import PERMISSIONS, ROLES
from tests.builders.common import enterprise_body, individual_body, resident_id
from tests.builders.environment import JWT_SECRET
from tests.builders.http import BASE, PROBLEM, auth, field_names, head, token

Client = TestClient[Any]
Register = Callable[..., dict[str, Any]]

# Every command endpoint: (path under /customers/{id}, permission, a body that would succeed).
COMMANDS = [
    ("contacts", "customers.update", {"contacts": {"phone": "13912345678"}}),
    ("profile", "customers.update", {"changes": {"dependants": 2}}),
    ("segment", "customers.segment", {"segment": "mass", "basis": "income"}),
    ("lifecycle-stage", "customers.lifecycle", {"stage": "churned", "reason": "moved"}),
    (
        "interactions",
        "customers.interact",
        {"kind": "visit", "summary": "home visit", "occurred_at": "2024-01-02T10:00:00Z"},
    ),
    ("consents", "customers.consent", {"purpose": "marketing"}),
    ("consent-withdrawals", "customers.consent", {"purpose": "marketing"}),
    ("needs-analyses", "customers.analyse", {"concerns": ["old age"], "budget": "5000"}),
    (
        "risk-assessments",
        "customers.analyse",
        {"risks": [{"description": "d", "category": "personal", "likelihood": 1, "severity": 1}]},
    ),
    ("satisfaction-surveys", "customers.survey", {"attitude": 5, "speed": 5, "quality": 5, "claims_convenience": 5}),
]


def is_problem(response: Any, status: int, code: str | None = None) -> dict[str, Any]:
    """Assert an RFC 9457 problem with `status` (and `code`); return its body."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith(PROBLEM)
    body: dict[str, Any] = response.json()
    assert body["status"] == status and body["title"] and body["detail"] and body["type"]
    if code is not None:
        assert body["code"] == code, body
    return body


def race(*calls: Callable[[], Any]) -> list[Any]:
    """Run the calls at the same moment on separate threads; their results in order."""
    barrier = threading.Barrier(len(calls))

    def run(call: Callable[[], Any]) -> Any:
        barrier.wait(timeout=10)
        return call()

    with ThreadPoolExecutor(len(calls)) as pool:
        return [f.result(timeout=60) for f in [pool.submit(run, call) for call in calls]]


# --- 422: invalid input names each field ---------------------------------------------------


def test_an_id_number_with_a_wrong_check_digit_is_422_naming_id_number_and_records_nothing(
    client: Client, events: Callable[[], int]
) -> None:
    good = resident_id(3)
    wrong = good[:-1] + ("0" if good[-1] != "0" else "1")
    before = events()

    response = client.post(BASE, json=individual_body(3, id_number=wrong), headers=auth())

    body = is_problem(response, 422)
    assert "id_number" in field_names(body)
    assert events() == before


def test_missing_and_out_of_range_fields_are_each_named_without_the_kind_prefix(
    client: Client, events: Callable[[], int]
) -> None:
    body = individual_body(4, occupation_class=9)
    del body["name"], body["family_status"]
    before = events()

    response = client.post(BASE, json=body, headers=auth())

    problem = is_problem(response, 422, "invalid-input")
    assert field_names(problem) == {"name", "family_status", "occupation_class"}
    assert events() == before


def test_other_bad_registrations_name_their_field_and_record_nothing(client: Client, events: Callable[[], int]) -> None:
    cases = [
        (enterprise_body(5, credit_code="91350100M000100Y44"), "credit_code"),
        (enterprise_body(5, size="huge"), "size"),
        (individual_body(5, contacts={"phone": "12"}), "contacts.phone"),
        (individual_body(5, nickname="Wei"), "nickname"),
        (individual_body(5, annual_income="-1"), "annual_income"),
    ]
    before = events()

    for body, field in cases:
        response = client.post(BASE, json=body, headers=auth())

        assert field in field_names(is_problem(response, 422)), (field, response.json())
    assert events() == before


def test_bad_command_bodies_name_their_fields_and_malformed_json_is_a_problem_recording_nothing(
    client: Client, register: Register, events: Callable[[], int]
) -> None:
    cid = register(6)["id"]
    cases = [
        (
            "satisfaction-surveys",
            {"attitude": 6, "speed": 0, "quality": 5, "claims_convenience": 5},
            {"attitude", "speed"},
        ),
        (
            "risk-assessments",
            {"risks": [{"description": "d", "category": "weather", "likelihood": 0, "severity": 3}]},
            {"risks[0].category", "risks[0].likelihood"},
        ),
        ("segment", {"segment": "sme", "basis": "enterprise segment on a person"}, {"segment"}),
        ("profile", {"changes": {"occupation_class": 9}}, {"occupation_class"}),
        ("profile", {"changes": {"headcount": 10}}, {"headcount"}),
        ("lifecycle-stage", {"stage": "active"}, {"reason"}),
        (
            "interactions",
            {
                "kind": "visit",
                "summary": "from the future",
                "occurred_at": (datetime.now(UTC) + timedelta(days=2)).isoformat(),
            },
            {"occurred_at"},
        ),
        ("consents", {"purpose": "spam"}, {"purpose"}),
    ]
    before = events()

    for action, body, fields in cases:
        response = client.post(f"{BASE}/{cid}/{action}", json=body, headers=auth())

        assert field_names(is_problem(response, 422)) == fields, (action, response.json())
    malformed = client.post(
        f"{BASE}/{cid}/segment", content=b"{segment: mass", headers=auth(**{"Content-Type": "application/json"})
    )
    assert malformed.status_code in (400, 422) and malformed.headers["content-type"].startswith(PROBLEM)
    assert events() == before


def test_bad_query_parameters_are_422_problems_naming_the_parameter(client: Client, register: Register) -> None:
    cid = register(8)["id"]
    cases = [
        ({"page": "0"}, {"page"}),
        ({"page_size": "501"}, {"page_size"}),
        ({"page": "two"}, {"page"}),
        ({"sort": "bogus"}, {"sort"}),
        ({"as_of": "garbage"}, {"as_of"}),
        ({"as_of": "2024-13-01"}, {"as_of"}),
        ({"after": "-1"}, {"after"}),
        ({"after": "soon"}, {"after"}),
        ({"kind": "alien", "lifecycle_stage": "asleep"}, {"kind", "lifecycle_stage"}),
        ({"registered_from": "yesterday"}, {"registered_from"}),
    ]

    for params, fields in cases:
        response = client.get(BASE, params=params, headers=auth())

        assert field_names(is_problem(response, 422, "invalid-input")) == fields, params
    for path in (f"/{cid}", f"/{cid}/history"):
        for params in ({"as_of": "last tuesday"}, {"after": "-5"}):
            response = client.get(f"{BASE}{path}", params=params, headers=auth())

            assert field_names(is_problem(response, 422)) == set(params), (path, params)


# --- 409: rule violations carry a stable code ----------------------------------------------


def test_registering_an_id_number_or_credit_code_twice_is_409_naming_the_existing_customer(
    client: Client, register: Register, events: Callable[[], int]
) -> None:
    person = register(9)
    firm = register(body=enterprise_body(10))
    before = events()

    again = client.post(BASE, json=individual_body(9, name="Someone Else"), headers=auth())
    firm_again = client.post(BASE, json=enterprise_body(10, name="Renamed Co"), headers=auth())

    assert is_problem(again, 409, "customer-already-registered")["existing_customer_id"] == person["id"]
    assert is_problem(firm_again, 409, "customer-already-registered")["existing_customer_id"] == firm["id"]
    assert events() == before


RULE_VIOLATIONS = [
    ([], "lifecycle-stage", {"stage": "dormant", "reason": "no contact"}, "invalid-lifecycle-transition"),
    (
        [],
        "interactions",
        {"kind": "marketing", "summary": "new product mail", "occurred_at": "2024-01-02T10:00:00Z"},
        "no-marketing-consent",
    ),
    ([("consents", {"purpose": "marketing"})], "consents", {"purpose": "marketing"}, "consent-unchanged"),
    ([], "consent-withdrawals", {"purpose": "health_data"}, "consent-unchanged"),
    (
        [("segment", {"segment": "mass", "basis": "b"})],
        "segment",
        {"segment": "mass", "basis": "again"},
        "segment-unchanged",
    ),
    ([], "contacts", {"contacts": {"phone": "13800138000"}}, "contacts-unchanged"),
]


def test_rule_violations_are_409_with_a_stable_code_and_record_nothing(
    client: Client, register: Register, events: Callable[[], int]
) -> None:
    for seed, (setup, action, body, code) in enumerate(RULE_VIOLATIONS, start=100):
        cid = register(seed)["id"]
        for path, first in setup:
            assert client.post(f"{BASE}/{cid}/{path}", json=first, headers=auth()).status_code == 200
        before = events()

        response = client.post(f"{BASE}/{cid}/{action}", json=body, headers=auth())

        is_problem(response, 409, code)
        assert events() == before, code
    # With the consent given, the same marketing contact is recorded.
    cid = register(99)["id"]
    client.post(f"{BASE}/{cid}/consents", json={"purpose": "marketing"}, headers=auth())
    marketing = client.post(f"{BASE}/{cid}/interactions", json=RULE_VIOLATIONS[1][2], headers=auth())
    assert marketing.status_code == 200, marketing.text


# --- 404 -----------------------------------------------------------------------------------


def test_an_unknown_customer_is_a_404_problem_for_queries_and_commands(
    client: Client, events: Callable[[], int]
) -> None:
    unknown = "5f0c4a2e-0000-4000-8000-000000000000"
    before = events()

    answers = [
        client.get(f"{BASE}/{unknown}", headers=auth()),
        client.get(f"{BASE}/{unknown}/history", headers=auth()),
        client.post(f"{BASE}/{unknown}/segment", json={"segment": "mass", "basis": "b"}, headers=auth()),
        client.get(f"{BASE}/not-a-uuid", headers=auth()),
    ]

    for response in answers:
        is_problem(response, 404, "not-found")
    assert events() == before


def test_an_aggregate_that_is_not_a_customer_is_404_on_every_customer_endpoint(
    client: Client, register: Register, events: Callable[[], int], running_services: Any
) -> None:
    customer = register(30)
    secret = running_services.app.identity_secret
    claim_id = IdentityClaim.id_for(f"resident-id:{resident_id(30)}", secret)  # exists, but is no customer
    before = events()

    answers = [
        client.get(f"{BASE}/{claim_id}/history", params={"after": customer["position"]}, headers=auth()),
        client.get(f"{BASE}/{claim_id}", params={"after": customer["position"]}, headers=auth()),
        client.post(f"{BASE}/{claim_id}/segment", json={"segment": "mass", "basis": "b"}, headers=auth()),
    ]

    for response in answers:
        is_problem(response, 404, "not-found")
    assert events() == before


# --- 401 and 403 ---------------------------------------------------------------------------


def _raw_token(secret: str = JWT_SECRET, **claims: Any) -> str:
    now = datetime.now(UTC)
    payload = {"sub": "mallory", "role": "agent", "iat": now, "exp": now + timedelta(hours=1), "iss": "inscribe"}
    payload.update(claims)
    return jwt.encode({k: v for k, v in payload.items() if v is not None}, secret, algorithm="HS256")


BAD_AUTHORIZATION = {
    "none": None,
    "garbage": "Bearer not-a-jwt",
    "expired": f"Bearer {token('agent', hours=-1)}",
    "other-secret": f"Bearer {_raw_token('another-secret-' + 'y' * 40)}",
    "other-issuer": f"Bearer {_raw_token(iss='someone-else')}",
    "unknown-role": f"Bearer {_raw_token(role='janitor')}",
    "no-role": f"Bearer {_raw_token(role=None)}",
    "basic-scheme": "Basic YWxpY2U6c2VjcmV0",
}


def test_without_a_valid_token_every_call_is_401_and_records_nothing(
    client: Client, register: Register, events: Callable[[], int]
) -> None:
    cid = register(13)["id"]
    before = events()

    for kind, value in BAD_AUTHORIZATION.items():
        headers = {"Authorization": value} if value else {}
        answers = [
            client.post(BASE, json=individual_body(14), headers=headers),
            client.post(f"{BASE}/{cid}/segment", json={"segment": "mass", "basis": "b"}, headers=headers),
            client.get(BASE, headers=headers),
            client.get(f"{BASE}/{cid}", headers=headers),
            client.get(f"{BASE}/{cid}/history", headers=headers),
        ]

        for response in answers:
            assert response.status_code == 401, (kind, response.request.url)
            is_problem(response, 401, "unauthorized")
    assert events() == before


def test_roles_without_the_permission_get_403_on_every_command_and_nothing_is_recorded(
    client: Client, register: Register, events: Callable[[], int]
) -> None:
    cid = register(15)["id"]
    before = events()
    refused: set[tuple[str, str]] = set()

    for role in ROLES:
        if role not in PERMISSIONS["customers.register"]:
            is_problem(client.post(BASE, json=individual_body(16), headers=auth(role)), 403, "forbidden")
            refused.add((role, "register"))
        for action, permission, body in COMMANDS:
            if role not in PERMISSIONS[permission]:
                response = client.post(f"{BASE}/{cid}/{action}", json=body, headers=auth(role))
                is_problem(response, 403, "forbidden")
                refused.add((role, action))

    assert events() == before
    # The table is what the product means: the auditor changes nothing, claims staff do not register.
    assert {("auditor", "register")} | {("auditor", action) for action, _, _ in COMMANDS} <= refused
    assert {("claims_handler", "register"), ("claims_manager", "register"), ("underwriter", "segment")} <= refused


# --- If-Match ------------------------------------------------------------------------------


def test_if_match_with_a_stale_version_is_409_and_records_nothing_the_current_one_succeeds(
    client: Client, register: Register, events: Callable[[], int]
) -> None:
    cid = register(17)["id"]
    path = f"{BASE}/{cid}/segment"
    first = client.post(path, json={"segment": "mass", "basis": "b"}, headers=auth(**{"If-Match": "1"}))
    before = events()

    stale = client.post(path, json={"segment": "senior", "basis": "b"}, headers=auth(**{"If-Match": "1"}))
    nothing_recorded = events() == before
    current = client.post(path, json={"segment": "senior", "basis": "b"}, headers=auth(**{"If-Match": 'W/"2"'}))

    assert first.status_code == 200 and first.json()["version"] == 2
    assert is_problem(stale, 409, "stale-version")["current_version"] == 2
    assert nothing_recorded
    assert current.status_code == 200 and current.json()["version"] == 3


def test_a_malformed_if_match_is_422_naming_if_match(
    client: Client, register: Register, events: Callable[[], int]
) -> None:
    cid = register(18)["id"]
    before = events()

    for value in ("version-one", "1.5", '"-1"'):
        response = client.post(
            f"{BASE}/{cid}/segment", json={"segment": "mass", "basis": "b"}, headers=auth(**{"If-Match": value})
        )

        assert field_names(is_problem(response, 422)) == {"If-Match"}, value
    assert events() == before


# --- Idempotency-Key -----------------------------------------------------------------------


def test_a_retried_registration_returns_the_first_answer_and_records_nothing_new(
    client: Client, events: Callable[[], int]
) -> None:
    headers = auth(**{"Idempotency-Key": "register-zhang-1"})
    first = client.post(BASE, json=individual_body(19), headers=headers)
    before = events()

    retry = client.post(BASE, json=individual_body(19), headers=headers)

    assert first.status_code == 201 and retry.status_code == 201
    assert retry.json() == first.json()
    assert events() == before


def test_a_retried_command_returns_the_first_answer_even_after_later_changes(
    client: Client, register: Register, events: Callable[[], int]
) -> None:
    cid = register(20)["id"]
    path = f"{BASE}/{cid}/segment"
    keyed = auth(**{"Idempotency-Key": "seg-20"})
    first = client.post(path, json={"segment": "mass", "basis": "b"}, headers=keyed).json()
    client.post(path, json={"segment": "senior", "basis": "b"}, headers=auth())
    before = events()

    retry = client.post(path, json={"segment": "mass", "basis": "b"}, headers=keyed)

    assert retry.status_code == 200 and retry.json() == first
    assert events() == before


def test_an_idempotency_key_reused_for_another_request_is_409_and_an_overlong_one_422(
    client: Client, register: Register, events: Callable[[], int]
) -> None:
    keyed = auth(**{"Idempotency-Key": "key-21"})
    client.post(BASE, json=individual_body(21), headers=keyed)
    other = register(22)["id"]
    before = events()

    different_body = client.post(BASE, json=individual_body(23), headers=keyed)
    different_path = client.post(f"{BASE}/{other}/segment", json={"segment": "mass", "basis": "b"}, headers=keyed)
    overlong = client.post(BASE, json=individual_body(24), headers=auth(**{"Idempotency-Key": "k" * 201}))

    is_problem(different_body, 409, "idempotency-key-reused")
    is_problem(different_path, 409, "idempotency-key-reused")
    assert field_names(is_problem(overlong, 422)) == {"Idempotency-Key"}
    assert events() == before


# --- concurrency ---------------------------------------------------------------------------


def test_two_concurrent_commands_with_the_same_if_match_one_wins_one_is_409(
    client: Client, register: Register, events: Callable[[], int]
) -> None:
    customer = register(25)
    path, version = f"{BASE}/{customer['id']}/segment", customer["version"]
    for round_ in range(3):
        before = events()
        bodies = [
            {"segment": s, "basis": f"round {round_}"}
            for s in (("mass", "senior") if round_ % 2 == 0 else ("young_family", "high_net_worth"))
        ]

        if_match = auth(**{"If-Match": str(version)})
        answers = race(*[lambda b=b, h=if_match: client.post(path, json=b, headers=h) for b in bodies])

        assert sorted(r.status_code for r in answers) == [200, 409], [r.text for r in answers]
        loser = next(r for r in answers if r.status_code == 409)
        assert is_problem(loser, 409)["code"] in {"stale-version", "concurrent-modification"}
        assert events() == before + 1
        version = next(r for r in answers if r.status_code == 200).json()["version"]
        assert version == customer["version"] + round_ + 1


def test_two_concurrent_registrations_of_one_id_number_record_one_customer(
    client: Client, events: Callable[[], int]
) -> None:
    before = events()

    answers = race(
        *[lambda n=n: client.post(BASE, json=individual_body(26, name=f"Twin {n}"), headers=auth()) for n in (1, 2)]
    )

    assert sorted(r.status_code for r in answers) == [201, 409], [r.text for r in answers]
    winner = next(r for r in answers if r.status_code == 201).json()
    loser = is_problem(next(r for r in answers if r.status_code == 409), 409, "customer-already-registered")
    assert loser["existing_customer_id"] == winner["id"]
    assert events() == before + 2  # the customer and its identity claim


def test_two_concurrent_copies_of_one_keyed_command_get_one_answer_and_one_event(
    client: Client, register: Register, events: Callable[[], int]
) -> None:
    cid = register(27)["id"]
    before = events()
    keyed = auth(**{"Idempotency-Key": "double-click-27"})

    answers = race(
        *[lambda: client.post(f"{BASE}/{cid}/segment", json={"segment": "mass", "basis": "b"}, headers=keyed)] * 2
    )

    assert [r.status_code for r in answers] == [200, 200], [r.text for r in answers]
    assert answers[0].json() == answers[1].json()
    assert events() == before + 1


# --- read your writes: the bounded wait ----------------------------------------------------


@pytest.fixture
def impatient(test_settings: Settings) -> Iterator[tuple[Client, Any]]:
    """A client whose reads wait at most 0.3 s, over services whose projections do not run."""
    settings = test_settings.model_copy(update={"read_wait_seconds": 0.3})
    services = bootstrap(settings, run_projections=False)
    try:
        with TestClient(app=create_app(services)) as test_client:
            yield test_client, services
    finally:
        services.close()


def test_a_read_after_a_position_the_read_side_has_not_reached_is_503_with_retry_after(
    impatient: tuple[Client, Any],
) -> None:
    client, services = impatient
    answer = client.post(BASE, json=individual_body(28), headers=auth()).json()
    cid = answer["id"]

    for path in ("", f"/{cid}", f"/{cid}/history"):
        started = time.monotonic()
        response = client.get(f"{BASE}{path}", params={"after": answer["position"]}, headers=auth())
        waited = time.monotonic() - started

        body = is_problem(response, 503, "read-side-behind")
        assert int(response.headers["Retry-After"]) >= 1
        assert body["position"] == answer["position"]
        assert 0.25 <= waited < 3.0

    services.read_side.catch_up()
    assert client.get(f"{BASE}/{cid}", params={"after": answer["position"]}, headers=auth()).status_code == 200
    # SPEC §10: a position the log has not recorded is answered at once, not waited for.
    started = time.monotonic()
    beyond = client.get(BASE, params={"after": head(services) + 100}, headers=auth())
    body = is_problem(beyond, 422, "position-not-recorded")
    assert field_names(body) == {"after"}
    assert time.monotonic() - started < 0.25


@pytest.mark.parametrize("sub", ["x" * 201, "eve\u202e", "a\x00b", ""])
def test_a_token_whose_subject_no_register_could_store_is_401_and_records_nothing(
    client: TestClient[Any], events: Callable[[], int], sub: str
) -> None:
    before = events()
    forged = jwt.encode(
        {"sub": sub, "role": "agent", "iss": "inscribe", "exp": datetime.now(UTC) + timedelta(hours=1)},
        JWT_SECRET,
        algorithm="HS256",
    )

    response = client.post(BASE, json=individual_body(1), headers={"Authorization": f"Bearer {forged}"})

    assert response.status_code == 401
    assert response.headers["content-type"].startswith(PROBLEM)
    assert events() == before


def test_a_subject_of_200_characters_is_the_widest_a_token_carries() -> None:
    from interface.auth import mint_token

    assert mint_token(JWT_SECRET, "x" * 200, "agent")
    with pytest.raises(ValueError, match="sub must be 1 to 200 characters"):
        mint_token(JWT_SECRET, "x" * 201, "agent")


def test_options_on_a_route_answers_with_the_methods_it_allows_never_a_500(client: TestClient[Any]) -> None:
    response = client.options("/api/v1/customers/e3e70682-c209-1cac-a29f-6fbed82c07cd/profile")

    assert response.status_code < 500
    assert "POST" in response.headers.get("allow", "")
