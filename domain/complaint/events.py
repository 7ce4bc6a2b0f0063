"""The complaint's events (SPEC §7). Stored names are a contract: each has an explicit, versioned topic.

Each event carries `on`, the business date it is recorded for (Received: `received_on`), and its
`apply` only changes state. The classes are assigned on `domain.complaint.aggregate.Complaint` (e.g.
`Complaint.Resolved`), which registers their topics. Amounts are Decimal, dates are `date`, and
collections are lists and string-keyed dicts, so a stored event reads back exactly as recorded.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from domain.base import InscribeAggregate
from domain.complaint.rules import ClockRound, Extension, Pause

if TYPE_CHECKING:
    from domain.complaint.state import ComplaintState


class ComplaintEvent(InscribeAggregate.Event):
    TOPIC = "inscribe.complaint.Event"

    def apply(self, aggregate: ComplaintState) -> None:
        day = self.__dict__.get("on") or self.__dict__.get("received_on")
        if isinstance(day, date) and day > aggregate.business_date:
            aggregate.business_date = day
        self.effect(aggregate)

    def effect(self, complaint: ComplaintState) -> None:
        """How the event changes the complaint."""


class ComplaintCreated(ComplaintEvent, InscribeAggregate.Created):
    """Never triggered; declared so that it does not inherit the topic of `ComplaintEvent`."""

    TOPIC = "inscribe.complaint.Created"


class _Status(ComplaintEvent):
    """An event that moves the complaint to `STATUS` on its date."""

    STATUS = ""
    on: date

    def effect(self, complaint: ComplaintState) -> None:
        self.change(complaint)
        complaint.move_to(self.STATUS, self.on)

    def change(self, complaint: ComplaintState) -> None:
        """What else the event changes."""


def _update_round(complaint: ComplaintState, **changes: Any) -> None:
    complaint.rounds[-1] = replace(complaint.rounds[-1], **changes)


class Received(ComplaintEvent, InscribeAggregate.Created):
    """Registered on receipt (8.2.1 (1)–(2)). `deadline_on` is None for a repeat without new facts,
    which is linked to the first complaint (`repeat_of`) and runs no clock of its own."""

    TOPIC = "inscribe.complaint.Received.v1"
    channel: str  # phone | online | letter | visit | regulator_transfer
    complainant: dict[str, Any]  # customer_id (str|None), name, contact
    content: str
    category: str  # sales | underwriting | premium | claims | service | other
    related_policy_id: str | None
    related_claim_id: str | None
    received_at: datetime  # UTC
    received_on: date  # the date in China of received_at
    recording_ref: str
    repeat_of: str | None
    new_facts: bool | None  # None unless repeat_of
    deadline_on: date | None

    def effect(self, complaint: ComplaintState) -> None:
        for key in (
            "channel",
            "content",
            "category",
            "related_policy_id",
            "related_claim_id",
            "received_at",
            "received_on",
            "recording_ref",
            "repeat_of",
            "new_facts",
        ):
            setattr(complaint, key, getattr(self, key))
        complaint.complainant = dict(self.complainant)
        if self.deadline_on is not None:
            complaint.rounds = [ClockRound(number=1, started_on=self.received_on)]
        complaint.move_to("received", self.received_on)


class Assigned(_Status):
    TOPIC = "inscribe.complaint.Assigned.v1"
    STATUS = "assigned"
    responsible_id: str
    previous_id: str | None

    def change(self, complaint: ComplaintState) -> None:
        complaint.responsible_id = self.responsible_id


class InvestigationStarted(_Status):
    TOPIC = "inscribe.complaint.InvestigationStarted.v1"
    STATUS = "investigating"


class InvestigationNoteAdded(ComplaintEvent):
    """An investigation note (8.2.1 (3))."""

    TOPIC = "inscribe.complaint.InvestigationNoteAdded.v1"
    on: date
    note: str
    author_id: str

    def effect(self, complaint: ComplaintState) -> None:
        complaint.notes_count += 1


class Escalated(_Status):
    TOPIC = "inscribe.complaint.Escalated.v1"
    STATUS = "escalated"
    to: str  # the manager or higher level now handling it
    reason: str

    def change(self, complaint: ComplaintState) -> None:
        complaint.escalated_to = self.to


class DeadlineExtended(ComplaintEvent):
    """Complex: to 30 days; especially complex: to 60, with a manager's approval and notice to the
    complainant. `deadline_on` is the new deadline as known on `on`."""

    TOPIC = "inscribe.complaint.DeadlineExtended.v1"
    on: date
    kind: str  # complex | especially_complex
    reason: str
    approved_by: str | None
    complainant_notified_on: date | None
    round: int
    days_allowed: int
    deadline_on: date

    def effect(self, complaint: ComplaintState) -> None:
        extension = Extension(kind=self.kind, on=self.on, days_allowed=self.days_allowed)
        _update_round(complaint, extensions=(*complaint.rounds[-1].extensions, extension))


class AppraisalStarted(ComplaintEvent):
    """An external appraisal (鉴定/评估): the clock stands still from `on`, the later of its start and
    the day the complainant was told, until it ends."""

    TOPIC = "inscribe.complaint.AppraisalStarted.v1"
    on: date  # = max(started_on, complainant_told_on): the clock stops at its end
    started_on: date
    complainant_told_on: date
    round: int

    def effect(self, complaint: ComplaintState) -> None:
        pause = Pause(started_on=self.started_on, complainant_told_on=self.complainant_told_on)
        _update_round(complaint, pauses=(*complaint.rounds[-1].pauses, pause))


class AppraisalEnded(ComplaintEvent):
    TOPIC = "inscribe.complaint.AppraisalEnded.v1"
    on: date
    paused_days: int  # the days this appraisal added to the deadline
    round: int
    deadline_on: date  # the deadline once the clock runs again

    def effect(self, complaint: ComplaintState) -> None:
        pauses = complaint.rounds[-1].pauses
        _update_round(complaint, pauses=(*pauses[:-1], replace(pauses[-1], ended_on=self.on)))


class Resolved(_Status):
    """The decision (8.2.1 (4), 8.2.2 (4)); `on_time` is whether it was made by the deadline. The
    clock runs on until the complainant is told (`notice_required`, Art. 21); a decision stored before
    notices were recorded (class version 1) reads with `notice_required` False: its clock stopped at it."""

    TOPIC = "inscribe.complaint.Resolved.v1"
    class_version = 2
    STATUS = "resolved"
    outcome: str  # upheld | partly_upheld | not_upheld
    measures: list[str]
    compensation: Decimal
    apology: bool
    round: int
    deadline_on: date
    days_allowed: int
    days_used: int
    on_time: bool
    notice_required: bool

    @staticmethod
    def upcast_v1_v2(state: dict[str, Any]) -> None:
        state["notice_required"] = False

    def change(self, complaint: ComplaintState) -> None:
        _update_round(complaint, decided_on=self.on, notice_required=self.notice_required)
        complaint.resolution = {
            "on": self.on,
            "outcome": self.outcome,
            "measures": list(self.measures),
            "compensation": self.compensation,
            "apology": self.apology,
            "on_time": self.on_time,
            "round": self.round,
        }
        complaint.feedback = complaint.response = None


class FeedbackGiven(_Status):
    """The result told to the complainant (8.2.1 (5))."""

    TOPIC = "inscribe.complaint.FeedbackGiven.v1"
    STATUS = "feedback_given"
    channel: str
    summary: str

    def change(self, complaint: ComplaintState) -> None:
        complaint.feedback = {"on": self.on, "channel": self.channel, "summary": self.summary}
        complaint.response = None
        if complaint.rounds and not complaint.linked and complaint.rounds[-1].notified_on is None:
            _update_round(complaint, notified_on=self.on, notice_channel=self.channel)  # tells the decision


class DecisionNotified(ComplaintEvent):
    """The complainant was told of the decision (Art. 21: 作出处理决定并告知投诉人): the clock stops
    here. `on_time` is whether the notice was given by the deadline."""

    TOPIC = "inscribe.complaint.DecisionNotified.v1"
    on: date
    channel: str
    round: int
    deadline_on: date
    days_allowed: int
    days_used: int
    on_time: bool

    def effect(self, complaint: ComplaintState) -> None:
        _update_round(complaint, notified_on=self.on, notice_channel=self.channel)


class ComplainantResponded(ComplaintEvent):
    """The complainant's opinion of the result: satisfied or not (8.2.1 (5))."""

    TOPIC = "inscribe.complaint.ComplainantResponded.v1"
    on: date
    satisfied: bool
    comment: str

    def effect(self, complaint: ComplaintState) -> None:
        complaint.response = {"on": self.on, "satisfied": self.satisfied, "comment": self.comment}


