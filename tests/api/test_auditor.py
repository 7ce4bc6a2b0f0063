"""The auditor reads everything and changes nothing (SPEC §10, issue #6): every command route of the
whole API, found from the app's own routing table, refuses an auditor token with 403 and records
nothing; every register and report answers the auditor."""

from __future__ import annotations

import re
import uuid
from typing import Any

from litestar.testing import TestClient

from tests.builders.http import PROBLEM, auth, stored_events

WRITES = {"POST", "PUT", "PATCH", "DELETE"}


def routes(client: TestClient[Any]) -> list[tuple[str, str]]:
    """(method, path) of every route, path parameters filled with a random id (a number: 1)."""
    found = []
    for route in client.app.routes:
        for method in getattr(route, "methods", set()):
            numbered = re.sub(r"\{[^}]+:int\}", "1", route.path)
            path = re.sub(r"\{[^}]+\}", str(uuid.uuid4()), numbered)
            found.append((method, path))
    return sorted(found)


def test_every_command_route_refuses_the_auditor_and_records_nothing(
    client: TestClient[Any], running_services: Any
) -> None:
    commands = [
        (m, p) for m, p in routes(client) if m in WRITES and p.startswith("/api/")
    ]  # the console: tests/console
    assert len(commands) > 60  # customers, policies, claims, complaints, service requests, quotes…
    assert any("/claims/" in p for _, p in commands) and any("/erasure" in p for _, p in commands)
    before = stored_events(running_services)
    allowed = []
    for method, path in commands:
        if path == "/api/v1/quotes":
            continue  # a quote is a calculation that records nothing: every role may ask (permissions.py)
        response = client.request(method, path, json={}, headers=auth("auditor", "audrey"))
        if response.status_code != 403:
            allowed.append((method, path, response.status_code))
        else:
            assert response.headers["content-type"].startswith(PROBLEM)
    assert allowed == []
    assert stored_events(running_services) == before


def test_every_register_and_report_list_answers_the_auditor(client: TestClient[Any]) -> None:
    lists = [
        p
        for m, p in routes(client)
        if m == "GET"
        and p.startswith("/api/v1/")
        and "-" not in p.split("/")[-1]
        and not re.search(r"[0-9a-f]{8}-", p)
        and "/export" not in p
        and "/verify" not in p
    ]
    assert {"/api/v1/claims", "/api/v1/policies", "/api/v1/complaints", "/api/v1/customers"} <= set(lists)
    refused = {}
    for path in lists:
        response = client.get(path, headers=auth("auditor", "audrey"))
        if response.status_code != 200:
            refused[path] = response.status_code
    assert refused == {}
