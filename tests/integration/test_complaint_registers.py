"""The complaint registers (SPEC §7, §8): complaints (投诉登记簿) with their deadlines, improvement actions,
and after-sales service requests.

Complaints and requests are driven through the domain, day by day in business time, and recorded with
the application's audit metadata; every register row must follow from the aggregate's state, answer
"as of" any past position, and come out the same from a rebuild.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any
from uuid import UUID, uuid4

import pytest
from sqlalchemy import Table, select

from domain.complaint.aggregate import Complaint
from domain.service_request.aggregate import ServiceRequest
from projections import complaints as cr
from projections import service_requests as sr
from projections.queries import PageResult, one
from tests.builders import registers as registers
from tests.builders.common import ctx
from tests.builders.registers import check_every_sort, page_rows, read_row

D = date
CHINA = timezone(timedelta(hours=8))
OFFICER = ("officer-1", "complaints_officer")


# --- arranging: complaints and requests through the domain ------------------------------------


@dataclass
class Desk:
    """A complaints desk's book: complaints and service requests by name, and positions worth asking."""

    services: Any
    complaints: dict[str, Complaint] = field(default_factory=dict)
    requests: dict[str, ServiceRequest] = field(default_factory=dict)
    positions: dict[str, int] = field(default_factory=dict)

    @property
    def app(self) -> Any:
        return self.services.app

    def mark(self, name: str, position: int | None = None) -> None:
        self.positions[name] = int(position if position is not None else self.services.read_side.head())

    def save(self, *aggregates: Any, mark: str | None = None) -> None:
        position = self.app.record(ctx(*OFFICER), *aggregates).position
        if mark:
            self.mark(mark, position)

    def receive(
        self,
        name: str,
        at: datetime,
        *,
        channel: str,
        category: str,
        complainant: dict[str, Any],
        mark: str | None = None,
        **more: Any,
    ) -> Complaint:
        complaint = Complaint.receive(
            complaint_id=uuid4(),
            channel=channel,
            complainant={"contact": "13800138000", **complainant},
            content=f"{name}: 投诉内容",
            category=category,
            received_at=at,
            recording_ref=f"REC-{name}",
            **more,
        )
        self.complaints[name] = complaint
        self.save(complaint, mark=mark)
        return complaint

    def repeat(self, name: str, first: str, at: datetime, **fields: Any) -> None:
        """A repeat without new facts, linked to the first in the same transaction (as the application does)."""
        complaint = Complaint.receive(
            complaint_id=uuid4(),
            content=f"{name}: 同一事项再次投诉",
            received_at=at,
            recording_ref=f"REC-{name}",
            repeat_of=self.id(first),
            new_facts=False,
            **fields,
        )
        self.complaints[name] = complaint
        original = self.complaints[first]
        original.advance_time(complaint.received_on)
        original.link_repeat(complaint.id, complaint.received_on)
        self.save(complaint, original)

    def act(self, name: str, today: date, method: str, mark: str | None = None, /, **arguments: Any) -> None:
        """Record what time has caused up to `today`, then run the command (as the application does)."""
        complaint = self.complaints[name]
        complaint.advance_time(today)
        getattr(complaint, method)(**arguments)
        self.save(complaint, mark=mark)

    def open_request(self, name: str, at: datetime, **fields: Any) -> None:
        self.requests[name] = ServiceRequest.open(request_id=uuid4(), requested_at=at, **fields)
        self.save(self.requests[name])

    def on_request(self, name: str, method: str, mark: str | None = None, /, **arguments: Any) -> None:
        getattr(self.requests[name], method)(**arguments)
        self.save(self.requests[name], mark=mark)

    def id(self, name: str) -> str:
        return str((self.complaints.get(name) or self.requests[name]).id)

    def names(self, rows: list[dict[str, Any]], key: str = "complaint_id") -> list[str]:
        by_id = {self.id(n): n for n in (*self.complaints, *self.requests)}
        return [by_id[row[key]] for row in rows]


