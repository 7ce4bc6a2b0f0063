"""Pure claim rules (SPEC §6; Art. 22–26; SPC II Art. 15): limitation, clocks, payable, cover, fraud."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest

from domain.claim.rules import (
    BASIC_CLAIM_DOCUMENTS,
    ClaimRound,
    Pause,
    breach_due_on,
    check_codes,
    check_loss_items,
    claim_clocks,
    cover_refusal,
    fraud_indicators,
    limitation_last_day,
    payable,
    read_clock,
    required_claim_documents,
)
from domain.errors import InvalidValue
from domain.policy.state import CoverSnapshot
from tests.builders.claim_aggregates import cover as built_cover

# first receipt: day 0. Chosen so that no due date below (days 13, 30, 33, 37, 60, 67, 225) falls on a rest
# day: a last day on a weekend or public holiday moves to the next working day (Civil Code Art. 203;
# tests/unit/test_calendar.py); the tests here are about the count. (Was 2024-03-01, whose day 30 is a Sunday.)
S = date(2024, 9, 14)
DAYS = timedelta(days=1)


def day(n: int) -> date:
    return S + n * DAYS


def cover(**overrides: Any) -> CoverSnapshot:
    """The builders' cover, on 20 February 2024 under policy P1."""
    return built_cover(**{"on": date(2024, 2, 20), "policy_number": "P1", **overrides})


# -- documents and limitation (7.1 (1); Art. 26) ------------------------------------------------------


def test_required_documents_are_the_guide_basics_then_the_products_without_repeats() -> None:
    required = required_claim_documents(["claim_form", "policy_contract", "id_proof", "loss_list"])

    assert required[:3] == list(BASIC_CLAIM_DOCUMENTS)
    assert required == ["policy_contract", "insurance_certificate", "id_proof", "claim_form", "loss_list"]


def test_document_codes_keep_their_order_and_drop_repeats() -> None:
    assert check_codes(["a", "b", "a"], "docs") == ["a", "b"]
    with pytest.raises(InvalidValue):
        check_codes([], "docs")
    with pytest.raises(InvalidValue):
        check_codes(["a", ""], "docs")


@pytest.mark.parametrize(
    "line, last_day",
    [
        ("property", date(2024, 3, 1)),
        ("health", date(2024, 3, 1)),
        ("accident", date(2024, 3, 1)),
        ("life", date(2027, 3, 1)),
    ],
)
def test_the_limitation_is_two_years_from_knowing_of_the_loss_five_for_life(line: str, last_day: date) -> None:
    assert limitation_last_day(date(2022, 3, 1), line) == last_day


def test_a_limitation_from_29_february_ends_on_28_february() -> None:
    assert limitation_last_day(date(2024, 2, 29), "property") == date(2026, 2, 28)


# -- the clocks ----------------------------------------------------------------------------------------


def test_the_decision_is_due_30_days_after_first_receipt_and_breached_on_day_31() -> None:
    on_time = read_clock("decision", S, day(30))
    late = read_clock("decision", S, day(31))

    assert on_time.due_on == day(30) and on_time.days_used == 30 and not on_time.breached
    assert late.due_on == day(30) and late.days_used == 31 and late.breached
    assert breach_due_on("decision", S) == day(31)


def test_missing_documents_from_the_notice_to_the_last_arrival_are_not_counted() -> None:
    pauses = (Pause(from_on=day(5), to_on=day(12)),)

    on_time = read_clock("decision", S, day(37), pauses=pauses)
    late = read_clock("decision", S, day(38), pauses=pauses)

    assert on_time.paused_days == 7 and on_time.due_on == day(37)
    assert on_time.days_used == 30 and not on_time.breached
    assert late.days_used == 31 and late.breached
    assert breach_due_on("decision", S, pauses=pauses) == day(38)


def test_while_documents_are_missing_the_clock_stands_still_and_no_breach_is_due() -> None:
    pauses = (Pause(from_on=day(5)),)

    reading = read_clock("decision", S, day(200), pauses=pauses)

    assert reading.paused and reading.days_used == 5 and reading.paused_days == 195
    assert reading.due_on == day(225) and not reading.breached
    assert breach_due_on("decision", S, pauses=pauses) is None


