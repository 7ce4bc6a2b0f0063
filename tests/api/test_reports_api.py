"""The reports over HTTP (SPEC §8, §10): JSON and CSV that agree, groupings checked, the reports.read guard,
and `as_of` answering what the report answered then. The book of business is the one the integration tests
compute by hand (tests/integration/test_reports.py)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import pytest

from domain import clock
from domain.identifiers import china_today
from projections.reports import REPORTS
from tests.builders.book import Book
from tests.builders.desk import is_problem
from tests.builders.http import auth, field_names, head

BASE = "/api/v1/reports"
H1: dict[str, Any] = {"from": "2026-01-01", "to": "2026-06-30"}


@pytest.fixture
def book(running_services: Any) -> Iterator[Book]:
    simulated = clock.SimulatedClock(datetime(2025, 7, 1, 2, tzinfo=UTC))
    with clock.using(simulated):
        yield Book(running_services, simulated).build()


def get(
    client: Any, services: Any, path: str, role: str = "auditor", headers: dict[str, str] | None = None, **params: Any
) -> Any:
    if "as_of" not in params:
        params.setdefault("after", head(services))
    return client.get(f"{BASE}{path}", params=params, headers=auth(role, **(headers or {})))


def figures_of(values: dict[str, Any]) -> dict[str, Any]:
    """JSON figures as numbers: decimal text → Decimal, counts stay int, null stays None."""
    return {k: Decimal(v) if isinstance(v, str) else v for k, v in values.items()}


def parsed_csv(text: str) -> tuple[list[str], list[dict[str, Any]]]:
    """The CSV's header and rows, every figure parsed back (empty → None, whole numbers → int)."""
    reader = csv.DictReader(io.StringIO(text))
    rows = []
    for row in reader:
        key = reader.fieldnames[0] if reader.fieldnames else ""
        rows.append(
            {
                k: v if k == key else None if v == "" else int(v) if v.lstrip("-").isdigit() else Decimal(v)
                for k, v in row.items()
            }
        )
    return list(reader.fieldnames or []), rows


def test_json_and_csv_of_every_report_give_the_same_figures(client: Any, running_services: Any, book: Book) -> None:
    for name, spec in REPORTS.items():
        path = "/" + name.replace("_", "-")
        for group in (spec.group_by[0], spec.group_by[-1]):
            as_json = get(client, running_services, path, group_by=group, **H1)
            as_csv = get(client, running_services, path, group_by=group, format="csv", **H1)

            assert as_json.status_code == 200 and as_csv.status_code == 200, (as_json.text, as_csv.text)
            assert as_csv.headers["content-type"].startswith("text/csv")
            report = as_json.json()
            header, rows = parsed_csv(as_csv.text)
            assert header == [group, *report["figures"]]
            key = group
            expected = [{key: r[key], **figures_of({k: v for k, v in r.items() if k != key})} for r in report["rows"]]
            assert rows[:-1] == expected, (name, group)
            assert rows[-1] == {key: "total", **figures_of(report["totals"])}, (name, group)
            assert list(report["definitions"]) == report["figures"]


def test_the_figures_over_http_are_the_hand_computed_ones_and_text_csv_is_honoured(
    client: Any, running_services: Any, book: Book
) -> None:
    report = get(client, running_services, "/loss-ratio", **H1).json()
    by_accept = get(client, running_services, "/complaints", headers={"Accept": "text/csv"}, group_by="category", **H1)

    assert (report["group_by"], report["from"], report["to"]) == ("product", "2026-01-01", "2026-06-30")
    assert report["totals"]["earned_premium"] == "528.60" and report["totals"]["loss_ratio_pct"] == "7567.16"
    assert by_accept.headers["content-type"].startswith("text/csv")
    _, rows = parsed_csv(by_accept.text)
    assert {r["category"]: r["complaints_received"] for r in rows} == {"claims": 2, "sales": 1, "total": 3}


def test_a_report_asked_as_of_its_position_answers_the_same_after_more_events(
    client: Any, running_services: Any, book: Book
) -> None:
    first = get(client, running_services, "/complaints", group_by="category", **H1).json()
    with clock.using(book.clock):
        book.today(date(2026, 6, 25))
        book.complaint("K5", date(2026, 6, 15), category="service", channel="visit", holder="HA:holder")

    now = get(client, running_services, "/complaints", group_by="category", **H1).json()
    then = get(client, running_services, "/complaints", group_by="category", as_of=str(first["position"]), **H1)

    assert now["totals"]["complaints_received"] == 4 and now["position"] > first["position"]
    assert then.status_code == 200
    assert then.json() == first


def test_a_grouping_the_report_does_not_have_is_invalid_input_naming_group_by(client: Any) -> None:
    bad_group = client.get(f"{BASE}/loss-ratio", params={"group_by": "category"}, headers=auth("auditor"))
    bad_format = client.get(f"{BASE}/staff", params={"format": "xml"}, headers=auth("auditor"))
    backwards = client.get(
        f"{BASE}/complaints", params={"from": "2026-02-01", "to": "2026-01-01"}, headers=auth("auditor")
    )

    assert field_names(is_problem(bad_group, 422, "invalid-input")) == {"group_by"}
    assert "product, line, month" in bad_group.json()["detail"]
    assert field_names(is_problem(bad_format, 422)) == {"format"}
    assert field_names(is_problem(backwards, 422, "invalid-input")) == {"to"}


def test_only_roles_holding_reports_read_may_ask(client: Any) -> None:
    as_agent = client.get(f"{BASE}/loss-ratio", headers=auth("agent"))
    anonymous = client.get(f"{BASE}/loss-ratio")
    as_manager = client.get(f"{BASE}/claims-timeliness", headers=auth("claims_manager"))

    is_problem(as_agent, 403, "forbidden")
    is_problem(anonymous, 401)
    assert as_manager.status_code == 200
    today = china_today()  # by default: this calendar year to date
    assert (as_manager.json()["from"], as_manager.json()["to"]) == (
        date(today.year, 1, 1).isoformat(),
        today.isoformat(),
    )


def test_the_list_of_reports_and_the_openapi_document_carry_every_definition(client: Any) -> None:
    listing = client.get(f"{BASE}/", headers=auth("auditor")).json()
    schema = client.get("/schema/openapi.json").json()

    assert [r["name"] for r in listing] == list(REPORTS)
    assert listing[2]["path"] == "/api/v1/reports/complaints"
    assert "亿元保费投诉量" in listing[2]["definitions"]["per_100m_premium"]
    description = schema["paths"]["/api/v1/reports/loss-ratio"]["get"]["description"]
    assert all(figure in description for figure in REPORTS["loss_ratio"].definitions)
