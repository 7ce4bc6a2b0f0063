"""Cover is main cover plus riders; a death benefit ends the cover (SPEC §5; §6 Adjudication).

Term life 500,000 with an accidental-death rider 300,000 (the shipped catalogue), driven on the domain.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from decimal import Decimal
from typing import Any

from domain.errors import DomainError
from domain.policy.aggregate import Policy
from domain.policy.cover import MAIN, paying_parts, settle
from domain.policy.rules import grace_end
from domain.product.catalogue import default_catalogue
from tests.builders.policies import START, D, application, in_force, new_events, refused

DAYS = timedelta(days=1)
CATALOGUE = default_catalogue()
TERM_LIFE = CATALOGUE.get("term_life", 1)
RIDER = CATALOGUE.get("accidental_death_rider", 1)
SI, RIDER_SI = Decimal("500000"), Decimal("300000")


def with_rider(mode: str = "monthly", annual: Decimal = Decimal("1200")) -> Policy:
    disclosures = {q.id: False for p in (TERM_LIFE, RIDER) for q in p.disclosure_questions}
    return in_force(
        TERM_LIFE, mode=mode, annual=annual, riders=[(RIDER, RIDER_SI)], disclosures=disclosures, term_months=120
    )


def payable(policy: Policy, loss: Any, cause: str, assessed: str = "800000") -> dict[str, Decimal]:
    cover = policy.cover_on(loss)
    paying, _ = paying_parts(cover.covers, loss, cause, "claim-1", None, cover.suicide_excluded_to)
    return (
        settle(paying, assessed=Decimal(assessed), already_paid=Decimal(0), premium_owed=Decimal(0))
        if paying
        else {"payable": Decimal(0)}
    )


def test_an_accidental_death_is_judged_against_the_main_cover_and_the_rider() -> None:
    policy = with_rider()
    loss = START + 100 * DAYS  # past the 90 days of term life's waiting period
    cover = policy.cover_on(loss)
    assert [(p.key, p.sum_insured, p.remaining_sum_insured) for p in cover.covers] == [
        (MAIN, SI, SI),
        ("accidental_death_rider", RIDER_SI, RIDER_SI),
    ]
    computed = payable(policy, loss, "accidental_death")
    assert computed["payable"] == Decimal("800000.00")
    assert (computed["cover.main.payable"], computed["cover.accidental_death_rider.payable"]) == (SI, RIDER_SI)
    assert payable(policy, loss, "illness_death")["payable"] == SI  # the rider does not respond to illness


def test_in_term_lifes_waiting_period_only_the_rider_pays_an_accidental_death() -> None:
    policy = with_rider()
    last = START + 90 * DAYS  # the 90 days run from the day after the start (Art. 201)
    assert payable(policy, last, "accidental_death")["payable"] == RIDER_SI
    assert payable(policy, last + DAYS, "accidental_death")["payable"] == SI + RIDER_SI


def test_a_suicide_within_two_years_of_formation_is_not_paid_and_the_day_after_is() -> None:
    policy = with_rider(mode="single", annual=Decimal("1200"))
    last = D(2026, 1, 10)  # two years from formation on 2024-01-10 (Art. 44)
    assert policy.cover_on(last).suicide_excluded_to == last
    assert payable(policy, last, "suicide")["payable"] == 0
    assert payable(policy, last + DAYS, "suicide")["payable"] == SI  # the rider excludes suicide


def test_payments_reduce_each_covers_own_remaining_sum_insured() -> None:
    policy = with_rider(mode="single")
    loss = START + 100 * DAYS
    policy.record_claim_payment(
        "claim-1",
        Decimal("800000"),
        loss + 30 * DAYS,
        loss_on=loss,
        by_cover={MAIN: SI, "accidental_death_rider": RIDER_SI},
        cause="accidental_death",
    )
    assert new_events(policy)[:3] == ["ClaimPaymentRecorded", "CoverEnded", "CoverEnded"]
    assert [p.remaining_sum_insured for p in policy.cover_on(loss).covers] == [0, 0]
    refused(
        policy,
        lambda: policy.record_claim_payment(
            "claim-2", Decimal("1"), loss + 31 * DAYS, loss_on=loss, by_cover={"accidental_death_rider": 1}
        ),
        DomainError,
        "cover-ended",
    )


def test_a_rider_payment_cannot_exceed_the_riders_sum_insured() -> None:
    policy = with_rider(mode="single")
    loss = START + 100 * DAYS
    refused(
        policy,
        lambda: policy.record_claim_payment(
            "claim-1", RIDER_SI + 1, loss + DAYS, loss_on=loss, by_cover={"accidental_death_rider": RIDER_SI + 1}
        ),
        DomainError,
        "exceeds-remaining-sum-insured",
    )


def test_a_death_benefit_ends_the_policy_refunds_premium_after_the_death_and_nothing_lapses() -> None:
    policy = with_rider()  # monthly: 108.00 on the 10th of each month
    death = START + 10 * DAYS  # 2024-01-20: the installment paid covers 01-10 … 02-09
    policy.record_claim_payment("claim-1", SI, death + 5 * DAYS, loss_on=death, cause="death")
    assert new_events(policy) == ["ClaimPaymentRecorded", "CoverEnded", "CoverEnded", "EndedByClaim", "PremiumRefunded"]
    assert policy.status == "terminated" and "death of the insured" in (policy.closing_reason or "")
    assert policy.refunded == (Decimal("108.00") * 20 / 31).quantize(Decimal("0.01"))  # 01-21 … 02-09
    assert policy.next_due_date() is None
    policy.advance_time(D(2027, 1, 1))  # no demand, lapse, termination or cash value later
    assert new_events(policy) == []
    refused(policy, lambda: policy.pay_premium(Decimal("108.00"), D(2024, 2, 10), "late"))


def test_a_death_paid_while_lapsed_ends_the_policy_with_no_termination_or_cash_value() -> None:
    policy = with_rider()
    death = D(2024, 2, 20)  # the installment due 02-10 unpaid; grace runs to 04-10
    policy.advance_time(D(2024, 5, 1))
    assert new_events(policy) == ["Lapsed"]
    policy.record_claim_payment("claim-1", SI, D(2024, 5, 1), loss_on=death, cause="death")
    assert new_events(policy)[-1] == "EndedByClaim"  # nothing was paid for the time after the death
    assert policy.refunded == 0 and policy.status == "terminated"


def test_a_claim_payment_recorded_before_covers_reads_as_all_on_the_main_cover() -> None:
    state = {
        "on": START,
        "claim_id": "c",
        "amount": Decimal("10"),
        "period": 0,
        "loss_on": None,
        "remaining_sum_insured": Decimal("90"),
    }
    Policy.ClaimPaymentRecorded.upcast_v1_v2(state)
    assert state["by_cover"] == {MAIN: Decimal("10")}
    assert state["remaining_by_cover"] == {MAIN: Decimal("90")}


def test_a_policy_applied_for_before_riders_carried_terms_judges_only_the_main_cover() -> None:
    policy = with_rider()
    for rider in policy.riders:
        rider.pop("terms")  # what an older Applied event holds
    assert [p.key for p in policy.cover_on(START + 100 * DAYS).covers] == [MAIN]


def test_accident_installments_have_the_statutory_grace() -> None:
    accident = CATALOGUE.get("personal_accident")
    assert accident.line == "accident"
    from domain.policy.state import STATUTORY_GRACE_LINES

    assert "accident" in STATUTORY_GRACE_LINES
    due = D(2024, 3, 1)
    assert grace_end(due, statutory=True, grace_days=0, demanded_on=None) >= due + 60 * DAYS


def test_a_reinstatement_request_open_at_the_two_year_mark_is_decided_before_termination() -> None:
    policy = with_rider(mode="annual")
    policy.advance_time(D(2025, 3, 12))  # the 2025-01-10 installment unpaid: lapsed on 2025-03-12
    assert new_events(policy) == ["Lapsed"]
    assert policy.lapsed_on is not None
    from domain.policy.rules import termination_date

    mark = termination_date(policy.lapsed_on)
    policy.request_reinstatement(mark - 5 * DAYS)
    policy.advance_time(mark)
    assert new_events(policy) == ["ReinstatementRequested"]  # not terminated while the request is open
    policy.decide_reinstatement(False, mark + 3 * DAYS, "risk-increased-markedly")
    policy.advance_time(mark + 3 * DAYS)
    assert new_events(policy) == ["ReinstatementDecided"]
    policy.advance_time(mark + 4 * DAYS)  # refused: it terminates the next day
    assert new_events(policy)[0] == "Terminated"


def test_silence_on_a_request_at_the_two_year_mark_is_consent_and_the_arrears_reinstate() -> None:
    policy = with_rider(mode="annual")
    policy.advance_time(D(2025, 3, 12))
    policy.collect_events()
    assert policy.lapsed_on is not None
    from domain.policy.rules import deemed_consent_date, termination_date

    mark = termination_date(policy.lapsed_on)
    asked = mark - DAYS
    policy.request_reinstatement(asked)
    policy.advance_time(deemed_consent_date(asked))
    assert new_events(policy) == ["ReinstatementRequested", "ReinstatementDeemedAgreed"]
    due = sum(
        (i["amount"] for i in policy.schedule if i["paid_on"] is None and i["due_date"] <= deemed_consent_date(asked)),
        Decimal(0),
    )
    policy.pay_arrears(due, deemed_consent_date(asked))
    assert policy.status == "in_force"


def test_an_application_without_riders_still_works() -> None:
    assert Policy.apply(**application()).riders == []


def reinstated_critical_illness(restarts: bool) -> Policy:
    """Critical illness 100,000 (90-day waiting period), monthly at 108.00 from 2024-01-10: installment 2
    unpaid, lapsed on 2024-04-11, reinstated by paying installments 2 to 5 on 2024-05-10."""
    product = replace(CATALOGUE.get("critical_illness", 2), waiting_period_restarts_on_reinstatement=restarts)
    policy = in_force(
        product,
        mode="monthly",
        sum_insured=Decimal("100000"),
        term_months=240,
        disclosures={q.id: False for q in product.disclosure_questions},
    )
    policy.advance_time(D(2024, 4, 11))
    policy.request_reinstatement(D(2024, 5, 1))
    policy.decide_reinstatement(True, D(2024, 5, 5))
    policy.pay_arrears(Decimal("432.00"), D(2024, 5, 10))
    assert new_events(policy)[-1] == "Reinstated" and policy.status == "in_force"
    return policy


def test_a_product_whose_waiting_period_restarts_on_reinstatement_refuses_a_loss_in_the_new_waiting_period() -> None:
    policy = reinstated_critical_illness(restarts=True)
    last, first_paid = D(2024, 8, 8), D(2024, 8, 9)  # 90 days from the day after the reinstatement (05-11 … 08-08)

    cover = policy.cover_on(last)
    paying, refusals = paying_parts(cover.covers, last, "critical_illness", "claim-1", None, cover.suicide_excluded_to)

    assert (cover.covers[0].waiting_period_end, paying) == (first_paid, [])
    assert [reason for reason, _ in refusals] == ["waiting-period"]
    assert payable(policy, D(2024, 6, 1), "critical_illness", "100000")["payable"] == 0  # past the first wait
    assert payable(policy, first_paid, "critical_illness", "100000")["payable"] == Decimal("100000.00")


def test_without_the_flag_a_loss_after_reinstatement_past_the_first_waiting_period_is_paid() -> None:
    policy = reinstated_critical_illness(restarts=False)

    assert policy.cover_on(D(2024, 6, 1)).covers[0].waiting_period_end == D(2024, 4, 10)  # 01-11 … 04-09
    assert payable(policy, D(2024, 6, 1), "critical_illness", "100000")["payable"] == Decimal("100000.00")