def build_desk(services: Any) -> Desk:
    """Five complaints and four service requests, recorded day by day:

    - wang: phone, claims; assigned, investigated, a note, extended (complex: 30 days), an external
      appraisal 21–31 March (10 days not counted), two improvement actions, partly upheld and notified
      the same day (on time), feedback, satisfied, archived; one action completed afterwards, one still open.
      Its 15th day (Saturday 16 March) and its 30th (Sunday 31 March) are rest days: the deadline moves to
      the Monday after (18 March, 1 April; Civil Code Art. 203); after the appraisal it ends Wednesday 10 April.
    - chen: visit, sales; not upheld (told at once), the complainant unsatisfied, reopened (round 2),
      upheld (told by letter the same day). Round 1 ends Monday 18 March (16th a Saturday), round 2 Thursday 28 March.
    - li: online, service; assigned and left: the deadline (Wednesday 20 March) passes, the breach is recorded.
    - zhao: transferred by the regulator, a repeat of wang without new facts: linked, told, archived.
    - sun: letter, premium, a repeat of wang with new facts: its own clock; escalated, still open. Its 15th
      day is Saturday 30 March: the deadline is Monday 1 April, so it is overdue from 2 April.
    - sr1 (contract change, completed in 7 days), sr2 (cancelled), sr3 (just opened), sr4 (in progress).
    """
    desk = Desk(services)
    wang_customer = {"customer_id": "cust-wang", "name": "王强"}
    desk.receive(
        "wang",
        datetime(2024, 3, 1, 10, 0, tzinfo=CHINA),
        channel="phone",
        category="claims",
        complainant=wang_customer,
        related_policy_id="pol-1",
        related_claim_id="claim-1",
        mark="wang:received",
    )
    desk.receive(
        "chen",
        datetime(2024, 3, 1, 15, 0, tzinfo=CHINA),
        channel="visit",
        category="sales",
        complainant={"customer_id": "cust-chen", "name": "陈静"},
        related_policy_id="pol-2",
    )
    desk.open_request(
        "sr1",
        datetime(2024, 2, 29, 16, 30, tzinfo=UTC),
        customer_id="cust-wang",
        kind="contract_change",
        description="change the beneficiary",
        channel="counter",
        policy_id="pol-1",
    )
    desk.act("wang", D(2024, 3, 2), "assign", "wang:assigned", responsible_id="staff-1", on=D(2024, 3, 2))
    desk.act("chen", D(2024, 3, 2), "assign", responsible_id="staff-3", on=D(2024, 3, 2))
    desk.on_request("sr1", "assign", "sr1:assigned", staff_id="staff-5", on=D(2024, 3, 2))
    desk.act("wang", D(2024, 3, 3), "start_investigation", on=D(2024, 3, 3))
    desk.act("chen", D(2024, 3, 3), "start_investigation", on=D(2024, 3, 3))
    desk.on_request("sr1", "start", on=D(2024, 3, 3))
    desk.on_request("sr1", "add_update", note="documents received", author_id="staff-5", on=D(2024, 3, 4))
    desk.act("wang", D(2024, 3, 5), "add_note", note="claim file requested", author_id="staff-1", on=D(2024, 3, 5))
    desk.receive(
        "li",
        datetime(2024, 3, 5, 9, 0, tzinfo=CHINA),
        channel="online",
        category="service",
        complainant={"name": "李娜"},
    )
    desk.open_request(
        "sr2",
        datetime(2024, 3, 5, 9, 30, tzinfo=CHINA),
        customer_id="cust-li",
        kind="consultation",
        description="how do I claim?",
        channel="online",
    )
    desk.on_request("sr2", "assign", staff_id="staff-6", on=D(2024, 3, 5))
    desk.act("li", D(2024, 3, 6), "assign", responsible_id="staff-2", on=D(2024, 3, 6))
    desk.on_request("sr1", "add_update", note="endorsement drafted", author_id="staff-5", on=D(2024, 3, 6))
    desk.on_request("sr2", "cancel", reason="answered by phone", on=D(2024, 3, 7))
    desk.on_request("sr1", "complete", "sr1:completed", resolution="beneficiary changed", on=D(2024, 3, 8))

    desk.repeat(
        "zhao",
        "wang",
        datetime(2024, 3, 10, 11, 0, tzinfo=CHINA),
        channel="regulator_transfer",
        category="claims",
        complainant={"customer_id": "cust-zhao", "name": "赵敏", "contact": "010-1234"},
        related_claim_id="claim-1",
    )
    desk.act(
        "chen",
        D(2024, 3, 10),
        "resolve",
        outcome="not_upheld",
        measures=[],
        compensation="0",
        apology=False,
        decided_on=D(2024, 3, 10),
    )
    desk.act("chen", D(2024, 3, 10), "notify_decision", "chen:resolved", on=D(2024, 3, 10), channel="visit")
    desk.open_request(
        "sr3",
        datetime(2024, 3, 10, 14, 0, tzinfo=CHINA),
        customer_id="cust-wang",
        kind="claim_help",
        description="help with the claim form",
        channel="phone",
    )
    desk.act("chen", D(2024, 3, 11), "give_feedback", on=D(2024, 3, 11), channel="sms", summary="not upheld")
    desk.act(
        "zhao",
        D(2024, 3, 12),
        "give_feedback",
        on=D(2024, 3, 12),
        channel="letter",
        summary="handled with the first complaint",
    )
    desk.act("chen", D(2024, 3, 12), "record_response", satisfied=False, comment="不满意", on=D(2024, 3, 12))
    desk.open_request(
        "sr4",
        datetime(2024, 3, 12, 10, 0, tzinfo=CHINA),
        customer_id="cust-sun",
        kind="renewal_help",
        description="renew the home policy",
        channel="app",
        policy_id="pol-2",
    )
    desk.on_request("sr4", "assign", staff_id="staff-5", on=D(2024, 3, 12))
    desk.act("zhao", D(2024, 3, 13), "archive", on=D(2024, 3, 13))
    desk.act("chen", D(2024, 3, 13), "reopen", "chen:reopened", reason="new evidence", on=D(2024, 3, 13))
    desk.on_request("sr4", "start", on=D(2024, 3, 13))
    desk.act(
        "wang", D(2024, 3, 14), "extend", "wang:extended", kind="complex", reason="several parties", on=D(2024, 3, 14)
    )
    desk.act("chen", D(2024, 3, 14), "start_investigation", on=D(2024, 3, 14))
    desk.receive(
        "sun",
        datetime(2024, 3, 14, 23, 30, tzinfo=UTC),
        channel="letter",  # 15 March in China
        category="premium",
        complainant=wang_customer,
        related_policy_id="pol-1",
        repeat_of=desk.id("wang"),
        new_facts=True,
    )
    desk.act("sun", D(2024, 3, 16), "assign", responsible_id="staff-1", on=D(2024, 3, 16))
    desk.act("sun", D(2024, 3, 17), "start_investigation", on=D(2024, 3, 17))
    desk.act("sun", D(2024, 3, 18), "escalate", to="mgr-9", reason="premium dispute", on=D(2024, 3, 18))
    desk.act(
        "chen",
        D(2024, 3, 20),
        "resolve",
        outcome="upheld",
        measures=["retrain the agent"],
        compensation="200.00",
        apology=True,
        decided_on=D(2024, 3, 20),
    )
    desk.act("chen", D(2024, 3, 20), "notify_decision", on=D(2024, 3, 20), channel="letter")
    desk.act(
        "wang",
        D(2024, 3, 21),
        "start_external_appraisal",
        "wang:paused",
        on=D(2024, 3, 20),
        complainant_told_on=D(2024, 3, 21),
    )
    desk.mark("li:before_breach")

    li = desk.complaints["li"]
    li.advance_time(D(2024, 3, 22))
    desk.save(li, mark="li:breached")
    desk.act("wang", D(2024, 3, 31), "end_external_appraisal", "wang:appraisal_ended", on=D(2024, 3, 31))
    wang = desk.complaints["wang"]
    desk.act(
        "wang",
        D(2024, 4, 5),
        "add_improvement_action",
        description="claims handler training",
        owner_id="mgr-1",
        due_on=D(2024, 4, 30),
        on=D(2024, 4, 5),
        action_id="training",
    )
    desk.act(
        "wang",
        D(2024, 4, 5),
        "add_improvement_action",
        description="review the claims process",
        owner_id="mgr-2",
        due_on=D(2024, 5, 15),
        on=D(2024, 4, 5),
        action_id="process-review",
    )
    desk.act(
        "wang",
        D(2024, 4, 8),
        "resolve",
        outcome="partly_upheld",
        measures=["pay the difference"],
        compensation="500.00",
        apology=True,
        decided_on=D(2024, 4, 8),
    )
    desk.act("wang", D(2024, 4, 8), "notify_decision", "wang:resolved", on=D(2024, 4, 8), channel="letter")
    desk.act("wang", D(2024, 4, 9), "give_feedback", on=D(2024, 4, 9), channel="phone", summary="partly upheld")
    desk.act("wang", D(2024, 4, 10), "record_response", satisfied=True, comment="", on=D(2024, 4, 10))
    desk.act("wang", D(2024, 4, 12), "archive", "wang:archived", on=D(2024, 4, 12))
    desk.act(
        "wang",
        D(2024, 4, 25),
        "complete_improvement_action",
        action_id="training",
        completed_on=D(2024, 4, 25),
        result="all handlers trained",
    )
    assert wang.status == "archived" and li.status == "assigned"
    services.read_side.catch_up()
    return desk


