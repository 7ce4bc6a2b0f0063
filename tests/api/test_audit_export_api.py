"""GET /api/v1/audit/export (SPEC §9 Export): an auditor downloads a package that verifies offline;
other roles are refused; a range that makes no sense is a 422 problem naming the parameter."""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import pytest
from litestar.testing import TestClient

from application.infrastructure.audit_package import verify_package
from domain.identifiers import china_today
from tests.builders.http import PROBLEM, auth, field_names, head

EXPORT = "/api/v1/audit/export"
Client = TestClient[Any]


@pytest.fixture
def history(register: Callable[..., dict[str, Any]], running_services: Any) -> int:
    """A few customers registered over HTTP; the head of the log."""
    for seed in range(3):
        register(seed)
    return head(running_services)


def test_an_auditor_downloads_the_whole_log_as_a_package_that_verifies(client: Client, history: int) -> None:
    response = client.get(EXPORT, headers=auth("auditor"))

    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/zip"
    assert response.headers["content-disposition"] == f'attachment; filename="inscribe-audit-1-{history}.zip"'
    result = verify_package(io.BytesIO(response.content))
    assert result.ok, result.finding
    assert result.manifest is not None and result.events == history
    assert result.manifest["last_position"] == history


def test_today_china_time_holds_everything_and_a_position_range_holds_its_stretch(client: Client, history: int) -> None:
    today = china_today().isoformat()

    by_day = client.get(EXPORT, params={"from": today, "to": today}, headers=auth("admin"))
    by_position = client.get(EXPORT, params={"from_position": 2, "to_position": 3}, headers=auth("auditor"))

    day, stretch = verify_package(io.BytesIO(by_day.content)), verify_package(io.BytesIO(by_position.content))
    assert day.ok and stretch.ok
    assert day.events == history
    assert f'filename="inscribe-audit-{today}_{today}.zip"' in by_day.headers["content-disposition"]
    assert stretch.manifest is not None and stretch.events == 2
    assert (stretch.manifest["first_position"], stretch.manifest["last_position"]) == (2, 3)


def test_a_period_before_anything_was_recorded_gives_an_empty_package(client: Client, history: int) -> None:
    response = client.get(EXPORT, params={"from": "2001-01-01", "to": "2001-01-31"}, headers=auth("auditor"))

    result = verify_package(io.BytesIO(response.content))
    assert response.status_code == 200 and result.ok and result.events == 0


@pytest.mark.parametrize("role", ["agent", "claims_handler", "underwriter"])
def test_roles_without_audit_read_are_refused(client: Client, history: int, role: str) -> None:
    response = client.get(EXPORT, headers=auth(role))

    assert response.status_code == 403
    assert response.headers["content-type"].startswith(PROBLEM)


def test_no_token_is_401(client: Client) -> None:
    assert client.get(EXPORT).status_code == 401


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"from": "2025-03-02", "to": "2025-03-01"}, "to"),
        ({"from_position": 9, "to_position": 3}, "to_position"),
        ({"from_position": 0}, "from_position"),
        ({"from": "2025-03-01", "from_position": 3}, "from"),
        ({"from": "March"}, "from"),
    ],
)
def test_a_range_that_makes_no_sense_is_a_422_naming_the_parameter(
    client: Client, params: dict[str, Any], field: str
) -> None:
    response = client.get(EXPORT, params=params, headers=auth("auditor"))

    assert response.status_code == 422, response.text
    assert response.headers["content-type"].startswith(PROBLEM)
    assert field in field_names(response.json())


def test_a_future_end_day_stops_at_the_head(client: Client, history: int) -> None:
    later = (date.today() + timedelta(days=400)).isoformat()

    response = client.get(EXPORT, params={"to": later}, headers=auth("auditor"))

    result = verify_package(io.BytesIO(response.content))
    assert result.ok and result.manifest is not None and result.manifest["range"]["to_position"] == history
