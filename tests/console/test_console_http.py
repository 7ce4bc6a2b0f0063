"""The console over HTTP, on SQLite and PostgreSQL: the session cookie and CSRF, where signing in may send
the browser, bad input shown as the API's problem with nothing recorded, and the audit page (verification
with progress, an audit package downloaded and checked)."""

from __future__ import annotations

import io
import re
import time
import zipfile
from typing import Any

from litestar.testing import TestClient

from interface.auth import mint_token
from tests.builders.desk import Desk, answers
from tests.builders.environment import JWT_SECRET


def csrf(client: TestClient[Any], path: str = "/console/sign-in") -> str:
    """The CSRF token a console form carries (the GET sets its cookie)."""
    found = re.search(r'name="_csrf_token" value="([^"]+)"', client.get(path).text)
    assert found is not None
    return found.group(1)


def sign_in(client: TestClient[Any], role: str = "auditor", sub: str = "aud", next_: str = "/console/") -> Any:
    token = mint_token(JWT_SECRET, sub, role)
    return client.post(
        "/console/sign-in", data={"token": token, "next": next_, "_csrf_token": csrf(client)}, follow_redirects=False
    )


def test_the_session_cookie_is_http_only_strict_and_scoped_to_the_console(client: TestClient[Any]) -> None:
    answer = sign_in(client)

    assert answer.status_code == 303 and answer.headers["location"] == "/console/"
    cookie = next(c for c in answer.headers.get_list("set-cookie") if c.startswith("inscribe_console="))
    assert "HttpOnly" in cookie and "samesite=strict" in cookie.lower() and "Path=/console" in cookie
    assert client.get("/console/", follow_redirects=False).status_code == 200


def test_signing_in_without_the_csrf_token_or_with_a_bad_token_is_refused(client: TestClient[Any]) -> None:
    token = mint_token(JWT_SECRET, "aud", "auditor")

    without = client.post("/console/sign-in", data={"token": token}, follow_redirects=False)
    forged = client.post(
        "/console/sign-in", data={"token": token[:-2] + "xx", "_csrf_token": csrf(client)}, follow_redirects=False
    )

    assert without.status_code == 403 and "inscribe_console=" not in without.headers.get("set-cookie", "")
    assert forged.status_code == 401 and "not valid" in forged.text
    assert (
        client.get("/console/registers/policies", follow_redirects=False)
        .headers["location"]
        .startswith("/console/sign-in?next=%2Fconsole%2Fregisters%2Fpolicies")
    )


def test_after_signing_in_the_browser_goes_only_to_a_console_page(client: TestClient[Any]) -> None:
    for target in ("https://evil.example/", "//evil.example/console", "/api/v1/customers", "/console\\..\\x"):
        assert sign_in(client, next_=target).headers["location"] == "/console/"
    assert sign_in(client, next_="/console/queues/claims").headers["location"] == "/console/queues/claims"


def test_the_console_cookie_opens_no_api_operation(client: TestClient[Any], desk: Desk) -> None:
    sign_in(client, role="admin", sub="root")
    stored = desk.events()

    read = client.get("/api/v1/customers")
    command = client.post("/api/v1/customers", json={"kind": "individual"})

    assert (read.status_code, command.status_code) == (401, 401)
    assert desk.events() == stored


def test_bad_input_shows_the_apis_problem_naming_the_field_and_records_nothing(
    client: TestClient[Any], desk: Desk
) -> None:
    sign_in(client, role="agent", sub="alice")
    stored = desk.events()

    bad_as_of = client.get("/console/registers/policies", params={"as_of": "yesterday-ish"})
    no_reason = client.get("/console/registers/customers", params={"unmasked": "true"})
    control = client.get("/console/registers/policies", params={"status": "in\u0000force"})
    unknown = client.get("/console/registers/nothing")
    edge = client.get("/console/queues/claims", params={"as_of": "9999-12-31T23:59:59-12:00"})
    bad_digest = client.get("/console/audit/verification", params={"against": "12:not-a-hash"})

    assert bad_as_of.status_code == 422 and "<code>as_of</code>" in bad_as_of.text
    assert no_reason.status_code == 422 and "<code>reason</code>" in no_reason.text
    assert control.status_code == 422 and "<code>status</code>" in control.text
    assert unknown.status_code == 404
    assert edge.status_code == 422 and "<code>as_of</code>" in edge.text
    assert bad_digest.status_code == 403  # an agent may not verify the chain (audit.read)
    assert desk.events() == stored


