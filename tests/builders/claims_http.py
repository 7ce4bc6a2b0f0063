"""Claims driven over HTTP by the API tests: a home policy in force, a claim reported, and the claim
commands dated and posted as a claims handler (or manager)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from tests.builders.desk import Desk

CLAIMS = "/api/v1/claims"
HANDLER, MANAGER = ("claims_handler", "hana"), ("claims_manager", "mo")
DAY = timedelta(days=1)
HOME: dict[str, Any] = {
    "relationship": "owner",
    "term": 12,
    "declared_property_value": "1000000",
    "sum_insured": "800000",
}


def home_policy(desk: Desk, seed: int = 1) -> tuple[str, str]:
    """A home policy in force from START (paid on START); (policy id, holder id)."""
    holder = desk.customer(seed)
    return desk.in_force(holder, "home_property", **HOME), holder


def report_body(policy_id: str, claimant: str, loss: date, reported: date, **extra: Any) -> dict[str, Any]:
    return {
        "policy_id": policy_id,
        "claimant_id": claimant,
        "claimant_role": "insured",
        "loss_date": loss.isoformat(),
        "cause": "fire",
        "description": "kitchen fire",
        "estimated_amount": "20000",
        "initial_reserve": "20000",
        "reported_on": reported.isoformat(),
        **extra,
    }


def report(desk: Desk, policy_id: str, claimant: str, loss: date, reported: date, **extra: Any) -> str:
    desk.today(reported)
    return str(
        desk.command(CLAIMS, report_body(policy_id, claimant, loss, reported, **extra), *HANDLER, status=201)["id"]
    )


def act(
    desk: Desk,
    claim_id: str,
    action: str,
    day: date,
    body: dict[str, Any] | None = None,
    who: tuple[str, str] = HANDLER,
) -> Any:
    """POST /claims/{id}/{action} dated `day` (which becomes today); the raw response."""
    desk.today(day)
    return desk.post(f"{CLAIMS}/{claim_id}/{action}", {"on": day.isoformat(), **(body or {})}, *who)


def do(
    desk: Desk,
    claim_id: str,
    action: str,
    day: date,
    body: dict[str, Any] | None = None,
    who: tuple[str, str] = HANDLER,
) -> dict[str, Any]:
    response = act(desk, claim_id, action, day, body, who)
    assert response.status_code == 200, response.text
    return dict(response.json())


def row(desk: Desk, claim_id: str, **params: Any) -> dict[str, Any]:
    return dict(desk.get(f"{CLAIMS}/{claim_id}", **params))


def clocks(desk: Desk, claim_id: str, on: date) -> dict[str, dict[str, Any]]:
    view = desk.get(f"{CLAIMS}/{claim_id}/clocks", on=on.isoformat())
    return {c["clock"]: c for c in view["clocks"]}


def missing(desk: Desk, claim_id: str) -> list[str]:
    return list(row(desk, claim_id)["missing_documents"])


def receive_all(desk: Desk, claim_id: str, day: date) -> None:
    for code in missing(desk, claim_id):
        do(desk, claim_id, "documents", day, {"code": code})


def assess_and_agree(desk: Desk, claim_id: str, day: date, assessed: str = "10500") -> None:
    do(
        desk,
        claim_id,
        "assessments",
        day,
        {"items": [{"description": "kitchen", "claimed": assessed, "assessed": assessed}]},
    )
    do(desk, claim_id, "assessment-notice", day)
    do(desk, claim_id, "assessment-agreement", day)