def test_a_pause_counts_only_up_to_the_day_asked_about() -> None:
    pause = Pause(from_on=day(5), to_on=day(12))

    assert [pause.days_through(day(n)) for n in (4, 5, 6, 12, 20)] == [0, 0, 1, 7, 7]
    assert [pause.open_on(day(n)) for n in (4, 5, 11, 12)] == [False, True, True, False]
    assert read_clock("decision", S, day(8), pauses=(pause,)).due_on == day(33)


def test_a_document_arriving_on_the_day_of_the_notice_pauses_nothing() -> None:
    reading = read_clock("decision", S, day(30), pauses=(Pause(day(5), day(5)),))

    assert reading.paused_days == 0 and reading.due_on == day(30) and not reading.breached


def test_a_clock_stops_when_met_and_says_whether_on_time() -> None:
    met = read_clock("decision", S, day(50), met_on=day(30))
    late = read_clock("decision", S, day(50), met_on=day(31))
    before = read_clock("decision", S, day(20), met_on=day(31))

    assert met.met_on == day(30) and met.on_time is True and met.days_used == 30 and not met.breached
    assert late.on_time is False and late.breached
    assert before.met_on is None and before.on_time is None and before.days_used == 20
    assert breach_due_on("decision", S, met_on=day(31)) is None


def test_the_rejection_notice_is_due_3_days_after_the_decision() -> None:
    round_ = ClaimRound(1, S, decided_on=day(10), decision="rejected")

    assert round_.reading("rejection_notice", day(9)) is None
    reading = round_.reading("rejection_notice", day(13))
    assert reading is not None and reading.due_on == day(13) and not reading.breached
    late = round_.reading("rejection_notice", day(14))
    assert late is not None and late.breached
    assert (day(14), "rejection_notice") in round_.breach_steps()


def test_payment_is_due_10_days_after_the_amount_is_agreed() -> None:
    round_ = ClaimRound(1, S, agreed_on=day(20), decided_on=day(22), decision="approved")

    assert round_.reading("payment", day(19)) is None
    on_time, late = round_.reading("payment", day(30)), round_.reading("payment", day(31))
    assert on_time is not None and on_time.due_on == day(30) and not on_time.breached
    assert late is not None and late.breached
    paid = replace(round_, settled_on=day(30)).reading("payment", day(40))
    assert paid is not None and paid.on_time and paid.met_on == day(30)


def test_a_rejection_after_agreement_ends_the_payment_clock() -> None:
    round_ = ClaimRound(1, S, agreed_on=day(20), decided_on=day(25), decision="rejected")

    reading = round_.reading("payment", day(60))

    assert reading is not None and reading.met_on == day(25) and not reading.breached
    assert "payment" not in [clock for _, clock in round_.breach_steps()]


def test_an_advance_is_due_60_days_after_receipt_not_counting_missing_document_days() -> None:
    round_ = ClaimRound(1, S, pauses=(Pause(day(5), day(12)),))

    on_time, late = round_.reading("advance", day(67)), round_.reading("advance", day(68))

    assert on_time is not None and on_time.due_on == day(67) and not on_time.breached
    assert late is not None and late.breached
    assert (day(68), "advance") in round_.breach_steps()


@pytest.mark.parametrize(
    "met", [dict(first_payment_on=day(40)), dict(agreed_on=day(40)), dict(decided_on=day(40), decision="rejected")]
)
def test_the_advance_clock_ends_with_a_payment_an_agreed_amount_or_a_decision(met: dict[str, Any]) -> None:
    round_ = ClaimRound(1, S, **met)

    reading = round_.reading("advance", day(90))

    assert reading is not None and reading.met_on == day(40) and reading.on_time and not reading.breached
    assert "advance" not in [clock for _, clock in round_.breach_steps()]


