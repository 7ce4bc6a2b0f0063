"""The complaints register (投诉登记簿) with its deadlines, and the improvement actions register (SPEC §7, §8;
guide 8.2).

Every row is a function of the complaint as it stands after the event (`AggregateCache` applies each
event exactly as a replay would); the clock figures are the domain's `clock_on(business_date)`, so
no row depends on the wall clock and a rebuild writes exactly the rows the live projection wrote.
What depends on the day asked (days used, days remaining, overdue) is computed by the queries:
`overdue_on` in the filters, `clock_columns` for each row.

The decision columns (decided_on, outcome, compensation, apology, on_time, notice_on, notice_channel,
notice_on_time, feedback_on, satisfied) describe the decision of the current clock round; the clock
stops when the complainant is told of it (Art. 21), so `on_time` (the deadline met) waits for the notice
(a decision stored before notices were recorded: the decision itself): after a reopening they are empty
until the new decision (the earlier one stays in the row's history, `as_of`). `breached_on` is the
latest breach recorded in any round.
"""

from __future__ import annotations

from datetime import date
from typing import Any, cast

from eventsourcing.domain import DomainEventProtocol
from sqlalchemy import JSON, Boolean, Column, Connection, Date, DateTime, Index, Integer, String, Text, select, update

from domain.calendar import last_day
from domain.complaint.aggregate import Complaint
from domain.complaint.rules import deadline_end
from domain.customer.aggregate import ERASED, Customer
from projections.aggregates import AggregateCache
from projections.base import Batch, Projection
from projections.customers import plain
from projections.db import utc
from projections.policies import ID, MONEY
from projections.register import Register
from projections.versioned import as_of, versioned_table

complaints = versioned_table(
    "complaints",
    "complaint_id",
    Column("version", Integer, nullable=False),
    Column("status", String(20), nullable=False),
    Column("channel", String(30), nullable=False),
    Column("category", String(20), nullable=False),
    Column("complainant_name", String(200), nullable=False),  # personal data: mask for roles without the right
    Column("complainant_customer_id", ID, nullable=True),
    Column("related_policy_id", ID, nullable=True),
    Column("related_claim_id", ID, nullable=True),
    Column("received_at", DateTime, nullable=False),  # naive UTC
    Column("received_on", Date, nullable=False),  # the date in China: the clock runs from it
    Column("recording_ref", String(200), nullable=False),
    Column("repeat_of", ID, nullable=True),
    Column("new_facts", Boolean, nullable=True),
    Column("linked_to", ID, nullable=True),  # a repeat without new facts: the first complaint
    Column("linked_repeats", Integer, nullable=False),  # on the first: repeats linked to it
    Column("responsible_id", ID, nullable=True),
    Column("escalated_to", ID, nullable=True),
    # the decision clock of the current round, as of last_event_on (None for a linked repeat)
    Column("round", Integer, nullable=False),  # 1, 2 after a reopening, …; 0 for a linked repeat
    Column("clock_started_on", Date, nullable=False),  # receipt, or the latest reopening
    Column("deadline_on", Date, nullable=True),  # moves on day by day while an appraisal is open
    Column("deadline_moved_because", String(200), nullable=True),  # off a rest day (Civil Code Art. 203)
    Column("days_allowed", Integer, nullable=True),  # 15, 30 or 60
    Column("extensions", JSON(none_as_null=True), nullable=False),  # [{round, kind, on, days_allowed}], all rounds
    Column("paused_days", Integer, nullable=False),  # appraisal days not counted, up to last_event_on
    Column("appraisal_open", Boolean, nullable=False),
    Column("next_due_date", Date, nullable=True),  # when advance_time records a breach
    # the decision of the current round, its feedback and the complainant's response
    Column("decided_on", Date, nullable=True),
    Column("outcome", String(20), nullable=True),  # upheld | partly_upheld | not_upheld
    Column("compensation", MONEY, nullable=True),
    Column("apology", Boolean, nullable=True),
    Column("on_time", Boolean, nullable=True),  # the deadline met: the decision notified by it (Art. 21)
    # the complainant told of the decision (a decision notice, or the first feedback after it)
    Column("notice_on", Date, nullable=True),
    Column("notice_channel", String(20), nullable=True),
    Column("notice_on_time", Boolean, nullable=True),
    Column("clock_stopped_on", Date, nullable=True),  # the notice (a decision stored before notices: itself)
    Column("breached_on", Date, nullable=True),  # recorded by DeadlineBreached (the latest, any round)
    Column("feedback_on", Date, nullable=True),
    Column("satisfied", Boolean, nullable=True),
    Column("archived_on", Date, nullable=True),
    Column("open_actions", Integer, nullable=False),  # improvement actions not completed
    Column("last_event_on", Date, nullable=False),  # the latest business date recorded
    days=True,  # reports read its rows as they stood at the end of a day (projections.versioned)
)
Index("ix_complaints_next_due", complaints.c.valid_to, complaints.c.next_due_date)
Index("ix_complaints_deadline", complaints.c.valid_to, complaints.c.decided_on, complaints.c.deadline_on)
Index("ix_complaints_complainant", complaints.c.complainant_customer_id, complaints.c.valid_to)

