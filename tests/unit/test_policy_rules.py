"""Policy date and money rules (domain.policy.rules): one test per rule, windows on their boundary days."""

from __future__ import annotations

import itertools
from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.errors import InvalidValue
from domain.policy.rules import (
    add_months,
    cancellation_fee,
    cash_value,
    check_percent,
    completed_years,
    cooling_off_last_day,
    deemed_consent_date,
    grace_end,
    months_from,
    premium_owed,
    premium_schedule,
    pro_rata,
    reinstatement_decision_last_day,
    reinstatement_last_day,
    renewal_offer_from,
    rescission_refusal,
    split_cover,
    term_end,
    termination_date,
    unearned,
)
from domain.values import check_date

D = date
DAYS = timedelta(days=1)


# -- calendar ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "start, months, expected",
    [
        (D(2024, 1, 31), 1, D(2024, 2, 29)),
        (D(2023, 1, 31), 1, D(2023, 2, 28)),
        (D(2024, 2, 29), 12, D(2025, 2, 28)),
        (D(2024, 11, 15), 3, D(2025, 2, 15)),
        (D(2024, 3, 31), -1, D(2024, 2, 29)),
    ],
)
def test_adding_months_keeps_the_day_or_takes_the_last_of_a_shorter_month(
    start: date, months: int, expected: date
) -> None:
    assert add_months(start, months) == expected


def test_a_term_ends_the_day_before_the_same_date_a_term_later() -> None:
    assert term_end(D(2024, 1, 10), 12) == D(2025, 1, 9)
    assert term_end(D(2024, 1, 10), 24) == D(2026, 1, 9)


def test_a_policy_year_is_completed_on_the_anniversary() -> None:
    start = D(2024, 1, 10)

    assert completed_years(start, D(2025, 1, 9)) == 0
    assert completed_years(start, D(2025, 1, 10)) == 1
    assert completed_years(start, D(2027, 1, 10)) == 3


def test_months_from_finds_the_offset_of_a_due_date() -> None:
    assert months_from(D(2024, 1, 31), D(2024, 2, 29), 12) == 1
    assert months_from(D(2024, 1, 10), D(2024, 1, 11), 12) is None


# -- premium schedule ----------------------------------------------------------------------------


def test_a_single_premium_is_one_installment_covering_the_whole_term() -> None:
    [item] = premium_schedule(D(2024, 1, 10), 24, "single", Decimal("2300"))

    assert item == {
        "no": 1,
        "due_date": D(2024, 1, 10),
        "amount": Decimal("2300.00"),
        "cover_from": D(2024, 1, 10),
        "cover_to": D(2026, 1, 9),
        "kind": "premium",
    }


def test_annual_installments_fall_due_on_each_anniversary() -> None:
    items = premium_schedule(D(2024, 1, 10), 36, "annual", Decimal("1200"))

    assert [i["due_date"] for i in items] == [D(2024, 1, 10), D(2025, 1, 10), D(2026, 1, 10)]
    assert [i["amount"] for i in items] == [Decimal("1200.00")] * 3
    assert items[0]["cover_to"] == D(2025, 1, 9)


def test_an_annual_term_ending_part_way_through_a_year_pays_that_year_pro_rata_by_months() -> None:
    items = premium_schedule(D(2024, 1, 10), 18, "annual", Decimal("1200"))

    assert [i["amount"] for i in items] == [Decimal("1200.00"), Decimal("600.00")]


def test_monthly_installments_are_numbered_from_first_no_and_cover_the_term_without_gaps() -> None:
    items = premium_schedule(D(2024, 1, 31), 12, "monthly", Decimal("108"), first_no=5)

    assert [i["no"] for i in items] == list(range(5, 17))
    assert items[1]["due_date"] == D(2024, 2, 29)
    assert items[0]["cover_from"] == D(2024, 1, 31) and items[-1]["cover_to"] == D(2025, 1, 30)
    for earlier, later in itertools.pairwise(items):
        assert earlier["cover_to"] + DAYS == later["cover_from"]


