"""Complaint rules (SPEC §7; guide 8.2): one test per rule; a refused command records no event."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from functools import reduce
from typing import Any, TypeVar

import pytest
from eventsourcing.persistence import DatetimeAsISO, DecimalAsStr, JSONTranscoder, Mapper, UUIDAsHex
from eventsourcing.utils import resolve_topic

from application.app import DateAsISO
from domain.complaint.aggregate import Complaint
from domain.complaint.events import EVENTS
from domain.errors import DomainError, InvalidTransition, InvalidValue

CHINA = timezone(timedelta(hours=8))
# received on a Sunday chosen so that no deadline in these tests (days 15, 16, 22, 30, 60, …) falls on a rest
# day, which would move it to the next working day (Civil Code Art. 203; tests/unit/test_calendar.py): the
# tests here are about the count. (Was 2024-03-01, whose day 15 is a Saturday.)
R = date(2024, 3, 10)
RECEIVED_AT = datetime(2024, 3, 10, 10, 30, tzinfo=CHINA)
E = TypeVar("E", bound=DomainError)


def day(n: int) -> date:
    """Day n after receipt (the day of receipt is day 0)."""
    return R + timedelta(days=n)


def details(**overrides: Any) -> dict[str, Any]:
    given: dict[str, Any] = dict(
        channel="phone",
        complainant={"customer_id": "cust-1", "name": "张三", "contact": "13800138000"},
        content="理赔拖延,至今未结案",
        category="claims",
        related_policy_id="pol-1",
        related_claim_id="clm-1",
        received_at=RECEIVED_AT,
        recording_ref="REC-2024-0301-001",
    )
    return {**given, **overrides}


def received(**overrides: Any) -> Complaint:
    complaint = Complaint.receive(**details(**overrides))
    complaint.collect_events()
    return complaint


def investigating(on: int = 1) -> Complaint:
    complaint = received()
    complaint.assign("officer-1", day(on))
    complaint.start_investigation(day(on))
    complaint.collect_events()
    return complaint


def resolved(on: int = 10) -> Complaint:
    complaint = investigating()
    complaint.resolve("upheld", ["pay the claim"], "200", True, day(on))
    complaint.collect_events()
    return complaint


def with_feedback(on: int = 11) -> Complaint:
    complaint = resolved()
    complaint.give_feedback(day(on), "phone", "claim paid, apology given")
    complaint.collect_events()
    return complaint


def archived(on: int = 12) -> Complaint:
    complaint = with_feedback()
    complaint.archive(day(on))
    complaint.collect_events()
    return complaint


def linked_repeat() -> Complaint:
    return received(repeat_of="first-1", new_facts=False)


def refused(complaint: Complaint, command: Callable[[], object], error: type[E]) -> E:
    """Run a command that must be refused; check it left no pending event."""
    version = complaint.version
    with pytest.raises(error) as raised:
        command()
    assert complaint.pending_events == []
    assert complaint.version == version
    return raised.value


def collected(complaint: Complaint) -> list[Any]:
    return list(complaint.collect_events())


def names(complaint: Complaint) -> list[str]:
    return [type(e).__name__ for e in complaint.collect_events()]


def last_event(complaint: Complaint) -> Any:
    return collected(complaint)[-1]


# -- receipt (8.2.1 (1)–(2)) ------------------------------------------------------------------------


def test_receiving_registers_the_complaint_with_a_fifteen_day_deadline() -> None:
    complaint = Complaint.receive(**details())

    [event] = collected(complaint)
    assert isinstance(event, Complaint.Received)
    assert (event.received_on, event.deadline_on) == (R, day(15))
    assert event.received_at == RECEIVED_AT and event.received_at.tzinfo == UTC
    assert event.recording_ref == "REC-2024-0301-001"
    assert (complaint.status, complaint.deadline_on, complaint.next_due_date()) == ("received", day(15), day(16))


def test_the_received_date_is_the_date_in_china() -> None:
    # (was 2024-03-01 16:30 UTC → 03-02, deadline 03-17, a Sunday that now moves to 03-18: shifted a week)
    complaint = received(received_at=datetime(2024, 3, 8, 16, 30, tzinfo=UTC))

    assert complaint.received_on == date(2024, 3, 9)
    assert complaint.deadline_on == date(2024, 3, 25)  # 03-24, a Sunday, moved to Monday (Art. 203)


def test_the_complainant_is_stored_with_an_optional_customer_id() -> None:
    complaint = received(complainant={"name": " 李四 ", "contact": "letter: 福州市鼓楼区"})

    assert complaint.complainant == {"customer_id": None, "name": "李四", "contact": "letter: 福州市鼓楼区"}


@pytest.mark.parametrize(
    ("field", "value", "named"),
    [
        ("channel", "fax", "channel"),
        ("category", "price", "category"),
        ("content", " ", "content"),
        ("recording_ref", None, "recording_ref"),
        ("recording_ref", "", "recording_ref"),
        ("received_at", datetime(2024, 3, 1, 10, 30), "received_at"),
        ("received_at", date(2024, 3, 1), "received_at"),
        ("received_at", datetime(2999, 1, 1, tzinfo=UTC), "received_at"),
        ("complainant", {"contact": "138"}, "complainant.name"),
        ("complainant", {"name": "张三"}, "complainant.contact"),
        ("complainant", {"name": "张三", "contact": "x", "age": 3}, "complainant.age"),
        ("complainant", "张三", "complainant"),
        ("related_policy_id", "", "related_policy_id"),
        ("new_facts", True, "new_facts"),
        ("repeat_of", "first-1", "new_facts"),
    ],
)
def test_receiving_with_an_invalid_field_is_refused_naming_it(field: str, value: Any, named: str) -> None:
    with pytest.raises(InvalidValue) as raised:
        Complaint.receive(**details(**{field: value}))

    assert raised.value.field == named


@pytest.mark.parametrize("channel", ["phone", "online", "letter", "visit", "regulator_transfer"])
def test_every_channel_of_receipt_is_accepted(channel: str) -> None:
    assert received(channel=channel).channel == channel


# -- repeats -------------------------------------------------------------------------------------


def test_a_repeat_with_new_facts_starts_a_new_clock() -> None:
    repeat = received(repeat_of="first-1", new_facts=True, received_at=RECEIVED_AT + timedelta(days=40))

    assert repeat.linked is False
    # 15 days from day 40 end on day 55, 2024-05-04, a Labour Day holiday: the deadline moves to the next
    # working day, Monday 2024-05-06 = day 57 (Civil Code Art. 203), and the breach is due the day after
    assert repeat.deadline_on == day(57)
    assert repeat.next_due_date() == day(58)


def test_a_repeat_without_new_facts_runs_no_clock_and_never_breaches() -> None:
    repeat = linked_repeat()

    repeat.advance_time(day(400))

    assert repeat.linked is True
    assert (repeat.deadline_on, repeat.next_due_date()) == (None, None)
    assert repeat.collect_events() == []
    clock = repeat.clock_on(day(30))
    assert (clock.linked_to, clock.deadline_on, clock.breached) == ("first-1", None, False)


def test_a_repeat_without_new_facts_is_not_decided_extended_or_appraised_on_its_own() -> None:
    repeat = linked_repeat()
    repeat.assign("officer-1", day(1))
    repeat.start_investigation(day(1))
    repeat.collect_events()

    commands: list[Callable[[], object]] = [
        lambda: repeat.resolve("not_upheld", [], 0, False, day(2)),
        lambda: repeat.extend("complex", "many parties", day(2)),
        lambda: repeat.start_external_appraisal(day(2), day(2)),
    ]
    for command in commands:
        assert refused(repeat, command, DomainError).code == "linked-repeat"


def test_a_repeat_without_new_facts_is_told_it_is_handled_with_the_first_and_archived() -> None:
    repeat = linked_repeat()

    repeat.give_feedback(day(2), "phone", "handled under complaint first-1")
    repeat.archive(day(2))

    assert names(repeat) == ["FeedbackGiven", "Archived"]
    assert refused(repeat, lambda: repeat.reopen("again", day(3)), DomainError).code == "linked-repeat"


def test_linking_a_repeat_is_recorded_on_the_first_complaint_once() -> None:
    first = archived()

    first.link_repeat("repeat-1", day(40))

    event = last_event(first)
    assert isinstance(event, Complaint.RepeatLinked) and event.complaint_id == "repeat-1"
    assert first.linked_repeats == ["repeat-1"] and first.status == "archived"
    error = refused(first, lambda: first.link_repeat("repeat-1", day(41)), DomainError)
    assert error.code == "repeat-already-linked"


def test_a_complaint_is_not_linked_to_itself() -> None:
    first = received()

    error = refused(first, lambda: first.link_repeat(first.id, day(1)), InvalidValue)

    assert error.field == "complaint_id"


# -- handling (8.2.1 (3), 8.2.2 (2)) -----------------------------------------------------------------


def test_assigning_makes_someone_responsible() -> None:
    complaint = received()

    complaint.assign("officer-1", day(1))

    event = last_event(complaint)
    assert isinstance(event, Complaint.Assigned)
    assert (event.on, event.responsible_id, event.previous_id) == (day(1), "officer-1", None)
    assert (complaint.status, complaint.responsible_id) == ("assigned", "officer-1")


def test_reassigning_to_the_same_person_is_refused_and_to_another_recorded() -> None:
    complaint = received()
    complaint.assign("officer-1", day(1))
    complaint.collect_events()

    error = refused(complaint, lambda: complaint.assign("officer-1", day(2)), DomainError)
    complaint.assign("officer-2", day(2))

    assert error.code == "already-assigned"
    assert last_event(complaint).previous_id == "officer-1"


def test_an_investigation_starts_only_once_assigned() -> None:
    complaint = received()

    error = refused(complaint, lambda: complaint.start_investigation(day(1)), InvalidTransition)

    assert error.code == "invalid-complaint-transition"


def test_investigation_notes_are_recorded_with_their_author() -> None:
    complaint = investigating()

    complaint.add_note("called the claims handler", "officer-1", day(2))

    event = last_event(complaint)
    assert isinstance(event, Complaint.InvestigationNoteAdded)
    assert (event.note, event.author_id, complaint.notes_count) == ("called the claims handler", "officer-1", 1)


def test_a_note_needs_text_and_an_author() -> None:
    complaint = investigating()

    assert refused(complaint, lambda: complaint.add_note(" ", "o", day(2)), InvalidValue).field == "note"
    assert refused(complaint, lambda: complaint.add_note("n", "", day(2)), InvalidValue).field == "author_id"


def test_escalation_goes_to_a_higher_level_and_back_to_investigation() -> None:
    complaint = investigating()

    complaint.escalate("manager-1", "complainant threatens to go to the regulator", day(2))
    escalated = complaint.status
    complaint.start_investigation(day(3))

    assert (escalated, complaint.escalated_to, complaint.status) == ("escalated", "manager-1", "investigating")


def test_an_escalated_complaint_may_be_assigned_to_someone_else() -> None:
    complaint = investigating()
    complaint.escalate("manager-1", "senior handling needed", day(2))

    complaint.assign("manager-1", day(2))

    assert (complaint.status, complaint.responsible_id) == ("assigned", "manager-1")


@pytest.mark.parametrize("build", [received, resolved])
def test_only_an_assigned_or_investigated_complaint_is_escalated(build: Callable[[], Complaint]) -> None:
    complaint = build()

    error = refused(complaint, lambda: complaint.escalate("manager-1", "why", day(11)), InvalidTransition)

    assert error.code == "invalid-complaint-transition"


def test_escalation_needs_a_reason() -> None:
    complaint = investigating()

    assert refused(complaint, lambda: complaint.escalate("m", "", day(2)), InvalidValue).field == "reason"


# -- the deadline -----------------------------------------------------------------------------------


def test_a_decision_on_day_fifteen_is_on_time() -> None:
    complaint = investigating()

    complaint.resolve("partly_upheld", ["explain the clause"], "0", False, day(15))

    event = last_event(complaint)
    assert isinstance(event, Complaint.Resolved)
    assert (event.on_time, event.days_used, event.days_allowed, event.deadline_on) == (True, 15, 15, day(15))


def test_a_decision_on_day_sixteen_needs_time_advanced_first_and_is_late() -> None:
    complaint = investigating()

    error = refused(complaint, lambda: complaint.resolve("not_upheld", [], 0, False, day(16)), DomainError)
    complaint.advance_time(day(16))
    complaint.resolve("not_upheld", [], 0, False, day(16))

    assert error.code == "time-not-advanced"
    breach, decision = collected(complaint)
    assert isinstance(breach, Complaint.DeadlineBreached) and breach.on == day(16)
    assert (decision.on_time, decision.days_used) == (False, 16)


def test_the_breach_is_recorded_once_on_the_day_after_the_deadline() -> None:
    complaint = investigating()

    complaint.advance_time(day(15))
    before = collected(complaint)
    complaint.advance_time(day(20))
    complaint.advance_time(day(20))
    complaint.advance_time(day(40))

    [breach] = collected(complaint)
    assert before == []
    assert (breach.on, breach.deadline_on, breach.days_allowed, breach.round) == (day(16), day(15), 15, 1)
    assert complaint.next_due_date() is None
    assert complaint.clock_on(day(15)).breached is False
    assert complaint.clock_on(day(16)).breached is True


def test_no_breach_is_due_once_the_decision_is_notified() -> None:
    complaint = resolved(on=10)
    complaint.notify_decision(day(12), "letter")
    complaint.collect_events()

    complaint.advance_time(day(100))

    assert complaint.collect_events() == []
    assert complaint.next_due_date() is None


def test_a_decision_not_notified_by_the_deadline_is_breached_the_day_after() -> None:
    """Art. 21: the decision and telling the complainant, both by the deadline."""
    complaint = resolved(on=10)
    last = complaint.deadline_on
    assert last is not None and complaint.next_due_date() == last + timedelta(days=1)

    complaint.advance_time(last)
    assert complaint.collect_events() == []
    clock = complaint.clock_on(last)
    assert (clock.decided_on, clock.notified_on, clock.on_time, clock.breached) == (day(10), None, None, False)

    complaint.advance_time(last + timedelta(days=1))
    breach = last_event(complaint)
    assert isinstance(breach, Complaint.DeadlineBreached)
    assert (breach.on, breach.deadline_on) == (last + timedelta(days=1), last)
    assert complaint.clock_on(last + timedelta(days=1)).breached is True


def test_a_notice_on_the_last_day_meets_the_deadline_and_the_day_after_does_not() -> None:
    in_time, late = resolved(on=10), resolved(on=10)
    last = in_time.deadline_on
    assert last is not None
    after = last + timedelta(days=1)

    in_time.notify_decision(last, "sms")
    late.advance_time(after)
    late.notify_decision(after, "sms")

    notice = last_event(in_time)
    assert isinstance(notice, Complaint.DecisionNotified)
    assert (notice.on, notice.channel, notice.deadline_on, notice.on_time) == (last, "sms", last, True)
    assert last_event(late).on_time is False
    clock = in_time.clock_on(day(90))
    assert (clock.decided_on, clock.notified_on, clock.notice_channel, clock.on_time) == (day(10), last, "sms", True)
    assert (clock.days_used, clock.breached) == ((last - R).days, False)
    late_clock = late.clock_on(day(90))
    assert (late_clock.notified_on, late_clock.days_used, late_clock.on_time, late_clock.breached) == (
        after,
        (after - R).days,
        False,
        True,
    )


def test_the_decision_is_notified_once_and_only_after_it_is_made() -> None:
    complaint = investigating()
    error = refused(complaint, lambda: complaint.notify_decision(day(5), "phone"), InvalidTransition)
    assert error.code == "invalid-complaint-transition"
    complaint.resolve("not_upheld", [], 0, False, day(5))
    complaint.notify_decision(day(6), "phone")
    complaint.collect_events()

    twice = refused(complaint, lambda: complaint.notify_decision(day(7), "letter"), DomainError)
    assert twice.code == "decision-already-notified"
    refused(complaint, lambda: complaint.notify_decision(day(7), "pigeon"), InvalidValue)


def test_feedback_on_a_decision_not_yet_notified_is_its_notice() -> None:
    complaint = with_feedback(on=11)

    clock = complaint.clock_on(day(30))
    assert (clock.notified_on, clock.notice_channel, clock.on_time, clock.days_used) == (day(11), "phone", True, 11)
    error = refused(complaint, lambda: complaint.notify_decision(day(12), "letter"), DomainError)
    assert error.code == "decision-already-notified"


def test_a_decision_stored_before_notices_existed_stops_its_clock_at_the_decision() -> None:
    """A Resolved stored at class version 1 (no notice_required) reads as a decision whose clock stopped
    at it: no breach becomes due for lack of a notice."""
    mapper = a_mapper()
    complaint = Complaint.receive(**details())
    complaint.assign("officer-1", day(1))
    complaint.start_investigation(day(1))
    complaint.resolve("upheld", ["pay the claim"], "200", True, day(10))
    events = collected(complaint)
    stored = mapper.to_stored_event(events[-1])
    state = mapper.transcoder.decode(stored.state)
    assert (state.pop("class_version"), state.pop("notice_required")) == (2, True)
    old = type(stored)(
        originator_id=stored.originator_id,
        originator_version=stored.originator_version,
        topic="inscribe.complaint.Resolved.v1",
        state=mapper.transcoder.encode(state),
    )

    decision = mapper.to_domain_event(old)

    assert isinstance(decision, Complaint.Resolved) and decision.notice_required is False
    replayed = reduce(lambda state, event: event.mutate(state), [*events[:-1], decision], None)
    assert replayed.next_due_date() is None
    clock = replayed.clock_on(day(100))
    assert (clock.decided_on, clock.notified_on, clock.on_time, clock.breached) == (day(10), None, True, False)


def test_the_complex_extension_allows_thirty_days() -> None:
    complaint = investigating()

    complaint.extend("complex", "three parties involved", day(10))

    event = last_event(complaint)
    assert isinstance(event, Complaint.DeadlineExtended)
    assert (event.days_allowed, event.deadline_on, event.approved_by) == (30, day(30), None)
    assert complaint.next_due_date() == day(31)
    assert (complaint.clock_on(day(30)).breached, complaint.clock_on(day(31)).breached) == (False, True)


def test_day_thirty_is_on_time_after_the_complex_extension() -> None:
    complaint = investigating()
    complaint.extend("complex", "three parties involved", day(10))

    complaint.resolve("upheld", ["refund the fee"], "50", True, day(30))

    assert last_event(complaint).on_time is True


def test_day_thirty_one_is_late_after_the_complex_extension() -> None:
    complaint = investigating()
    complaint.extend("complex", "three parties involved", day(10))

    complaint.advance_time(day(31))
    complaint.resolve("upheld", ["refund the fee"], "50", True, day(31))

    breach, decision = collected(complaint)[-2:]
    assert (breach.on, decision.on_time) == (day(31), False)


def an_especially_complex_case() -> Complaint:
    complaint = investigating()
    complaint.extend("complex", "three parties", day(10))
    complaint.extend(
        "especially_complex", "court records needed", day(28), approved_by="manager-9", complainant_notified_on=day(27)
    )
    complaint.collect_events()
    return complaint


def test_the_especially_complex_extension_allows_sixty_days_with_approval_and_notice() -> None:
    complaint = an_especially_complex_case()

    assert complaint.deadline_on == day(60)
    assert complaint.clock_on(day(60)).days_allowed == 60
    assert complaint.clock_on(day(60)).extensions == ("complex", "especially_complex")
    assert complaint.next_due_date() == day(61)


def test_day_sixty_is_on_time_and_day_sixty_one_late_after_the_especially_complex_extension() -> None:
    on_time, late = an_especially_complex_case(), an_especially_complex_case()

    on_time.resolve("not_upheld", [], 0, False, day(60))
    late.advance_time(day(61))
    late.resolve("not_upheld", [], 0, False, day(61))

    assert last_event(on_time).on_time is True
    assert last_event(late).on_time is False


@pytest.mark.parametrize(
    ("approved_by", "notified", "field"),
    [(None, day(27), "approved_by"), ("manager-9", None, "complainant_notified_on")],
)
def test_the_especially_complex_extension_needs_approval_and_notice(
    approved_by: str | None, notified: date | None, field: str
) -> None:
    complaint = investigating()
    complaint.extend("complex", "three parties", day(10))
    complaint.collect_events()

    def extend() -> None:
        complaint.extend(
            "especially_complex", "court records", day(28), approved_by=approved_by, complainant_notified_on=notified
        )

    assert refused(complaint, extend, InvalidValue).field == field


def test_the_notice_of_an_extension_is_given_between_receipt_and_the_extension() -> None:
    complaint = investigating()

    def extend(notified: date) -> Callable[[], None]:
        return lambda: complaint.extend("complex", "why", day(10), complainant_notified_on=notified)

    assert refused(complaint, extend(day(11)), InvalidValue).field == "complainant_notified_on"
    assert refused(complaint, extend(day(-1)), InvalidValue).field == "complainant_notified_on"


def test_the_especially_complex_extension_needs_the_complex_one_first() -> None:
    complaint = investigating()

    def extend() -> None:
        complaint.extend("especially_complex", "why", day(5), approved_by="m", complainant_notified_on=day(5))

    assert refused(complaint, extend, DomainError).code == "complex-extension-required"


@pytest.mark.parametrize("kind", ["complex", "especially_complex"])
def test_each_extension_is_granted_only_once(kind: str) -> None:
    complaint = an_especially_complex_case()

    def extend() -> None:
        complaint.extend(kind, "again", day(30), approved_by="m", complainant_notified_on=day(30))

    assert refused(complaint, extend, DomainError).code == "extension-already-used"


def test_no_extension_once_the_deadline_has_passed() -> None:
    complaint = investigating()

    on_deadline = complaint.clock_on(day(15)).breached
    complaint.advance_time(day(16))
    complaint.collect_events()
    error = refused(complaint, lambda: complaint.extend("complex", "too late", day(16)), DomainError)

    assert on_deadline is False
    assert error.code == "deadline-passed"


def test_an_extension_on_the_deadline_day_is_granted() -> None:
    complaint = investigating()

    complaint.extend("complex", "just in time", day(15))

    assert complaint.deadline_on == day(30)


# -- external appraisal ------------------------------------------------------------------------------


def test_appraisal_days_move_the_deadline() -> None:
    complaint = investigating()

    complaint.start_external_appraisal(day(5), complainant_told_on=day(5))
    complaint.end_external_appraisal(day(12))

    started, ended = collected(complaint)
    assert isinstance(started, Complaint.AppraisalStarted) and started.on == day(5)
    assert isinstance(ended, Complaint.AppraisalEnded)
    assert (ended.paused_days, ended.deadline_on) == (7, day(22))
    assert complaint.next_due_date() == day(23)
    assert complaint.clock_on(day(22)).breached is False
    assert complaint.clock_on(day(23)).breached is True


def test_appraisal_days_count_only_once_the_complainant_is_told() -> None:
    complaint = investigating()
    complaint.add_note("sent to the appraiser", "officer-1", day(4))

    complaint.start_external_appraisal(day(3), complainant_told_on=day(6))
    complaint.end_external_appraisal(day(10))

    event = collected(complaint)[1]
    assert (event.on, event.started_on, event.complainant_told_on) == (day(6), day(3), day(6))
    assert complaint.deadline_on == day(19)
    assert complaint.clock_on(day(19)).breached is False
    assert complaint.clock_on(day(20)).breached is True


def test_resolving_on_the_moved_deadline_is_on_time_and_the_day_after_is_late() -> None:
    on_time, late = investigating(), investigating()
    for complaint in (on_time, late):
        complaint.start_external_appraisal(day(5), day(5))
        complaint.end_external_appraisal(day(9))

    on_time.resolve("upheld", ["pay"], 1, True, day(19))
    late.advance_time(day(20))
    late.resolve("upheld", ["pay"], 1, True, day(20))

    assert last_event(on_time).on_time is True
    assert last_event(late).on_time is False


def test_no_breach_while_an_appraisal_is_open() -> None:
    complaint = investigating()
    complaint.start_external_appraisal(day(5), day(5))
    complaint.collect_events()

    complaint.advance_time(day(90))

    assert complaint.collect_events() == []
    assert complaint.next_due_date() is None
    assert complaint.clock_on(day(90)).days_used == 5


def test_only_one_appraisal_is_open_at_a_time() -> None:
    complaint = investigating()
    complaint.start_external_appraisal(day(5), day(5))
    complaint.collect_events()

    error = refused(complaint, lambda: complaint.start_external_appraisal(day(6), day(6)), DomainError)

    assert error.code == "appraisal-already-open"


def test_ending_an_appraisal_needs_one_open() -> None:
    complaint = investigating()

    error = refused(complaint, lambda: complaint.end_external_appraisal(day(6)), DomainError)

    assert error.code == "no-appraisal-open"


def test_no_decision_while_an_appraisal_is_open() -> None:
    complaint = investigating()
    complaint.start_external_appraisal(day(5), day(5))
    complaint.collect_events()

    error = refused(complaint, lambda: complaint.resolve("upheld", ["pay"], 1, True, day(8)), DomainError)

    assert error.code == "appraisal-open"


def test_appraisals_do_not_overlap() -> None:
    complaint = investigating()
    complaint.start_external_appraisal(day(2), day(2))
    complaint.end_external_appraisal(day(6))
    complaint.collect_events()

    error = refused(complaint, lambda: complaint.start_external_appraisal(day(5), day(7)), InvalidValue)

    assert error.field == "on"


def test_an_appraisal_told_after_the_deadline_does_not_stop_the_clock() -> None:
    complaint = investigating()
    complaint.advance_time(day(16))
    complaint.collect_events()

    error = refused(complaint, lambda: complaint.start_external_appraisal(day(14), day(16)), DomainError)

    assert error.code == "deadline-passed"


def test_an_appraisal_is_recorded_on_its_told_date_never_before_the_last_event() -> None:
    complaint = investigating()
    complaint.add_note("n", "o", day(8))
    complaint.collect_events()

    error = refused(complaint, lambda: complaint.start_external_appraisal(day(3), day(6)), DomainError)

    assert error.code == "date-before-last-event"


# -- decision, feedback, response, archive (8.2.1 (4)–(6)) --------------------------------------------


def test_the_decision_records_outcome_measures_compensation_and_apology() -> None:
    complaint = investigating()

    complaint.resolve("upheld", [" pay the claim ", "retrain the handler"], Decimal("1200.5"), True, day(9))

    event = last_event(complaint)
    assert (event.outcome, event.measures) == ("upheld", ["pay the claim", "retrain the handler"])
    assert (event.compensation, event.apology) == (Decimal("1200.50"), True)
    assert complaint.status == "resolved"
    assert complaint.resolution is not None and complaint.resolution["on_time"] is True
    assert complaint.clock_on(day(30)).decided_on == day(9)


@pytest.mark.parametrize(
    ("args", "field"),
    [
        (("dismissed", [], 0, False), "outcome"),
        (("upheld", [], 0, True), "measures"),
        (("partly_upheld", [], 0, True), "measures"),
        (("upheld", ["pay"], -1, True), "compensation"),
        (("upheld", ["pay"], "lots", True), "compensation"),
        (("upheld", ["pay"], 0, "yes"), "apology"),
        (("upheld", "pay", 0, True), "measures"),
    ],
)
def test_an_invalid_decision_is_refused_naming_the_field(args: tuple[Any, ...], field: str) -> None:
    complaint = investigating()

    outcome, measures, compensation, apology = args
    error = refused(
        complaint, lambda: complaint.resolve(outcome, measures, compensation, apology, day(5)), InvalidValue
    )

    assert error.field == field


def test_a_not_upheld_decision_may_have_no_measures() -> None:
    complaint = investigating()

    complaint.resolve("not_upheld", [], 0, False, day(5))

    assert complaint.status == "resolved"


@pytest.mark.parametrize("build", [received, resolved])
def test_only_an_investigated_complaint_is_decided(build: Callable[[], Complaint]) -> None:
    complaint = build()

    error = refused(complaint, lambda: complaint.resolve("not_upheld", [], 0, False, day(11)), InvalidTransition)

    assert error.code == "invalid-complaint-transition"


def test_feedback_follows_the_decision() -> None:
    complaint = investigating()

    error = refused(complaint, lambda: complaint.give_feedback(day(5), "phone", "s"), InvalidTransition)
    complaint.resolve("not_upheld", [], 0, False, day(5))
    complaint.give_feedback(day(6), "letter", "the clause excludes it")

    assert error.code == "invalid-complaint-transition"
    assert complaint.status == "feedback_given"
    assert complaint.feedback == {"on": day(6), "channel": "letter", "summary": "the clause excludes it"}


def test_the_complainant_responds_once_to_the_feedback() -> None:
    complaint = with_feedback()

    complaint.record_response(False, "still unhappy", day(12))
    complaint.collect_events()

    assert complaint.response == {"on": day(12), "satisfied": False, "comment": "still unhappy"}
    error = refused(complaint, lambda: complaint.record_response(True, "", day(13)), DomainError)
    assert error.code == "response-already-recorded"


def test_a_response_needs_feedback_first_and_a_yes_or_no() -> None:
    complaint = resolved()
    other = with_feedback()

    error = refused(complaint, lambda: complaint.record_response(True, "", day(11)), InvalidTransition)

    assert error.code == "invalid-complaint-transition"
    assert refused(other, lambda: other.record_response(None, "", day(12)), InvalidValue).field == "satisfied"  # type: ignore[arg-type]


@pytest.mark.parametrize("build", [received, investigating, resolved])
def test_archiving_before_feedback_is_refused(build: Callable[[], Complaint]) -> None:
    complaint = build()

    error = refused(complaint, lambda: complaint.archive(day(12)), DomainError)

    assert error.code == "feedback-required-before-archive"


def test_archiving_after_feedback_files_the_complaint() -> None:
    complaint = with_feedback()

    complaint.archive(day(12))
    complaint.collect_events()

    assert (complaint.status, complaint.archived_on) == ("archived", day(12))
    assert refused(complaint, lambda: complaint.archive(day(13)), InvalidTransition).code == (
        "invalid-complaint-transition"
    )


# -- improvement actions (8.2.2 (5)) --------------------------------------------------------------


def test_an_improvement_action_has_an_owner_and_a_due_date_and_is_completed_once() -> None:
    complaint = archived()

    action_id = complaint.add_improvement_action("retrain claims staff", "lead-1", day(60), day(13))
    complaint.complete_improvement_action(action_id, day(50), "training held")

    added, completed = collected(complaint)
    assert isinstance(added, Complaint.ImprovementActionAdded) and added.action_id == action_id
    assert isinstance(completed, Complaint.ImprovementActionCompleted)
    assert complaint.improvement_actions[action_id]["completed_on"] == day(50)
    again = refused(complaint, lambda: complaint.complete_improvement_action(action_id, day(51), "x"), DomainError)
    assert again.code == "action-already-completed"


def test_an_improvement_action_may_carry_its_own_id_once() -> None:
    complaint = resolved()

    complaint.add_improvement_action("fix the letter template", "lead-1", day(20), day(11), action_id="IA-1")
    complaint.collect_events()

    error = refused(
        complaint,
        lambda: complaint.add_improvement_action("again", "lead-1", day(20), day(11), action_id="IA-1"),
        InvalidValue,
    )
    assert error.field == "action_id"


def test_an_improvement_action_is_not_due_before_it_is_added() -> None:
    complaint = resolved()

    error = refused(complaint, lambda: complaint.add_improvement_action("x", "o", day(10), day(11)), InvalidValue)

    assert error.field == "due_on"


def test_completing_an_unknown_improvement_action_is_refused() -> None:
    complaint = resolved()

    error = refused(complaint, lambda: complaint.complete_improvement_action("nope", day(11), "done"), InvalidValue)

    assert error.field == "action_id"


# -- reopening ------------------------------------------------------------------------------------


def test_an_archived_complaint_is_reopened_with_a_reason_and_a_new_clock() -> None:
    complaint = archived()

    complaint.reopen("the complainant brought the hospital bill", day(40))

    event = last_event(complaint)
    assert isinstance(event, Complaint.Reopened)
    # day 55 (2024-05-04) is a Labour Day holiday: the deadline moves to Monday 2024-05-06 = day 57 (Art. 203)
    assert (event.round, event.deadline_on) == (2, day(57))
    assert (complaint.status, complaint.received_on, complaint.archived_on) == ("reopened", R, None)
    clock = complaint.clock_on(day(40))
    assert (clock.received_on, clock.started_on, clock.round, clock.days_used) == (R, day(40), 2, 0)
    assert complaint.next_due_date() == day(58)


def test_the_first_clock_of_a_reopened_complaint_keeps_its_answer() -> None:
    complaint = archived()
    before = complaint.clock_on(day(20))

    complaint.reopen("new evidence", day(40))

    assert complaint.clock_on(day(20)) == before
    assert (before.round, before.decided_on, before.on_time) == (1, day(10), True)


def test_a_reopened_complaint_is_investigated_decided_and_its_extensions_are_new() -> None:
    complaint = archived()
    complaint.reopen("new evidence", day(40))

    complaint.extend("complex", "needs the hospital's records", day(41))
    complaint.start_investigation(day(41))
    complaint.resolve("upheld", ["pay the rest"], "300", False, day(70))

    event = last_event(complaint)
    # 30 days from day 40 end on day 70, Sunday 2024-05-19: the deadline moves to Monday = day 71 (Art. 203)
    assert (event.round, event.on_time, event.days_used, event.deadline_on) == (2, True, 30, day(71))


@pytest.mark.parametrize("build", [received, investigating])
def test_only_a_decided_complaint_is_reopened(build: Callable[[], Complaint]) -> None:
    complaint = build()

    error = refused(complaint, lambda: complaint.reopen("why", day(5)), InvalidTransition)

    assert error.code == "invalid-complaint-transition"


def test_reopening_needs_a_reason() -> None:
    complaint = archived()

    assert refused(complaint, lambda: complaint.reopen(" ", day(40)), InvalidValue).field == "reason"


# -- dates, history, stored names ---------------------------------------------------------------


def test_a_command_dated_before_the_last_event_is_refused() -> None:
    complaint = investigating(on=5)

    error = refused(complaint, lambda: complaint.add_note("late entry", "o", day(4)), DomainError)

    assert error.code == "date-before-last-event"


def test_a_business_date_must_be_a_date() -> None:
    complaint = received()

    error = refused(complaint, lambda: complaint.assign("o", datetime(2024, 3, 2, tzinfo=CHINA)), InvalidValue)

    assert error.field == "on"


def test_the_status_on_each_day_follows_the_history() -> None:
    complaint = archived()

    statuses = [complaint.status_on(day(n)) for n in (-1, 0, 1, 10, 11, 12)]

    assert statuses == [None, "received", "investigating", "resolved", "feedback_given", "archived"]


def test_the_clock_is_not_read_before_receipt() -> None:
    complaint = received()

    with pytest.raises(InvalidValue):
        complaint.clock_on(day(-1))


EVENT_NAMES = [
    "Received",
    "Assigned",
    "InvestigationStarted",
    "InvestigationNoteAdded",
    "Escalated",
    "DeadlineExtended",
    "AppraisalStarted",
    "AppraisalEnded",
    "Resolved",
    "DecisionNotified",
    "FeedbackGiven",
    "ComplainantResponded",
    "ImprovementActionAdded",
    "ImprovementActionCompleted",
    "Reopened",
    "Archived",
    "RepeatLinked",
    "DeadlineBreached",
]


@pytest.mark.parametrize("name", EVENT_NAMES)
def test_every_event_has_a_stable_versioned_topic(name: str) -> None:
    event_class = getattr(Complaint, name)

    assert f"inscribe.complaint.{name}.v1" == event_class.TOPIC
    assert resolve_topic(event_class.TOPIC) is event_class


def test_every_event_class_is_listed_and_assigned_on_the_aggregate() -> None:
    assert [cls.__name__ for cls in EVENTS] == EVENT_NAMES
    assert all(getattr(Complaint, cls.__name__) is cls for cls in EVENTS)


def test_the_aggregate_and_base_topics_are_stable() -> None:
    assert resolve_topic("inscribe.complaint.Complaint") is Complaint
    assert Complaint.Event.TOPIC == "inscribe.complaint.Event"
    assert Complaint.Created.TOPIC == "inscribe.complaint.Created"


def a_full_history() -> Complaint:
    complaint = Complaint.receive(**details())
    complaint.assign("officer-1", day(1))
    complaint.start_investigation(day(1))
    complaint.add_note("asked the claims team", "officer-1", day(2))
    complaint.escalate("manager-1", "large amount", day(3))
    complaint.start_investigation(day(3))
    complaint.extend("complex", "three parties", day(5))
    complaint.start_external_appraisal(day(5), day(6))
    complaint.end_external_appraisal(day(9))
    complaint.extend(
        "especially_complex", "court file", day(25), approved_by="manager-1", complainant_notified_on=day(25)
    )
    complaint.resolve("upheld", ["pay"], "10", True, day(40))
    complaint.notify_decision(day(40), "sms")
    complaint.give_feedback(day(41), "phone", "paid")
    complaint.record_response(True, "thanks", day(41))
    complaint.add_improvement_action("fix", "lead", day(60), day(42), action_id="IA-1")
    complaint.complete_improvement_action("IA-1", day(43), "fixed")
    complaint.archive(day(43))
    complaint.reopen("dispute", day(50))
    complaint.link_repeat("repeat-1", day(51))
    complaint.advance_time(day(70))
    return complaint


def test_replaying_the_events_gives_the_live_state() -> None:
    complaint = a_full_history()

    events = collected(complaint)
    replayed = reduce(lambda state, event: event.mutate(state), events, None)

    assert {type(e) for e in events} == set(EVENTS)
    assert vars(replayed) == vars(complaint)


def a_mapper() -> Mapper[Any]:
    transcoder = JSONTranscoder()
    for transcoding in (UUIDAsHex(), DecimalAsStr(), DatetimeAsISO(), DateAsISO()):
        transcoder.register(transcoding)
    return Mapper(transcoder=transcoder)


def test_stored_events_read_back_to_the_same_complaint() -> None:
    mapper = a_mapper()
    complaint = a_full_history()
    events = collected(complaint)

    read_back: list[Any] = [mapper.to_domain_event(mapper.to_stored_event(e)) for e in events]

    assert read_back == events
    assert vars(reduce(lambda state, event: event.mutate(state), read_back, None)) == vars(complaint)
