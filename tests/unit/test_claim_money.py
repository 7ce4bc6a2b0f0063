"""Claims money and legal outcome, each rule on its boundary (SPEC §5 Premium and Rescission; §6
Adjudication and Deadlines): the grace-period deduction (Art. 36), an advance's authority (Art. 25),
Art. 16(5) and SPC Interpretation II Art. 7, and the decision clock that does not wait for the claimant
(Art. 23). No I/O."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from functools import reduce
from typing import Any

import pytest

from domain.claim.aggregate import Claim
from domain.errors import DomainError, InsufficientAuthority, InvalidTransition, InvalidValue
from domain.policy.aggregate import Policy
from domain.policy.rules import grace_deduction, rescission_refusal
from tests.builders import policies as pb
from tests.builders.claim_aggregates import DOCS, accepted, assessed, cover, day, details, items, refused

DAYS = timedelta(days=1)
MONTHLY_DUE = [date(2024, 2, 10), date(2024, 3, 10)]  # the 2nd and 3rd installments of pb.in_force(monthly)


def medical() -> Policy:
    return pb.in_force(pb.MEDICAL, mode="monthly")


# -- the grace-period deduction (Art. 36) ------------------------------------------------------------


@pytest.mark.parametrize(
    "loss, paid_on, deducted",
    [
        (date(2024, 2, 9), None, []),  # before the due date: nothing owed on the loss date
        (date(2024, 2, 10), None, [2]),  # due on the loss date and unpaid
        (date(2024, 3, 10), None, [2, 3]),
        (date(2024, 2, 20), date(2024, 2, 25), []),  # paid after the loss but before settlement
    ],
)
def test_the_deduction_is_the_premium_owed_on_the_loss_date_and_still_owed(
    loss: date, paid_on: date | None, deducted: list[int]
) -> None:
    schedule = [
        {"no": n, "due_date": due, "amount": Decimal("108.00"), "paid_on": paid_on if n == 2 else None}
        for n, due in enumerate(MONTHLY_DUE, start=2)
    ]

    assert [i["no"] for i in grace_deduction(schedule, loss)] == deducted


def test_the_policy_deducts_only_premium_still_owed_and_only_while_in_force() -> None:
    policy = medical()
    assert policy.grace_deduction(date(2024, 2, 20)) == (Decimal("108.00"), [2])
    policy.pay_premium("108.00", date(2024, 2, 25), "bank")

    assert policy.grace_deduction(date(2024, 2, 20)) == (Decimal("0.00"), [])  # paid before settlement
    assert policy.grace_deduction(date(2024, 1, 5)) == (Decimal("0.00"), [])  # not in force on the loss date


def test_a_deduction_pays_the_installment_and_no_lapse_follows_for_it() -> None:
    policy = medical()
    _, numbers = policy.grace_deduction(date(2024, 2, 20))

    policy.pay_by_claim_deduction("claim-1", numbers, date(2024, 3, 1))

    event = policy.collect_events()[-1]
    assert isinstance(event, Policy.InstallmentPaidByClaimDeduction)
    assert (event.installment_no, event.amount, event.claim_id) == (2, Decimal("108.00"), "claim-1")
    item = policy.schedule_item(2)
    assert item is not None and (item["paid_on"], item["method"]) == (date(2024, 3, 1), "claim deduction")
    assert policy.premiums_paid == Decimal("216.00")
    policy.pay_premium("108.00", date(2024, 3, 10), "bank")  # the 3rd installment, when due
    policy.advance_time(date(2024, 4, 11))  # the 2nd's grace ended on 2024-04-10
    assert policy.status == "in_force"
    assert not [e for e in policy.collect_events() if isinstance(e, Policy.Lapsed)]


def test_a_deduction_is_refused_for_a_paid_installment_or_a_policy_not_in_force() -> None:
    policy = medical()
    pb.refused(policy, lambda: policy.pay_by_claim_deduction("claim-1", [1], date(2024, 3, 1)), InvalidValue)
    policy.advance_time(date(2024, 4, 11))
    assert policy.status == "lapsed"
    policy.collect_events()

    assert policy.grace_deduction(date(2024, 2, 20)) == (Decimal("0.00"), [])
    pb.refused(
        policy,
        lambda: policy.pay_by_claim_deduction("claim-1", [2], date(2024, 4, 12)),
        InvalidTransition,
        "policy-not-in-force",
    )


def test_approval_deducts_the_premium_still_owed_and_a_release_makes_it_payable() -> None:
    claim = assessed("15000")
    claim.agree_assessment(day(5))
    grace = cover(in_grace=True, premium_owed=Decimal("300.00"))

    claim.approve(cover=grace, deciding_role="claims_manager", decided_by="m", on=day(6), premium_owed="0")
    assert claim.payable == Decimal("14500.00") and claim.premium_deducted == Decimal("0.00")

    other = assessed("15000")
    other.agree_assessment(day(5))
    other.approve(cover=grace, deciding_role="claims_manager", decided_by="m", on=day(6), premium_owed="300")
    assert other.payable == Decimal("14200.00") and other.premium_deducted == Decimal("300.00")
    other.collect_events()
    refused(other, lambda: other.release_premium_deduction("300", day(7)), InvalidValue)
    other.release_premium_deduction("0", day(7))
    assert (other.payable, other.outstanding, other.premium_deducted) == (
        Decimal("14500.00"),
        Decimal("14500.00"),
        Decimal("0.00"),
    )


# -- an advance needs an approval's authority (Art. 25; 7.3) -------------------------------------------


@pytest.mark.parametrize(
    "earlier, amount, allowed",
    [(None, "50000", True), (None, "50000.01", False), ("20000", "30000", True), ("20000", "30000.01", False)],
)
def test_a_handlers_advance_needs_authority_for_the_claims_payments(
    earlier: str | None, amount: str, allowed: bool
) -> None:
    claim = accepted()
    wide = cover(remaining_sum_insured=Decimal("100000.00"))
    if earlier is not None:
        claim.pay(
            earlier, day(2), "adv-0", "advance", determinable_amount="90000", cover=wide, paying_role="claims_handler"
        )
        claim.collect_events()

    def pay() -> None:
        claim.pay(
            amount, day(3), "adv-1", "advance", determinable_amount="90000", cover=wide, paying_role="claims_handler"
        )

    if allowed:
        pay()
        assert claim.status == "advance_paid"
    else:
        refused(claim, pay, InsufficientAuthority, "insufficient-authority")
        claim.pay(
            amount, day(3), "adv-1", "advance", determinable_amount="90000", cover=wide, paying_role="claims_manager"
        )
    claim.collect_events()
    refused(
        claim,
        lambda: claim.pay(
            "1", day(4), "adv-2", "advance", determinable_amount="90000", cover=wide, paying_role="agent"
        ),
        InsufficientAuthority,
    )


# -- Art. 16(5) and SPC Interpretation II Art. 7 ----------------------------------------------------


RESCINDED = dict(rescinded=True, rescission_ground="gross_negligence", no_liability_before=day(10))


@pytest.mark.parametrize(
    "ground, affected, covered",
    [("intentional", None, False), ("gross_negligence", True, False), ("gross_negligence", False, True)],
)
def test_a_loss_before_rescission_is_paid_only_for_gross_negligence_that_did_not_seriously_affect_it(
    ground: str, affected: bool | None, covered: bool
) -> None:
    claim = assessed()
    rescinded = cover(**{**RESCINDED, "rescission_ground": ground})
    if affected is not None:
        claim.record_rescission_finding(affected, "the fact and the loss", cover=rescinded, on=day(4))
    claim.collect_events()

    def approve() -> None:
        claim.approve(cover=rescinded, deciding_role="claims_manager", decided_by="m", on=day(5))

    if covered:
        approve()
        assert claim.payable == Decimal("14500.00")
    else:
        error = refused(claim, approve, DomainError, "not-covered-on-loss-date")
        assert error.details["reason"] == "rescinded"


def test_gross_negligence_needs_the_finding_and_only_where_the_rescission_reaches_the_loss() -> None:
    claim = assessed()
    refused(
        claim,
        lambda: claim.approve(cover=cover(**RESCINDED), deciding_role="claims_manager", decided_by="m", on=day(5)),
        DomainError,
        "rescission-finding-required",
    )
    # a rescission on the loss date itself does not reach it (no liability only for losses before)
    on_loss_date = cover(**{**RESCINDED, "no_liability_before": cover().on})
    refused(
        claim,
        lambda: claim.record_rescission_finding(False, "x", cover=on_loss_date, on=day(5)),
        DomainError,
        "no-rescission-for-gross-negligence",
    )
    refused(
        claim,
        lambda: claim.record_rescission_finding(False, "x", cover=cover(), on=day(5)),
        DomainError,
        "no-rescission-for-gross-negligence",
    )
    claim.record_rescission_finding(False, "unrelated", cover=cover(**RESCINDED), on=day(5))
    claim.collect_events()
    refused(
        claim,
        lambda: claim.record_rescission_finding(True, "again", cover=cover(**RESCINDED), on=day(5)),
        DomainError,
        "rescission-finding-already-recorded",
    )


@pytest.mark.parametrize(
    "collected, code",
    [
        ([date(2024, 3, 1)], None),  # on the day the cause was learned: not after it
        ([date(2024, 3, 2)], "rescission-waived"),  # the day after
        ([date(2024, 3, 20)], "rescission-waived"),
        ([date(2024, 3, 21)], None),  # after the rescission: not before it
    ],
)
def test_collecting_premium_after_learning_the_cause_waives_rescission(collected: list[date], code: str | None) -> None:
    assert (
        rescission_refusal(
            date(2024, 3, 20),
            learned_on=date(2024, 3, 1),
            formed_on=date(2024, 1, 10),
            insurer_knew=False,
            premium_collected_on=collected,
        )
        == code
    )


@pytest.mark.parametrize(
    "on, learned, code",
    [
        (date(2024, 4, 3), date(2024, 3, 4), None),  # the 30th day after learning (a working day)
        (date(2024, 4, 4), date(2024, 3, 4), "rescission-time-barred"),
        (date(2026, 1, 12), date(2026, 1, 5), None),  # two years after formation (a Monday)
        (date(2026, 1, 13), date(2026, 1, 5), "rescission-time-barred"),
    ],
)
def test_the_30_days_from_learning_and_2_years_from_formation_still_bar_rescission(
    on: date, learned: date, code: str | None
) -> None:
    assert rescission_refusal(on, learned_on=learned, formed_on=date(2024, 1, 12), insurer_knew=False) == code


def test_the_policy_refuses_rescission_once_it_collected_premium_after_learning() -> None:
    policy = medical()
    policy.pay_premium("108.00", date(2024, 2, 10), "bank")
    policy.collect_events()

    pb.refused(
        policy,
        lambda: policy.rescind(date(2024, 2, 20), "gross_negligence", date(2024, 2, 9), False),
        DomainError,
        "rescission-waived",
    )
    policy.rescind(date(2024, 2, 20), "gross_negligence", date(2024, 2, 10), False)
    assert policy.status == "rescinded"


def test_a_rescinded_policy_records_payment_of_an_earlier_loss_only_for_gross_negligence() -> None:
    policy = medical()
    policy.rescind(date(2024, 2, 1), "gross_negligence", date(2024, 1, 20), False)
    policy.record_claim_payment("claim-1", "5000", date(2024, 2, 5), loss_on=date(2024, 1, 25))
    policy.collect_events()
    pb.refused(
        policy,
        lambda: policy.record_claim_payment("claim-2", "5000", date(2024, 2, 5), loss_on=date(2024, 2, 1)),
        DomainError,
        "policy-rescinded",
    )
    other = medical()
    other.rescind(date(2024, 2, 1), "intentional", date(2024, 1, 20), False)
    other.collect_events()
    pb.refused(
        other,
        lambda: other.record_claim_payment("claim-1", "5000", date(2024, 2, 5), loss_on=date(2024, 1, 25)),
        DomainError,
        "policy-rescinded",
    )


# -- the decision clock does not wait for the claimant (Art. 23) -----------------------------------


def test_the_decision_stops_the_clock_and_a_slow_agreement_breaches_nothing() -> None:
    claim = accepted()
    claim.assess(items("15000"), "assessor-1", day(3))
    claim.notify_assessment(day(3))
    claim.approve(cover=cover(), deciding_role="claims_manager", decided_by="m", on=day(30))  # the 30th day
    claim.advance_time(day(80))
    assert not [e for e in claim.collect_events() if isinstance(e, Claim.ClockBreached)]

    claim.agree_assessment(day(80))
    claim.advance_time(day(90))  # the 10th day after the agreement
    claim.pay("14500", day(90), "bank")

    clocks = claim.clocks_on(day(90))
    assert (clocks.decision.met_on, clocks.decision.on_time, clocks.breaches) == (day(30), True, ())
    assert (clocks.payment is not None and clocks.payment.started_on, clocks.payment and clocks.payment.on_time) == (
        day(80),
        True,
    )


def test_a_disputed_decision_is_set_aside_and_decided_again_the_first_having_met_the_clock() -> None:
    claim = assessed()
    claim.approve(cover=cover(), deciding_role="claims_manager", decided_by="m", on=day(6))

    claim.dispute_assessment("too low", day(40))

    assert (claim.status, claim.approval, claim.outstanding) == ("assessed", None, Decimal("0.00"))
    claim.collect_events()
    refused(claim, lambda: claim.pay("1", day(41), "b"), InvalidTransition, "not-approved")
    claim.assess(items("16000", "20000"), "assessor-2", day(41))
    claim.approve(cover=cover(), deciding_role="claims_manager", decided_by="m", on=day(42))
    claim.agree_assessment(day(43))
    claim.pay("15500", day(44), "bank")
    assert claim.clocks_on(day(44)).decision.met_on == day(6)
    assert claim.clock_breaches == []


def test_a_claim_stored_by_the_earlier_flow_replays_to_its_state_and_goes_on_by_the_new_one() -> None:
    # The earlier flow: the claimant agreed, then the claim was approved; and one left notified, unagreed.
    def notified() -> Claim:
        claim = Claim.report(**details())
        for code in DOCS:
            claim.receive_document(code, day(1))
        claim.accept(day(1))
        claim.assess(items("15000"), "assessor-1", day(3))
        claim.notify_assessment(day(3))
        return claim

    old, waiting = notified(), notified()
    old.agree_assessment(day(5))
    old.approve(cover=cover(), deciding_role="claims_manager", decided_by="m", on=day(6))
    old.pay("14500", day(7), "bank")
    for claim in (old, waiting):
        stored: list[Any] = list(claim.collect_events())
        replayed = reduce(lambda state, event: event.mutate(state), stored, None)
        assert vars(replayed) == vars(claim)
    assert old.status == "paid" and old.clocks_on(day(7)).decision.met_on == day(6)
    payment = old.clocks_on(day(7)).payment
    assert payment is not None and payment.started_on == day(5)

    waiting.approve(cover=cover(), deciding_role="claims_manager", decided_by="m", on=day(20))
    assert waiting.status == "approved" and waiting.clocks_on(day(20)).decision.met_on == day(20)
