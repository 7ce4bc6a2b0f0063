"""Hostile HTTP input (SPEC §10 "Errors" and "Bad input"): never a bare 500, every error a problem.

Query parameters are checked before any SQL; headers that reach events are bounded; `?after=` past the
head of the log is answered at once; a command body must be declared JSON, small and shallow; anything
unexpected is a 500 problem whose correlation id the log names; a lost database is 503 with Retry-After.
"""

from __future__ import annotations

import asyncio
import logging
import re
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import psycopg
import pytest
import sqlalchemy.exc
from eventsourcing import persistence
from litestar.testing import TestClient

import interface.http
from application.commands import customers as customer_commands
from application.infrastructure.settings import Settings
from interface import customer_queries_api
from interface.app import create_app
from interface.bootstrap import bootstrap
from tests.builders.common import individual_body
from tests.builders.environment import (
    JWT_SECRET,
    POSTGRES_ADMIN_URL,
    drop_postgres_database,
    new_postgres_database,
    require_postgres,
)
from tests.builders.http import BASE, PROBLEM, auth, field_names, head, stored_events

Client = TestClient[Any]
Register = Callable[..., dict[str, Any]]
SEGMENT = {"segment": "mass", "basis": "income"}


def is_problem(response: Any, status: int, code: str | None = None) -> dict[str, Any]:
    """Assert an RFC 9457 problem with `status` (and `code`); return its body."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith(PROBLEM), response.headers
    body: dict[str, Any] = response.json()
    assert body["status"] == status and body["title"] and body["detail"] and body["type"]
    if code is not None:
        assert body["code"] == code, body
    return body


def raw_request(
    client: Client, method: str, path: str, headers: list[tuple[bytes, bytes]], body: bytes = b""
) -> httpx.Response:
    """A request whose header bytes reach the app as sent (the test client re-encodes them as UTF-8)."""

    async def send() -> httpx.Response:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=client.app)) as raw:
            return await raw.send(httpx.Request(method, f"http://testserver{path}", headers=headers, content=body))

    return asyncio.run(send())


def bearer() -> list[tuple[bytes, bytes]]:
    return [(b"Authorization", auth()["Authorization"].encode())]


# --- query parameters: checked before any SQL, each refusal naming the parameter -------------------

HOSTILE_QUERIES = [
    ({"as_of": "\u00b2"}, "as_of"),  # "²".isdigit() is true, int("²") fails
    ({"as_of": "9" * 5000}, "as_of"),  # beyond int()'s digit limit
    ({"as_of": "9" * 19}, "as_of"),  # beyond a BIGINT
    ({"as_of": "9999-12-31T23:59:59-05:00"}, "as_of"),  # overflows converting to UTC
    ({"as_of": "0001-01-01T00:00:00+05:00"}, "as_of"),
    ({"page": str(10**30)}, "page"),  # the offset overflows a BIGINT
    ({"page": "1000001"}, "page"),
    ({"page_size": "\u00b2"}, "page_size"),
    ({"after": str(10**30)}, "after"),
    ({"after": "\u00b2"}, "after"),
    ({"name": "a\x00b"}, "name"),  # NUL
    ({"name": "a\u202eb"}, "name"),  # right-to-left override (a format character)
    ({"name": "a\u200bb"}, "name"),  # zero-width space
    ({"name": "a\x07b"}, "name"),  # a control character
    ({"name": "x" * 201}, "name"),  # over-long
    ({"segment": "mass\x00"}, "segment"),
    ({"registered_from": "9999-12-31T23:59:59-05:00"}, "registered_from"),
    ({"registered_to": "0001-01-01T00:00:00+05:00"}, "registered_to"),
    ({"reason": "r" * 501, "unmasked": "true"}, "reason"),
]


@pytest.mark.parametrize(
    ("params", "field"), HOSTILE_QUERIES, ids=[f"{f}-{i}" for i, (_, f) in enumerate(HOSTILE_QUERIES)]
)
def test_hostile_query_parameters_on_the_customers_register_are_422_naming_the_parameter(
    client: Client, params: dict[str, str], field: str
) -> None:
    response = client.get(BASE, params=params, headers=auth("admin"))

    assert field_names(is_problem(response, 422, "invalid-input")) == {field}


def _filler(parameter: str) -> str:
    """A path parameter that is no id: a version number, or a code."""
    return "1" if parameter == "{version}" else "x"


def _get_routes(client: Client, cid: str) -> list[tuple[str, list[str]]]:
    """Every GET route of the API (path parameters filled in) with its query parameters."""
    routes = []
    for path, item in client.get("/schema/openapi.json").json()["paths"].items():
        operation = item.get("get")
        if not operation or not path.startswith("/api/"):
            continue
        concrete = re.sub(r"\{[^}]*\}", lambda m: cid if "id" in m.group(0) else _filler(m.group(0)), path)
        routes.append((concrete, [p["name"] for p in operation.get("parameters", []) if p["in"] == "query"]))
    return routes


def test_every_query_parameter_of_every_register_refuses_nul_control_and_overlong_text(
    client: Client, register: Register
) -> None:
    cid = register(1)["id"]
    routes = _get_routes(client, cid)
    checked = 0

    for path, names in routes:
        for name in names:
            for value in ("a\x00b", "a\u202eb", "y" * 501):
                response = client.get(path, params={name: value}, headers=auth("admin"))

                assert field_names(is_problem(response, 422)) == {name}, (path, name, value)
                checked += 1
    assert checked > 100  # every register's filters, not a handful


def test_no_hostile_value_in_any_query_parameter_is_a_500(client: Client, register: Register) -> None:
    cid = register(2)["id"]
    values = ["\u00b2", "9" * 30, "-1", "0001-01-01", "00010101", "9999-12-31", "9999-12-31T23:59:59-05:00", "%'_"]

    for path, names in _get_routes(client, cid):
        for name in names:
            for value in values:
                response = client.get(path, params={name: value}, headers=auth("admin"))

                assert response.status_code < 500, (path, name, value, response.text)
                if response.status_code >= 400:
                    is_problem(response, response.status_code)


def test_a_nul_in_a_path_parameter_is_422_naming_it(client: Client, events: Callable[[], int]) -> None:
    before = events()
    response = client.post(
        f"/api/v1/complaints/{'0' * 8}-0000-4000-8000-{'0' * 12}/improvement-actions/a%00b/completion",
        json={},
        headers=auth("complaints_officer"),
    )

    assert field_names(is_problem(response, 422)) == {"action_id"}
    assert events() == before


# --- If-Match and the headers that reach events ---------------------------------------------------


def test_a_superscript_or_overlong_if_match_is_422_naming_if_match_and_records_nothing(
    client: Client, register: Register, events: Callable[[], int]
) -> None:
    cid = register(3)["id"]
    before = events()
    json_type = [(b"Content-Type", b"application/json")]
    body = b'{"segment": "mass", "basis": "income"}'

    for value in (b"\xb2", b'"\xb2"', b'W/"\xb9"', b"9" * 19, b"9" * 5000):
        response = raw_request(
            client, "POST", f"{BASE}/{cid}/segment", bearer() + json_type + [(b"If-Match", value)], body
        )

        assert field_names(is_problem(response, 422, "invalid-input")) == {"If-Match"}, value
    assert events() == before


@pytest.mark.parametrize("header", ["X-Correlation-Id", "X-Causation-Id", "Idempotency-Key"])
def test_headers_that_reach_events_are_bounded_printable_ascii_else_422_naming_them(
    client: Client, register: Register, events: Callable[[], int], header: str
) -> None:
    cid = register(4)["id"]
    before = events()
    json_type = [(b"Content-Type", b"application/json")]
    body = b'{"segment": "mass", "basis": "income"}'

    for value in (b"x" * 201, b"a\x01b", b"a\x7fb", b"caf\xc3\xa9", b"\xb2", b"tab\there"):
        response = raw_request(
            client, "POST", f"{BASE}/{cid}/segment", bearer() + json_type + [(header.encode(), value)], body
        )

        assert field_names(is_problem(response, 422, "invalid-input")) == {header}, value
    assert events() == before
    fine = client.post(f"{BASE}/{cid}/segment", json=SEGMENT, headers=auth(**{header: "x" * 200}))
    assert fine.status_code == 200, fine.text


# --- ?after= beyond the head of the log, and the bound on waiting reads --------------------------


def test_after_beyond_the_head_of_the_log_is_422_position_not_recorded_at_once(
    client: Client, register: Register, running_services: Any
) -> None:
    cid = register(5)["id"]
    beyond = head(running_services) + 1

    for path in ("", f"/{cid}", f"/{cid}/history", f"/{cid}/retention"):
        started = time.monotonic()
        response = client.get(f"{BASE}{path}", params={"after": beyond}, headers=auth("admin"))

        body = is_problem(response, 422, "position-not-recorded")
        assert field_names(body) == {"after"} and body["position"] == beyond
        assert time.monotonic() - started < 0.5, path
    for path in ("/api/v1/policies", "/api/v1/claims", "/api/v1/complaints", "/api/v1/audit/log"):
        is_problem(client.get(path, params={"after": beyond}, headers=auth("admin")), 422, "position-not-recorded")


@pytest.fixture
def idle_read_side(test_settings: Settings) -> Iterator[tuple[Client, Any]]:
    """A client whose reads would wait 5 s, over services whose projections do not run."""
    services = bootstrap(test_settings.model_copy(update={"read_wait_seconds": 5.0}), run_projections=False)
    try:
        with TestClient(app=create_app(services)) as test_client:
            yield test_client, services
    finally:
        services.close()


def test_beyond_the_bound_on_waiting_reads_a_read_that_would_wait_is_503_at_once(
    idle_read_side: tuple[Client, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    client, services = idle_read_side
    answer = client.post(BASE, json=individual_body(6), headers=auth()).json()
    full = threading.BoundedSemaphore(1)
    full.acquire()  # every waiting slot taken
    monkeypatch.setattr(interface.http, "_waiters", full)

    started = time.monotonic()
    response = client.get(BASE, params={"after": answer["position"]}, headers=auth())

    is_problem(response, 503, "read-side-behind")
    assert int(response.headers["Retry-After"]) >= 1
    assert time.monotonic() - started < 1.0
    services.read_side.catch_up()
    assert client.get(BASE, params={"after": answer["position"]}, headers=auth()).status_code == 200


# --- command bodies: JSON only, small, shallow ----------------------------------------------------


@pytest.mark.parametrize(
    "content_type",
    ["text/plain", "application/xml", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", None],
)
def test_a_command_body_not_declared_json_is_415_and_records_nothing(
    client: Client, register: Register, events: Callable[[], int], content_type: str | None
) -> None:
    cid = register(7)["id"]
    before = events()
    headers = auth(**({"Content-Type": content_type} if content_type else {}))

    for path in (BASE, f"{BASE}/{cid}/segment"):
        response = client.post(path, content=b'{"segment": "mass", "basis": "income"}', headers=headers)

        is_problem(response, 415, "unsupported-media-type")
    assert events() == before


def test_json_with_parameters_or_a_json_suffix_is_accepted(client: Client, register: Register) -> None:
    cid = register(8)["id"]
    body = b'{"segment": "mass", "basis": "income"}'

    response = client.post(
        f"{BASE}/{cid}/segment", content=body, headers=auth(**{"Content-Type": "application/json; charset=utf-8"})
    )
    assert response.status_code == 200, response.text
    response = client.post(
        f"{BASE}/{cid}/segment",
        content=b'{"segment": "senior", "basis": "age"}',
        headers=auth(**{"Content-Type": "application/vnd.inscribe+json"}),
    )
    assert response.status_code == 200, response.text


@pytest.mark.parametrize(
    "body",
    [
        "[" * 1000 + "]" * 1000,
        '{"segment":' * 1000 + '"mass"' + "}" * 1000,
        '{"segment": "mass", "basis": ' + "[" * 40 + "]" * 40 + "}",
    ],
    ids=["array-1000", "object-1000", "array-40"],
)
def test_json_nested_too_deep_is_400_invalid_json_and_records_nothing(
    client: Client, register: Register, events: Callable[[], int], body: str
) -> None:
    cid = register(9)["id"]
    before = events()

    response = client.post(
        f"{BASE}/{cid}/segment", content=body.encode(), headers=auth(**{"Content-Type": "application/json"})
    )

    assert field_names(is_problem(response, 400, "invalid-json")) == {"body"}
    assert events() == before


def test_brackets_inside_json_strings_are_text_not_depth(client: Client, register: Register) -> None:
    cid = register(14)["id"]
    body = '{"segment": "mass", "basis": "' + "[{" * 40 + '\\" ]]"}'

    response = client.post(
        f"{BASE}/{cid}/segment", content=body.encode(), headers=auth(**{"Content-Type": "application/json"})
    )

    assert response.status_code == 200, response.text


def test_malformed_json_is_400_invalid_json_and_records_nothing(
    client: Client, register: Register, events: Callable[[], int]
) -> None:
    cid = register(10)["id"]
    before = events()

    response = client.post(
        f"{BASE}/{cid}/segment", content=b"{segment: mass", headers=auth(**{"Content-Type": "application/json"})
    )

    assert field_names(is_problem(response, 400, "invalid-json")) == {"body"}
    assert events() == before


def test_a_body_over_one_mebibyte_is_413_and_records_nothing(
    client: Client, register: Register, events: Callable[[], int]
) -> None:
    cid = register(11)["id"]
    before = events()
    body = b'{"segment": "mass", "basis": "' + b"x" * (1024 * 1024) + b'"}'

    response = client.post(f"{BASE}/{cid}/segment", content=body, headers=auth(**{"Content-Type": "application/json"}))

    is_problem(response, 413, "payload-too-large")
    assert events() == before


# --- the unexpected: 500 with a correlation id the log names; a lost database: 503 ----------------


def _boom(*_: Any, **__: Any) -> Any:
    raise RuntimeError("boom: a secret detail")


def test_an_unexpected_error_is_a_500_problem_whose_correlation_id_the_log_names_with_the_traceback(
    client: Client, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr(customer_queries_api, "customer_filters", _boom)

    with caplog.at_level(logging.ERROR, logger="inscribe.api"):
        given = client.get(BASE, headers=auth(**{"X-Correlation-Id": "trace-me-42"}))
        fresh = client.get(BASE, headers=auth())

    body = is_problem(given, 500, "internal-error")
    assert body["correlation_id"] == "trace-me-42"
    assert "secret" not in given.text
    generated = is_problem(fresh, 500, "internal-error")["correlation_id"]
    assert re.fullmatch(r"[0-9a-f-]{36}", generated)
    for cid in ("trace-me-42", generated):
        records = [r for r in caplog.records if r.name == "inscribe.api" and cid in r.getMessage()]
        assert len(records) == 1, cid
        assert records[0].levelno == logging.ERROR and records[0].exc_info is not None
        assert records[0].exc_info[0] is RuntimeError
    assert "Traceback" in caplog.text and "boom: a secret detail" in caplog.text


def test_an_unexpected_error_in_a_command_is_a_500_problem_and_records_nothing(
    client: Client, events: Callable[[], int], monkeypatch: pytest.MonkeyPatch
) -> None:
    before = events()
    monkeypatch.setattr(customer_commands, "register_individual", _boom)

    response = client.post(BASE, json=individual_body(12), headers=auth(**{"X-Correlation-Id": "cmd-1"}))

    assert is_problem(response, 500, "internal-error")["correlation_id"] == "cmd-1"
    assert events() == before


@pytest.mark.parametrize(
    "error",
    [
        persistence.OperationalError("server closed the connection unexpectedly"),
        persistence.InterfaceError("the connection is closed"),
        psycopg.OperationalError("connection refused"),
        sqlalchemy.exc.OperationalError("SELECT 1", {}, Exception("server closed the connection")),
    ],
    ids=["eventsourcing-operational", "eventsourcing-interface", "psycopg", "sqlalchemy"],
)
def test_a_lost_database_is_503_database_unavailable_with_retry_after(
    client: Client, events: Callable[[], int], monkeypatch: pytest.MonkeyPatch, error: Exception
) -> None:
    def lost(*_: Any, **__: Any) -> Any:
        raise error

    before = events()
    monkeypatch.setattr(customer_commands, "register_individual", lost)
    monkeypatch.setattr(customer_queries_api, "customer_filters", lost)

    for response in (client.post(BASE, json=individual_body(13), headers=auth()), client.get(BASE, headers=auth())):
        body = is_problem(response, 503, "database-unavailable")
        assert int(response.headers["Retry-After"]) >= 1 and body["correlation_id"]
    assert events() == before


# --- PostgreSQL: connections terminated in the middle of a burst of commands ----------------------


@pytest.fixture
def postgres_services() -> Iterator[tuple[Any, str]]:
    """Services with projections running over a fresh PostgreSQL database (only PostgreSQL: the fault is
    terminating its connections), and the database's name."""
    require_postgres()
    url = new_postgres_database()
    services = bootstrap(Settings(database_url=url, jwt_secret=JWT_SECRET, read_wait_seconds=5.0), run_projections=True)
    try:
        yield services, url.rsplit("/", 1)[1]
    finally:
        services.close()
        drop_postgres_database(url)


