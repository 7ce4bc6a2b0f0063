"""Counting days (SPEC §2; Civil Code Arts. 200–204): a period starts the day after its trigger (Art. 201);
a last day on a weekend or public holiday moves to the next working day (Art. 203); an adjusted working day
(调休) is a working day. The shipped State Council calendar, and every day-counted clock built on it."""

from __future__ import annotations

import json
from datetime import date, timedelta
from importlib import resources

import pytest

from domain.calendar import CalendarError, default_calendar, is_working_day, last_day, parse_year, period_end
from domain.claim.rules import ClaimRound, Pause, breach_due_on, limitation_last_day, read_clock
from domain.complaint.rules import ClockRound, Extension
from domain.complaint.rules import read_clock as read_complaint_clock
from domain.policy.rules import (
    cooling_off_last_day,
    deemed_consent_date,
    grace_end,
    reinstatement_decision_last_day,
    reinstatement_last_day,
    rescission_refusal,
    termination_date,
)

D = date
DAY = timedelta(days=1)
NATIONAL_DAY = "2025-10-04 is a public holiday (National Day and Mid-Autumn Festival); moved to 2025-10-09"


# -- the shipped calendar ----------------------------------------------------------------------------


def test_every_year_from_2020_to_2027_ships_and_validates() -> None:
    calendar = default_calendar()

    assert set(range(2020, 2028)) <= set(calendar.years())
    assert [calendar.status(y) for y in range(2020, 2027)] == ["published"] * 7
    assert calendar.status(2027) == "provisional"  # no State Council notice yet when shipped
    assert calendar.status(2031) == "missing"
    notice = calendar.year(2025).notices[0]  # type: ignore[union-attr]
    assert notice["number"] == "国办发明电〔2024〕12号" and notice["date"] == "2024-11-12"


def test_national_day_2025_holidays_and_adjusted_working_days() -> None:
    assert [is_working_day(D(2025, 10, d)) for d in range(1, 9)] == [False] * 8
    assert is_working_day(D(2025, 9, 28))  # a Sunday made a working day
    assert is_working_day(D(2025, 10, 11))  # a Saturday made a working day
    assert is_working_day(D(2025, 10, 9)) and not is_working_day(D(2025, 10, 12))


def test_spring_festival_2025() -> None:
    assert not any(is_working_day(D(2025, 1, 28) + n * DAY) for n in range(8))  # 01-28 … 02-04
    assert is_working_day(D(2025, 1, 26)) and is_working_day(D(2025, 2, 8))  # Sunday, Saturday worked
    assert is_working_day(D(2025, 2, 5))


# -- period_end --------------------------------------------------------------------------------------


def test_a_period_starts_the_day_after_its_trigger() -> None:
    end = period_end(D(2025, 3, 3), 10)

    assert (end.nominal, end.due, end.moved_because, end.calendar_known) == (D(2025, 3, 13), D(2025, 3, 13), None, True)


def test_thirty_days_ending_in_the_national_day_holiday_end_on_the_next_working_day() -> None:
    end = period_end(D(2025, 9, 4), 30)

    assert (end.nominal, end.due) == (D(2025, 10, 4), D(2025, 10, 9))
    assert end.moved_because == NATIONAL_DAY and end.calendar_known and end.warning is None


def test_the_last_holiday_day_moves_one_day() -> None:
    end = period_end(D(2025, 9, 8), 30)

    assert (end.nominal, end.due) == (D(2025, 10, 8), D(2025, 10, 9))


def test_a_period_ending_on_an_adjusted_working_saturday_stays() -> None:
    end = period_end(D(2025, 9, 11), 30)

    assert (end.nominal, end.due, end.moved_because) == (D(2025, 10, 11), D(2025, 10, 11), None)


def test_spring_festival_2025_moves_a_period_and_the_working_saturday_keeps_it() -> None:
    moved = period_end(D(2025, 1, 2), 30)  # nominal 2025-02-01, a Spring Festival day
    kept = period_end(D(2025, 1, 9), 30)  # nominal 2025-02-08, a Saturday worked

    assert (moved.nominal, moved.due) == (D(2025, 2, 1), D(2025, 2, 5))
    assert moved.moved_because == "2025-02-01 is a public holiday (Spring Festival); moved to 2025-02-05"
    assert (kept.due, kept.moved_because) == (D(2025, 2, 8), None)


def test_a_plain_weekend_moves_to_monday() -> None:
    end = period_end(D(2025, 3, 7), 8)  # nominal Saturday 2025-03-15

    assert end.due == D(2025, 3, 17) and end.moved_because == "2025-03-15 is a Saturday; moved to 2025-03-17"
    assert last_day(D(2025, 3, 16)).moved_because == "2025-03-16 is a Sunday; moved to 2025-03-17"