@pytest.fixture
def desk(services: Any) -> Desk:
    return build_desk(services)


# --- asking the registers ---------------------------------------------------------------------


def read(desk: Desk, table: Table, key: str, position: int | None = None) -> dict[str, Any]:
    return read_row(desk.services, table, key, position)


def page(
    desk: Desk,
    table: Table,
    conditions: list[Any],
    sortable: dict[str, Any],
    sort: str,
    position: int | None = None,
    size: int = 100,
) -> PageResult:
    return page_rows(desk.services, table, conditions, sortable, sort, position, size)


def complaint(desk: Desk, name: str, mark: str | None = None) -> dict[str, Any]:
    return read(desk, cr.complaints, desk.id(name), None if mark is None else desk.positions[mark])


def listed(desk: Desk, position: str | None = None, **filters: Any) -> list[str]:
    at = None if position is None else desk.positions[position]
    rows = page(desk, cr.complaints, cr.complaint_filters(**filters), cr.SORTABLE, "received_on", at).items
    return sorted(desk.names(rows))


def actions(desk: Desk, position: str | None = None, **filters: Any) -> list[str]:
    at = None if position is None else desk.positions[position]
    rows = page(desk, cr.improvement_actions, cr.action_filters(**filters), cr.ACTION_SORTABLE, "due_on", at).items
    return [row["action_id"] for row in rows]


def requests(desk: Desk, **filters: Any) -> list[str]:
    rows = page(desk, sr.service_requests, sr.request_filters(**filters), sr.SORTABLE, "requested_on").items
    return sorted(desk.names(rows, "request_id"))


