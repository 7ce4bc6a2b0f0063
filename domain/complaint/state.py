"""The state of a complaint and the questions it answers (SPEC §7): status and decision clock on any date.

`ComplaintState` holds what the complaint events set (see domain.complaint.events) and computes from it;
it never records anything. The commands live on `domain.complaint.aggregate.Complaint`.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from domain.complaint.rules import ClockRound, ComplaintClock, linked_clock, read_clock
from domain.errors import DomainError, InvalidTransition, InvalidValue
from domain.values import check_date


class ComplaintState:
    """What a complaint knows. Dates are business dates; `received_at` is UTC."""

    def __init__(self) -> None:
        """Blank state; Received's `apply` fills it in."""
        self.channel = ""
        self.complainant: dict[str, Any] = {}
        self.content = ""
        self.category = ""
        self.related_policy_id: str | None = None
        self.related_claim_id: str | None = None
        self.received_at: datetime | None = None
        self.received_on = date.min
        self.recording_ref = ""
        self.repeat_of: str | None = None
        self.new_facts: bool | None = None
        # status: `history` holds (from date, status); `business_date` is the latest recorded date
        self.status = ""
        self.history: list[tuple[date, str]] = []
        self.business_date = date.min
        self.responsible_id: str | None = None
        self.escalated_to: str | None = None
        self.notes_count = 0
        self.rounds: list[ClockRound] = []  # one decision clock per receipt or reopening
        self.resolution: dict[str, Any] | None = None  # the latest decision
        self.feedback: dict[str, Any] | None = None  # feedback on the latest decision
        self.response: dict[str, Any] | None = None  # the complainant's response to that feedback
        self.improvement_actions: dict[str, dict[str, Any]] = {}
        self.linked_repeats: list[str] = []
        self.archived_on: date | None = None

    def next_due_date(self) -> date | None:
        """The next date on which `advance_time` would record something (the scheduler's wake-up)."""
        return self.rounds[-1].breach_due_on() if self.rounds and not self.linked else None

    # -- queries ---------------------------------------------------------------------------------------

    @property
    def linked(self) -> bool:
        """A repeat without new facts: linked to the first complaint, no clock of its own."""
        return self.repeat_of is not None and self.new_facts is False

    @property
    def deadline_on(self) -> date | None:
        """The current deadline as known at the business date (None for a linked repeat)."""
        return None if not self.rounds else self.rounds[-1].deadline(self.business_date)

    def status_on(self, day: date) -> str | None:
        """The status at the end of `day` (None before receipt)."""
        for since, status in reversed(self.history):
            if since <= day:
                return status
        return None

    def clock_on(self, day: date) -> ComplaintClock:
        """The decision clock at the end of `day`: of the latest round started by then."""
        day = check_date(day, "day")
        if day < self.received_on:
            raise InvalidValue("day", f"the complaint was received on {self.received_on}")
        if self.linked:
            assert self.repeat_of is not None
            return linked_clock(self.received_on, day, self.repeat_of)
        round_ = next(r for r in reversed(self.rounds) if r.started_on <= day)
        return read_clock(round_, self.received_on, day)

    # -- guards the commands share (they read the state and refuse) -------------------------------------

    def _day(self, value: date, field: str = "on") -> date:
        """A command's business date: not before the last recorded one, no breach due unrecorded by it."""
        day = check_date(value, field)
        if day < self.business_date:
            raise DomainError(
                f"{field} {day} is before the last recorded date {self.business_date}", code="date-before-last-event"
            )
        due = self.next_due_date()
        if due is not None and due <= day:
            raise DomainError(f"the deadline was breached on {due}: advance time first", code="time-not-advanced")
        return day

    def _require(self, statuses: tuple[str, ...]) -> None:
        if self.status not in statuses:
            raise InvalidTransition(
                f"not allowed while the complaint is {self.status}", code="invalid-complaint-transition"
            )

    def _clock_round(self) -> ClockRound:
        if self.linked:
            raise DomainError("a repeat without new facts is handled with the first complaint", code="linked-repeat")
        return self.rounds[-1]

    # -- changed by the events ---------------------------------------------------------------------------

    def move_to(self, status: str, since: date) -> None:
        """Record that the complaint is in `status` from `since` on (every status event, even a repeat of one)."""
        self.status = status
        self.history.append((since, status))