def test_recorded_breaches_are_not_due_again() -> None:
    round_ = ClaimRound(1, S, breaches=("decision",))

    assert round_.breach_steps() == [(day(61), "advance")]


def test_the_clocks_of_a_round_read_together() -> None:
    clocks = claim_clocks(ClaimRound(2, S, decided_on=day(31), decision="rejected"), day(40))

    assert clocks.round == 2 and clocks.payment is None
    assert clocks.rejection_notice is not None and clocks.rejection_notice.breached
    assert clocks.breaches == ("decision", "rejection_notice")


# -- payable (7.3 (1)) ---------------------------------------------------------------------------------


def pay(**given: str) -> Decimal:
    args = dict(
        assessed="10000",
        deductible="0",
        remaining_sum_insured="100000",
        payout_ratio="1",
        already_paid="0",
        premium_owed="0",
    )
    args.update(given)
    return payable(**{k: Decimal(v) for k, v in args.items()})["payable"]


@pytest.mark.parametrize(
    "given, expected",
    [
        ({}, "10000.00"),
        ({"deductible": "500"}, "9500.00"),  # less the deductible
        ({"deductible": "12000"}, "0.00"),  # a deductible above the loss: nothing
        ({"remaining_sum_insured": "6000"}, "6000.00"),  # capped at the remaining sum insured
        ({"remaining_sum_insured": "6000", "deductible": "500"}, "6000.00"),  # cap after the deductible
        ({"payout_ratio": "0.9"}, "9000.00"),  # the payout ratio
        ({"payout_ratio": "0.9", "remaining_sum_insured": "6000"}, "5400.00"),  # ratio applies to the cap
        ({"already_paid": "2500"}, "7500.00"),  # less already paid
        ({"already_paid": "12000"}, "0.00"),  # never below 0
        ({"premium_owed": "300"}, "9700.00"),  # a loss in grace: less the premium owed (Art. 36)
        ({"assessed": "333.33", "payout_ratio": "0.7"}, "233.33"),  # to the cent, half up
        ({"payout_ratio": "1.5", "remaining_sum_insured": "12000"}, "12000.00"),  # never above the remaining SI
    ],
)
def test_payable_is_capped_by_the_remaining_sum_insured_times_the_ratio_less_paid(
    given: dict[str, str], expected: str
) -> None:
    assert pay(**given) == Decimal(expected)


def test_the_computation_shows_every_step() -> None:
    steps = payable(
        assessed=Decimal("20000"),
        deductible=Decimal("1000"),
        remaining_sum_insured=Decimal("15000"),
        payout_ratio=Decimal("0.9"),
        already_paid=Decimal("2000"),
        premium_owed=Decimal("100"),
    )

    assert steps == {
        "assessed": Decimal("20000.00"),
        "deductible": Decimal("1000.00"),
        "after_deductible": Decimal("19000.00"),
        "remaining_sum_insured": Decimal("15000.00"),
        "capped": Decimal("15000.00"),
        "payout_ratio": Decimal("0.9"),
        "covered": Decimal("13500.00"),
        "already_paid": Decimal("2000.00"),
        "premium_owed": Decimal("100.00"),
        "payable": Decimal("11400.00"),
    }


# -- cover on the loss date ------------------------------------------------------------------------


def test_a_policy_in_force_past_the_waiting_period_covers_a_covered_cause() -> None:
    assert cover_refusal(cover(), date(2024, 2, 20), "fire") is None
    assert cover_refusal(cover(in_grace=True, premium_owed=Decimal("50")), date(2024, 2, 20), "fire") is None


@pytest.mark.parametrize(
    "changes, cause, exclusion, reason",
    [
        (dict(status="lapsed", in_force=False), "fire", None, "not-in-force"),
        (dict(status=None, in_force=False), "fire", None, "not-in-force"),
        (dict(in_waiting_period=True), "fire", None, "waiting-period"),
        ({}, "theft", None, "cause-not-covered"),
        ({}, "fire", "war", "excluded"),
        (dict(rescinded=True, no_liability_before=date(2024, 3, 1)), "fire", None, "rescinded"),
    ],
)
def test_cover_is_refused_with_its_reason(
    changes: dict[str, Any], cause: str, exclusion: str | None, reason: str
) -> None:
    refusal = cover_refusal(cover(**changes), date(2024, 2, 20), cause, exclusion)

    assert refusal is not None and refusal[0] == reason