def some(row: dict[str, Any], *names: str) -> dict[str, Any]:
    return {n: row[n] for n in names}


CLOCK = (
    "status",
    "round",
    "clock_started_on",
    "deadline_on",
    "days_allowed",
    "paused_days",
    "appraisal_open",
    "next_due_date",
    "decided_on",
)
DECISION = (
    "outcome",
    "compensation",
    "apology",
    "on_time",
    "notice_on",
    "notice_channel",
    "notice_on_time",
    "feedback_on",
    "satisfied",
    "archived_on",
)


# --- the complaints register --------------------------------------------------------------------


def test_each_step_of_a_complaint_shows_in_its_row_with_the_deadline_as_it_then_stood(desk: Desk) -> None:
    wang = desk.complaints["wang"]

    received = complaint(desk, "wang", "wang:received")
    assigned = complaint(desk, "wang", "wang:assigned")
    extended = complaint(desk, "wang", "wang:extended")
    paused = complaint(desk, "wang", "wang:paused")
    running = complaint(desk, "wang", "wang:appraisal_ended")
    resolved = complaint(desk, "wang", "wang:resolved")
    archived = complaint(desk, "wang", "wang:archived")
    now = complaint(desk, "wang")

    assert received == {
        **received,
        "version": 1,
        "status": "received",
        "channel": "phone",
        "category": "claims",
        "complainant_name": "王强",
        "complainant_customer_id": "cust-wang",
        "related_policy_id": "pol-1",
        "related_claim_id": "claim-1",
        "received_at": datetime(2024, 3, 1, 2, 0),
        "received_on": D(2024, 3, 1),
        "recording_ref": "REC-wang",
        "repeat_of": None,
        "new_facts": None,
        "linked_to": None,
        "linked_repeats": 0,
        "responsible_id": None,
        "escalated_to": None,
        "round": 1,
        "clock_started_on": D(2024, 3, 1),
        # the 15th day, 16 March, is a Saturday: the deadline is Monday 18 March (Civil Code Art. 203)
        "deadline_on": D(2024, 3, 18),
        "deadline_moved_because": "2024-03-16 is a Saturday; moved to 2024-03-18",
        "days_allowed": 15,
        "extensions": [],
        "paused_days": 0,
        "appraisal_open": False,
        "next_due_date": D(2024, 3, 19),
        "decided_on": None,
        "outcome": None,
        "compensation": None,
        "apology": None,
        "on_time": None,
        "breached_on": None,
        "feedback_on": None,
        "satisfied": None,
        "archived_on": None,
        "open_actions": 0,
        "last_event_on": D(2024, 3, 1),
    }
    assert some(assigned, "status", "responsible_id", "last_event_on") == {
        "status": "assigned",
        "responsible_id": "staff-1",
        "last_event_on": D(2024, 3, 2),
    }
    assert some(extended, *CLOCK, "extensions", "linked_repeats") == {
        # the 30th day, 31 March, is a Sunday: the deadline is Monday 1 April
        "status": "investigating",
        "round": 1,
        "clock_started_on": D(2024, 3, 1),
        "deadline_on": D(2024, 4, 1),
        "days_allowed": 30,
        "paused_days": 0,
        "appraisal_open": False,
        "next_due_date": D(2024, 4, 2),
        "decided_on": None,
        "linked_repeats": 1,
        "extensions": [{"round": 1, "kind": "complex", "on": "2024-03-14", "days_allowed": 30}],
    }
    assert some(paused, "deadline_on", "paused_days", "appraisal_open", "next_due_date", "last_event_on") == {
        "deadline_on": D(2024, 4, 1),  # 31 March, a Sunday, moved
        "paused_days": 0,
        "appraisal_open": True,
        "next_due_date": None,
        "last_event_on": D(2024, 3, 21),
    }  # the clock stands still: no breach is due
    assert some(running, "deadline_on", "paused_days", "appraisal_open", "next_due_date") == {
        "deadline_on": D(2024, 4, 10),
        "paused_days": 10,
        "appraisal_open": False,
        "next_due_date": D(2024, 4, 11),
    }
    assert some(resolved, *CLOCK, *DECISION, "open_actions") == {
        "status": "resolved",
        "round": 1,
        "clock_started_on": D(2024, 3, 1),
        "deadline_on": D(2024, 4, 10),
        "days_allowed": 30,
        "paused_days": 10,
        "appraisal_open": False,
        "next_due_date": None,
        "decided_on": D(2024, 4, 8),
        "outcome": "partly_upheld",
        "compensation": Decimal("500.00"),
        "apology": True,
        "on_time": True,
        "notice_on": D(2024, 4, 8),
        "notice_channel": "letter",
        "notice_on_time": True,
        "feedback_on": None,
        "satisfied": None,
        "archived_on": None,
        "open_actions": 2,
    }
    assert some(archived, "status", "feedback_on", "satisfied", "archived_on", "open_actions") == {
        "status": "archived",
        "feedback_on": D(2024, 4, 9),
        "satisfied": True,
        "archived_on": D(2024, 4, 12),
        "open_actions": 2,
    }
    assert some(now, "version", "status", "open_actions", "last_event_on", "breached_on") == {
        "version": wang.version,
        "status": "archived",
        "open_actions": 1,
        "last_event_on": D(2024, 4, 25),
        "breached_on": None,
    }
    assert cr.clock_columns(resolved, D(2024, 4, 20)) == {"days_used": 28, "remaining_days": 2, "overdue": False}


