"""Random complaint lifecycles: valid and invalid commands on dates moving forward.

Invariants: never archived before feedback; the deadline is met only with the notice of the decision; at most one extension of each kind per clock; the
deadline never counts paused days (deadline = start of the clock + days allowed + paused days);
replaying the collected events gives the live state; the status and the clock on a past day never
change as later events are added; event dates never go back.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta, timezone
from functools import reduce
from typing import Any

from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from domain.calendar import last_day
from domain.complaint.aggregate import STATUSES, Complaint
from domain.complaint.rules import DECISION_DAYS, MAX_DAYS_ALLOWED, ComplaintClock
from domain.errors import DomainError

CHINA = timezone(timedelta(hours=8))
START = date(2024, 3, 1)
DAYS = timedelta(days=1)
STEPS = st.sampled_from([0, 0, 1, 1, 2, 3, 5, 7, 10, 14, 15, 16, 29, 30, 31, 45])
PEOPLE = st.sampled_from(["officer-1", "officer-2", "manager-1"])


def state_of(complaint: Complaint) -> dict[str, Any]:
    return {k: v for k, v in vars(complaint).items() if k != "_pending_events"}


def event_day(event: Any) -> date:
    return event.received_on if isinstance(event, Complaint.Received) else event.on


class ComplaintLifecycle(RuleBasedStateMachine):
    """Every command either records its events or is refused with a domain error and records nothing."""

    complaint: Complaint

    def __init__(self) -> None:
        super().__init__()
        self.events: list[Any] = []
        self.today = START
        self.seen: dict[date, tuple[str | None, ComplaintClock]] = {}
        self.actions: list[str] = []

    @initialize(repeat=st.sampled_from([None, None, None, True, False]))
    def receive(self, repeat: bool | None) -> None:
        self.complaint = Complaint.receive(
            channel="phone",
            complainant={"name": "张三", "contact": "13800138000"},
            content="claim delayed",
            category="claims",
            received_at=datetime(2024, 3, 1, 10, 0, tzinfo=CHINA),
            recording_ref="REC-1",
            repeat_of=None if repeat is None else "first-1",
            new_facts=repeat,
        )
        self.events.extend(self.complaint.collect_events())

    def attempt(self, command: Callable[[], object]) -> None:
        version = self.complaint.version
        try:
            command()
        except DomainError:
            assert self.complaint.pending_events == []
            assert self.complaint.version == version
            return
        new = self.complaint.collect_events()
        assert [e.originator_version for e in new] == list(range(version + 1, version + 1 + len(new)))
        self.events.extend(new)

    def dated(self, command: Callable[[date], object], catch_up: bool = True) -> None:
        """Run a dated command today, usually after recording what time has caused."""
        if catch_up:
            self.attempt(lambda: self.complaint.advance_time(self.today))
        self.attempt(lambda: command(self.today))

    # -- time ------------------------------------------------------------------------------------

    @rule(days=STEPS)
    def advance(self, days: int) -> None:
        self.today += days * DAYS
        self.attempt(lambda: self.complaint.advance_time(self.today))

    @rule()
    def proceed(self) -> None:
        """The natural next step, so that runs get far."""
        c = self.complaint
        steps: dict[str, Callable[[date], object]] = {
            "received": lambda d: c.assign("officer-1", d),
            "assigned": c.start_investigation,
            "escalated": c.start_investigation,
            "reopened": c.start_investigation,
            "investigating": lambda d: (
                c.end_external_appraisal(d)
                if c.rounds and c.rounds[-1].open_pause
                else c.resolve("partly_upheld", ["explain"], "100", True, d)
            ),
            "resolved": lambda d: c.give_feedback(d, "phone", "result told"),
            "feedback_given": c.archive,
        }
        if c.linked and c.status in ("received", "assigned"):
            steps[c.status] = lambda d: c.give_feedback(d, "letter", "handled with the first")
        if c.status in steps:
            self.dated(steps[c.status])
        self.today += 3 * DAYS

    # -- handling --------------------------------------------------------------------------------

    @rule(who=PEOPLE, catch_up=st.booleans())
    def assign(self, who: str, catch_up: bool) -> None:
        self.dated(lambda d: self.complaint.assign(who, d), catch_up)

    @rule()
    def start_investigation(self) -> None:
        self.dated(self.complaint.start_investigation)

    @rule()
    def add_note(self) -> None:
        self.dated(lambda d: self.complaint.add_note("checked the file", "officer-1", d))

    @rule(to=PEOPLE)
    def escalate(self, to: str) -> None:
        self.dated(lambda d: self.complaint.escalate(to, "complainant insists", d))

    @rule(
        kind=st.sampled_from(["complex", "especially_complex"]),
        approved=st.sampled_from([True, True, False]),
        notified=st.sampled_from([0, 0, 1, -1]),
        catch_up=st.booleans(),
    )
    def extend(self, kind: str, approved: bool, notified: int, catch_up: bool) -> None:
        self.dated(
            lambda d: self.complaint.extend(
                kind,
                "needs more facts",
                d,
                approved_by="manager-1" if approved else None,
                complainant_notified_on=d - notified * DAYS,
            ),
            catch_up,
        )

    @rule(started_back=st.sampled_from([0, 0, 2, 5]), told_back=st.sampled_from([0, 0, 1, 3]))
    def start_appraisal(self, started_back: int, told_back: int) -> None:
        self.dated(lambda d: self.complaint.start_external_appraisal(d - started_back * DAYS, d - told_back * DAYS))

    @rule()
    def end_appraisal(self) -> None:
        self.dated(self.complaint.end_external_appraisal)

    # -- decision and after ----------------------------------------------------------------------

    @rule(
        outcome=st.sampled_from(["upheld", "partly_upheld", "not_upheld"]),
        measures=st.booleans(),
        catch_up=st.sampled_from([True, True, False]),
    )
    def resolve(self, outcome: str, measures: bool, catch_up: bool) -> None:
        steps = ["pay"] if measures else []
        self.dated(lambda d: self.complaint.resolve(outcome, steps, "0", outcome != "not_upheld", d), catch_up)

    @rule(channel=st.sampled_from(["letter", "sms", "pigeon"]), catch_up=st.sampled_from([True, True, False]))
    def notify_decision(self, channel: str, catch_up: bool) -> None:
        self.dated(lambda d: self.complaint.notify_decision(d, channel), catch_up)

    @rule()
    def give_feedback(self) -> None:
        self.dated(lambda d: self.complaint.give_feedback(d, "phone", "told the result"))

    @rule(satisfied=st.booleans())
    def respond(self, satisfied: bool) -> None:
        self.dated(lambda d: self.complaint.record_response(satisfied, "", d))

    @rule(catch_up=st.booleans())
    def archive(self, catch_up: bool) -> None:
        self.dated(self.complaint.archive, catch_up)

    @rule()
    def reopen(self) -> None:
        self.dated(lambda d: self.complaint.reopen("the complainant disputes it", d))

    @rule(due=st.sampled_from([-1, 0, 30]))
    def add_action(self, due: int) -> None:
        def add(d: date) -> None:
            self.actions.append(self.complaint.add_improvement_action("retrain", "lead-1", d + due * DAYS, d))

        self.dated(add)

    @rule(index=st.integers(min_value=0, max_value=3))
    def complete_action(self, index: int) -> None:
        action = self.actions[index % len(self.actions)] if self.actions else "none"
        self.dated(lambda d: self.complaint.complete_improvement_action(action, d, "done"))

    @rule(other=st.sampled_from(["repeat-1", "repeat-2"]))
    def link_repeat(self, other: str) -> None:
        self.dated(lambda d: self.complaint.link_repeat(other, d))

    # -- invariants ------------------------------------------------------------------------------

    @invariant()
    def replaying_the_events_gives_the_live_state(self) -> None:
        replayed = reduce(lambda complaint, event: event.mutate(complaint), self.events, None)
        assert state_of(replayed) == state_of(self.complaint)
        assert self.complaint.status in STATUSES

    @invariant()
    def never_archived_before_feedback(self) -> None:
        feedback = False
        for event in self.events:
            if isinstance(event, (Complaint.Received, Complaint.Reopened)):
                feedback = False
            elif isinstance(event, Complaint.FeedbackGiven):
                feedback = True
            elif isinstance(event, Complaint.Archived):
                assert feedback

    @invariant()
    def at_most_one_extension_of_each_kind_per_clock(self) -> None:
        for round_ in self.complaint.rounds:
            kinds = round_.extension_kinds()
            assert len(kinds) == len(set(kinds))
            assert kinds in ((), ("complex",), ("complex", "especially_complex"))
        for event in self.events:
            if isinstance(event, Complaint.DeadlineExtended) and event.kind == "especially_complex":
                assert event.approved_by is not None and event.complainant_notified_on is not None

    @invariant()
    def the_deadline_never_counts_paused_days(self) -> None:
        complaint = self.complaint
        if complaint.linked:
            assert complaint.rounds == [] and complaint.next_due_date() is None
            return
        days = {complaint.received_on, complaint.business_date, self.today}
        days.update(event_day(e) for e in self.events)
        for day in days:
            clock = complaint.clock_on(day)
            assert clock.deadline_on is not None and clock.days_allowed is not None
            assert clock.days_allowed in (DECISION_DAYS, 30, MAX_DAYS_ALLOWED)
            # the count gives the nominal deadline; a rest day moves it to the next working day (Civil Code
            # Art. 203), and the clock is breached only after that
            assert clock.deadline_nominal_on == clock.started_on + (clock.days_allowed + clock.paused_days) * DAYS
            assert clock.deadline_on == last_day(clock.deadline_nominal_on).due
            moved = (clock.deadline_on - clock.deadline_nominal_on).days
            assert clock.breached == (clock.days_used > clock.days_allowed + moved)
        for event in self.events:
            if isinstance(event, Complaint.Resolved):
                assert event.on_time == (event.on <= event.deadline_on)
            if isinstance(event, Complaint.DeadlineBreached):
                assert event.on == event.deadline_on + DAYS

    @invariant()
    def the_deadline_is_met_only_with_the_notice(self) -> None:
        """Art. 21: a clock is on time only once the complainant was told of the decision by its deadline
        (a DecisionNotified, or the first feedback after the decision); a decision alone never stops it."""
        complaint = self.complaint
        if complaint.linked:
            return
        notices: dict[int, date] = {}  # round -> day the decision was told
        round_, decided = 1, False
        for event in self.events:
            if isinstance(event, Complaint.Reopened):
                round_, decided = event.round, False
            elif isinstance(event, Complaint.Resolved):
                decided = True
                assert event.notice_required is True
            elif isinstance(event, (Complaint.DecisionNotified, Complaint.FeedbackGiven)):
                assert decided
                notices.setdefault(round_, event.on)
            if isinstance(event, Complaint.DecisionNotified):
                assert event.on_time == (event.on <= event.deadline_on)
            if isinstance(event, Complaint.DeadlineBreached):
                assert event.round not in notices or notices[event.round] > event.deadline_on
        days = {complaint.received_on, complaint.business_date, self.today, *(event_day(e) for e in self.events)}
        for day in days:
            clock = complaint.clock_on(day)
            told = notices.get(clock.round)
            told = told if told is not None and told <= day else None
            assert clock.notified_on == told
            if told is None:
                assert clock.on_time is None
            else:
                assert clock.deadline_on is not None and clock.on_time == (told <= clock.deadline_on)
                assert clock.decided_on is not None and clock.decided_on <= told

    @invariant()
    def event_dates_never_go_back(self) -> None:
        days = [event_day(e) for e in self.events]
        assert days == sorted(days)
        assert self.complaint.business_date == days[-1]

    @invariant()
    def the_past_never_changes(self) -> None:
        complaint = self.complaint
        for day, (status, clock) in self.seen.items():
            assert complaint.status_on(day) == status, day
            assert complaint.clock_on(day) == clock, day
        candidates = {complaint.received_on, complaint.business_date - DAYS}
        for since, _ in complaint.history:
            candidates.update({since, since + DAYS})
        for day in candidates:  # the business date itself may still see more events
            if complaint.received_on <= day < complaint.business_date:
                self.seen.setdefault(day, (complaint.status_on(day), complaint.clock_on(day)))


TestComplaintLifecycle = ComplaintLifecycle.TestCase
