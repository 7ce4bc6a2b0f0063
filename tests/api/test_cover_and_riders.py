"""Cover is main cover plus riders; a death benefit ends the policy (SPEC §5, §6), over HTTP on both
databases: term life 500,000 + accidental-death rider 300,000."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from interface.scheduler import tick
from tests.builders.claims_http import CLAIMS, MANAGER, act, assess_and_agree, do, receive_all, report_body
from tests.builders.desk import START, Desk, answers, is_problem, money

RIDER = "accidental_death_rider"


def life_with_rider(desk: Desk, seed: int) -> tuple[str, str]:
    holder = desk.customer(seed)
    policy_id = desk.in_force(
        holder,
        "term_life",
        mode="monthly",
        sum_insured="500000",
        riders=[{"product_code": RIDER, "sum_insured": "300000"}],
        disclosures={**answers("term_life"), **answers(RIDER)},
    )
    return policy_id, holder


def death_claim(desk: Desk, policy_id: str, holder: str, loss: date, day: date, cause: str, assessed: str) -> str:
    desk.today(day)
    body = report_body(
        policy_id,
        holder,
        loss,
        day,
        cause=cause,
        description="death of the insured",
        estimated_amount=assessed,
        initial_reserve=assessed,
    )
    claim_id = str(desk.command(CLAIMS, body, *MANAGER, status=201)["id"])
    receive_all(desk, claim_id, day)
    do(desk, claim_id, "acceptance", day, who=MANAGER)
    assess_and_agree(desk, claim_id, day, assessed=assessed)
    return claim_id


def test_an_accidental_death_pays_both_covers_ends_the_policy_and_refunds_premium_after_it(desk: Desk) -> None:
    policy_id, holder = life_with_rider(desk, 31)
    death, day = date(2025, 5, 20), date(2025, 5, 25)  # past term life's 90-day waiting period
    for month in (2, 3, 4, 5):
        desk.pay(policy_id, date(2025, month, 10))
    claim_id = death_claim(desk, policy_id, holder, death, day, "accidental_death", "800000")
    before_death = desk.cover(policy_id, death)["covers"]
    approved = do(desk, claim_id, "approval", day, who=MANAGER)
    assert approved is not None
    do(desk, claim_id, "payments", day, {"amount": "800000", "reference": "bank"}, who=MANAGER)
    view: dict[str, Any] = desk.policy(policy_id)
    assert view["status"] == "terminated" and "death" in view["closing_reason"]
    # GET …/cover shows each cover: before the payment both whole, after it both used up and ended
    assert [
        (c["key"], c["kind"], c["sum_insured"], c["remaining_sum_insured"], c["waiting_period_end"])
        for c in before_death
    ] == [("main", "main", "500000.00", "500000.00", "2025-04-11"), (RIDER, "rider", "300000.00", "300000.00", None)]
    after = desk.cover(policy_id, death)["covers"]
    assert [(c["key"], c["remaining_sum_insured"], c["ended_on"], c["ended_reason"]) for c in after] == [
        ("main", "0.00", "2025-05-20", "death"),
        (RIDER, "0.00", "2025-05-20", "death"),
    ]
    refunds = [e for e in desk.history(policy_id) if e["type"].endswith("PremiumRefunded")]
    assert len(refunds) == 1 and refunds[0]["data"]["reason"] == "ended-by-claim"
    assert Decimal(str(refunds[0]["data"]["amount"])) > 0  # 05-21 … 06-09 of the May installment
    # no lapse, termination or cash value by the scheduler later; a later claim is refused
    before = desk.events()
    desk.today(date(2027, 12, 1))
    tick(desk.services, date(2027, 12, 1))
    assert desk.policy(policy_id)["status"] == "terminated"
    assert not [e for e in desk.history(policy_id) if e["type"].endswith(("Lapsed", ".Terminated.v1"))]
    later = desk.post(CLAIMS, report_body(policy_id, holder, date(2025, 6, 1), date(2027, 12, 1)), *MANAGER)
    is_problem(later, 409, "cover-ended")
    assert desk.events() >= before  # the refused report recorded no claim


def test_a_death_from_illness_pays_the_main_cover_only(desk: Desk) -> None:
    policy_id, holder = life_with_rider(desk, 32)
    for month in (2, 3, 4, 5):
        desk.pay(policy_id, date(2025, month, 10))
    claim_id = death_claim(desk, policy_id, holder, date(2025, 5, 20), date(2025, 5, 25), "illness_death", "800000")
    do(desk, claim_id, "approval", date(2025, 5, 25), who=MANAGER)
    too_much = act(
        desk, claim_id, "payments", date(2025, 5, 26), {"amount": "500000.01", "reference": "b"}, who=MANAGER
    )
    is_problem(too_much, 409, "exceeds-payable")
    do(desk, claim_id, "payments", date(2025, 5, 26), {"amount": "500000", "reference": "bank"}, who=MANAGER)
    assert desk.policy(policy_id)["status"] == "terminated"
    assert money(desk.policy(policy_id)["remaining_sum_insured"]) == 0
    assert date(2025, 5, 20) > START


def test_critical_illness_ends_once_its_sum_insured_is_paid_and_refuses_a_later_claim(desk: Desk) -> None:
    # critical illness (ends_on_exhaustion in its product file) 100,000 from 2025-01-10; the 90-day
    # waiting period runs 01-11 … 04-10
    holder = desk.customer(33)
    policy_id = desk.in_force(holder, "critical_illness", sum_insured="100000", term=240)
    assert desk.get("/api/v1/products/critical_illness")["ends_on_exhaustion"] is True
    diagnosed, day = date(2025, 6, 1), date(2025, 6, 5)
    desk.today(day)
    body = report_body(
        policy_id,
        holder,
        diagnosed,
        day,
        cause="critical_illness",
        description="diagnosis",
        estimated_amount="100000",
        initial_reserve="100000",
    )
    claim_id = str(desk.command(CLAIMS, body, *MANAGER, status=201)["id"])
    receive_all(desk, claim_id, day)
    do(desk, claim_id, "acceptance", day, who=MANAGER)
    assess_and_agree(desk, claim_id, day, assessed="100000")
    do(desk, claim_id, "approval", day, who=MANAGER)
    do(desk, claim_id, "payments", day, {"amount": "100000", "reference": "bank"}, who=MANAGER)

    ended = [e["data"] for e in desk.history(policy_id) if e["type"] == "CoverEnded"]
    assert [(e["cover"], e["reason"], e["last_day"]) for e in ended] == [("main", "exhausted", "2025-06-01")]
    view = desk.policy(policy_id)
    assert view["status"] == "terminated" and "sum insured used up" in view["closing_reason"]
    assert money(view["remaining_sum_insured"]) == 0
    before = desk.events()
    desk.today(date(2025, 9, 1))
    later = desk.post(
        CLAIMS,
        report_body(
            policy_id,
            holder,
            date(2025, 8, 20),
            date(2025, 9, 1),
            cause="critical_illness",
            description="a second diagnosis",
        ),
        *MANAGER,
    )
    is_problem(later, 409, "cover-ended")
    assert desk.events() == before  # the refused report recorded nothing
