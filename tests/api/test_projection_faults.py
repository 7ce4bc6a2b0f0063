"""A projection that fails on an event holds back only itself (SPEC §8 Faults), through HTTP on SQLite
and PostgreSQL: the operator sees it faulted, registers that do not depend on it answer `?after=`, and
once the cause is gone it catches up by itself."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import pytest
from litestar.testing import TestClient

from tests.builders.common import individual_body
from tests.builders.http import BASE, PROBLEM, auth


def until(condition: Callable[[], bool], timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.05)


def test_a_faulted_projection_shows_in_the_status_holds_back_only_its_register_and_recovers(
    client: TestClient[Any], running_services: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    read_side = running_services.read_side
    read_side.retry_delay = 0.2
    first = client.post(BASE, json=individual_body(1), headers=auth()).json()
    projection = read_side.projections["customers"]
    original = projection.apply

    def apply(event: Any, position: int, batch: Any) -> None:
        if position > first["position"]:
            raise RuntimeError("the customers register cannot take this")
        original(event, position, batch)

    monkeypatch.setattr(projection, "apply", apply)

    second = client.post(BASE, json=individual_body(2), headers=auth()).json()
    audit = client.get(f"/api/v1/audit/log?after={second['position']}", headers=auth("auditor"))
    until(lambda: "customers" in read_side.faults())
    started = time.monotonic()
    behind = client.get(f"{BASE}?after={second['position']}", headers=auth())
    waited = time.monotonic() - started

    def states() -> dict[str, Any]:
        return {s["name"]: s for s in client.get("/api/v1/projections", headers=auth("admin")).json()}

    # The others are applied one by one after the failure: they reach the head, customers never does.
    until(lambda: {s["state"] for name, s in states().items() if name != "customers"} == {"up-to-date"})
    status = states()

    assert audit.status_code == 200, audit.text  # the audit log does not depend on the customers register
    assert behind.status_code == 503 and behind.headers["content-type"].startswith(PROBLEM)
    assert behind.headers["Retry-After"]
    assert waited < 2 and "customers faulted" in behind.json()["detail"]  # no wait for what waiting cannot bring
    customers = status["customers"]
    assert customers["state"] == "faulted"
    assert customers["position"] == first["position"]
    assert customers["failing_position"] == first["position"] + 1  # the first event of the second command
    assert "the customers register cannot take this" in customers["error"]
    assert customers["since"] and customers["attempts"] >= 1
    assert {s["state"] for name, s in status.items() if name != "customers"} == {"up-to-date"}

    monkeypatch.undo()
    until(lambda: client.get(f"{BASE}?after={second['position']}", headers=auth()).status_code == 200)
    caught_up = client.get(f"{BASE}?after={second['position']}", headers=auth())

    assert caught_up.status_code == 200, caught_up.text
    assert {c["id"] for c in caught_up.json()["items"]} == {first["id"], second["id"]}
    status = {s["name"]: s for s in client.get("/api/v1/projections", headers=auth("admin")).json()}
    assert status["customers"]["state"] == "up-to-date" and status["customers"]["error"] is None