def test_a_role_without_the_audit_right_does_not_reach_the_audit_page(client: TestClient[Any]) -> None:
    sign_in(client, role="agent", sub="alice")

    assert client.get("/console/audit/").status_code == 403
    assert client.get("/console/charts/loss-ratio").status_code == 403  # reports.read
    assert 'href="/console/audit' not in client.get("/console/").text


def test_the_chain_is_verified_with_progress_and_a_downloaded_package_checks_out(
    client: TestClient[Any], desk: Desk
) -> None:
    for seed in (1, 2):
        desk.customer(seed)
    sign_in(client)
    digest = re.search(r'data-testid="digest">(\d+):(\w+)<', client.get("/console/audit/").text)
    assert digest is not None

    bad = client.get("/console/audit/verification", params={"against": "12:not-a-hash"})
    started = client.get("/console/audit/verification", params={"against": f"{digest[1]}:{digest[2]}"})
    job = re.search(r'data-url="(/console/audit/verification/[\w-]+)"', started.text)
    assert job is not None
    deadline = time.monotonic() + 30
    while not (state := client.get(job[1], headers={"Accept": "application/json"}).json())["done"]:
        assert time.monotonic() < deadline
        time.sleep(0.05)
    package = client.get("/console/audit/export")
    tampered = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(package.content)) as source, zipfile.ZipFile(tampered, "w") as target:
        for item in source.infolist():
            data = source.read(item)
            target.writestr(
                item, data.replace(b'"version":1', b'"version":2', 1) if "events" in item.filename else data
            )
    token = csrf(client, "/console/audit/")
    checked = client.post(
        "/console/audit/package", files={"package": ("a.zip", package.content)}, data={"_csrf_token": token}
    )
    failed = client.post(
        "/console/audit/package", files={"package": ("b.zip", tampered.getvalue())}, data={"_csrf_token": token}
    )

    assert bad.status_code == 422 and "<code>against</code>" in bad.text
    assert state["ok"] is True and state["checked"] == state["total"] == int(digest[1])
    assert package.headers["content-type"] == "application/zip"
    assert checked.status_code == 200 and 'data-testid="package-outcome"' in checked.text
    assert f"chain head {digest[1]}:{digest[2]}" in checked.text
    assert failed.status_code == 422


def test_the_examinations_queue_lists_the_cases_waiting_by_due_date_late_the_day_after(
    client: TestClient[Any], desk: Desk
) -> None:
    from datetime import date

    policy_id = desk.apply(desk.customer(1), adverse=("hypertension",))
    order = {"kind": "medical", "reason": "blood pressure at application", "on": desk.on(date(2025, 1, 13))}
    desk.command(f"/api/v1/policies/{policy_id}/examinations", order, role="underwriter", status=201)
    sign_in(client, role="underwriter", sub="uw-1")

    on_the_last_day = client.get("/console/queues/examinations", params={"as_of": "2025-02-05"})
    the_day_after = client.get("/console/queues/examinations", params={"as_of": "2025-02-06"})

    for page in (on_the_last_day, the_day_after):
        assert page.status_code == 200, page.text
        assert policy_id in page.text and '<td data-column="due">2025-02-05</td>' in page.text
    assert 'class="overdue"' not in on_the_last_day.text
    assert 'class="overdue"' in the_day_after.text


def test_the_product_versions_and_bundles_registers_show_the_catalogue_and_a_bundle(
    client: TestClient[Any], desk: Desk
) -> None:
    holder = desk.customer(1)
    cover = {"insured_id": holder, "relationship": "self", "term_months": 12, "premium_mode": "annual"}
    accident = {
        **cover,
        "product_code": "personal_accident",
        "sum_insured": "200000",
        "disclosures": answers("personal_accident"),
        "beneficiaries": [{"name": "王芳", "share": "100"}],
    }
    home = {
        **cover,
        "relationship": "owner",
        "product_code": "home_property",
        "sum_insured": "800000",
        "declared_property_value": "1000000",
        "disclosures": answers("home_property"),
    }
    bundle = desk.command("/api/v1/bundles", {"applicant_id": holder, "items": [accident, home]}, status=201)
    desk.get(f"/api/v1/bundles/{bundle['id']}")  # (the read side has it)
    sign_in(client, role="product_manager", sub="pm-1")

    versions = client.get("/console/registers/product-versions")
    bundles = client.get("/console/registers/bundles")

    assert versions.status_code == 200 and bundles.status_code == 200, (versions.text, bundles.text)
    assert "term_life" in versions.text and "critical_illness" in versions.text
    assert bundle["id"] in bundles.text and f"/console/timeline/bundle/{bundle['id']}" in bundles.text
    timeline = client.get(f"/console/timeline/bundle/{bundle['id']}")
    assert timeline.status_code == 200 and "Proposed" in timeline.text