improvement_actions = versioned_table(
    "improvement_actions",
    "action_key",  # f"{complaint_id}:{action_id}"
    Column("complaint_id", String(36), nullable=False),
    Column("action_id", String(100), nullable=False),
    Column("description", Text, nullable=False),
    Column("owner_id", ID, nullable=False),
    Column("due_on", Date, nullable=False),
    Column("added_on", Date, nullable=False),
    Column("completed_on", Date, nullable=True),
    Column("result", Text, nullable=True),
    Column("status", String(10), nullable=False),  # open | done
    key_length=140,  # a complaint id (36 characters), a colon and an action id (at most 100)
)
Index("ix_improvement_actions_owner", improvement_actions.c.owner_id, improvement_actions.c.valid_to)
Index("ix_improvement_actions_complaint", improvement_actions.c.complaint_id, improvement_actions.c.valid_to)

#: Events that change an improvement action.
ACTION_EVENTS = (Complaint.ImprovementActionAdded, Complaint.ImprovementActionCompleted)


def action_key(complaint_id: str, action_id: str) -> str:
    return f"{complaint_id}:{action_id}"


def complaint_row(complaint: Complaint) -> dict[str, Any]:
    """The register row of a complaint's current state."""
    clock = complaint.clock_on(complaint.business_date)
    current = complaint.rounds[-1] if complaint.rounds and not complaint.linked else None
    resolution = complaint.resolution
    if resolution is not None and resolution["round"] != clock.round:
        resolution = None  # the decision of an earlier round, before a reopening
    shown = complaint.linked or resolution is not None  # feedback belongs to the current decision
    feedback = complaint.feedback if shown else None
    response = complaint.response if shown else None
    breaches = [r.breached_on for r in complaint.rounds if r.breached_on is not None]
    assert complaint.received_at is not None
    return {
        "version": complaint.version,
        "status": complaint.status,
        "channel": complaint.channel,
        "category": complaint.category,
        "complainant_name": complaint.complainant["name"],
        "complainant_customer_id": complaint.complainant.get("customer_id"),
        "related_policy_id": complaint.related_policy_id,
        "related_claim_id": complaint.related_claim_id,
        "received_at": utc(complaint.received_at),
        "received_on": complaint.received_on,
        "recording_ref": complaint.recording_ref,
        "repeat_of": complaint.repeat_of,
        "new_facts": complaint.new_facts,
        "linked_to": clock.linked_to,
        "linked_repeats": len(complaint.linked_repeats),
        "responsible_id": complaint.responsible_id,
        "escalated_to": complaint.escalated_to,
        "round": clock.round,
        "clock_started_on": clock.started_on,
        "deadline_on": clock.deadline_on,
        "deadline_moved_because": clock.deadline_moved_because,
        "days_allowed": clock.days_allowed,
        "extensions": [
            plain({"round": r.number, "kind": e.kind, "on": e.on, "days_allowed": e.days_allowed})
            for r in complaint.rounds
            for e in r.extensions
        ],
        "paused_days": clock.paused_days,
        "appraisal_open": current is not None and current.open_pause is not None,
        "next_due_date": complaint.next_due_date(),
        "decided_on": clock.decided_on,
        "outcome": None if resolution is None else resolution["outcome"],
        "compensation": None if resolution is None else resolution["compensation"],
        "apology": None if resolution is None else resolution["apology"],
        "on_time": None if resolution is None else clock.on_time,
        "notice_on": None if resolution is None else clock.notified_on,
        "notice_channel": None if resolution is None else clock.notice_channel,
        "notice_on_time": None if resolution is None or clock.notified_on is None else clock.on_time,
        "clock_stopped_on": None if current is None or resolution is None else current.stopped_on,
        "breached_on": max(breaches) if breaches else None,
        "feedback_on": None if feedback is None else feedback["on"],
        "satisfied": None if response is None else response["satisfied"],
        "archived_on": complaint.archived_on,
        "open_actions": sum(1 for a in complaint.improvement_actions.values() if a["completed_on"] is None),
        "last_event_on": complaint.business_date,
    }