def test_a_reopened_complaint_runs_a_new_round_and_shows_only_that_rounds_decision(desk: Desk) -> None:
    first = complaint(desk, "chen", "chen:resolved")
    reopened = complaint(desk, "chen", "chen:reopened")
    now = complaint(desk, "chen")

    assert some(first, *CLOCK, *DECISION) == {
        # the 15th day, 16 March, is a Saturday: the deadline is Monday 18 March
        "status": "resolved",
        "round": 1,
        "clock_started_on": D(2024, 3, 1),
        "deadline_on": D(2024, 3, 18),
        "days_allowed": 15,
        "paused_days": 0,
        "appraisal_open": False,
        "next_due_date": None,
        "decided_on": D(2024, 3, 10),
        "outcome": "not_upheld",
        "compensation": Decimal("0.00"),
        "apology": False,
        "on_time": True,
        "notice_on": D(2024, 3, 10),
        "notice_channel": "visit",
        "notice_on_time": True,
        "feedback_on": None,
        "satisfied": None,
        "archived_on": None,
    }
    assert some(reopened, *CLOCK, *DECISION) == {
        "status": "reopened",
        "round": 2,
        "clock_started_on": D(2024, 3, 13),
        "deadline_on": D(2024, 3, 28),
        "days_allowed": 15,
        "paused_days": 0,
        "appraisal_open": False,
        "next_due_date": D(2024, 3, 29),
        "decided_on": None,
        "outcome": None,
        "compensation": None,
        "apology": None,
        "on_time": None,
        "notice_on": None,
        "notice_channel": None,
        "notice_on_time": None,
        "feedback_on": None,
        "satisfied": None,
        "archived_on": None,
    }
    assert some(now, *CLOCK, *DECISION) == {
        "status": "resolved",
        "round": 2,
        "clock_started_on": D(2024, 3, 13),
        "deadline_on": D(2024, 3, 28),
        "days_allowed": 15,
        "paused_days": 0,
        "appraisal_open": False,
        "next_due_date": None,
        "decided_on": D(2024, 3, 20),
        "outcome": "upheld",
        "compensation": Decimal("200.00"),
        "apology": True,
        "on_time": True,
        "notice_on": D(2024, 3, 20),
        "notice_channel": "letter",
        "notice_on_time": True,
        "feedback_on": None,
        "satisfied": None,
        "archived_on": None,
    }
    assert cr.clock_columns(reopened, D(2024, 3, 30)) == {"days_used": 17, "remaining_days": -2, "overdue": True}


def test_a_breach_recorded_by_the_passing_of_time_shows_its_date(desk: Desk) -> None:
    before = complaint(desk, "li", "li:before_breach")
    after = complaint(desk, "li", "li:breached")

    assert some(before, "status", "deadline_on", "next_due_date", "breached_on") == {
        "status": "assigned",
        "deadline_on": D(2024, 3, 20),
        "next_due_date": D(2024, 3, 21),
        "breached_on": None,
    }
    assert some(after, "status", "deadline_on", "next_due_date", "breached_on", "last_event_on") == {
        "status": "assigned",
        "deadline_on": D(2024, 3, 20),
        "next_due_date": None,
        "breached_on": D(2024, 3, 21),
        "last_event_on": D(2024, 3, 21),
    }
    assert listed(desk, "li:before_breach", breached=True) == []
    assert listed(desk, breached=True) == ["li"]
    assert listed(desk, breached=False) == ["chen", "sun", "wang", "zhao"]


def test_a_complaint_past_its_deadline_is_overdue_before_the_breach_is_recorded(desk: Desk) -> None:
    assert listed(desk, "li:before_breach", overdue_on=D(2024, 3, 20)) == []
    assert listed(desk, "li:before_breach", overdue_on=D(2024, 3, 21)) == ["li"]
    assert listed(desk, "chen:reopened", overdue_on=D(2024, 3, 28), category="sales") == []
    assert listed(desk, "chen:reopened", overdue_on=D(2024, 3, 29), category="sales") == ["chen"]  # round 2
    # wang, not yet extended then, ends Monday 18 March (its 15th day, 16 March, is a Saturday)
    assert listed(desk, "chen:reopened", overdue_on=D(2024, 3, 17)) == []
    assert listed(desk, "chen:reopened", overdue_on=D(2024, 3, 18)) == []
    assert listed(desk, "chen:reopened", overdue_on=D(2024, 3, 19)) == ["wang"]
    assert listed(desk, overdue_on=D(2024, 3, 30)) == ["li"]
    # sun's 15th day, 30 March, is a Saturday: it ends Monday 1 April, and is overdue from 2 April
    assert listed(desk, overdue_on=D(2024, 3, 31)) == ["li"]
    assert listed(desk, overdue_on=D(2024, 4, 1)) == ["li"]
    assert listed(desk, overdue_on=D(2024, 4, 2)) == ["li", "sun"]  # sun: no breach recorded yet
    assert listed(desk, "wang:paused", overdue_on=D(2024, 4, 30)) == ["li", "sun"]  # an appraisal stops the clock
    assert listed(desk, "wang:appraisal_ended", overdue_on=D(2024, 4, 11)) == ["li", "sun", "wang"]
    assert cr.clock_columns(complaint(desk, "sun"), D(2024, 3, 31)) == {  # a Sunday; due Monday 1 April
        "days_used": 16,
        "remaining_days": 1,
        "overdue": False,
    }
    assert cr.clock_columns(complaint(desk, "sun"), D(2024, 4, 2)) == {
        "days_used": 18,
        "remaining_days": -1,
        "overdue": True,
    }


