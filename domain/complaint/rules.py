"""Pure rules of a complaint's decision clock (SPEC §7; 《银行业保险业消费投诉处理管理办法》2020): no state,
no clock, no events.

Days are counted as the Civil Code (Art. 201) counts them: the day of receipt is not counted, so
"within 15 days of receipt" ends at the end of day received_on + 15. A decision on that day is on
time; the clock is breached on the day after.

- Days allowed: 15; a complex case may be extended to 30; an especially complex one (only after the
  complex extension) a further 30, to 60 at most. Each extension is granted while the clock still
  runs, i.e. on or before the deadline it extends.
- External appraisal (鉴定/评估): its days are not counted once the complainant has been told. The
  pause runs from `paused_from` = the later of the appraisal's start and the day the complainant was
  told, to the day it ended: the days paused_from + 1 … ended_on are not counted (that day itself
  still counts, as the day of receipt does not), so a pause of N = ended_on − paused_from days moves
  the deadline by N days and, while it lasts, the clock stands still.
- The deadline is therefore started_on + days_allowed + paused days; days used are the calendar days
  from the start of the clock to the day asked about (or the decision, if earlier), less the paused
  days, and the clock is breached when the days used exceed the days allowed.
- The clock stops when the complainant is told of the decision (Art. 21: 作出处理决定并告知投诉人), not
  at the decision: the deadline is met only when the notice is given by it. A decision notice is its
  own command; feedback on the decision (8.2.1 (5)) is the notice when none was recorded before it.
  A decision stored before notices were recorded (Resolved v1) stops its clock at the decision.
- The deadline's last day moves off a rest day to the next working day (Civil Code Art. 203;
  domain.calendar): the count above gives the nominal last day, the calendar moves it, and the
  clock shows why (`deadline_moved_because`). The clock is breached, and a decision notified late,
  only after that (moved) deadline.
- A clock is asked "as of" a day: only extensions, pauses and a decision dated on or before that day
  count, so the answer for a past day never changes as later events are recorded.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, Literal

from domain.calendar import PeriodEnd, last_day
from domain.errors import InvalidValue
from domain.identifiers import CHINA_TZ
from domain.values import check_id, check_text

#: The complaint's reference values: channels, categories, outcomes, statuses.
CHANNELS = ("phone", "online", "letter", "visit", "regulator_transfer")
CATEGORIES = ("sales", "underwriting", "premium", "claims", "service", "other")
OUTCOMES = ("upheld", "partly_upheld", "not_upheld")
FEEDBACK_CHANNELS = ("phone", "sms", "email", "letter", "visit", "online")
STATUSES = ("received", "assigned", "investigating", "escalated", "resolved", "feedback_given", "archived", "reopened")
OPEN = ("received", "assigned", "investigating", "escalated", "reopened")  # awaiting a decision
COMPLAINANT_KEYS = ("customer_id", "name", "contact")

DAY = timedelta(days=1)
DECISION_DAYS = 15  # 办法: a decision within 15 days of receipt
#: The days allowed after each extension (the especially complex one only after the complex one).
EXTENSION_DAYS: dict[str, int] = {"complex": 30, "especially_complex": 60}
EXTENSION_KINDS = tuple(EXTENSION_DAYS)
MAX_DAYS_ALLOWED = max(EXTENSION_DAYS.values())  # 60 at most


def china_date(moment: datetime) -> date:
    """The calendar date in China (UTC+8) of a timezone-aware moment."""
    return moment.astimezone(CHINA_TZ).date()


@dataclass(frozen=True)
class Extension:
    """A granted extension: from its day on, the clock allows `days_allowed` days."""

    kind: str
    on: date
    days_allowed: int


@dataclass(frozen=True)
class Pause:
    """An external appraisal. Its days count as paused from `paused_from` to `ended_on`."""

    started_on: date
    complainant_told_on: date
    ended_on: date | None = None

    @property
    def paused_from(self) -> date:
        """The appraisal's days are not counted until it has started and the complainant was told."""
        return max(self.started_on, self.complainant_told_on)

    def open_on(self, day: date) -> bool:
        """Whether the clock stands still at the end of `day` because of this appraisal."""
        return self.paused_from <= day and (self.ended_on is None or day < self.ended_on)

    def days_through(self, day: date) -> int:
        """Paused days up to and including `day`: those in paused_from + 1 … min(day, ended_on)."""
        end = day if self.ended_on is None else min(day, self.ended_on)
        return max(0, (end - self.paused_from).days)


