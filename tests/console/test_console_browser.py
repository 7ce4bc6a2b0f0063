"""The console in a real headless Chromium, on SQLite and PostgreSQL: signing in, a register filtered and
paged with its CSV, "as of" showing older values, a timeline and a version diff, a queue in the order of
its clock, a chart with the report's figures, the auditor's read-only console, and an unmasked read
recorded. The books are written through the API (the desk) and read through the console."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from playwright.sync_api import Page, expect

from tests.builders import claims_http as claims
from tests.builders.desk import START, Desk
from tests.builders.http import head

NewPage = Callable[..., Page]
re_sign_in = re.compile(r".*/console/sign-in\?next=%2Fconsole%2Faudit(%2F)?$")


def settled(desk: Desk) -> int:
    """Every projection at the head of the log (the console reads "now"); the head."""
    position = head(desk.services)
    desk.services.read_side.wait_for(position, timeout=15)
    return position


def cells(page: Page, column: str, table: str = "register") -> list[str]:
    return page.locator(f"[data-testid={table}] td[data-column={column}]").all_inner_texts()


def test_signing_in_takes_a_valid_token_only_and_a_register_is_filtered_paged_and_downloaded(
    desk: Desk, new_page: NewPage
) -> None:
    for seed in (1, 2, 3):
        desk.in_force(desk.customer(seed))  # term_life
    claims.home_policy(desk, seed=4)  # home_property
    settled(desk)

    stranger = new_page(None)
    stranger.goto("/console/registers/policies")
    stranger.fill("#token", "not-a-token")
    stranger.click("form.card button[type=submit]")
    expect(stranger.get_by_role("alert")).to_contain_text("not valid")
    page = new_page("claims_manager", "mo")
    page.goto("/console/registers/policies?page_size=2")
    page.fill("#f-product_code", "term_life")
    page.click("form.filters button[type=submit]")

    expect(page.get_by_test_id("total")).to_contain_text("3")
    expect(page.get_by_test_id("page")).to_contain_text("1 / 2")
    assert cells(page, "product_code") == ["term_life", "term_life"]
    page.click("a[rel=next]")
    expect(page.get_by_test_id("page")).to_contain_text("2 / 2")
    assert cells(page, "product_code") == ["term_life"]
    with page.expect_download() as download:
        page.get_by_test_id("csv").click()
    rows = list(csv.DictReader(io.StringIO(download.value.path().read_text(encoding="utf-8"))))
    assert [r["product_code"] for r in rows] == ["term_life"] * 3
    expect(page.get_by_test_id("user")).to_have_text("mo")


def test_as_of_shows_the_books_as_they_stood_and_the_timeline_diffs_two_versions(desk: Desk, new_page: NewPage) -> None:
    customer = desk.customer(1)
    policy_id = desk.apply(customer)
    before_payment = settled(desk)
    desk.pay(policy_id, START)
    settled(desk)
    page = new_page("auditor")

    page.goto("/console/registers/policies")
    assert cells(page, "status") == ["in_force"]
    page.fill("#as_of", str(before_payment))
    page.click("form.asof button[type=submit]")
    expect(page.get_by_test_id("as-of-banner")).to_contain_text(str(before_payment))
    assert cells(page, "status") == [desk.policy(policy_id, as_of=str(before_payment))["status"]]
    assert cells(page, "status") != ["in_force"]
    page.goto("/console/registers/policies")
    page.get_by_role("link", name="时间线").first.click()

    events = desk.history(policy_id)
    timeline = page.get_by_test_id("timeline")
    expect(timeline.locator("li")).to_have_count(len(events))
    expect(timeline).to_contain_text(events[0]["metadata"]["command_id"])
    expect(timeline).to_contain_text("alice (agent)")
    page.select_option("#from", "1")
    page.select_option("#to", str(events[-1]["version"]))
    page.click("form.compare button[type=submit]")
    status_row = page.get_by_test_id("diff").locator("tr", has=page.locator("th", has_text="status")).first
    expect(status_row).to_contain_text("in_force")
    page.locator("#v1 a", has_text="该事件后的状态").click()
    first = desk.policy(policy_id, as_of=str(events[0]["position"]))
    state = page.get_by_test_id("state")
    expect(state.locator("dd").nth(list(first).index("status"))).to_have_text(first["status"])
    assert first["status"] != "in_force"


def test_the_claims_queue_is_in_decision_due_order_and_a_chart_draws_the_reports_figures(
    desk: Desk, new_page: NewPage
) -> None:
    late_policy, late_holder = claims.home_policy(desk, seed=1)
    early_policy, early_holder = claims.home_policy(desk, seed=2)
    claims.report(desk, late_policy, late_holder, START + timedelta(days=8), START + timedelta(days=9))
    claims.report(desk, early_policy, early_holder, START + timedelta(days=1), START + timedelta(days=2))
    settled(desk)
    expected = desk.get("/api/v1/claims", sort="decision_due_on", open="true")["items"]
    report = desk.get("/api/v1/reports/loss-ratio", role="auditor", group_by="line", **{"from": "2025-01-01"})
    page = new_page("claims_manager", "mo")

    page.goto("/console/queues/claims")
    due = cells(page, "due", "queue")
    assert due == sorted(due) and len(due) == 2
    assert cells(page, "claim_number", "queue") == [c["claim_number"] for c in expected]
    assert all("核定（第23条）" in clocks for clocks in cells(page, "clocks", "queue"))
    page.goto("/console/charts/loss-ratio?from=2025-01-01&group_by=line&figure=loss_ratio_pct")

    bars = page.locator("[data-testid=chart] g.bar")
    drawn = {
        bars.nth(i).get_attribute("data-group"): bars.nth(i).get_attribute("data-value") for i in range(bars.count())
    }
    assert drawn == {r["line"]: r["loss_ratio_pct"] or "—" for r in report["rows"]}
    expect(page.locator("figcaption")).to_contain_text(report["definitions"]["loss_ratio_pct"])
    expect(page.get_by_role("heading", level=1)).to_have_text("赔付率")  # Chinese by default
    expect(page.locator("#figure option[selected]")).to_have_text("赔付率（%）")


def test_the_auditor_has_no_command_control_and_cannot_post_and_an_unmasked_read_is_recorded(
    desk: Desk, new_page: NewPage
) -> None:
    customer = desk.customer(1)
    identity = desk.get(f"/api/v1/customers/{customer}", role="agent", unmasked="true", reason="setup")
    stored = desk.events()
    settled(desk)
    auditor = new_page("auditor", "aud")

    for path in ("/console/registers/customers", f"/console/timeline/customer/{customer}", "/console/queues/claims"):
        auditor.goto(path)
        posts = auditor.locator("form[method=post]")
        assert [posts.nth(i).get_attribute("action") for i in range(posts.count())] == ["/console/sign-out"]
        expect(auditor.locator("#reason")).to_have_count(0)  # no unmasked read for the auditor
    answered = auditor.evaluate(
        """async () => (await fetch('/api/v1/customers', {method: 'POST', headers: {'Content-Type':
        'application/json'}, body: JSON.stringify({kind: 'individual'})})).status"""
    )
    forged = auditor.evaluate("async () => (await fetch('/console/sign-out', {method: 'POST'})).status")
    assert (answered, forged) == (401, 403)
    assert desk.events() == stored
    agent = new_page("agent", "alice")
    agent.goto("/console/registers/customers")
    expect(agent.get_by_test_id("register")).not_to_contain_text(identity["identity_number"])
    agent.check("input[name=unmasked]")
    agent.fill("#reason", "客户来电核实身份")
    agent.click("form.filters button[type=submit]")

    expect(agent.get_by_test_id("register")).to_contain_text(identity["identity_number"])
    assert desk.events() == stored + 1
    last = desk.get("/api/v1/audit/log", sort="-position", page_size=1)["items"][0]
    assert (last["event_type"], last["actor_id"], last["reason"]) == ("Disclosed", "alice", "客户来电核实身份")


def test_the_console_speaks_english_when_asked(desk: Desk, new_page: NewPage) -> None:
    page: Any = new_page("auditor")

    page.get_by_role("link", name="English").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Inscribe console for audit and supervision")
    page.goto("/console/registers/policies")
    expect(page.get_by_role("heading", level=1)).to_have_text("Policies")


def test_an_auditor_verifies_the_chain_with_its_progress_and_signs_out(desk: Desk, new_page: NewPage) -> None:
    for seed in (1, 2, 3):
        desk.customer(seed)
    stored = desk.events()
    page = new_page("auditor", "aud")

    page.goto("/console/audit/")
    page.get_by_role("button", name="校验哈希链").click()
    outcome = page.get_by_test_id("verification-outcome")
    expect(outcome).to_contain_text("哈希链完整")
    expect(page.get_by_test_id("checked")).to_have_text(str(stored))
    page.get_by_role("button", name="退出").click()
    page.wait_for_url("**/console/sign-in")
    page.goto("/console/audit/")
    expect(page).to_have_url(re_sign_in)