def action_row(complaint: Complaint, action_id: str) -> dict[str, Any]:
    """The register row of one improvement action as it stands now."""
    action = complaint.improvement_actions[action_id]
    return {
        "complaint_id": str(complaint.id),
        "action_id": action_id,
        "description": action["description"],
        "owner_id": action["owner_id"],
        "due_on": action["due_on"],
        "added_on": action["added_on"],
        "completed_on": action["completed_on"],
        "result": action["result"],
        "status": "open" if action["completed_on"] is None else "done",
    }


class ComplaintsProjection(Projection):
    """Keeps the complaints register and the improvement actions register."""

    handles = (Complaint.Event, Customer.PersonalDataErased)
    aggregate = Complaint

    name = "complaints"
    tables = (complaints, improvement_actions)

    def bind(self, app: Any) -> None:
        super().bind(app)
        self.cache = AggregateCache(app)

    def preload(self, events: list[tuple[DomainEventProtocol[Any], int]], batch: Batch) -> None:
        mine = [e for e, _ in events if isinstance(e, Complaint.Event)]
        batch.versioned(complaints).preload(str(e.originator_id) for e in mine)
        batch.versioned(improvement_actions).preload(
            action_key(str(e.originator_id), e.action_id) for e in mine if isinstance(e, ACTION_EVENTS)
        )

    def apply(self, event: DomainEventProtocol[Any], position: int, batch: Batch) -> None:
        if isinstance(event, Customer.PersonalDataErased):
            self._forget_complainant(str(event.originator_id), batch)
        if not isinstance(event, Complaint.Event):
            return
        complaint = cast(Complaint, self.cache.apply(event))
        batch.versioned(complaints).put(str(complaint.id), complaint_row(complaint), position)
        if isinstance(event, ACTION_EVENTS):
            key = action_key(str(complaint.id), event.action_id)
            batch.versioned(improvement_actions).put(key, action_row(complaint, event.action_id), position)

    def _forget_complainant(self, customer_id: str, batch: Batch) -> None:
        """A customer's key was destroyed: their name goes from every version of their complaints' rows
        (this batch's rows are written first) and from the cached complaints, which reload from the log
        with the placeholder."""
        batch.flush()
        batch.conn.execute(
            update(complaints)
            .where(complaints.c.complainant_customer_id == customer_id)
            .values(complainant_name=ERASED)
        )
        self.cache.forget()


# --- queries: complaints ---------------------------------------------------------------------
_c = complaints.c
SORTABLE = {"received_on": _c.received_on, "deadline_on": _c.deadline_on, "status": _c.status, "category": _c.category}
DEFAULT_SORT = "-received_on"


def complaint_filters(
    status: str | None = None,
    category: str | None = None,
    channel: str | None = None,
    responsible_id: str | None = None,
    complainant_customer_id: str | None = None,
    related_policy_id: str | None = None,
    related_claim_id: str | None = None,
    received_from: date | None = None,
    received_to: date | None = None,
    breached: bool | None = None,
    overdue_on: date | None = None,
    open: bool | None = None,
) -> list[Any]:
    """SQL conditions for the register's filters. The received date range includes both ends;
    `breached`: a breach was recorded (True) or not (False); `overdue_on`: awaiting a decision or its
    notice to the complainant with the deadline before that business date, breach recorded yet or not
    (an open appraisal stops the clock, so it is never overdue); `open`: not archived (True) or archived (False)."""
    conditions: list[Any] = []
    for column, value in (
        (_c.status, status),
        (_c.category, category),
        (_c.channel, channel),
        (_c.responsible_id, responsible_id),
        (_c.complainant_customer_id, complainant_customer_id),
        (_c.related_policy_id, related_policy_id),
        (_c.related_claim_id, related_claim_id),
    ):
        if value is not None:
            conditions.append(column == value)
    if received_from is not None:
        conditions.append(_c.received_on >= received_from)
    if received_to is not None:
        conditions.append(_c.received_on <= received_to)
    if breached is not None:
        conditions.append(_c.breached_on.is_not(None) if breached else _c.breached_on.is_(None))
    if overdue_on is not None:
        conditions += [_c.clock_stopped_on.is_(None), _c.deadline_on < overdue_on, _c.appraisal_open.is_(False)]
    if open is not None:
        conditions.append(_c.archived_on.is_(None) if open else _c.archived_on.is_not(None))
    return conditions