def test_a_year_without_data_counts_weekends_only_and_says_so() -> None:
    holiday_unknown = period_end(D(2031, 9, 1), 30)  # 2031-10-01, a Wednesday: no calendar says otherwise
    weekend = period_end(D(2031, 9, 4), 30)  # Saturday 2031-10-04

    assert is_working_day(D(2031, 10, 1)) and not is_working_day(D(2031, 10, 4))
    assert holiday_unknown.due == D(2031, 10, 1) and not holiday_unknown.calendar_known
    assert holiday_unknown.warning == "no public-holiday calendar for 2031: only weekends are counted as rest days"
    assert (weekend.due, weekend.calendar_known) == (D(2031, 10, 6), False)


def test_a_provisional_year_warns_too() -> None:
    end = period_end(D(2027, 9, 1), 30)  # 2027-10-01, National Day by the statutory list

    assert end.due == D(2027, 10, 6) and not end.calendar_known
    assert end.warning is not None and "2027" in end.warning and "provisional" in end.warning


# -- loading checks each file ------------------------------------------------------------------------


def shipped(year: int) -> dict:  # type: ignore[type-arg]
    text = resources.files("domain").joinpath("holidays", f"{year}.json").read_text(encoding="utf-8")
    return dict(json.loads(text))


@pytest.mark.parametrize(
    "change, field",
    [
        (
            lambda d: d["adjusted_working_days"].append({"date": "2025-10-10", "for": "x"}),
            "adjusted_working_days[5].date",
        ),
        (lambda d: d.update(notices=[]), "notices"),
        (lambda d: d["holidays"][0].update(to="2024-12-01"), "holidays[0].to"),
        (lambda d: d.update(status="guessed"), "status"),
        (lambda d: d["holidays"].append(d["holidays"][0]), "holidays[6]"),
    ],
)
def test_a_bad_year_file_is_refused_naming_the_field(change, field) -> None:  # type: ignore[no-untyped-def]
    data = shipped(2025)
    change(data)

    with pytest.raises(CalendarError) as error:
        parse_year(data, "2025.json")
    assert error.value.field_path == field


def test_a_year_file_must_be_named_for_its_year() -> None:
    with pytest.raises(CalendarError) as error:
        parse_year(shipped(2025), "2024.json")
    assert error.value.field_path == "year"


# -- every day-counted clock: the last day and the day after -------------------------------------------


def test_claim_decision_30_days() -> None:
    start = D(2025, 9, 4)
    last, after = read_clock("decision", start, D(2025, 10, 9)), read_clock("decision", start, D(2025, 10, 10))

    assert (last.due_on, last.nominal_due_on, last.moved_because) == (D(2025, 10, 9), D(2025, 10, 4), NATIONAL_DAY)
    assert (last.breached, last.remaining_days, after.breached, after.remaining_days) == (False, 0, True, -1)
    assert breach_due_on("decision", start) == D(2025, 10, 10)
    assert read_clock("decision", start, D(2025, 10, 20), met_on=D(2025, 10, 9)).on_time is True
    assert read_clock("decision", start, D(2025, 10, 20), met_on=D(2025, 10, 10)).on_time is False


def test_claim_decision_paused_then_moved_off_the_holiday() -> None:
    # 10 days paused (notice 08-30, last document 09-09): 30 + 10 days from 08-25 end on 10-04 → 10-09
    pauses = (Pause(D(2025, 8, 30), D(2025, 9, 9)),)
    last = read_clock("decision", D(2025, 8, 25), D(2025, 10, 9), pauses=pauses)

    assert (last.paused_days, last.nominal_due_on, last.due_on, last.breached) == (
        10,
        D(2025, 10, 4),
        D(2025, 10, 9),
        False,
    )
    assert read_clock("decision", D(2025, 8, 25), D(2025, 10, 10), pauses=pauses).breached
    assert breach_due_on("decision", D(2025, 8, 25), pauses=pauses) == D(2025, 10, 10)


def test_claim_payment_10_days_and_rejection_notice_3_days() -> None:
    paying = ClaimRound(1, D(2025, 9, 1), agreed_on=D(2025, 9, 24), decided_on=D(2025, 9, 24), decision="approved")
    rejecting = ClaimRound(1, D(2025, 9, 1), decided_on=D(2025, 9, 30), decision="rejected")

    for round_, clock in ((paying, "payment"), (rejecting, "rejection_notice")):
        last, after = round_.reading(clock, D(2025, 10, 9)), round_.reading(clock, D(2025, 10, 10))
        assert last is not None and after is not None
        assert (last.due_on, last.breached, after.breached) == (D(2025, 10, 9), False, True), clock
        assert last.moved_because is not None
        assert (D(2025, 10, 10), clock) in round_.breach_steps()