def test_premium_owed_counts_installments_due_and_unpaid_at_the_end_of_the_day() -> None:
    schedule = [
        {"no": 1, "due_date": D(2024, 1, 10), "amount": Decimal("100"), "paid_on": D(2024, 1, 10)},
        {"no": 2, "due_date": D(2024, 2, 10), "amount": Decimal("100"), "paid_on": D(2024, 3, 1)},
        {"no": 3, "due_date": D(2024, 3, 10), "amount": Decimal("100"), "paid_on": None},
    ]

    assert premium_owed(schedule, D(2024, 2, 9)) == 0
    assert premium_owed(schedule, D(2024, 2, 10)) == Decimal("100")
    assert premium_owed(schedule, D(2024, 3, 1)) == 0
    assert premium_owed(schedule, D(2024, 3, 10)) == Decimal("100")


# -- grace (Art. 36) -----------------------------------------------------------------------------

DUE = D(2024, 3, 1)


def test_without_a_demand_statutory_grace_ends_60_days_after_the_due_date() -> None:
    assert grace_end(DUE, statutory=True, grace_days=15, demanded_on=None) == DUE + 60 * DAYS


def test_an_early_demand_ends_statutory_grace_30_days_after_the_demand() -> None:
    demanded = DUE + 10 * DAYS  # demand + 30 = due + 40, before due + 60

    assert grace_end(DUE, statutory=True, grace_days=60, demanded_on=demanded) == demanded + 30 * DAYS


def test_a_late_demand_does_not_extend_statutory_grace_beyond_60_days_after_due() -> None:
    demanded = DUE + 45 * DAYS  # demand + 30 = due + 75, after due + 60

    assert grace_end(DUE, statutory=True, grace_days=60, demanded_on=demanded) == DUE + 60 * DAYS


def test_a_demand_exactly_30_days_after_due_ends_grace_on_the_same_day_either_way() -> None:
    assert grace_end(DUE, statutory=True, grace_days=60, demanded_on=DUE + 30 * DAYS) == DUE + 60 * DAYS


def test_other_lines_have_the_products_grace_days_whatever_the_demand() -> None:
    # DUE + 30 days is Sunday 2024-03-31: the grace ends on the next working day, DUE + 31 (Civil Code Art. 203)
    assert grace_end(DUE, statutory=False, grace_days=30, demanded_on=DUE + DAYS) == DUE + 31 * DAYS


# -- reinstatement (Art. 37; SPC Interpretation III Art. 8) ----------------------------------------


def test_reinstatement_can_be_agreed_through_two_years_after_the_lapse_then_terminates() -> None:
    # (was 2024-04-11, whose second anniversary is a Saturday and now moves to Monday: Civil Code Art. 203)
    lapsed = D(2024, 4, 15)

    assert reinstatement_last_day(lapsed) == D(2026, 4, 15)
    assert termination_date(lapsed) == D(2026, 4, 16)


def test_the_insurer_may_answer_through_the_30th_day_and_silence_is_consent_on_the_31st() -> None:
    requested = D(2024, 5, 1)

    assert reinstatement_decision_last_day(requested) == D(2024, 5, 31)
    assert deemed_consent_date(requested) == D(2024, 6, 1)


# -- cooling-off, renewal, rescission --------------------------------------------------------------


@pytest.mark.parametrize("days, last", [(15, D(2024, 2, 4)), (10, D(2024, 2, 4)), (20, D(2024, 2, 9))])
def test_cooling_off_lasts_the_products_days_but_at_least_15_after_receipt(days: int, last: date) -> None:
    assert cooling_off_last_day(D(2024, 1, 20), days) == last


@pytest.mark.parametrize("fee, kept", [("5", "5.00"), ("10", "10.00"), ("25", "10.00"), ("-1", "0.00")])
def test_the_cooling_off_fee_is_at_most_10_yuan(fee: str, kept: str) -> None:
    assert cancellation_fee(Decimal(fee)) == Decimal(kept)


def test_renewal_is_offered_from_the_offer_days_before_the_last_day() -> None:
    assert renewal_offer_from(D(2025, 1, 9), 30) == D(2024, 12, 10)


def test_rescission_is_allowed_through_the_30th_day_after_learning_of_the_cause() -> None:
    learned, formed = D(2024, 6, 1), D(2024, 1, 10)

    assert rescission_refusal(learned + 30 * DAYS, learned_on=learned, formed_on=formed, insurer_knew=False) is None
    assert (
        rescission_refusal(learned + 31 * DAYS, learned_on=learned, formed_on=formed, insurer_knew=False)
        == "rescission-time-barred"
    )