def clock_columns(row: dict[str, Any], today: date) -> dict[str, Any]:
    """The clock of a register row as of business date `today` (on or after its `last_event_on`):
    `days_used`, `remaining_days` (negative once past the deadline; None for a linked repeat) and
    `overdue` (awaiting a decision or its notice, and past the deadline). The same figures as the domain's
    `clock_on(today)`."""
    if row["days_allowed"] is None:  # a linked repeat: no clock of its own
        return {"days_used": max(0, (today - row["received_on"]).days), "remaining_days": None, "overdue": False}
    stopped = row["clock_stopped_on"]  # the decision notified (Art. 21)
    read = stopped if stopped is not None else today
    paused = row["paused_days"]
    if row["appraisal_open"]:  # the clock stands still from the last event on
        paused += max(0, (read - row["last_event_on"]).days)
    used = max(0, (read - row["clock_started_on"]).days - paused)
    allowed = row["days_allowed"]
    # the deadline as counted, then moved off a rest day (Civil Code Art. 203), as the domain does
    deadline = deadline_end(row["clock_started_on"], allowed, paused).due
    return {"days_used": used, "remaining_days": (deadline - read).days, "overdue": stopped is None and read > deadline}


def calendar_warning(row: dict[str, Any]) -> str | None:
    """Whether the row's deadline falls in a year without a (published) public-holiday calendar."""
    deadline = row.get("deadline_on")
    return None if deadline is None else last_day(deadline).warning


def with_clock(row: dict[str, Any], today: date) -> None:
    """The row's clock as of `today` (never before its last event) and its calendar warning."""
    row.update(clock_columns(row, max(today, row["last_event_on"])), calendar_warning=calendar_warning(row))


#: 投诉登记簿: complaints with category, status, deadline, responsible person and clock.
COMPLAINTS = Register(
    complaints,
    "complaints",
    SORTABLE,
    DEFAULT_SORT,
    view="ComplaintView",
    doc="A row of the complaints register, with its clock as of today.",
    page_view="ComplaintPage",
    extra={
        "days_used": (int | None, None),
        "remaining_days": (int | None, None),
        "overdue": (bool, False),
        "calendar_warning": (str | None, None),
    },
    derive=with_clock,
)


def due_for_scheduler(conn: Connection, on: date, position: int | None = None) -> list[str]:
    """Ids of the complaints for which `advance_time(on)` would record a breach, earliest first."""
    query = (
        select(_c.complaint_id)
        .where(as_of(complaints, position), _c.next_due_date <= on)
        .order_by(_c.next_due_date, _c.complaint_id)
    )
    return list(conn.execute(query).scalars())


# --- queries: improvement actions ---------------------------------------------------------------
_a = improvement_actions.c
ACTION_SORTABLE = {
    "due_on": _a.due_on,
    "added_on": _a.added_on,
    "completed_on": _a.completed_on,
    "status": _a.status,
    "owner_id": _a.owner_id,
}
ACTION_DEFAULT_SORT = "due_on"


def action_filters(
    owner_id: str | None = None,
    complaint_id: str | None = None,
    open: bool | None = None,
    overdue_on: date | None = None,
) -> list[Any]:
    """SQL conditions for the improvement actions: by owner, complaint, open (True) or done (False),
    and `overdue_on`: open and due before that business date."""
    conditions: list[Any] = []
    if owner_id is not None:
        conditions.append(_a.owner_id == owner_id)
    if complaint_id is not None:
        conditions.append(_a.complaint_id == complaint_id)
    if open is not None:
        conditions.append(_a.status == ("open" if open else "done"))
    if overdue_on is not None:
        conditions += [_a.status == "open", _a.due_on < overdue_on]
    return conditions


def days_overdue(row: dict[str, Any], today: date) -> int | None:
    """Days an open improvement action is past its due date as of `today` (None if not overdue)."""
    late = (today - row["due_on"]).days
    return late if row["status"] == "open" and late > 0 else None


def with_days_overdue(row: dict[str, Any], today: date) -> None:
    row["days_overdue"] = days_overdue(row, today)


#: Improvement actions (8.2.2 (5)) with owner and due date.
ACTIONS = Register(
    improvement_actions,
    "complaints",
    ACTION_SORTABLE,
    ACTION_DEFAULT_SORT,
    view="ImprovementActionView",
    doc="An improvement action (8.2.2 (5)).",
    page_view="ImprovementActionPage",
    extra={"days_overdue": (int | None, None)},
    derive=with_days_overdue,
)