def test_a_repeat_without_new_facts_is_linked_to_the_first_and_one_with_new_facts_runs_its_own_clock(
    desk: Desk,
) -> None:
    zhao = complaint(desk, "zhao")
    sun = complaint(desk, "sun")

    assert some(
        zhao,
        "status",
        "repeat_of",
        "new_facts",
        "linked_to",
        "round",
        "deadline_on",
        "days_allowed",
        "next_due_date",
        "feedback_on",
        "archived_on",
        "responsible_id",
        "channel",
    ) == {
        "status": "archived",
        "repeat_of": desk.id("wang"),
        "new_facts": False,
        "linked_to": desk.id("wang"),
        "round": 0,
        "deadline_on": None,
        "days_allowed": None,
        "next_due_date": None,
        "feedback_on": D(2024, 3, 12),
        "archived_on": D(2024, 3, 13),
        "responsible_id": None,
        "channel": "regulator_transfer",
    }
    assert complaint(desk, "wang")["linked_repeats"] == 1
    assert cr.clock_columns(zhao, D(2024, 4, 1)) == {"days_used": 22, "remaining_days": None, "overdue": False}
    assert some(
        sun,
        "status",
        "repeat_of",
        "new_facts",
        "linked_to",
        "round",
        "received_at",
        "received_on",
        "deadline_on",
        "next_due_date",
        "responsible_id",
        "escalated_to",
    ) == {
        "status": "escalated",
        "repeat_of": desk.id("wang"),
        "new_facts": True,
        "linked_to": None,
        "round": 1,
        # the 15th day, 30 March, is a Saturday: the deadline is Monday 1 April
        "received_at": datetime(2024, 3, 14, 23, 30),
        "received_on": D(2024, 3, 15),
        "deadline_on": D(2024, 4, 1),
        "next_due_date": D(2024, 4, 2),
        "responsible_id": "staff-1",
        "escalated_to": "mgr-9",
    }


def test_the_clock_columns_give_the_domains_clock_for_any_later_day(desk: Desk) -> None:
    with desk.services.read_side.engine.connect() as conn:
        versions = [dict(r) for r in conn.execute(select(cr.complaints)).mappings()]

    checked = 0
    for row in versions:
        state = desk.app.repository.get(UUID(row["complaint_id"]), version=row["version"])
        for later in (0, 1, 6, 15, 40, 90):
            today = row["last_event_on"] + timedelta(days=later)
            clock = state.clock_on(today)
            expected = {
                "days_used": clock.days_used,
                "remaining_days": clock.remaining_days,
                "overdue": clock.breached and clock.on_time is None,
            }  # awaiting the decision or its notice
            assert cr.clock_columns(row, today) == expected, (row["complaint_id"], row["version"], today)
            checked += 1

    assert len(versions) == sum(c.version for c in desk.complaints.values())
    assert checked == 6 * len(versions)


COMPLAINT_FILTERS: list[tuple[dict[str, Any], list[str]]] = [
    ({"status": "archived"}, ["wang", "zhao"]),
    ({"category": "claims"}, ["wang", "zhao"]),
    ({"channel": "online"}, ["li"]),
    ({"responsible_id": "staff-1"}, ["sun", "wang"]),
    ({"complainant_customer_id": "cust-wang"}, ["sun", "wang"]),
    ({"related_policy_id": "pol-1"}, ["sun", "wang"]),
    ({"related_claim_id": "claim-1"}, ["wang", "zhao"]),
    ({"received_from": D(2024, 3, 5), "received_to": D(2024, 3, 10)}, ["li", "zhao"]),
    ({"received_from": D(2024, 3, 15)}, ["sun"]),
    ({"breached": True}, ["li"]),
    ({"overdue_on": D(2024, 3, 31)}, ["li"]),  # sun ends Monday 1 April (30 March is a Saturday)
    ({"overdue_on": D(2024, 4, 2)}, ["li", "sun"]),
    ({"open": True}, ["chen", "li", "sun"]),
    ({"open": False}, ["wang", "zhao"]),
    ({"status": "escalated", "category": "premium", "channel": "letter", "open": True}, ["sun"]),
]