def _terminate_connections(database: str) -> int:
    with psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True) as admin:
        row = admin.execute(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
            "WHERE datname = %s AND pid <> pg_backend_pid()",
            (database,),
        ).fetchone()
    return int(row[0]) if row else 0


def test_connections_terminated_mid_burst_give_201_or_503_and_retries_record_each_command_once(
    postgres_services: tuple[Any, str],
) -> None:
    services, database = postgres_services
    with TestClient(app=create_app(services)) as client:
        first = stored_events(services)
        assert client.post(BASE, json=individual_body(100), headers=auth()).status_code == 201
        per_registration = stored_events(services) - first
        before = stored_events(services)
        answers: dict[int, Any] = {}
        stop = threading.Event()
        killed: list[int] = []

        def killer() -> None:  # three rounds while the commands run
            for _ in range(3):
                if stop.wait(0.08):
                    return
                killed.append(_terminate_connections(database))

        def command(i: int) -> None:
            answers[i] = client.post(
                BASE, json=individual_body(200 + i), headers=auth(**{"Idempotency-Key": f"burst-{i}"})
            )

        workers = [threading.Thread(target=command, args=(i,)) for i in range(24)]
        kill_thread = threading.Thread(target=killer)
        kill_thread.start()
        for worker in workers:
            worker.start()
            time.sleep(0.01)
        for worker in workers:
            worker.join()
        stop.set()
        kill_thread.join()

        assert sum(killed) > 0
        statuses = {i: r.status_code for i, r in answers.items()}
        assert set(statuses.values()) <= {201, 503}, {
            i: answers[i].text for i in statuses if statuses[i] not in (201, 503)
        }
        for response in answers.values():
            if response.status_code == 503:
                is_problem(response, 503, "database-unavailable")
                assert response.headers["Retry-After"].isdigit()
        succeeded = sum(1 for s in statuses.values() if s == 201)
        assert stored_events(services) - before == succeeded * per_registration  # a 503 recorded nothing

        def retry(i: int) -> Any:
            return client.post(BASE, json=individual_body(200 + i), headers=auth(**{"Idempotency-Key": f"burst-{i}"}))

        final = {i: answers[i] if status == 201 else retry(i) for i, status in statuses.items()}
        assert all(r.status_code == 201 for r in final.values()), [r.text for r in final.values()]
        assert stored_events(services) - before == len(workers) * per_registration  # each command exactly once
        for i, response in final.items():  # and any later retry is answered from the first answer
            assert retry(i).json() == response.json()
        assert stored_events(services) - before == len(workers) * per_registration
