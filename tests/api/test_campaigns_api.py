"""Campaigns over HTTP (营销活动策划, guide 2.1 (5); SPEC §13), on SQLite and PostgreSQL: a campaign planned by
marketing, running from its first day to its last; a customer of its segment who consented to marketing contacted
by an agent (the caller is the staff member), one who did not refused; the interested customer's application
linked and issued; the conversion report and the register as of any moment. Refusals name the field or rule and
record nothing; only marketing plans."""

from __future__ import annotations

from datetime import date
from typing import Any

from tests.builders.desk import START, Desk, is_problem

D = date
CAMPAIGNS = "/api/v1/campaigns"
REPORT = "/api/v1/reports/campaign-conversion"


def plan_body(desk: Desk, on: date, **fields: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "name": "安心家庭计划",
        "objective": "term life for young families",
        "segments": ["young_family"],
        "channel": "phone",
        "product_codes": ["term_life"],
        "starts_on": on.isoformat(),
        "ends_on": "2025-02-28",
        "owner_id": "mk-1",
        "on": desk.on(on),
    }
    body.update(fields)
    return body


def reachable(desk: Desk, seed: int, consent: bool = True) -> str:
    customer = desk.customer(seed)
    desk.command(f"/api/v1/customers/{customer}/segment", {"segment": "young_family", "basis": "age 32, 1 child"})
    if consent:
        desk.command(f"/api/v1/customers/{customer}/consents", {"purpose": "marketing"})
    return customer


def test_a_campaign_contacts_consenting_customers_links_their_applications_and_reports_its_conversion(
    desk: Desk,
) -> None:
    first, silent = reachable(desk, 1), reachable(desk, 2, consent=False)
    cid = str(desk.command(CAMPAIGNS, plan_body(desk, START), role="marketing", status=201)["id"])
    assert desk.get(f"{CAMPAIGNS}/{cid}", today="2025-01-09")["phase"] == "upcoming"
    assert desk.get(f"{CAMPAIGNS}/{cid}", today="2025-02-28")["phase"] == "running"
    assert desk.get(f"{CAMPAIGNS}/{cid}", today="2025-03-01")["phase"] == "ended"

    contacted = desk.command(
        f"{CAMPAIGNS}/{cid}/contacts", {"customer_id": first, "outcome": "interested", "on": desk.on(START)}
    )
    before = desk.events()
    refused = desk.post(f"{CAMPAIGNS}/{cid}/contacts", {"customer_id": silent, "outcome": "interested"})
    is_problem(refused, 409, "no-marketing-consent")
    assert desk.events() == before

    policy = desk.in_force(first, on=START)
    desk.command(f"{CAMPAIGNS}/{cid}/applications", {"policy_id": policy}, role="marketing")
    is_problem(
        desk.post(f"{CAMPAIGNS}/{cid}/applications", {"policy_id": policy}, role="marketing"), 409, "application-linked"
    )
    (contact,) = desk.get(f"{CAMPAIGNS}/contacts", campaign_id=cid)["items"]
    assert (contact["customer_id"], contact["outcome"], contact["staff_id"]) == (first, "interested", "alice")
    (link,) = desk.get(f"{CAMPAIGNS}/applications", campaign_id=cid)["items"]
    assert (link["policy_id"], link["customer_id"], link["applied_on"]) == (policy, first, START.isoformat())

    period = {"from": "2025-01-01", "to": "2025-03-31", "group_by": "campaign"}
    (row,) = desk.get(REPORT, **period)["rows"]
    premium = desk.policy(policy)["annual_premium"]
    assert (row["campaign"], row["customers_contacted"], row["prospects"], row["applications"], row["policies"]) == (
        cid,
        1,
        1,
        1,
        1,
    )
    assert (row["premium"], row["conversion_pct"]) == (premium, "100.00")
    then = desk.get(REPORT, as_of=contacted["position"], **period)["totals"]
    assert (then["customers_contacted"], then["applications"], then["policies"]) == (1, 0, 0)
    assert desk.get(f"{CAMPAIGNS}/{cid}", as_of=contacted["position"])["applications"] == 0

    desk.command(
        f"{CAMPAIGNS}/{cid}/closure", {"reason": "period over", "on": desk.on(D(2025, 3, 31))}, role="marketing"
    )
    is_problem(
        desk.post(f"{CAMPAIGNS}/{cid}/contacts", {"customer_id": first, "outcome": "callback"}),
        409,
        "invalid-campaign-transition",
    )
    assert [c["campaign_id"] for c in desk.get(CAMPAIGNS, phase="closed")["items"]] == [cid]
    assert len(desk.get(f"{CAMPAIGNS}/{cid}/history")["events"]) == 4


def test_a_contact_runs_to_the_last_day_and_bad_input_names_the_field_and_records_nothing(desk: Desk) -> None:
    customer = reachable(desk, 3)
    cid = str(desk.command(CAMPAIGNS, plan_body(desk, START), role="marketing", status=201)["id"])
    desk.command(f"{CAMPAIGNS}/{cid}/contacts", {"customer_id": customer, "outcome": "no_answer", "on": "2025-02-28"})
    before = desk.events()
    late = desk.post(
        f"{CAMPAIGNS}/{cid}/contacts", {"customer_id": customer, "outcome": "no_answer", "on": "2025-03-01"}
    )
    is_problem(late, 409, "campaign-ended")
    for fields, field in (
        ({"segments": []}, "segments"),
        ({"segments": ["whales"]}, "segments"),
        ({"channel": "pigeon"}, "channel"),
        ({"ends_on": "2025-01-09"}, "ends_on"),
        ({"product_codes": ["no_such_product"]}, "product_codes[0]"),
        ({"name": "x" * 201}, "name"),
    ):
        problem = is_problem(desk.post(CAMPAIGNS, plan_body(desk, START, **fields), role="marketing"), 422)
        assert field in str(problem), problem
    is_problem(desk.post(f"{CAMPAIGNS}/{cid}/contacts", {"customer_id": customer, "outcome": "maybe"}), 422)
    unknown = "7c9e6679-7425-40de-944b-e07fc1f90ae7"
    is_problem(desk.post(f"{CAMPAIGNS}/{cid}/contacts", {"customer_id": unknown, "outcome": "interested"}), 404)
    is_problem(desk.post(f"{CAMPAIGNS}/{cid}/applications", {"policy_id": unknown}, role="marketing"), 404)
    is_problem(desk.post(CAMPAIGNS, plan_body(desk, START), role="agent"), 403)
    is_problem(desk.post(f"{CAMPAIGNS}/{cid}/contacts", {"customer_id": customer, "outcome": "x"}, role="auditor"), 403)
    assert desk.events() == before