class ImprovementActionAdded(ComplaintEvent):
    """An improvement action with its owner and due date (8.2.2 (5))."""

    TOPIC = "inscribe.complaint.ImprovementActionAdded.v1"
    on: date
    action_id: str
    description: str
    owner_id: str
    due_on: date

    def effect(self, complaint: ComplaintState) -> None:
        complaint.improvement_actions[self.action_id] = {
            "description": self.description,
            "owner_id": self.owner_id,
            "due_on": self.due_on,
            "added_on": self.on,
            "completed_on": None,
            "result": None,
        }


class ImprovementActionCompleted(ComplaintEvent):
    TOPIC = "inscribe.complaint.ImprovementActionCompleted.v1"
    on: date
    action_id: str
    result: str

    def effect(self, complaint: ComplaintState) -> None:
        action = complaint.improvement_actions[self.action_id]
        action["completed_on"], action["result"] = self.on, self.result


class Reopened(_Status):
    """Reopened after a decision: a new clock (round) of its own starts on `on`."""

    TOPIC = "inscribe.complaint.Reopened.v1"
    STATUS = "reopened"
    reason: str
    round: int  # the new round
    deadline_on: date  # the new round's deadline

    def change(self, complaint: ComplaintState) -> None:
        complaint.rounds.append(ClockRound(number=self.round, started_on=self.on))
        complaint.archived_on = None


