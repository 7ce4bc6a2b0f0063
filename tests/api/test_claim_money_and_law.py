"""Claims money and legal outcome through HTTP, on SQLite and PostgreSQL (SPEC §5 Premium and Rescission,
§6 Adjudication and Deadlines): the grace-period deduction is the premium still owed at settlement and
pays the installment (no lapse for it); an advance needs an approval's authority; Art. 16(5) gross
negligence pays an earlier loss the undisclosed fact did not seriously affect; an insurer that collected
premium after learning the cause may not rescind (SPC II Art. 7); the decision clock stops at the
decision, whatever the claimant's pace (Art. 23)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from interface.scheduler import tick
from tests.builders.claims_http import CLAIMS, MANAGER, act, clocks, do, home_policy, receive_all, report, row
from tests.builders.desk import Desk, is_problem, money

D = date
ILLNESS = "illness_hospitalisation"


def medical_policy(desk: Desk, seed: int) -> tuple[str, str]:
    """A monthly medical policy in force from 2025-01-10 (first installment paid); the second falls due
    on 2025-02-10 and is left unpaid. (policy id, holder id)."""
    holder = desk.customer(seed)
    return desk.in_force(holder, "medical", sum_insured="1000000", term=12, mode="monthly"), holder


def assess(desk: Desk, claim_id: str, day: date, assessed: str) -> None:
    do(
        desk,
        claim_id,
        "assessments",
        day,
        {"items": [{"description": "hospital", "claimed": assessed, "assessed": assessed}]},
    )
    do(desk, claim_id, "assessment-notice", day)


def medical_claim(desk: Desk, policy_id: str, holder: str, loss: date, reported: date) -> str:
    claim_id = report(
        desk, policy_id, holder, loss, reported, cause=ILLNESS, estimated_amount="30000", initial_reserve="30000"
    )
    receive_all(desk, claim_id, reported)
    do(desk, claim_id, "acceptance", reported)
    assess(desk, claim_id, reported, "30000")
    return claim_id


def installment(desk: Desk, policy_id: str, no: int) -> dict[str, Any]:
    return next(i for i in desk.schedule(policy_id) if i["installment_no"] == no)


# -- item 3: the grace-period deduction -----------------------------------------------------------


def test_premium_paid_before_settlement_is_not_deducted(desk: Desk) -> None:
    policy_id, holder = medical_policy(desk, 31)
    loss = D(2025, 3, 1)  # the second installment (due 2025-02-10) is owed: the loss is in grace
    desk.today(loss)
    assert desk.cover(policy_id, loss)["in_grace"] is True
    claim_id = medical_claim(desk, policy_id, holder, loss, D(2025, 3, 3))
    desk.pay(policy_id, D(2025, 3, 5))  # the policyholder pays it before the claim is settled

    computed = desk.get(f"{CLAIMS}/{claim_id}/settlement")["computation"]
    assert money(computed["premium_owed"]) == 0 and money(computed["payable"]) == Decimal("20000.00")
    do(desk, claim_id, "approval", D(2025, 3, 6))
    do(desk, claim_id, "assessment-agreement", D(2025, 3, 6))
    do(desk, claim_id, "payments", D(2025, 3, 7), {"amount": "20000", "reference": "bank"})

    paid = row(desk, claim_id)
    assert (paid["status"], paid["paid_total"], paid["outstanding"]) == ("paid", "20000.00", "0.00")
    second = installment(desk, policy_id, 2)
    assert (second["paid"], second["paid_on"], second["paid_method"]) == (True, "2025-03-05", "payment")


def test_the_settlement_as_of_a_moment_reads_the_claim_and_the_policy_as_the_books_stood_then(desk: Desk) -> None:
    policy_id, holder = medical_policy(desk, 33)
    loss = D(2025, 3, 1)  # in grace: the second installment (due 2025-02-10) is owed
    claim_id = medical_claim(desk, policy_id, holder, loss, D(2025, 3, 3))
    assessed = desk.get(f"{CLAIMS}/{claim_id}/history")["events"][-1]  # the assessment notified
    owed = money(installment(desk, policy_id, 2)["amount"])
    desk.pay(policy_id, D(2025, 3, 5))  # paid afterwards: no longer deducted now

    now = desk.get(f"{CLAIMS}/{claim_id}/settlement")["computation"]
    then = desk.get(f"{CLAIMS}/{claim_id}/settlement", as_of=assessed["position"])["computation"]

    assert money(now["premium_owed"]) == 0 and money(now["payable"]) == Decimal("20000.00")
    assert money(then["premium_owed"]) == owed and money(then["payable"]) == Decimal("20000.00") - owed
    first = desk.history(policy_id)[0]["position"]
    is_problem(desk.query(f"{CLAIMS}/{claim_id}/settlement", as_of=first), 404)


def test_premium_owed_at_settlement_is_deducted_and_pays_the_installment_so_no_lapse_follows(desk: Desk) -> None:
    policy_id, holder = medical_policy(desk, 32)
    loss = D(2025, 3, 1)
    claim_id = medical_claim(desk, policy_id, holder, loss, D(2025, 3, 3))
    owed = money(installment(desk, policy_id, 2)["amount"])

    do(desk, claim_id, "approval", D(2025, 3, 6))
    approved = row(desk, claim_id)
    assert money(approved["payable"]) == Decimal("20000.00") - owed
    do(desk, claim_id, "assessment-agreement", D(2025, 3, 6))
    do(desk, claim_id, "payments", D(2025, 3, 7), {"amount": str(approved["outstanding"]), "reference": "bank"})

    assert row(desk, claim_id)["status"] == "paid"
    second = installment(desk, policy_id, 2)
    assert (second["paid"], second["paid_on"], second["paid_method"], second["status"]) == (
        True,
        "2025-03-07",
        "claim deduction",
        "paid",
    )
    deduction = [p for p in desk.payments(policy_id) if p["method"] == "claim deduction"]
    assert [(p["installment_no"], money(p["amount"]), p["kind"]) for p in deduction] == [(2, owed, "payment")]
    history = [e["type"] for e in desk.history(policy_id)]
    assert history.count("InstallmentPaidByClaimDeduction") == 1 and "ClaimPaymentRecorded" in history

    desk.pay(policy_id, D(2025, 3, 10))  # the third installment, paid when due
    desk.today(D(2025, 4, 20))  # the second's grace (60 days from 2025-02-10) has long ended
    tick(desk.services, D(2025, 4, 20))
    assert desk.policy(policy_id)["status"] == "in_force"
    assert "Lapsed" not in [e["type"] for e in desk.history(policy_id)]


def test_premium_paid_between_approval_and_payment_is_released_to_the_claimant(desk: Desk) -> None:
    policy_id, holder = medical_policy(desk, 33)
    claim_id = medical_claim(desk, policy_id, holder, D(2025, 3, 1), D(2025, 3, 3))
    owed = money(installment(desk, policy_id, 2)["amount"])
    do(desk, claim_id, "approval", D(2025, 3, 6))
    do(desk, claim_id, "assessment-agreement", D(2025, 3, 6))
    net = row(desk, claim_id)["outstanding"]
    desk.pay(policy_id, D(2025, 3, 7))  # paid before the claim is

    do(desk, claim_id, "payments", D(2025, 3, 8), {"amount": net, "reference": "bank-1"})

    after = row(desk, claim_id)
    assert (after["status"], money(after["outstanding"]), money(after["payable"])) == (
        "approved",
        owed,
        Decimal("20000.00"),
    )
    do(desk, claim_id, "payments", D(2025, 3, 8), {"amount": str(owed), "reference": "bank-2"})
    assert row(desk, claim_id)["paid_total"] == "20000.00"
    assert installment(desk, policy_id, 2)["paid_method"] == "payment"


# -- item 6: an advance needs an approval's authority ----------------------------------------------


def test_an_advance_beyond_the_handlers_authority_is_refused_and_a_manager_pays_it(desk: Desk) -> None:
    policy_id, holder = home_policy(desk, 34)
    claim_id = report(
        desk, policy_id, holder, D(2025, 3, 1), D(2025, 3, 2), estimated_amount="200000", initial_reserve="150000"
    )
    receive_all(desk, claim_id, D(2025, 3, 2))
    do(desk, claim_id, "acceptance", D(2025, 3, 2))
    advance = {"amount": "60000", "reference": "adv-1", "kind": "advance", "determinable_amount": "60000"}
    desk.today(D(2025, 4, 30))
    tick(desk.services, D(2025, 4, 30))  # what time caused by then (the decision clock's breach) is recorded
    before = desk.events()

    refused = is_problem(act(desk, claim_id, "payments", D(2025, 4, 30), advance), 403, "insufficient-authority")

    assert refused["limit"] == "50000" and desk.events() == before
    assert row(desk, claim_id)["paid_total"] == "0.00"
    do(desk, claim_id, "payments", D(2025, 4, 30), advance, who=MANAGER)
    assert row(desk, claim_id)["advance_total"] == "60000.00"


# -- item 7: Art. 16(5) and SPC Interpretation II Art. 7 --------------------------------------------


def rescind(desk: Desk, policy_id: str, on: date, learned: date, ground: str = "gross_negligence") -> Any:
    desk.today(on)
    return desk.act(
        policy_id,
        "rescission",
        {"ground": ground, "learned_on": learned.isoformat(), "reason": "undisclosed fact", "on": on.isoformat()},
        role="senior_underwriter",
    )


def test_gross_negligence_pays_an_earlier_loss_the_fact_did_not_seriously_affect(desk: Desk) -> None:
    policy_id, holder = home_policy(desk, 35)
    claim_id = report(desk, policy_id, holder, D(2025, 3, 1), D(2025, 3, 2))
    receive_all(desk, claim_id, D(2025, 3, 2))
    do(desk, claim_id, "acceptance", D(2025, 3, 2))
    assess(desk, claim_id, D(2025, 3, 3), "10500")
    assert rescind(desk, policy_id, D(2025, 3, 10), D(2025, 3, 5)).status_code == 200
    assert desk.policy(policy_id)["status"] == "rescinded"

    before = desk.events()
    is_problem(act(desk, claim_id, "approval", D(2025, 3, 11)), 409, "rescission-finding-required")
    assert desk.events() == before
    do(
        desk,
        claim_id,
        "rescission-finding",
        D(2025, 3, 11),
        {"seriously_affected": False, "reason": "an undisclosed earlier water leak has nothing to do with a fire"},
    )
    do(desk, claim_id, "approval", D(2025, 3, 11))
    do(desk, claim_id, "assessment-agreement", D(2025, 3, 11))
    do(desk, claim_id, "payments", D(2025, 3, 12), {"amount": "10000", "reference": "bank"})

    assert row(desk, claim_id)["status"] == "paid"
    finding = [
        e for e in desk.get(f"{CLAIMS}/{claim_id}/history")["events"] if e["type"] == "RescissionFindingRecorded"
    ]
    assert finding[0]["data"]["seriously_affected"] is False


def test_gross_negligence_refuses_an_earlier_loss_the_fact_seriously_affected(desk: Desk) -> None:
    policy_id, holder = home_policy(desk, 36)
    claim_id = report(desk, policy_id, holder, D(2025, 3, 1), D(2025, 3, 2))
    receive_all(desk, claim_id, D(2025, 3, 2))
    do(desk, claim_id, "acceptance", D(2025, 3, 2))
    assess(desk, claim_id, D(2025, 3, 3), "10500")
    assert rescind(desk, policy_id, D(2025, 3, 10), D(2025, 3, 5)).status_code == 200
    do(
        desk,
        claim_id,
        "rescission-finding",
        D(2025, 3, 11),
        {"seriously_affected": True, "reason": "the undisclosed faulty wiring caused the fire"},
    )

    refused = is_problem(act(desk, claim_id, "approval", D(2025, 3, 11)), 409, "not-covered-on-loss-date")
    assert refused["reason"] == "rescinded"


def test_premium_collected_after_learning_the_cause_bars_rescission(desk: Desk) -> None:
    policy_id, _ = medical_policy(desk, 37)
    desk.pay(policy_id, D(2025, 2, 10))  # the insurer learned the cause on 2025-02-01 and still collected
    before = desk.events()

    is_problem(rescind(desk, policy_id, D(2025, 2, 20), D(2025, 2, 1)), 409, "rescission-waived")

    assert desk.events() == before and desk.policy(policy_id)["status"] == "in_force"
    is_problem(rescind(desk, policy_id, D(2025, 2, 20), D(2025, 2, 9)), 409, "rescission-waived")
    # learned on the day of the payment (which may have come first): nothing collected after it
    assert rescind(desk, policy_id, D(2025, 2, 20), D(2025, 2, 10)).status_code == 200


# -- item 8: the decision clock does not wait for the claimant --------------------------------------


def test_a_slow_claimants_agreement_after_day_30_breaches_no_decision_clock(desk: Desk) -> None:
    policy_id, holder = home_policy(desk, 38)
    claim_id = report(desk, policy_id, holder, D(2025, 3, 1), D(2025, 3, 3))
    receive_all(desk, claim_id, D(2025, 3, 3))
    do(desk, claim_id, "acceptance", D(2025, 3, 3))
    assess(desk, claim_id, D(2025, 3, 5), "10500")
    do(desk, claim_id, "approval", D(2025, 3, 10))  # the decision, notified: the claimant has not agreed
    decided = row(desk, claim_id)
    assert (decided["status"], decided["decided_on"], decided["agreed_on"]) == ("approved", "2025-03-10", None)
    is_problem(
        act(desk, claim_id, "payments", D(2025, 3, 11), {"amount": "10000", "reference": "b"}), 409, "amount-not-agreed"
    )

    desk.today(D(2025, 5, 20))
    tick(desk.services, D(2025, 5, 20))  # long after day 30 of the decision clock
    do(desk, claim_id, "assessment-agreement", D(2025, 5, 20))
    do(desk, claim_id, "payments", D(2025, 5, 25), {"amount": "10000", "reference": "bank"})

    paid = row(desk, claim_id)
    assert (paid["status"], paid["breach_count"]) == ("paid", 0)
    read = clocks(desk, claim_id, D(2025, 5, 25))
    assert (read["decision"]["met_on"], read["decision"]["on_time"]) == ("2025-03-10", True)
    assert (read["payment"]["started_on"], read["payment"]["on_time"]) == ("2025-05-20", True)


def test_a_disputed_decision_is_assessed_and_decided_again_and_the_first_met_the_clock(desk: Desk) -> None:
    policy_id, holder = home_policy(desk, 39)
    claim_id = report(desk, policy_id, holder, D(2025, 3, 1), D(2025, 3, 3))
    receive_all(desk, claim_id, D(2025, 3, 3))
    do(desk, claim_id, "acceptance", D(2025, 3, 3))
    assess(desk, claim_id, D(2025, 3, 5), "9000")
    do(desk, claim_id, "approval", D(2025, 3, 10))

    do(desk, claim_id, "assessment-dispute", D(2025, 4, 15), {"reason": "cabinets were not counted"})
    disputed = row(desk, claim_id)
    assert (disputed["status"], disputed["decision"], disputed["payable"]) == ("assessed", None, None)
    assess(desk, claim_id, D(2025, 4, 18), "10500")
    do(desk, claim_id, "approval", D(2025, 4, 18))
    do(desk, claim_id, "assessment-agreement", D(2025, 4, 19))
    do(desk, claim_id, "payments", D(2025, 4, 20), {"amount": "10000", "reference": "bank"})

    paid = row(desk, claim_id)
    assert (paid["status"], paid["paid_total"], paid["breach_count"]) == ("paid", "10000.00", 0)
    assert clocks(desk, claim_id, D(2025, 4, 20))["decision"]["met_on"] == "2025-03-10"
