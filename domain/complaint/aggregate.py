"""The complaint aggregate (SPEC §7; guide 8.2; 《银行业保险业消费投诉处理管理办法》2020).

States: received → assigned → investigating → resolved → feedback_given → archived; escalated (from
assigned or investigating, back through assign or start_investigation) and reopened (from resolved,
feedback_given or archived, with a reason).

Every command validates first and then triggers its event, so a refused command records nothing.
Business dates are explicit; the clock only stamps events. A dated command refuses a date before the
last recorded one (`date-before-last-event`) and refuses to run while a breach of the deadline is
due by then but not recorded (`time-not-advanced`): the caller runs `advance_time(on)` first. So
`status_on(d)` and `clock_on(d)` never change for any d before `business_date`.

The decision clock (domain.complaint.rules): 15 days from receipt, extended to 30 (complex) and then
60 (especially complex), appraisal days not counted once the complainant was told. It stops when the
complainant is told of the decision (`notify_decision`, or the first feedback after it; Art. 21), so a
decision without a notice by the deadline is a breach. A reopening keeps
the received date and starts a new clock (round) of 15 days from the reopening, with its own
extensions; the first decision's timeliness stays as recorded. A repeat without new facts
(`repeat_of` with `new_facts=False`) runs no clock: it is linked to the first complaint
(`link_repeat` on the first), is told the outcome (feedback) and archived, and is never resolved,
extended, appraised or reopened on its own (`linked-repeat`).
Events: domain.complaint.events; clock rules: domain.complaint.rules.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID, uuid4

from domain import clock
from domain.base import InscribeAggregate
from domain.complaint import events as ev
from domain.complaint.rules import (
    CATEGORIES,
    CHANNELS,
    DAY,
    DECISION_DAYS,
    EXTENSION_DAYS,
    EXTENSION_KINDS,
    FEEDBACK_CHANNELS,
    OPEN,
    OUTCOMES,
    STATUSES,
    check_complainant,
    china_date,
    deadline_end,
    extension_refusal,
)
from domain.complaint.state import ComplaintState
from domain.errors import DomainError, InvalidTransition, InvalidValue
from domain.values import check_amount, check_choice, check_date, check_id, check_text, check_texts

__all__ = ["CATEGORIES", "CHANNELS", "FEEDBACK_CHANNELS", "OUTCOMES", "STATUSES", "Complaint"]


class Complaint(ComplaintState, InscribeAggregate):
    """A consumer complaint, from receipt to archive, with its decision clock."""

    TOPIC = "inscribe.complaint.Complaint"
    Event = ev.ComplaintEvent
    Created = ev.ComplaintCreated
    Received = ev.Received
    Assigned = ev.Assigned
    InvestigationStarted = ev.InvestigationStarted
    InvestigationNoteAdded = ev.InvestigationNoteAdded
    Escalated = ev.Escalated
    DeadlineExtended = ev.DeadlineExtended
    AppraisalStarted = ev.AppraisalStarted
    AppraisalEnded = ev.AppraisalEnded
    Resolved = ev.Resolved
    DecisionNotified = ev.DecisionNotified
    FeedbackGiven = ev.FeedbackGiven
    ComplainantResponded = ev.ComplainantResponded
    ImprovementActionAdded = ev.ImprovementActionAdded
    ImprovementActionCompleted = ev.ImprovementActionCompleted
    Reopened = ev.Reopened
    Archived = ev.Archived
    RepeatLinked = ev.RepeatLinked
    DeadlineBreached = ev.DeadlineBreached

    # -- receipt (8.2.1 (1)–(2)) -------------------------------------------------------------------

    @classmethod
    def receive(
        cls,
        *,
        channel: str,
        complainant: dict[str, Any],
        content: str,
        category: str,
        received_at: datetime,
        recording_ref: str,
        related_policy_id: str | UUID | None = None,
        related_claim_id: str | UUID | None = None,
        repeat_of: str | UUID | None = None,
        new_facts: bool | None = None,
        complaint_id: UUID | None = None,
    ) -> Complaint:
        """Register a complaint on receipt; its clock runs from the day received (China time)."""
        channel = check_choice(channel, "channel", CHANNELS)
        person = check_complainant(complainant)
        text = check_text(content, "content", 5000)
        category = check_choice(category, "category", CATEGORIES)
        if not isinstance(received_at, datetime) or received_at.utcoffset() is None:
            raise InvalidValue("received_at", "must be a date and time with a time zone")
        if received_at > clock.now():
            raise InvalidValue("received_at", "must not be in the future")
        ref = check_text(recording_ref, "recording_ref", 200)
        policy_id = None if related_policy_id is None else check_id(related_policy_id, "related_policy_id")
        claim_id = None if related_claim_id is None else check_id(related_claim_id, "related_claim_id")
        first = None if repeat_of is None else check_id(repeat_of, "repeat_of")
        if first is not None and complaint_id is not None and first == str(complaint_id):
            raise InvalidValue("repeat_of", "a complaint cannot repeat itself")
        if first is not None and not isinstance(new_facts, bool):
            raise InvalidValue("new_facts", "say whether the repeat brings new facts (true or false)")
        if first is None and new_facts is not None:
            raise InvalidValue("new_facts", "only a repeat (repeat_of) has new facts or not")
        received_on = china_date(received_at)
        linked = first is not None and new_facts is False
        return cls._create(
            cls.Received,
            id=complaint_id,
            channel=channel,
            complainant=person,
            content=text,
            category=category,
            related_policy_id=policy_id,
            related_claim_id=claim_id,
            received_at=received_at.astimezone(UTC),
            received_on=received_on,
            recording_ref=ref,
            repeat_of=first,
            new_facts=new_facts,
            deadline_on=None if linked else deadline_end(received_on, DECISION_DAYS).due,
        )

    # -- handling (8.2.1 (3), 8.2.2 (2)) -----------------------------------------------------------

    def assign(self, responsible_id: str | UUID, on: date) -> None:
        """Make someone responsible (also to reassign, or to hand an escalated case on)."""
        who = check_id(responsible_id, "responsible_id")
        day = self._day(on)
        self._require(("received", "assigned", "escalated", "reopened"))
        if self.status == "assigned" and who == self.responsible_id:
            raise DomainError(f"{who} is already responsible", code="already-assigned")
        self.trigger_event(self.Assigned, on=day, responsible_id=who, previous_id=self.responsible_id)

    def start_investigation(self, on: date) -> None:
        day = self._day(on)
        self._require(("assigned", "escalated", "reopened"))
        if self.responsible_id is None:
            raise DomainError("nobody is responsible yet", code="not-assigned")
        self.trigger_event(self.InvestigationStarted, on=day)

    def add_note(self, note: str, author_id: str | UUID, on: date) -> None:
        """An investigation note (8.2.1 (3))."""
        text, author = check_text(note, "note", 5000), check_id(author_id, "author_id")
        day = self._day(on)
        self._require(OPEN)
        self.trigger_event(self.InvestigationNoteAdded, on=day, note=text, author_id=author)

    def escalate(self, to: str | UUID, reason: str, on: date) -> None:
        """Hand the case to a manager or a higher level."""
        whom, why = check_id(to, "to"), check_text(reason, "reason", 1000)
        day = self._day(on)
        self._require(("assigned", "investigating"))
        self.trigger_event(self.Escalated, on=day, to=whom, reason=why)

    # -- the clock -----------------------------------------------------------------------------------

    def extend(
        self,
        kind: str,
        reason: str,
        on: date,
        approved_by: str | UUID | None = None,
        complainant_notified_on: date | None = None,
    ) -> None:
        """Extend the deadline: complex → 30 days; especially complex (after complex) → 60 days, with a
        manager's approval and notice to the complainant. Granted on or before the deadline."""
        kind = check_choice(kind, "kind", EXTENSION_KINDS)
        why = check_text(reason, "reason", 1000)
        approver = None if approved_by is None else check_id(approved_by, "approved_by")
        notified = (
            None if complainant_notified_on is None else check_date(complainant_notified_on, "complainant_notified_on")
        )
        if kind == "especially_complex" and approver is None:
            raise InvalidValue("approved_by", "an especially complex case needs a manager's approval")
        if kind == "especially_complex" and notified is None:
            raise InvalidValue("complainant_notified_on", "the complainant must be told of the extension")
        day = self._day(on)
        if notified is not None and not self.received_on <= notified <= day:
            raise InvalidValue("complainant_notified_on", "must be between receipt and the extension")
        self._require(OPEN)
        round_ = self._clock_round()
        code = extension_refusal(round_, kind, day)
        if code is not None:
            raise DomainError(f"the deadline cannot be extended ({code})", code=code)
        allowed = EXTENSION_DAYS[kind]
        deadline = deadline_end(round_.started_on, allowed, round_.paused_days(day)).due
        self.trigger_event(
            self.DeadlineExtended,
            on=day,
            kind=kind,
            reason=why,
            approved_by=approver,
            complainant_notified_on=notified,
            round=round_.number,
            days_allowed=allowed,
            deadline_on=deadline,
        )

    def start_external_appraisal(self, on: date, complainant_told_on: date) -> None:
        """An external appraisal starts on `on`; its days are not counted from the later of `on` and
        the day the complainant was told, which is the day this is recorded for."""
        started, told = check_date(on, "on"), check_date(complainant_told_on, "complainant_told_on")
        day = self._day(max(started, told), "complainant_told_on" if told > started else "on")
        self._require(OPEN)
        round_ = self._clock_round()
        if round_.open_pause is not None:
            raise DomainError("an appraisal is already open", code="appraisal-already-open")
        earliest = max([round_.started_on, *(p.ended_on for p in round_.pauses if p.ended_on)])
        if started < earliest:
            raise InvalidValue("on", f"must not be before {earliest} (the clock's start or the last appraisal)")
        if told < self.received_on:
            raise InvalidValue("complainant_told_on", "must not be before the complaint was received")
        if day > round_.deadline(day):
            raise DomainError("the deadline has passed", code="deadline-passed")
        self.trigger_event(
            self.AppraisalStarted, on=day, started_on=started, complainant_told_on=told, round=round_.number
        )

    def end_external_appraisal(self, on: date) -> None:
        """The appraisal is over: the clock runs again, its deadline moved by the paused days."""
        day = self._day(on)
        round_ = self._clock_round() if self.rounds else None
        pause = None if round_ is None else round_.open_pause
        if round_ is None or pause is None:
            raise DomainError("no appraisal is open", code="no-appraisal-open")
        paused = (day - pause.paused_from).days
        deadline = round_.deadline(day)
        self.trigger_event(self.AppraisalEnded, on=day, paused_days=paused, round=round_.number, deadline_on=deadline)

    # -- decision, feedback, archive (8.2.1 (4)–(6), 8.2.2 (4)–(5)) -----------------------------------

    def resolve(
        self, outcome: str, measures: list[str], compensation: Decimal | int | str, apology: bool, decided_on: date
    ) -> None:
        """The decision: upheld, partly upheld or not upheld, with measures, compensation and apology."""
        outcome = check_choice(outcome, "outcome", OUTCOMES)
        steps = check_texts(measures, "measures")
        if outcome != "not_upheld" and not steps:
            raise InvalidValue("measures", "an upheld complaint needs at least one measure")
        amount = check_amount(compensation, "compensation")
        if not isinstance(apology, bool):
            raise InvalidValue("apology", "must be true or false")
        day = self._day(decided_on, "decided_on")
        self._require(("investigating",))
        round_ = self._clock_round()
        if round_.open_pause is not None:
            raise DomainError("an external appraisal is still open", code="appraisal-open")
        allowed, used = round_.days_allowed(day), round_.days_used(day)
        self.trigger_event(
            self.Resolved,
            on=day,
            outcome=outcome,
            measures=steps,
            compensation=amount,
            apology=apology,
            round=round_.number,
            deadline_on=round_.deadline(day),
            days_allowed=allowed,
            days_used=used,
            on_time=round_.met_by(day),
            notice_required=True,
        )

    def notify_decision(self, on: date, channel: str) -> None:
        """The complainant is told of the decision (Art. 21: 作出处理决定并告知投诉人), once per decision:
        the clock stops here, and the deadline is met only if this is on or before it."""
        channel = check_choice(channel, "channel", FEEDBACK_CHANNELS)
        day = self._day(on)
        self._require(("resolved", "feedback_given", "archived"))
        round_ = self._clock_round()
        if round_.decided_on is None:
            raise InvalidTransition("the current clock has no decision yet", code="invalid-complaint-transition")
        if round_.notified_on is not None:
            raise DomainError(
                f"the complainant was told of the decision on {round_.notified_on}", code="decision-already-notified"
            )
        allowed, used = round_.days_allowed(day), round_.days_used(day)
        self.trigger_event(
            self.DecisionNotified,
            on=day,
            channel=channel,
            round=round_.number,
            deadline_on=round_.deadline(day),
            days_allowed=allowed,
            days_used=used,
            on_time=round_.met_by(day),
        )

    def give_feedback(self, on: date, channel: str, summary: str) -> None:
        """Tell the complainant the result (a linked repeat: that it is handled with the first). Feedback
        on a decision not yet notified is its notice (the clock stops)."""
        channel = check_choice(channel, "channel", FEEDBACK_CHANNELS)
        text = check_text(summary, "summary", 5000)
        day = self._day(on)
        self._require(("received", "assigned", "investigating", "escalated") if self.linked else ("resolved",))
        self.trigger_event(self.FeedbackGiven, on=day, channel=channel, summary=text)

    def record_response(self, satisfied: bool, comment: str, on: date) -> None:
        """The complainant's opinion of the result (once per feedback)."""
        if not isinstance(satisfied, bool):
            raise InvalidValue("satisfied", "must be true or false")
        text = check_text(comment if comment is not None else "", "comment", 2000, allow_empty=True)
        day = self._day(on)
        self._require(("feedback_given",))
        if self.response is not None:
            raise DomainError("the response is already recorded", code="response-already-recorded")
        self.trigger_event(self.ComplainantResponded, on=day, satisfied=satisfied, comment=text)

    def add_improvement_action(
        self, description: str, owner_id: str | UUID, due_on: date, on: date, action_id: str | None = None
    ) -> str:
        """An improvement action with an owner and a due date (8.2.2 (5)); returns its id."""
        text, owner = check_text(description, "description", 2000), check_id(owner_id, "owner_id")
        due = check_date(due_on, "due_on")
        ident = str(uuid4()) if action_id is None else check_text(action_id, "action_id", 100)
        day = self._day(on)
        if due < day:
            raise InvalidValue("due_on", "must not be before the day the action is added")
        if ident in self.improvement_actions:
            raise InvalidValue("action_id", "an improvement action with this id exists")
        self.trigger_event(
            self.ImprovementActionAdded, on=day, action_id=ident, description=text, owner_id=owner, due_on=due
        )
        return ident

    def complete_improvement_action(self, action_id: str, completed_on: date, result: str) -> None:
        ident = check_text(action_id, "action_id", 100)
        text = check_text(result, "result", 2000)
        day = self._day(completed_on, "completed_on")
        action = self.improvement_actions.get(ident)
        if action is None:
            raise InvalidValue("action_id", "no such improvement action")
        if action["completed_on"] is not None:
            raise DomainError("the action is already completed", code="action-already-completed")
        self.trigger_event(self.ImprovementActionCompleted, on=day, action_id=ident, result=text)

    def reopen(self, reason: str, on: date) -> None:
        """Reopen a decided (or archived) complaint: a new 15-day clock starts on `on`."""
        why = check_text(reason, "reason", 1000)
        day = self._day(on)
        self._require(("resolved", "feedback_given", "archived"))
        number = self._clock_round().number + 1
        self.trigger_event(
            self.Reopened, on=day, reason=why, round=number, deadline_on=deadline_end(day, DECISION_DAYS).due
        )

    def archive(self, on: date) -> None:
        """File the case; only once the complainant has had the result (8.2.1 (6))."""
        day = self._day(on)
        if self.status == "archived":
            raise InvalidTransition("the complaint is already archived", code="invalid-complaint-transition")
        if self.status != "feedback_given":
            raise DomainError("give the complainant feedback before archiving", code="feedback-required-before-archive")
        self.trigger_event(self.Archived, on=day)

    def link_repeat(self, complaint_id: str | UUID, on: date) -> None:
        """Record on this (the first) complaint that a repeat without new facts was linked to it."""
        other = check_id(complaint_id, "complaint_id")
        if other == str(self.id):
            raise InvalidValue("complaint_id", "a complaint cannot repeat itself")
        day = self._day(on)
        if other in self.linked_repeats:
            raise DomainError(f"{other} is already linked", code="repeat-already-linked")
        self.trigger_event(self.RepeatLinked, on=day, complaint_id=other)

    # -- the passing of time -------------------------------------------------------------------------

    def advance_time(self, today: date) -> None:
        """Record a breach of the deadline (once, on the day after it) if no decision was made by
        then. Calling it again with the same date records nothing."""
        today = check_date(today, "today")
        due = self.next_due_date()
        if due is not None and due <= today:
            round_ = self._clock_round()
            deadline = due - DAY
            self.trigger_event(
                self.DeadlineBreached,
                on=due,
                round=round_.number,
                deadline_on=deadline,
                days_allowed=round_.days_allowed(deadline),
            )