def test_claim_advance_60_days() -> None:
    round_ = ClaimRound(1, D(2025, 8, 5))

    last, after = round_.reading("advance", D(2025, 10, 9)), round_.reading("advance", D(2025, 10, 10))

    assert last is not None and after is not None
    assert (last.nominal_due_on, last.due_on, last.breached, after.breached) == (
        D(2025, 10, 4),
        D(2025, 10, 9),
        False,
        True,
    )


@pytest.mark.parametrize(
    "received, extensions",
    [
        (D(2025, 9, 19), ()),
        (D(2025, 9, 4), (Extension("complex", D(2025, 9, 10), 30),)),
        (
            D(2025, 8, 5),
            (Extension("complex", D(2025, 8, 10), 30), Extension("especially_complex", D(2025, 8, 20), 60)),
        ),
    ],
)
def test_complaint_15_30_60_days(received: date, extensions: tuple[Extension, ...]) -> None:
    round_ = ClockRound(1, received, extensions=extensions)

    last = read_complaint_clock(round_, received, D(2025, 10, 9))
    after = read_complaint_clock(round_, received, D(2025, 10, 10))

    assert (last.deadline_nominal_on, last.deadline_on, last.deadline_moved_because) == (
        D(2025, 10, 4),
        D(2025, 10, 9),
        NATIONAL_DAY,
    )
    assert (last.breached, last.remaining_days, after.breached) == (False, 0, True)
    assert round_.breach_due_on() == D(2025, 10, 10)


def test_cooling_off_15_days() -> None:
    assert cooling_off_last_day(D(2025, 9, 19), 15) == D(2025, 10, 9)
    assert cooling_off_last_day(D(2025, 9, 26), 15) == D(2025, 10, 11)  # the working Saturday


def test_art_37_thirty_days_of_silence() -> None:
    requested = D(2025, 9, 4)

    assert reinstatement_decision_last_day(requested) == D(2025, 10, 9)
    assert deemed_consent_date(requested) == D(2025, 10, 10)


def test_art_16_thirty_days_and_two_years() -> None:
    learned, formed = D(2025, 9, 4), D(2024, 1, 2)

    assert rescission_refusal(D(2025, 10, 9), learned_on=learned, formed_on=formed, insurer_knew=False) is None
    assert (
        rescission_refusal(D(2025, 10, 10), learned_on=learned, formed_on=formed, insurer_knew=False)
        == "rescission-time-barred"
    )
    # two years from 2023-10-04 end on 2025-10-04, a holiday: still possible on 10-09
    assert (
        rescission_refusal(D(2025, 10, 9), learned_on=D(2025, 10, 1), formed_on=D(2023, 10, 4), insurer_knew=False)
        is None
    )
    assert (
        rescission_refusal(D(2025, 10, 10), learned_on=D(2025, 10, 1), formed_on=D(2023, 10, 4), insurer_knew=False)
        == "rescission-time-barred"
    )


def test_grace_end() -> None:
    # 60 days after the due date 2025-08-05 end on 10-04; 30 days after a demand on 09-04 too
    assert grace_end(D(2025, 8, 5), statutory=True, grace_days=60, demanded_on=None) == D(2025, 10, 9)
    assert grace_end(D(2025, 8, 5), statutory=True, grace_days=60, demanded_on=D(2025, 9, 4)) == D(2025, 10, 9)
    assert grace_end(D(2025, 9, 4), statutory=False, grace_days=30, demanded_on=None) == D(2025, 10, 9)
    # the earlier of the two ends once moved: a demand on 09-11 would end on 10-11, a working Saturday
    assert grace_end(D(2025, 8, 20), statutory=True, grace_days=60, demanded_on=D(2025, 9, 11)) == D(2025, 10, 11)


def test_limitation_and_the_two_years_after_lapse() -> None:
    assert limitation_last_day(D(2023, 10, 4), "property") == D(2025, 10, 9)
    assert limitation_last_day(D(2020, 10, 4), "life") == D(2025, 10, 9)
    assert reinstatement_last_day(D(2023, 10, 1)) == D(2025, 10, 9)
    assert termination_date(D(2023, 10, 1)) == D(2025, 10, 10)