class Archived(_Status):
    """Filed once the complainant has had the result (8.2.1 (6))."""

    TOPIC = "inscribe.complaint.Archived.v1"
    STATUS = "archived"

    def change(self, complaint: ComplaintState) -> None:
        complaint.archived_on = self.on


class RepeatLinked(ComplaintEvent):
    """A repeat without new facts was linked to this (the first) complaint."""

    TOPIC = "inscribe.complaint.RepeatLinked.v1"
    on: date
    complaint_id: str

    def effect(self, complaint: ComplaintState) -> None:
        complaint.linked_repeats.append(self.complaint_id)


class DeadlineBreached(ComplaintEvent):
    """Recorded by the passing of time on the day after the deadline, if no decision was made by it."""

    TOPIC = "inscribe.complaint.DeadlineBreached.v1"
    on: date  # deadline_on + 1
    round: int
    deadline_on: date
    days_allowed: int

    def effect(self, complaint: ComplaintState) -> None:
        _update_round(complaint, breached_on=self.on)


EVENTS: tuple[type[ComplaintEvent], ...] = (
    Received,
    Assigned,
    InvestigationStarted,
    InvestigationNoteAdded,
    Escalated,
    DeadlineExtended,
    AppraisalStarted,
    AppraisalEnded,
    Resolved,
    DecisionNotified,
    FeedbackGiven,
    ComplainantResponded,
    ImprovementActionAdded,
    ImprovementActionCompleted,
    Reopened,
    Archived,
    RepeatLinked,
    DeadlineBreached,
)