@dataclass(frozen=True)
class ClockRound:
    """One decision clock: from receipt (round 1) or from a reopening (round 2, 3, …)."""

    number: int
    started_on: date
    extensions: tuple[Extension, ...] = ()
    pauses: tuple[Pause, ...] = ()
    decided_on: date | None = None
    breached_on: date | None = None  # the day DeadlineBreached was recorded for
    # Art. 21: the decision AND telling the complainant within the days allowed. A decision recorded
    # before the notice existed (Resolved v1) does not require one: its clock stops at the decision.
    notice_required: bool = True
    notified_on: date | None = None  # the decision notice (or the first feedback after the decision)
    notice_channel: str | None = None

    @property
    def open_pause(self) -> Pause | None:
        last = self.pauses[-1] if self.pauses else None
        return last if last is not None and last.ended_on is None else None

    def extension_kinds(self) -> tuple[str, ...]:
        return tuple(e.kind for e in self.extensions)

    def decided_by(self, day: date) -> date | None:
        """The decision date, if the decision was made on or before `day`."""
        return self.decided_on if self.decided_on is not None and self.decided_on <= day else None

    def notified_by(self, day: date) -> date | None:
        """The day the complainant was told of the decision, if on or before `day`."""
        return self.notified_on if self.notified_on is not None and self.notified_on <= day else None

    def stopped_by(self, day: date) -> date | None:
        """The day the clock stopped, if on or before `day`: the notice of the decision (Art. 21); for a
        decision recorded before notices were (notice_required False), the decision itself."""
        return self.notified_by(day) if self.notice_required else self.decided_by(day)

    @property
    def stopped_on(self) -> date | None:
        return self.stopped_by(date.max)

    def days_allowed(self, day: date) -> int:
        return max([DECISION_DAYS, *(e.days_allowed for e in self.extensions if e.on <= day)])

    def reading_day(self, day: date) -> date:
        """The day the clock reads for `day`: it stops at the notice of the decision."""
        return self.stopped_by(day) or day

    def paused_days(self, day: date) -> int:
        read = self.reading_day(day)
        return sum(p.days_through(read) for p in self.pauses)

    def deadline(self, day: date) -> date:
        """The deadline as known at the end of `day` (while a pause lasts it moves on day by day),
        moved off a rest day (Civil Code Art. 203)."""
        return self.deadline_end(day).due

    def deadline_end(self, day: date) -> PeriodEnd:
        """The deadline as counted (`nominal`) and as moved off a rest day (`due`), with the reason."""
        return deadline_end(self.started_on, self.days_allowed(day), self.paused_days(day))

    def days_used(self, day: date) -> int:
        read = self.reading_day(day)
        return max(0, (read - self.started_on).days - self.paused_days(day))

    def breached(self, day: date) -> bool:
        return self.reading_day(day) > self.deadline(day)

    def met_by(self, day: date) -> bool:
        """Whether a decision (or its notice) on `day` is on or before the deadline."""
        return day <= self.deadline(day)

    def breach_due_on(self) -> date | None:
        """The day a DeadlineBreached is due: the day after the deadline, unless the decision was
        notified (or, before notices, made), a breach is already recorded, or an appraisal is open (the
        deadline then moves day by day)."""
        if self.stopped_on is not None or self.breached_on is not None or self.open_pause is not None:
            return None
        return self.deadline(date.max) + DAY


