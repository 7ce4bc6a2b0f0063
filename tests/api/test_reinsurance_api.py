"""Reinsurance over HTTP (再保险, guide 6.1.1 (6); SPEC §13), on SQLite and PostgreSQL: a quota share on life concluded
by the reinsurance team; a term life policy issued under it ceded at 30%, its premium ceded to each reinsurer; the
treaty, the cession, the ledger and the bordereau as of any moment; the treaty ended early on its last allowed day,
a settlement received. Refusals name the field or rule and record nothing; only the reinsurance team concludes."""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from tests.builders.desk import START, Desk, is_problem

D = date
TREATIES = "/api/v1/reinsurance/treaties"
BORDEREAU = "/api/v1/reports/reinsurance-bordereau"
CENT = Decimal("0.01")


def treaty_body(desk: Desk, **fields: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "name": "Life quota share 2025",
        "kind": "quota_share",
        "lines": ["life"],
        "terms": {"ceded_pct": "30"},
        "reinsurers": [{"reinsurer": "China Re", "share_pct": "60"}, {"reinsurer": "Swiss Re", "share_pct": "40"}],
        "effective_from": "2025-01-01",
        "effective_to": "2025-12-31",
        "on": desk.on(START),
    }
    body.update(fields)
    return body


def test_a_treaty_cedes_the_policies_it_covers_and_the_bordereau_shows_the_premium_ceded(desk: Desk) -> None:
    concluded = desk.command(TREATIES, treaty_body(desk), role="reinsurance", status=201)
    tid = str(concluded["id"])
    policy = desk.in_force(desk.customer(1), on=START)

    cession = desk.get(f"/api/v1/reinsurance/cessions/{policy}")
    sum_insured, premium = Decimal(cession["sum_insured"]), Decimal(cession["annual_premium"])
    (part,) = cession["treaties"]
    assert (part["treaty_id"], Decimal(part["sum_insured"])) == (tid, (sum_insured * Decimal("0.3")).quantize(CENT))
    ceded = (premium * Decimal("0.3")).quantize(CENT, ROUND_HALF_UP)
    china = (ceded * Decimal("0.6")).quantize(CENT, ROUND_HALF_UP)
    assert [(s["reinsurer"], Decimal(s["premium"])) for s in part["shares"]] == [
        ("China Re", china),
        ("Swiss Re", ceded - china),
    ]
    paid = Decimal(cession["premium_received"])  # the first installment
    entries = desk.get("/api/v1/reinsurance/entries", kind="premium_ceded", policy_id=policy)["items"]
    assert sum(Decimal(e["amount"]) for e in entries) == Decimal(cession["premium_ceded_total"]) > 0
    assert Decimal(cession["premium_ceded_total"]) <= (paid * Decimal("0.3")).quantize(CENT) + CENT

    period = {"from": "2025-01-01", "to": "2025-12-31"}
    (row,) = desk.get(BORDEREAU, **period)["rows"]
    assert (row["treaty"], Decimal(row["premium_ceded"])) == (tid, Decimal(cession["premium_ceded_total"]))
    then = desk.get(BORDEREAU, as_of=concluded["position"], **period)
    assert then["rows"] == [] and Decimal(then["totals"]["premium_ceded"]) == 0
    assert desk.query(f"/api/v1/reinsurance/cessions/{policy}", as_of=concluded["position"]).status_code == 404
    assert [c["policy_id"] for c in desk.get("/api/v1/reinsurance/cessions", treaty_id=tid)["items"]] == [policy]

    before = desk.events()
    too_early = desk.post(
        f"{TREATIES}/{tid}/end",
        {"ends_on": "2025-03-31", "reason": "r", "on": desk.on(D(2025, 4, 1))},
        role="reinsurance",
    )
    assert "ends_on" in str(is_problem(too_early, 422))
    assert desk.events() == before
    desk.command(
        f"{TREATIES}/{tid}/end", {"ends_on": "2025-04-01", "reason": "replaced", "on": "2025-04-01"}, role="reinsurance"
    )
    desk.command(
        f"{TREATIES}/{tid}/recoveries-received",
        {"reinsurer": "Swiss Re", "amount": "12.34", "reference": "SET-1", "on": "2025-04-02"},
        role="reinsurance",
    )
    shown = desk.get(f"{TREATIES}/{tid}")
    assert (shown["status"], shown["ended_on"], shown["received_total"]) == ("ended", "2025-04-01", "12.34")
    assert desk.get(f"{TREATIES}/{tid}", as_of=concluded["position"])["status"] == "concluded"
    assert [e["type"] for e in desk.get(f"{TREATIES}/{tid}/history")["events"]] == [
        "TreatyConcluded",
        "TreatyEnded",
        "RecoveryReceived",
    ]