def test_each_complaint_filter_keeps_only_the_matching_complaints(desk: Desk) -> None:
    found = [listed(desk, **filters) for filters, _ in COMPLAINT_FILTERS]

    assert found == [expected for _, expected in COMPLAINT_FILTERS]
    assert listed(desk) == ["chen", "li", "sun", "wang", "zhao"]


def test_every_register_sorts_by_each_sortable_column_with_empty_values_last(desk: Desk) -> None:
    by_deadline = page(desk, cr.complaints, [], cr.SORTABLE, "deadline_on").items
    by_received = page(desk, cr.complaints, [], cr.SORTABLE, cr.DEFAULT_SORT).items
    by_completed = page(desk, sr.service_requests, [], sr.SORTABLE, "-completed_on").items

    for table, sortable in (
        (cr.complaints, cr.SORTABLE),
        (cr.improvement_actions, cr.ACTION_SORTABLE),
        (sr.service_requests, sr.SORTABLE),
    ):
        check_every_sort(desk.services, table, sortable)
    assert desk.names(by_deadline) == ["li", "chen", "sun", "wang", "zhao"]  # a linked repeat has none: last
    assert desk.names(by_received)[0] == "sun" and set(desk.names(by_received)[3:]) == {"wang", "chen"}
    assert desk.names(by_completed, "request_id")[0] == "sr1"


# --- improvement actions ----------------------------------------------------------------------------


def test_improvement_actions_are_open_overdue_or_done(desk: Desk) -> None:
    wang = desk.id("wang")
    done = read(desk, cr.improvement_actions, cr.action_key(wang, "training"))
    then = read(desk, cr.improvement_actions, cr.action_key(wang, "training"), desk.positions["wang:archived"])

    assert actions(desk, complaint_id=wang) == ["training", "process-review"]  # by due date
    assert actions(desk, complaint_id=desk.id("chen")) == []
    assert actions(desk, open=True) == ["process-review"]
    assert actions(desk, open=False) == ["training"]
    assert actions(desk, "wang:archived", open=True) == ["training", "process-review"]
    assert actions(desk, owner_id="mgr-1") == ["training"]
    assert actions(desk, overdue_on=D(2024, 5, 15)) == []
    assert actions(desk, overdue_on=D(2024, 5, 16)) == ["process-review"]
    assert actions(desk, "wang:archived", overdue_on=D(2024, 5, 1)) == ["training"]
    assert actions(desk, owner_id="mgr-1", overdue_on=D(2024, 6, 1)) == []
    assert done == {
        **done,
        "complaint_id": wang,
        "action_id": "training",
        "description": "claims handler training",
        "owner_id": "mgr-1",
        "due_on": D(2024, 4, 30),
        "added_on": D(2024, 4, 5),
        "completed_on": D(2024, 4, 25),
        "result": "all handlers trained",
        "status": "done",
    }
    assert some(then, "status", "completed_on", "result") == {"status": "open", "completed_on": None, "result": None}
    assert cr.days_overdue(then, D(2024, 5, 3)) == 3 and cr.days_overdue(done, D(2024, 5, 3)) is None


# --- service requests -------------------------------------------------------------------------------


def test_a_service_request_shows_its_timeline_and_turnaround(desk: Desk) -> None:
    key = desk.id("sr1")
    assigned = read(desk, sr.service_requests, key, desk.positions["sr1:assigned"])
    done = read(desk, sr.service_requests, key)
    cancelled = read(desk, sr.service_requests, desk.id("sr2"))

    assert done == {
        **done,
        "version": 6,
        "status": "completed",
        "customer_id": "cust-wang",
        "kind": "contract_change",
        "description": "change the beneficiary",
        "channel": "counter",
        "policy_id": "pol-1",
        "requested_at": datetime(2024, 2, 29, 16, 30),
        "requested_on": D(2024, 3, 1),
        "staff_id": "staff-5",
        "assigned_on": D(2024, 3, 2),
        "started_on": D(2024, 3, 3),
        "updates_count": 2,
        "last_update_on": D(2024, 3, 6),
        "completed_on": D(2024, 3, 8),
        "cancelled_on": None,
        "resolution": "beneficiary changed",
        "cancel_reason": None,
        "turnaround_days": 7,
        "timeline": {
            "requested_on": "2024-03-01",
            "assigned_on": "2024-03-02",
            "started_on": "2024-03-03",
            "completed_on": "2024-03-08",
            "cancelled_on": None,
        },
    }
    assert some(assigned, "status", "staff_id", "started_on", "turnaround_days", "timeline") == {
        "status": "assigned",
        "staff_id": "staff-5",
        "started_on": None,
        "turnaround_days": None,
        "timeline": {
            "requested_on": "2024-03-01",
            "assigned_on": "2024-03-02",
            "started_on": None,
            "completed_on": None,
            "cancelled_on": None,
        },
    }
    assert some(cancelled, "status", "cancelled_on", "cancel_reason", "turnaround_days", "completed_on") == {
        "status": "cancelled",
        "cancelled_on": D(2024, 3, 7),
        "cancel_reason": "answered by phone",
        "turnaround_days": None,
        "completed_on": None,
    }