@dataclass(frozen=True)
class ComplaintClock:
    """A complaint's decision clock as it stood at the end of `on`.

    `deadline_on`, `days_allowed` and `remaining_days` are None for a repeat without new facts, which
    is linked to the first complaint and runs no clock of its own. `remaining_days` is negative when
    the deadline has passed.
    """

    on: date
    received_on: date
    started_on: date  # received_on, or the day of the latest reopening before `on`
    round: int  # 1, or 1 + the number of reopenings; 0 for a linked repeat
    deadline_on: date | None
    days_allowed: int | None
    days_used: int
    paused_days: int
    remaining_days: int | None
    breached: bool
    paused: bool  # an appraisal stops the clock at the end of `on`
    decided_on: date | None
    on_time: bool | None  # the deadline met: None until the complainant was told of the decision
    extensions: tuple[str, ...]
    linked_to: str | None = None
    deadline_nominal_on: date | None = None  # the count's last day, before moving off a rest day
    deadline_moved_because: str | None = None  # why deadline_on is after deadline_nominal_on (Art. 203)
    calendar_known: bool = True  # False: no (or a provisional) holiday calendar for the deadline's year
    calendar_warning: str | None = None
    notified_on: date | None = None  # the decision notified to the complainant (Art. 21)
    notice_channel: str | None = None


def read_clock(round_: ClockRound, received_on: date, day: date) -> ComplaintClock:
    """The clock of `round_` at the end of `day` (day not before the round started)."""
    allowed = round_.days_allowed(day)
    used = round_.days_used(day)
    end = round_.deadline_end(day)
    moved = (end.due - end.nominal).days
    decided = round_.decided_by(day)
    stopped = round_.stopped_by(day)
    notified = round_.notified_by(day)
    return ComplaintClock(
        on=day,
        received_on=received_on,
        started_on=round_.started_on,
        round=round_.number,
        deadline_on=end.due,
        days_allowed=allowed,
        days_used=used,
        paused_days=round_.paused_days(day),
        remaining_days=allowed - used + moved,
        breached=round_.reading_day(day) > end.due,
        paused=decided is None and any(p.open_on(day) for p in round_.pauses),
        decided_on=decided,
        on_time=None if stopped is None else stopped <= end.due,
        extensions=tuple(e.kind for e in round_.extensions if e.on <= day),
        notified_on=notified,
        notice_channel=None if notified is None else round_.notice_channel,
        deadline_nominal_on=end.nominal,
        deadline_moved_because=end.moved_because,
        calendar_known=end.calendar_known,
        calendar_warning=end.warning,
    )


def deadline_end(started_on: date, days_allowed: int, paused_days: int = 0) -> PeriodEnd:
    """A decision deadline: `days_allowed` counted from the day after `started_on` (Art. 201), the
    appraisal's paused days not counted, then moved off a rest day (Art. 203)."""
    return last_day(started_on + (days_allowed + paused_days) * DAY)


def linked_clock(received_on: date, day: date, linked_to: str) -> ComplaintClock:
    """The clock of a repeat without new facts: none of its own, only the days since receipt."""
    return ComplaintClock(
        on=day,
        received_on=received_on,
        started_on=received_on,
        round=0,
        deadline_on=None,
        days_allowed=None,
        days_used=max(0, (day - received_on).days),
        paused_days=0,
        remaining_days=None,
        breached=False,
        paused=False,
        decided_on=None,
        on_time=None,
        extensions=(),
        linked_to=linked_to,
    )


#: Why a complaint's deadline cannot be extended (the problem's code).
ExtensionRefusal = Literal["extension-already-used", "complex-extension-required", "deadline-passed"]


def extension_refusal(round_: ClockRound, kind: str, day: date) -> ExtensionRefusal | None:
    """Why an extension of `kind` on `day` is not possible (an error code), or None."""
    kinds = round_.extension_kinds()
    if kind in kinds:
        return "extension-already-used"
    if kind == "especially_complex" and "complex" not in kinds:
        return "complex-extension-required"
    if day > round_.deadline(day):
        return "deadline-passed"
    return None


def check_complainant(value: Any) -> dict[str, Any]:
    """The complainant: a name and a contact, and the customer id when a customer complains."""
    if not isinstance(value, dict):
        raise InvalidValue("complainant", "must be an object with name, contact and optional customer_id")
    for key in value:
        if key not in COMPLAINANT_KEYS:
            raise InvalidValue(f"complainant.{key}", "unknown field; use customer_id, name, contact")
    raw_id = value.get("customer_id")
    return {
        "customer_id": None if raw_id is None else check_id(raw_id, "complainant.customer_id"),
        "name": check_text(value.get("name"), "complainant.name", 200),
        "contact": check_text(value.get("contact"), "complainant.contact", 500),
    }