def test_rescission_is_allowed_through_two_years_after_formation_and_not_a_day_later() -> None:
    # (was 2024-01-10, whose second anniversary is a Saturday and now moves to Monday: Civil Code Art. 203)
    formed = D(2024, 1, 14)

    assert rescission_refusal(D(2026, 1, 14), learned_on=D(2026, 1, 1), formed_on=formed, insurer_knew=False) is None
    assert (
        rescission_refusal(D(2026, 1, 15), learned_on=D(2026, 1, 1), formed_on=formed, insurer_knew=False)
        == "rescission-time-barred"
    )


def test_rescission_is_never_allowed_when_the_insurer_knew_at_contracting() -> None:
    assert (
        rescission_refusal(D(2024, 2, 1), learned_on=D(2024, 2, 1), formed_on=D(2024, 1, 10), insurer_knew=True)
        == "rescission-not-allowed"
    )


# -- refunds -------------------------------------------------------------------------------------


def test_pro_rata_is_rounded_to_the_cent_and_never_more_than_the_amount() -> None:
    assert pro_rata(Decimal("100"), 1, 3) == Decimal("33.33")
    assert pro_rata(Decimal("100"), 5, 3) == Decimal("100.00")
    assert pro_rata(Decimal("100"), 0, 3) == 0


def test_unearned_premium_counts_the_days_of_cover_from_the_given_day() -> None:
    cover = [{"amount": Decimal("366"), "cover_from": D(2024, 1, 1), "cover_to": D(2024, 12, 31)}]

    assert unearned(cover, D(2024, 1, 1)) == Decimal("366.00")
    assert unearned(cover, D(2024, 12, 31)) == Decimal("1.00")
    assert unearned(cover, D(2025, 1, 1)) == 0


def test_repricing_cover_keeps_what_was_earned_and_scales_the_rest() -> None:
    cover = [{"amount": Decimal("366"), "cover_from": D(2024, 1, 1), "cover_to": D(2024, 12, 31)}]

    segments, change = split_cover(cover, D(2024, 7, 1), Decimal("0.5"))

    assert segments == [
        {"amount": Decimal("182.00"), "cover_from": D(2024, 1, 1), "cover_to": D(2024, 6, 30)},
        {"amount": Decimal("92.00"), "cover_from": D(2024, 7, 1), "cover_to": D(2024, 12, 31)},
    ]
    assert change == Decimal("-92.00")


def test_the_cash_value_follows_the_table_for_the_completed_years() -> None:
    table = (Decimal("0"), Decimal("0.2"), Decimal("0.5"))

    assert cash_value(table, 0, Decimal("1000")) == 0
    assert cash_value(table, 1, Decimal("1000")) == Decimal("200.00")
    assert cash_value(table, 9, Decimal("1000")) == Decimal("500.00")
    assert cash_value((), 9, Decimal("1000")) == 0


def test_the_cash_value_never_exceeds_the_premiums_paid() -> None:
    assert cash_value((Decimal("1.3"),), 0, Decimal("1000")) == Decimal("1000")


@given(
    amounts=st.lists(st.decimals(min_value=0, max_value=100000, places=2), min_size=1, max_size=5),
    offset=st.integers(min_value=-30, max_value=800),
    ratio=st.decimals(min_value=Decimal("0.01"), max_value=1, places=4),
)
def test_refunds_never_exceed_the_premium_paid(amounts: list[Decimal], offset: int, ratio: Decimal) -> None:
    start = D(2024, 1, 10)
    cover = [
        {"amount": a, "cover_from": start + 30 * i * DAYS, "cover_to": start + (30 * i + 29) * DAYS}
        for i, a in enumerate(amounts)
    ]
    paid = sum(amounts, Decimal(0))
    day = start + offset * DAYS

    segments, change = split_cover(cover, day, ratio)

    assert 0 <= unearned(cover, day) <= paid
    assert -paid <= change <= 0
    assert sum((s["amount"] for s in segments), Decimal(0)) == paid + change
    assert unearned(segments, day) <= unearned(cover, day)


# -- input checks --------------------------------------------------------------------------------


def test_a_business_date_is_a_date_without_time() -> None:
    assert check_date(D(2024, 1, 1), "on") == D(2024, 1, 1)
    with pytest.raises(InvalidValue) as raised:
        check_date(datetime(2024, 1, 1, 9), "on")
    assert raised.value.field == "on"


@pytest.mark.parametrize("value", [-1, "501", "NaN", True, 1.5, "x"])
def test_a_loading_is_a_percentage_from_0_to_500(value: object) -> None:
    with pytest.raises(InvalidValue):
        check_percent(value, "loading_pct")