REQUEST_FILTERS: list[tuple[dict[str, Any], list[str]]] = [
    ({"status": "completed"}, ["sr1"]),
    ({"kind": "renewal_help"}, ["sr4"]),
    ({"customer_id": "cust-wang"}, ["sr1", "sr3"]),
    ({"staff_id": "staff-5"}, ["sr1", "sr4"]),
    ({"policy_id": "pol-2"}, ["sr4"]),
    ({"requested_from": D(2024, 3, 5), "requested_to": D(2024, 3, 10)}, ["sr2", "sr3"]),
    ({"open": True}, ["sr3", "sr4"]),
    ({"open": False}, ["sr1", "sr2"]),
    ({"customer_id": "cust-wang", "open": True}, ["sr3"]),
]


def test_each_service_request_filter_keeps_only_the_matching_requests(desk: Desk) -> None:
    found = [requests(desk, **filters) for filters, _ in REQUEST_FILTERS]

    assert found == [expected for _, expected in REQUEST_FILTERS]
    assert requests(desk) == ["sr1", "sr2", "sr3", "sr4"]


# --- history, rebuild and the scheduler -----------------------------------------------------------------


def test_as_of_a_past_position_the_registers_answer_what_they_held_then(desk: Desk) -> None:
    early = desk.positions["wang:assigned"]
    with desk.services.read_side.engine.connect() as conn:
        zhao_then = one(conn, cr.complaints, desk.id("zhao"), early)
        sr4_then = one(conn, sr.service_requests, desk.id("sr4"), early)

    assert complaint(desk, "wang", "wang:assigned")["status"] == "assigned"
    assert complaint(desk, "chen", "wang:paused")["status"] == "resolved"
    assert complaint(desk, "chen", "chen:reopened")["status"] == "reopened"
    assert zhao_then is None and sr4_then is None
    assert listed(desk, "wang:assigned") == ["chen", "wang"]
    assert listed(desk, "wang:resolved", open=True) == ["chen", "li", "sun", "wang"]
    assert listed(desk, "wang:resolved", status="resolved") == ["chen", "wang"]
    assert read(desk, sr.service_requests, desk.id("sr1"), desk.positions["sr1:assigned"])["status"] == "assigned"
    assert read(desk, sr.service_requests, desk.id("sr1"), desk.positions["sr1:completed"])["status"] == "completed"


def snapshot(desk: Desk) -> dict[str, list[dict[str, Any]]]:
    return registers.snapshot(desk.services, (cr.complaints, cr.improvement_actions, sr.service_requests))


def test_a_rebuild_gives_exactly_the_rows_the_live_projections_wrote(desk: Desk) -> None:
    live = snapshot(desk)

    desk.services.read_side.rebuild(["complaints", "service_requests"])

    assert snapshot(desk) == live
    assert {name: len(rows) for name, rows in live.items()} == {
        "complaints": sum(c.version for c in desk.complaints.values()),
        "improvement_actions": 3,  # training (added, completed), process-review (added)
        "service_requests": sum(r.version for r in desk.requests.values()),
    }


def due_by_the_domain(desk: Desk, on: date) -> list[str]:
    """The complaints on which advance_time(on) records something (a copy of each, never saved)."""
    due = []
    for name in desk.complaints:
        copy = desk.app.repository.get(UUID(desk.id(name)))
        copy.advance_time(on)
        if copy.pending_events:
            due.append(desk.id(name))
    return sorted(due)


SCHEDULER_DATES = [
    D(2024, 3, 21),
    D(2024, 3, 30),
    D(2024, 3, 31),
    D(2024, 4, 1),
    D(2024, 4, 2),
    D(2024, 4, 11),
    D(2030, 1, 1),
]


def test_the_scheduler_query_lists_exactly_the_complaints_with_a_breach_due(desk: Desk) -> None:
    with desk.services.read_side.engine.connect() as conn:
        found = {on: cr.due_for_scheduler(conn, on) for on in SCHEDULER_DATES}
        then = {
            on: cr.due_for_scheduler(conn, on, desk.positions["li:before_breach"])
            for on in (D(2024, 3, 20), D(2024, 3, 21), D(2024, 3, 31), D(2024, 4, 2))
        }

    assert {on: sorted(ids) for on, ids in found.items()} == {on: due_by_the_domain(desk, on) for on in SCHEDULER_DATES}
    # sun's 15th day, Saturday 30 March, moves to Monday 1 April: its breach is due on 2 April, not over the weekend
    assert found[D(2024, 3, 31)] == []
    assert found[D(2024, 4, 1)] == []
    assert found[D(2024, 4, 2)] == [desk.id("sun")]
    assert then == {
        D(2024, 3, 20): [],
        D(2024, 3, 21): [desk.id("li")],
        D(2024, 3, 31): [desk.id("li")],
        D(2024, 4, 2): [desk.id("li"), desk.id("sun")],
    }  # earliest first; wang paused: none
