"""A claim's statutory clocks (SPEC §6; Insurance Law Art. 22–26; SPC Interpretation II Art. 15): pure
rules, no state, no events.

Days are counted as the Civil Code (Art. 201) counts them: the day a period starts from is not
counted, so "within 30 days of D" ends at the end of D + 30; an act on that day is on time and the
clock is breached on the day after.

- Decision (Art. 23; SPC II Art. 15): 30 days from the first receipt of the claim and its documents
  (the report) to the decision (核定: approval with its amount, or rejection), which is notified to
  the claimant the day it is made. The claimant's agreement is not awaited: a dispute of a decided
  amount leads to reassessment and a new decision, but the first decision met the clock. The days from the missing-documents notice (Art. 22) to the arrival of the last
  missing document are not counted: a notice on N and the last document on L move the due date by
  L − N days (the days N + 1 … L), and while documents are missing the clock stands still. Only the
  first notice pauses: a second one (itself an Art. 22 breach) lists no document the first did not.
- Rejection notice (Art. 24): 3 days from the decision to reject.
- Payment (Art. 23): 10 days from agreeing the amount; met when the final payment clears what is
  payable (or the approval leaves nothing to pay, or the claim is rejected).
- Advance (Art. 25): 60 days from receipt, counted as the decision clock counts them; met by any
  payment, or ended when the amount is agreed or the claim is decided before then.
- A clock is read "as of" a day: only pauses and acts dated on or before that day count, so the
  reading for a past day never changes as later events are recorded.
- Every due date, the limitation's last day included, moves off a rest day to the next working day
  (Civil Code Art. 203; domain.calendar): the count (pauses included) gives the nominal last day,
  then the calendar moves it; a reading shows why (`moved_because`) and whether the year's holiday
  calendar is known. A clock is breached, or met late, only after its (moved) due date.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from domain.calendar import PeriodEnd, last_day

DAY = timedelta(days=1)

DECISION_DAYS = 30  # Art. 23
REJECTION_NOTICE_DAYS = 3  # Art. 24
PAYMENT_DAYS = 10  # Art. 23
ADVANCE_DAYS = 60  # Art. 25
CLOCK_DAYS: dict[str, int] = {
    "decision": DECISION_DAYS,
    "rejection_notice": REJECTION_NOTICE_DAYS,
    "payment": PAYMENT_DAYS,
    "advance": ADVANCE_DAYS,
}
CLOCKS = tuple(CLOCK_DAYS)


@dataclass(frozen=True)
class Pause:
    """Documents missing: from the notice (`from_on`) to the arrival of the last one (`to_on`)."""

    from_on: date
    to_on: date | None = None

    def days_through(self, day: date) -> int:
        """Paused days up to and including `day`: those in from_on + 1 … min(day, to_on)."""
        end = day if self.to_on is None else min(day, self.to_on)
        return max(0, (end - self.from_on).days)

    def open_on(self, day: date) -> bool:
        """Whether documents are still missing at the end of `day`."""
        return self.from_on <= day and (self.to_on is None or day < self.to_on)


@dataclass(frozen=True)
class ClockReading:
    """One clock at the end of `on`. `due_on` moves day by day while the clock is paused."""

    clock: str  # decision | rejection_notice | payment | advance
    on: date
    started_on: date
    days_allowed: int
    due_on: date
    days_used: int
    paused_days: int
    paused: bool
    met_on: date | None  # the day the obligation was met (or ended), if by `on`
    breached: bool
    on_time: bool | None  # None until met
    nominal_due_on: date | None = None  # the count's last day, before moving off a rest day (Art. 203)
    moved_because: str | None = None  # why due_on is after nominal_due_on
    calendar_known: bool = True  # False: no (or a provisional) holiday calendar for the due date's year
    calendar_warning: str | None = None

    @property
    def remaining_days(self) -> int:
        """Days left to the due date (negative once past it): the days allowed less the days used,
        plus the days the due date moved off a rest day."""
        moved = 0 if self.nominal_due_on is None else (self.due_on - self.nominal_due_on).days
        return self.days_allowed - self.days_used + moved


def read_clock(
    clock: str, started_on: date, day: date, *, pauses: tuple[Pause, ...] = (), met_on: date | None = None
) -> ClockReading:
    """The clock at the end of `day`: it stops at `met_on` and does not count paused days."""
    allowed = CLOCK_DAYS[clock]
    met = met_on if met_on is not None and met_on <= day else None
    read = met or day
    paused = sum(p.days_through(read) for p in pauses)
    used = max(0, (read - started_on).days - paused)
    end = due_date(started_on, allowed, paused)
    return ClockReading(
        clock=clock,
        on=day,
        started_on=started_on,
        days_allowed=allowed,
        due_on=end.due,
        days_used=used,
        paused_days=paused,
        paused=met is None and any(p.open_on(day) for p in pauses),
        met_on=met,
        breached=read > end.due,
        on_time=None if met is None else met <= end.due,
        nominal_due_on=end.nominal,
        moved_because=end.moved_because,
        calendar_known=end.calendar_known,
        calendar_warning=end.warning,
    )


def due_date(started_on: date, days_allowed: int, paused_days: int = 0) -> PeriodEnd:
    """A clock's end: `days_allowed` counted from the day after `started_on` (Art. 201), paused days
    not counted, then moved off a rest day (Art. 203)."""
    return last_day(started_on + (days_allowed + paused_days) * DAY)


def breach_due_on(
    clock: str, started_on: date, *, pauses: tuple[Pause, ...] = (), met_on: date | None = None
) -> date | None:
    """The day a breach is due (the day after the due date), unless met or still paused."""
    if met_on is not None or any(p.to_on is None for p in pauses):
        return None
    paused = sum(p.days_through(date.max) for p in pauses)
    return due_date(started_on, CLOCK_DAYS[clock], paused).due + DAY


@dataclass(frozen=True)
class ClaimRound:
    """What a round of handling (the claim, or a reopening) has done that its clocks need."""

    number: int
    started_on: date  # the report (first receipt) or the reopening
    pauses: tuple[Pause, ...] = ()
    decided_on: date | None = None  # the latest decision (a disputed approval is decided again)
    decision: str | None = None  # approved | rejected
    first_decided_on: date | None = None  # the first decision (核定) notified: it stops the decision clock
    rejection_notice_on: date | None = None
    agreed_on: date | None = None
    settled_on: date | None = None  # nothing left to pay on the approval
    first_payment_on: date | None = None
    breaches: tuple[str, ...] = ()  # clocks whose breach is recorded

    def _started(self, clock: str) -> tuple[date, tuple[Pause, ...], date | None] | None:
        """(start, pauses, met or ended on) of a clock, or None while it has not started."""
        decided, rejected = self.decided_on, self.decision == "rejected"
        first = self.first_decided_on or decided
        if clock == "decision":
            return self.started_on, self.pauses, first
        if clock == "rejection_notice":
            return None if not rejected or decided is None else (decided, (), self.rejection_notice_on)
        if clock == "payment":
            if self.agreed_on is None:
                return None
            return self.agreed_on, (), decided if rejected else self.settled_on
        ends = [d for d in (self.first_payment_on, self.agreed_on, first) if d is not None]
        return self.started_on, self.pauses, min(ends, default=None)

    def reading(self, clock: str, day: date) -> ClockReading | None:
        """The clock at the end of `day`, or None if it had not started by then."""
        started = self._started(clock)
        if started is None or started[0] > day:
            return None
        start, pauses, met = started
        return read_clock(clock, start, day, pauses=pauses, met_on=met)

    def breach_steps(self) -> list[tuple[date, str]]:
        """(day due, clock) of each breach due and not yet recorded."""
        steps = []
        for clock in CLOCKS:
            started = self._started(clock)
            if started is None or clock in self.breaches:
                continue
            due = breach_due_on(clock, started[0], pauses=started[1], met_on=started[2])
            if due is not None:
                steps.append((due, clock))
        return sorted(steps)


@dataclass(frozen=True)
class ClaimClocks:
    """A claim's clocks at the end of `on` (those of the round running that day)."""

    on: date
    round: int
    decision: ClockReading
    rejection_notice: ClockReading | None
    payment: ClockReading | None
    advance: ClockReading

    @property
    def breaches(self) -> tuple[str, ...]:
        readings = (self.decision, self.rejection_notice, self.payment, self.advance)
        return tuple(r.clock for r in readings if r is not None and r.breached)


def claim_clocks(round_: ClaimRound, day: date) -> ClaimClocks:
    decision, advance = round_.reading("decision", day), round_.reading("advance", day)
    assert decision is not None and advance is not None
    return ClaimClocks(
        on=day,
        round=round_.number,
        decision=decision,
        rejection_notice=round_.reading("rejection_notice", day),
        payment=round_.reading("payment", day),
        advance=advance,
    )