def test_bad_treaties_and_settlements_name_the_field_and_record_nothing(desk: Desk) -> None:
    tid = str(desk.command(TREATIES, treaty_body(desk), role="reinsurance", status=201)["id"])
    before = desk.events()
    for fields, field in (
        ({"kind": "stop_loss"}, "kind"),
        ({"lines": ["marine"]}, "lines"),
        ({"terms": {"ceded_pct": "0"}}, "ceded_pct"),
        ({"terms": {"ceded_pct": "30", "retention": "1000"}}, "retention"),
        ({"terms": {"ceded_pct": "30", "bonus": "1"}}, "bonus"),
        ({"reinsurers": [{"reinsurer": "A", "share_pct": "90"}]}, "reinsurers"),
        ({"reinsurers": []}, "reinsurers"),
        ({"effective_to": "2024-12-31"}, "effective_to"),
        ({"product_codes": ["no_such_product"]}, "product_codes[0]"),
        ({"name": "x" * 201}, "name"),
    ):
        problem = is_problem(desk.post(TREATIES, treaty_body(desk, **fields), role="reinsurance"), 422)
        assert field in str(problem), (field, problem)
    unknown = desk.post(
        f"{TREATIES}/{tid}/recoveries-received",
        {"reinsurer": "Nobody Re", "amount": "1", "reference": "S"},
        role="reinsurance",
    )
    assert "reinsurer" in str(is_problem(unknown, 422))
    is_problem(desk.post(TREATIES, treaty_body(desk), role="underwriter"), 403)
    is_problem(desk.post(f"{TREATIES}/{tid}/end", {"ends_on": "2025-06-30", "reason": "r"}, role="auditor"), 403)
    is_problem(
        desk.post(
            "/api/v1/reinsurance/treaties/7c9e6679-7425-40de-944b-e07fc1f90ae7/end",
            {"ends_on": "2025-06-30", "reason": "r"},
            role="reinsurance",
        ),
        404,
    )
    assert desk.events() == before
    assert desk.get(TREATIES, kind="quota_share", line="life")["total"] == 1
    assert desk.get(TREATIES, kind="surplus")["total"] == 0


def test_a_risk_beyond_every_treatys_capacity_is_referred_placed_facultatively_then_accepted(desk: Desk) -> None:
    desk.command(TREATIES, treaty_body(desk), role="reinsurance", status=201)
    surplus = {"name": "Life surplus", "kind": "surplus", "terms": {"retention": "100000", "lines": 1}}
    desk.command(TREATIES, treaty_body(desk, **surplus), role="reinsurance", status=201)
    # 500,000: 150,000 to the quota share, 100,000 to the surplus (one line), 100,000 kept: 150,000 beyond
    applicant = desk.customer(1)
    desk.services.read_side.catch_up()  # underwriting reads the treaties as the register shows them
    policy = desk.apply(applicant, on=START)
    decision = desk.decision(policy)
    assert decision["status"] == "referred" and "beyond-reinsurance-capacity" in str(decision["findings"])
    accept = {"decision": "accept", "reason": "placed", "decided_on": desk.on(START)}
    before = desk.events()
    is_problem(
        desk.act(policy, "underwriting-decision", accept, role="underwriter"), 409, "facultative-placement-required"
    )
    placement = {"policy_id": policy, "reinsurer": "Lloyd's 2987", "sum_insured": "150000", "premium": "420.50"}
    is_problem(desk.post("/api/v1/reinsurance/placements", placement, role="underwriter"), 403)
    for bad, field in (
        ({"sum_insured": "0"}, "sum_insured"),
        ({"premium": "-1"}, "premium"),
        ({"reinsurer": ""}, "reinsurer"),
    ):
        assert field in str(
            is_problem(desk.post("/api/v1/reinsurance/placements", {**placement, **bad}, role="reinsurance"), 422)
        )
    assert desk.events() == before
    desk.command("/api/v1/reinsurance/placements", placement, role="reinsurance")
    desk.do(policy, "underwriting-decision", accept, role="underwriter")
    desk.pay(policy, START)
    cession = desk.get(f"/api/v1/reinsurance/cessions/{policy}")
    assert (cession["beyond_capacity"], cession["retained"]) == ("0.00", "100000.00")
    assert [(t["kind"], t["sum_insured"], t["premium"]) for t in cession["treaties"][2:]] == [
        ("facultative", "150000.00", "420.50")
    ]
