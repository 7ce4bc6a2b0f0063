"""The complaint clock's pure rules (SPEC §7): day counting on both sides of every boundary."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

import pytest

from domain.complaint.rules import (
    DAY,
    DECISION_DAYS,
    MAX_DAYS_ALLOWED,
    ClockRound,
    Extension,
    Pause,
    china_date,
    extension_refusal,
    linked_clock,
    read_clock,
)

# received: a Sunday chosen so that no deadline below (days 15, 16, 17, 19, 22, 30, 50, 60, 75) falls on a rest
# day, which would move it to the next working day (Civil Code Art. 203; tests/unit/test_calendar.py): the
# tests here are about the count. (Was 2024-03-01, whose day 15 is a Saturday.)
R = date(2024, 3, 10)


def day(n: int) -> date:
    """Day n of the clock: the day of receipt is day 0, as the Civil Code counts (Art. 201)."""
    return R + timedelta(days=n)


def a_round(
    *,
    extensions: tuple[Extension, ...] = (),
    pauses: tuple[Pause, ...] = (),
    decided: int | None = None,
    notified: int | None = -1,
) -> ClockRound:
    """A round; a decision is told to the complainant the same day unless `notified` says otherwise
    (None: not yet)."""
    told = decided if notified == -1 else notified
    return ClockRound(
        number=1,
        started_on=R,
        extensions=extensions,
        pauses=pauses,
        decided_on=None if decided is None else day(decided),
        notified_on=None if told is None else day(told),
        notice_channel=None if told is None else "sms",
    )


COMPLEX = Extension("complex", day(10), 30)
ESPECIALLY = Extension("especially_complex", day(25), 60)


# -- receipt date -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("moment", "expected"),
    [
        (datetime(2024, 3, 1, 15, 59, tzinfo=UTC), date(2024, 3, 1)),
        (datetime(2024, 3, 1, 16, 0, tzinfo=UTC), date(2024, 3, 2)),
        (datetime(2024, 3, 1, 23, 59, tzinfo=timezone(timedelta(hours=8))), date(2024, 3, 1)),
    ],
)
def test_the_received_date_is_the_date_in_china(moment: datetime, expected: date) -> None:
    assert china_date(moment) == expected


# -- 15 days ------------------------------------------------------------------------------------


def test_the_deadline_is_fifteen_days_after_receipt() -> None:
    assert a_round().deadline(R) == day(15) == date(2024, 3, 25)  # R moved from 2024-03-01 (see R)
    assert DECISION_DAYS == 15


def test_on_the_day_of_receipt_no_day_is_used() -> None:
    clock = read_clock(a_round(), R, R)

    assert (clock.days_used, clock.remaining_days, clock.breached) == (0, 15, False)


def test_day_fifteen_is_on_time_and_day_sixteen_is_breached() -> None:
    on_15, on_16 = read_clock(a_round(), R, day(15)), read_clock(a_round(), R, day(16))

    assert (on_15.days_used, on_15.remaining_days, on_15.breached) == (15, 0, False)
    assert (on_16.days_used, on_16.remaining_days, on_16.breached) == (16, -1, True)


def test_a_decision_on_day_fifteen_is_on_time_and_stops_the_clock() -> None:
    clock = read_clock(a_round(decided=15), R, day(40))

    assert (clock.decided_on, clock.on_time, clock.days_used, clock.breached) == (day(15), True, 15, False)


def test_a_decision_on_day_sixteen_is_late_and_stays_breached() -> None:
    clock = read_clock(a_round(decided=16), R, day(40))

    assert (clock.on_time, clock.days_used, clock.breached) == (False, 16, True)


def test_a_decision_not_yet_notified_does_not_stop_the_clock() -> None:
    """Art. 21: decide and tell the complainant by the deadline."""
    undecided = a_round(decided=10, notified=None)
    last = undecided.deadline(day(10))
    on_last, after = read_clock(undecided, R, last), read_clock(undecided, R, last + DAY)

    assert (on_last.decided_on, on_last.notified_on, on_last.on_time, on_last.breached) == (day(10), None, None, False)
    assert (after.on_time, after.days_used, after.breached) == (None, (last - R).days + 1, True)
    assert undecided.breach_due_on() == last + DAY


def test_a_notice_on_the_last_day_meets_the_deadline_and_the_day_after_does_not() -> None:
    last = a_round().deadline(day(10))
    told_last = read_clock(a_round(decided=10, notified=(last - R).days), R, day(90))
    told_after = read_clock(a_round(decided=10, notified=(last - R).days + 1), R, day(90))

    assert (told_last.notified_on, told_last.notice_channel, told_last.on_time, told_last.breached) == (
        last,
        "sms",
        True,
        False,
    )
    assert (told_after.on_time, told_after.breached) == (False, True)
    assert read_clock(a_round(decided=10, notified=14), R, day(13)).notified_on is None


def test_a_decision_stored_before_notices_stops_the_clock_itself() -> None:
    legacy = ClockRound(number=1, started_on=R, decided_on=day(10), notice_required=False)

    clock = read_clock(legacy, R, day(40))

    assert (clock.on_time, clock.days_used, clock.breached, clock.notified_on) == (True, 10, False, None)
    assert legacy.breach_due_on() is None


def test_a_decision_is_not_known_before_its_day() -> None:
    clock = read_clock(a_round(decided=10), R, day(9))

    assert (clock.decided_on, clock.on_time, clock.days_used) == (None, None, 9)


# -- extensions ---------------------------------------------------------------------------------


def test_after_the_complex_extension_day_thirty_is_on_time_and_day_thirty_one_breached() -> None:
    extended = a_round(extensions=(COMPLEX,))

    assert read_clock(extended, R, day(30)).breached is False
    assert read_clock(extended, R, day(31)).breached is True
    assert extended.deadline(day(10)) == day(30)


def test_after_the_especially_complex_extension_day_sixty_is_on_time_and_day_sixty_one_breached() -> None:
    extended = a_round(extensions=(COMPLEX, ESPECIALLY))

    on_60, on_61 = read_clock(extended, R, day(60)), read_clock(extended, R, day(61))

    assert (on_60.days_allowed, on_60.breached, on_60.deadline_on) == (60, False, day(60))
    assert on_61.breached is True
    assert on_60.extensions == ("complex", "especially_complex")


def test_an_extension_counts_only_from_its_day() -> None:
    extended = a_round(extensions=(COMPLEX,))

    assert read_clock(extended, R, day(9)).days_allowed == 15
    assert read_clock(extended, R, day(9)).extensions == ()
    assert read_clock(extended, R, day(10)).days_allowed == 30


def test_sixty_days_is_the_most_ever_allowed() -> None:
    extended = a_round(extensions=(COMPLEX, ESPECIALLY))

    assert extended.days_allowed(date.max) == MAX_DAYS_ALLOWED == 60


def test_each_extension_kind_is_granted_once() -> None:
    assert extension_refusal(a_round(extensions=(COMPLEX,)), "complex", day(12)) == "extension-already-used"
    assert (
        extension_refusal(a_round(extensions=(COMPLEX, ESPECIALLY)), "especially_complex", day(40))
        == "extension-already-used"
    )


def test_the_especially_complex_extension_needs_the_complex_one_first() -> None:
    assert extension_refusal(a_round(), "especially_complex", day(5)) == "complex-extension-required"


def test_an_extension_is_granted_on_or_before_the_deadline_it_extends() -> None:
    assert extension_refusal(a_round(), "complex", day(15)) is None
    assert extension_refusal(a_round(), "complex", day(16)) == "deadline-passed"
    assert extension_refusal(a_round(extensions=(COMPLEX,)), "especially_complex", day(30)) is None
    assert extension_refusal(a_round(extensions=(COMPLEX,)), "especially_complex", day(31)) == "deadline-passed"


# -- external appraisal -------------------------------------------------------------------------


def test_a_pause_of_n_days_moves_the_deadline_by_n_days() -> None:
    paused = a_round(pauses=(Pause(started_on=day(5), complainant_told_on=day(5), ended_on=day(12)),))

    assert paused.deadline(day(12)) == day(22)
    assert read_clock(paused, R, day(22)).breached is False
    assert read_clock(paused, R, day(23)).breached is True
    assert read_clock(paused, R, day(22)).paused_days == 7


def test_appraisal_days_count_only_from_the_day_the_complainant_was_told() -> None:
    pause = Pause(started_on=day(3), complainant_told_on=day(6), ended_on=day(10))
    paused = a_round(pauses=(pause,))

    assert pause.paused_from == day(6)
    assert paused.paused_days(day(10)) == 4  # not 7: days 4-6 still count
    assert paused.deadline(day(10)) == day(19)
    assert read_clock(paused, R, day(19)).breached is False
    assert read_clock(paused, R, day(20)).breached is True


def test_telling_the_complainant_before_the_start_pauses_from_the_start() -> None:
    pause = Pause(started_on=day(6), complainant_told_on=day(2), ended_on=day(10))

    assert pause.paused_from == day(6)
    assert a_round(pauses=(pause,)).paused_days(day(10)) == 4


def test_the_clock_stands_still_while_an_appraisal_is_open() -> None:
    open_round = a_round(pauses=(Pause(started_on=day(5), complainant_told_on=day(5)),))

    used = [read_clock(open_round, R, day(n)).days_used for n in (5, 6, 20, 40)]
    deadlines = [open_round.deadline(day(n)) for n in (5, 6, 40)]

    assert used == [5, 5, 5, 5]
    assert deadlines == [day(15), day(16), day(50)]
    assert read_clock(open_round, R, day(40)).paused is True
    assert read_clock(open_round, R, day(4)).paused is False
    assert read_clock(open_round, R, day(40)).breached is False


def test_the_day_an_appraisal_ends_is_not_counted_and_the_next_day_is() -> None:
    paused = a_round(pauses=(Pause(started_on=day(5), complainant_told_on=day(5), ended_on=day(8)),))

    assert [read_clock(paused, R, day(n)).days_used for n in (5, 6, 7, 8, 9)] == [5, 5, 5, 5, 6]
    assert read_clock(paused, R, day(7)).paused is True
    assert read_clock(paused, R, day(8)).paused is False


def test_pauses_add_up_and_the_sixty_days_are_counted_without_them() -> None:
    pauses = (Pause(day(2), day(2), day(7)), Pause(day(20), day(21), day(31)))
    extended = a_round(extensions=(COMPLEX, ESPECIALLY), pauses=pauses)

    assert extended.deadline(day(70)) == day(75)  # 60 + 5 + 10
    assert read_clock(extended, R, day(75)).days_used == 60
    assert read_clock(extended, R, day(75)).breached is False
    assert read_clock(extended, R, day(76)).breached is True


def test_a_pause_started_on_the_deadline_day_saves_the_next_day() -> None:
    paused = a_round(pauses=(Pause(day(15), day(15), day(17)),))

    assert paused.deadline(day(17)) == day(17)
    assert read_clock(paused, R, day(16)).breached is False
    assert read_clock(paused, R, day(17)).breached is False
    assert read_clock(paused, R, day(18)).breached is True


# -- the breach the scheduler records ---------------------------------------------------------------


def test_a_breach_is_due_the_day_after_the_deadline() -> None:
    assert a_round().breach_due_on() == day(16)
    assert a_round(extensions=(COMPLEX,)).breach_due_on() == day(31)
    assert a_round(pauses=(Pause(day(5), day(5), day(9)),)).breach_due_on() == day(20)


def test_no_breach_is_due_once_decided_recorded_or_while_paused() -> None:
    assert a_round(decided=20).breach_due_on() is None
    assert ClockRound(1, R, breached_on=day(16)).breach_due_on() is None
    assert a_round(pauses=(Pause(day(5), day(5)),)).breach_due_on() is None


def test_a_linked_repeat_has_no_clock_of_its_own() -> None:
    clock = linked_clock(R, day(100), "first-complaint")

    assert (clock.deadline_on, clock.days_allowed, clock.remaining_days, clock.breached) == (None, None, None, False)
    assert (clock.linked_to, clock.days_used, clock.round) == ("first-complaint", 100, 0)