def test_a_rescission_takes_away_only_losses_before_its_date() -> None:
    rescinded = cover(rescinded=True, no_liability_before=date(2024, 2, 20))

    assert cover_refusal(rescinded, date(2024, 2, 20), "fire") is None
    assert cover_refusal(rescinded, date(2024, 2, 19), "fire") is not None


# -- fraud indicators (ch. 9) ------------------------------------------------------------------------


def indicators(
    loss: date,
    claimed: str = "1000",
    *,
    start: date | None = date(2024, 1, 1),
    reinstated: date | None = None,
    others: int = 0,
    remaining: str = "100000",
) -> list[str]:
    found = fraud_indicators(
        loss, Decimal(claimed), cover(remaining_sum_insured=Decimal(remaining)), start, reinstated, others
    )
    assert all(detail for _, detail in found)
    return [indicator for indicator, _ in found]


def test_a_plain_claim_shows_no_indicator() -> None:
    assert indicators(date(2024, 6, 1)) == []


def test_a_loss_within_30_days_of_inception_is_flagged_through_day_30() -> None:
    assert indicators(date(2024, 1, 31)) == ["loss-soon-after-inception"]
    assert indicators(date(2024, 2, 1)) == []
    assert indicators(date(2024, 1, 1)) == ["loss-soon-after-inception"]


def test_a_loss_before_inception_is_flagged() -> None:
    assert indicators(date(2023, 12, 31)) == ["loss-before-inception"]


def test_a_loss_within_30_days_of_reinstatement_is_flagged() -> None:
    assert indicators(date(2024, 7, 31), reinstated=date(2024, 7, 1)) == ["loss-soon-after-reinstatement"]
    assert indicators(date(2024, 8, 1), reinstated=date(2024, 7, 1)) == []
    assert indicators(date(2024, 6, 30), reinstated=date(2024, 7, 1)) == []


def test_several_claims_within_a_year_are_flagged() -> None:
    assert indicators(date(2024, 6, 1), others=1) == []
    assert indicators(date(2024, 6, 1), others=2) == ["frequent-claims"]


def test_a_claim_of_90_percent_of_the_remaining_sum_insured_is_flagged() -> None:
    assert indicators(date(2024, 6, 1), "8999.99", remaining="10000") == []
    assert indicators(date(2024, 6, 1), "9000", remaining="10000") == ["claim-near-sum-insured"]
    assert indicators(date(2024, 6, 1), "1", remaining="0") == []


# -- loss items ----------------------------------------------------------------------------------------


def test_loss_items_are_totalled() -> None:
    items = check_loss_items(
        [
            {"description": "sofa", "claimed": "3000", "assessed": "2500.5"},
            {"description": "floor", "claimed": 1000, "assessed": 0},
        ]
    )

    assert items.total_claimed == Decimal("4000.00") and items.total_assessed == Decimal("2500.50")
    assert items.items[0] == {"description": "sofa", "claimed": Decimal("3000.00"), "assessed": Decimal("2500.50")}


@pytest.mark.parametrize(
    "items, field",
    [
        ([], "items"),
        ("sofa", "items"),
        ([{"description": "sofa", "claimed": "100", "assessed": "101"}], "items[0].assessed"),
        ([{"description": "sofa", "claimed": "-1", "assessed": "0"}], "items[0].claimed"),
        ([{"description": "", "claimed": "1", "assessed": "0"}], "items[0].description"),
        ([{"description": "x", "claimed": "1", "assessed": "0", "colour": "red"}], "items[0].colour"),
    ],
)
def test_bad_loss_items_are_refused_naming_the_field(items: Any, field: str) -> None:
    with pytest.raises(InvalidValue) as refused:
        check_loss_items(items)

    assert refused.value.field == field
