"""The claim registers (SPEC §6, §8): claims (赔案登记簿) with reserves, payments and clocks, and the
risk flags register.

Claims are taken through the application layer on two home policies, day by day in business time;
every register row must follow from the claim's state, answer "as of" any past position, and come
out the same from a rebuild.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

import pytest
from sqlalchemy import Table

from application.commands import claims as commands
from application.commands import policies as policies
from application.commands import policy_servicing as servicing
from domain import clock
from domain.policy.aggregate import Policy
from projections import claims as cl
from projections.queries import PageResult, one
from tests.builders import registers as registers
from tests.builders.claims import HOME, ClaimDesk, agent, handler, manager
from tests.builders.registers import expected_order, page_rows, read_row

D = date
FIRE_DOCUMENTS = [
    "policy_contract",
    "insurance_certificate",
    "id_proof",
    "claim_form",
    "loss_proof",
    "loss_list",
    "repair_invoices",
    "site_photos",
    "property_ownership",
    "bank_account",
]
FLAGS = ["claim-near-sum-insured", "loss-soon-after-inception"]


@pytest.fixture(autouse=True)
def today_is_the_twentieth_of_november_2026() -> Iterator[None]:
    """Every business date of these tests is in the past."""
    with clock.using(clock.SimulatedClock(datetime(2026, 11, 20, 2, tzinfo=UTC))):
        yield


# --- arranging: claims through the application layer ------------------------------------------


class Book(ClaimDesk):
    """The claims desk with the positions worth asking about and the customers by name."""

    def __init__(self, services: Any) -> None:
        super().__init__(services)
        self.positions: dict[str, int] = {}
        self.people: dict[str, str] = {}
        self.policies: dict[str, Policy] = {}

    def mark(self, name: str) -> None:
        self.positions[name] = self.stored()

    def id(self, name: str) -> str:
        return str(self.ids[name])

    def names(self, rows: list[dict[str, Any]]) -> list[str]:
        by_id = {str(v): k for k, v in self.ids.items()}
        return [by_id[row["claim_id"]] for row in rows]

    def mortgaged_policy(self) -> Policy:
        """A home policy applied for by a bank customer (the mortgagee) on another customer's home."""
        lender, owner = self.person(2), self.person(3)
        self.services.read_side.catch_up()
        product = self.app.catalogue.get("home_property")
        clean = {q.id: not q.adverse for q in product.disclosure_questions}
        result = policies.apply_for_policy(
            self.app,
            agent(),
            applicant_id=lender,
            insured_id=owner,
            applied_on=D(2026, 1, 5),
            disclosures=clean,
            **{**HOME, "relationship": "mortgagee"},
        )
        policy = self.policy(result.id)
        servicing.pay_premium(self.app, agent(), policy.id, D(2026, 1, 5), amount=policy.installment, reference="bank")
        return self.policy(policy.id)


def build_book(services: Any) -> Book:
    """Three claims, recorded day by day:

    - fire (home policy of holder): 15 days after inception, estimated near the sum insured (two
      automatic flags); documents partly in, one notice, the rest one a day (the clock paused 4 days),
      accepted, investigated, assessed, disputed, reassessed, agreed, approved, paid, receipt
      confirmed, closed; reopened (round 2).
    - theft (mortgaged policy, made by the applicant): two notices (an Art. 22 breach), accepted,
      rejected by the manager, the rejection notified.
    - water (home policy of holder): accepted and left undecided: the scheduler records the breach.
    """
    book = Book(services)
    home = book.policies["home"] = book.home_policy(1)
    mortgaged = book.policies["mortgaged"] = book.mortgaged_policy()
    book.people = {
        "holder": str(home.insured_id),
        "lender": str(mortgaged.applicant_id),
        "owner": str(mortgaged.insured_id),
    }

    book.report("fire", home, loss=D(2026, 1, 20), reported=D(2026, 1, 22), estimate="750000")
    book.mark("fire:reported")
    book.documents("fire", D(2026, 1, 22), FIRE_DOCUMENTS[:4])
    book.act("fire", "notify_missing_documents", D(2026, 1, 23))
    book.mark("fire:notice")
    for day, code in ((24, "loss_proof"), (25, "loss_list"), (26, "repair_invoices")):
        book.documents("fire", D(2026, 1, day), [code])
        book.mark(f"fire:1-{day}")
    book.documents("fire", D(2026, 1, 27))
    book.mark("fire:complete")
    book.act("fire", "accept", D(2026, 1, 27))
    book.mark("fire:accepted")
    book.act(
        "fire",
        "record_investigation",
        D(2026, 1, 28),
        activity="site_survey",
        investigator_id="inv-1",
        findings="a pan left on the stove",
    )
    items = [{"description": "kitchen", "claimed": "12000", "assessed": "10000"}]
    book.act("fire", "assess", D(2026, 2, 1), items=items, assessor_id="assessor-1")
    book.act("fire", "notify_assessment", D(2026, 2, 1))
    book.act("fire", "dispute_assessment", D(2026, 2, 2), reason="the cabinets were not counted")
    book.mark("fire:disputed")
    items = [{"description": "kitchen", "claimed": "12000", "assessed": "10500"}]
    book.act("fire", "assess", D(2026, 2, 3), items=items, assessor_id="assessor-1")
    book.act("fire", "notify_assessment", D(2026, 2, 3))
    book.act("fire", "agree_assessment", D(2026, 2, 4))
    book.mark("fire:agreed")
    book.approve("fire", D(2026, 2, 5))
    book.mark("fire:approved")
    book.pay("fire", D(2026, 2, 6))
    book.mark("fire:paid")
    book.act("fire", "confirm_receipt", D(2026, 2, 7))
    book.act("fire", "close", D(2026, 2, 8))
    book.mark("fire:closed")

    services.read_side.catch_up()
    result = commands.report(
        book.app,
        handler(),
        policy_id=mortgaged.id,
        claimant_id=mortgaged.applicant_id,
        claimant_role="applicant",
        loss_date=D(2026, 2, 10),
        cause="theft",
        description="break-in",
        estimated_amount="20000",
        initial_reserve="15000",
        reported_on=D(2026, 2, 11),
    )
    book.ids["theft"] = UUID(result.id)
    book.mark("theft:reported")
    book.act("theft", "notify_missing_documents", D(2026, 2, 11))
    book.act("theft", "notify_missing_documents", D(2026, 2, 12), breach_reason="the first notice was lost")
    book.documents("theft", D(2026, 2, 12))
    book.act("theft", "accept", D(2026, 2, 12))
    book.act("theft", "reject", D(2026, 2, 13), manager(), reasons=["the home was left unlocked"], decided_by="mo")
    book.mark("theft:rejected")
    book.act("theft", "send_rejection_notice", D(2026, 2, 15))

    book.act("fire", "reopen", D(2026, 2, 20), reason="hidden smoke damage")
    book.mark("fire:reopened")

    book.report("water", home, loss=D(2026, 3, 1), reported=D(2026, 3, 2), cause="burst_pipe")
    book.documents("water", D(2026, 3, 2))
    book.act("water", "accept", D(2026, 3, 2))
    book.mark("water:accepted")
    commands.tick(book.app, [book.ids["water"]], D(2026, 4, 2))
    book.mark("water:breached")
    services.read_side.catch_up()
    return book


@pytest.fixture
def book(services: Any) -> Book:
    return build_book(services)


# --- asking the registers ---------------------------------------------------------------------


def read(book: Book, table: Table, key: str, position: int | None = None) -> dict[str, Any]:
    return read_row(book.services, table, key, position)


def claim(book: Book, name: str, mark: str | None = None) -> dict[str, Any]:
    return read(book, cl.claims, book.id(name), None if mark is None else book.positions[mark])


def page(
    book: Book,
    table: Table,
    conditions: list[Any],
    sortable: dict[str, Any],
    sort: str,
    position: int | None = None,
    size: int = 100,
) -> PageResult:
    return page_rows(book.services, table, conditions, sortable, sort, position, size)


def listed(book: Book, position: str | None = None, **filters: Any) -> list[str]:
    at = None if position is None else book.positions[position]
    rows = page(book, cl.claims, cl.claim_filters(**filters), cl.CLAIM_SORTABLE, cl.CLAIM_DEFAULT_SORT, at).items
    return sorted(book.names(rows))


def flags(book: Book, position: str | None = None, **filters: Any) -> list[tuple[str, str, str]]:
    at = None if position is None else book.positions[position]
    rows = page(book, cl.claim_flags, cl.flag_filters(**filters), cl.FLAG_SORTABLE, "indicator", at).items
    return [(book.names(rows[i : i + 1])[0], r["indicator"], r["claim_status"]) for i, r in enumerate(rows)]


def some(row: dict[str, Any], *names: str) -> dict[str, Any]:
    return {n: row[n] for n in names}


def clock_json(
    started: str,
    due: str,
    allowed: int,
    used: int,
    paused_days: int = 0,
    paused: bool = False,
    met: str | None = None,
    breached: bool = False,
    on_time: bool | None = None,
    nominal: str | None = None,
    rest: str | None = None,
) -> dict[str, Any]:
    """A clock reading. When the count's last day, `nominal`, is a rest day (`rest`: why), the clock is
    due on the next working day, `due` (Civil Code Art. 203), and says why."""
    assert (nominal is None) == (rest is None)
    moved = None if nominal is None else f"{nominal} is {rest}; moved to {due}"
    return {
        "started_on": started,
        "due_on": due,
        "days_allowed": allowed,
        "days_used": used,
        "paused_days": paused_days,
        "paused": paused,
        "met_on": met,
        "breached": breached,
        "on_time": on_time,
        "nominal_due_on": nominal or due,
        "moved_because": moved,
        "calendar_known": True,
    }


SPRING = "a public holiday (Spring Festival)"  # 2026-02-15..02-23; Saturday 02-14 is a working day (调休)
ASSESSMENT = ("status", "assessed_amount", "claimed_amount", "assessments", "agreed_on", "disputed")
DECISION = (
    "decision",
    "decided_on",
    "payable",
    "deciding_role",
    "decided_by",
    "rejection_reasons",
    "rejection_notice_on",
)
MONEY = ("reserve", "paid_total", "advance_total", "outstanding", "first_payment_on", "last_payment_on")


# --- the claims register ------------------------------------------------------------------------


def test_a_reported_claim_shows_its_report_documents_flags_and_clocks(book: Book) -> None:
    reported = claim(book, "fire", "fire:reported")

    assert reported == {
        **reported,
        "claim_id": book.id("fire"),
        "version": 3,
        "status": "reported",
        "policy_id": str(book.policies["home"].id),
        "policy_number": book.policies["home"].policy_number,
        "claimant_id": book.people["holder"],
        "claimant_role": "insured",
        "line": "property",
        "cause": "fire",
        "loss_date": D(2026, 1, 20),
        "known_on": D(2026, 1, 20),
        "reported_on": D(2026, 1, 22),
        "limitation_last_day": D(2028, 1, 20),
        "estimated_amount": Decimal("750000.00"),
        "required_documents": FIRE_DOCUMENTS,
        "missing_documents": FIRE_DOCUMENTS,
        "documents_received": 0,
        "missing_notices": 0,
        "notice_breach": False,
        "accepted_on": None,
        "investigations": 0,
        "fraud_flags": 2,
        "assessed_amount": None,
        "claimed_amount": None,
        "assessments": 0,
        "agreed_on": None,
        "disputed": False,
        "decision": None,
        "decided_on": None,
        "payable": None,
        "deciding_role": None,
        "decided_by": None,
        "rejection_reasons": None,
        "rejection_notice_on": None,
        "reserve": Decimal("20000.00"),
        "paid_total": Decimal("0.00"),
        "advance_total": Decimal("0.00"),
        "outstanding": Decimal("0.00"),
        "first_payment_on": None,
        "last_payment_on": None,
        "receipt_confirmed_on": None,
        "closed_on": None,
        # the 30th day, Saturday 2026-02-21, is in the Spring Festival holiday: the decision is due on the
        # next working day, Tuesday 2026-02-24 (Art. 203), and its breach on the day after
        "reopenings": 0,
        "round": 1,
        "decision_due_on": D(2026, 2, 24),
        "decision_paused": False,
        "decision_due_moved_because": f"2026-02-21 is {SPRING}; moved to 2026-02-24",
        "payment_due_on": None,
        "breaches": [],
        "breach_count": 0,
        "next_due_date": D(2026, 2, 25),
        "last_event_on": D(2026, 1, 22),
        "clocks": {
            "decision": clock_json("2026-01-22", "2026-02-24", 30, 0, nominal="2026-02-21", rest=SPRING),
            "rejection_notice": None,
            "payment": None,
            "advance": clock_json("2026-01-22", "2026-03-23", 60, 0),
        },  # a Monday: not moved
    }
    assert reported["claim_number"].startswith("C2026")


def test_the_decision_clock_stands_still_from_the_notice_to_the_last_missing_document(book: Book) -> None:
    marks = ["fire:notice", "fire:1-24", "fire:1-25", "fire:1-26", "fire:complete"]
    rows = [claim(book, "fire", m) for m in marks]
    complete = rows[-1]

    # each paused day moves the count's last day on by one (02-21 .. 02-25); while it falls in the Spring
    # Festival holiday (02-21 .. 02-23) the decision is due on the first working day after it, 02-24 (Art. 203)
    assert [r["clocks"]["decision"]["nominal_due_on"] for r in rows] == [
        "2026-02-21",
        "2026-02-22",
        "2026-02-23",
        "2026-02-24",
        "2026-02-25",
    ]
    assert [some(r, "status", "decision_due_on", "decision_paused", "next_due_date") for r in rows] == [
        {
            "status": "documents_pending",
            "decision_due_on": D(2026, 2, 24),
            "decision_paused": True,
            "next_due_date": None,
        },
        {
            "status": "documents_pending",
            "decision_due_on": D(2026, 2, 24),
            "decision_paused": True,
            "next_due_date": None,
        },
        {
            "status": "documents_pending",
            "decision_due_on": D(2026, 2, 24),
            "decision_paused": True,
            "next_due_date": None,
        },
        {
            "status": "documents_pending",
            "decision_due_on": D(2026, 2, 24),
            "decision_paused": True,
            "next_due_date": None,
        },
        {
            "status": "documents_pending",
            "decision_due_on": D(2026, 2, 25),
            "decision_paused": False,
            "next_due_date": D(2026, 2, 26),
        },
    ]
    assert some(rows[0], "missing_notices", "documents_received", "missing_documents") == {
        "missing_notices": 1,
        "documents_received": 4,
        "missing_documents": FIRE_DOCUMENTS[4:],
    }
    assert some(complete, "documents_received", "missing_documents", "accepted_on") == {
        "documents_received": 10,
        "missing_documents": [],
        "accepted_on": None,
    }
    assert complete["clocks"]["decision"] == clock_json("2026-01-22", "2026-02-25", 30, 1, paused_days=4)
    assert rows[1]["clocks"]["decision"] == clock_json(
        "2026-01-22", "2026-02-24", 30, 1, paused_days=1, paused=True, nominal="2026-02-22", rest=SPRING
    )


def test_each_later_step_of_a_claim_shows_in_its_row(book: Book) -> None:
    accepted = claim(book, "fire", "fire:accepted")
    disputed = claim(book, "fire", "fire:disputed")
    agreed = claim(book, "fire", "fire:agreed")
    approved = claim(book, "fire", "fire:approved")
    paid = claim(book, "fire", "fire:paid")
    closed = claim(book, "fire", "fire:closed")
    reopened = claim(book, "fire", "fire:reopened")

    assert some(accepted, "status", "accepted_on", "investigations") == {
        "status": "accepted",
        "accepted_on": D(2026, 1, 27),
        "investigations": 0,
    }
    assert some(disputed, *ASSESSMENT, "investigations") == {
        "status": "assessed",
        "assessed_amount": Decimal("10000.00"),
        "claimed_amount": Decimal("12000.00"),
        "assessments": 1,
        "agreed_on": None,
        "disputed": True,
        "investigations": 1,
    }
    assert some(agreed, *ASSESSMENT, "payment_due_on", "decision") == {
        "status": "assessed",
        "assessed_amount": Decimal("10500.00"),
        "claimed_amount": Decimal("12000.00"),
        "assessments": 2,
        "agreed_on": D(2026, 2, 4),
        "disputed": False,
        "payment_due_on": D(2026, 2, 14),
        "decision": None,
    }
    assert some(approved, "status", *DECISION, "outstanding", "next_due_date") == {
        "status": "approved",
        "decision": "approved",
        "decided_on": D(2026, 2, 5),
        "payable": Decimal("10000.00"),
        "deciding_role": "claims_handler",
        "decided_by": "hana",
        "rejection_reasons": None,
        "rejection_notice_on": None,
        "outstanding": Decimal("10000.00"),
        "next_due_date": D(2026, 2, 15),
    }
    assert approved["clocks"]["decision"] == clock_json(
        "2026-01-22", "2026-02-25", 30, 10, paused_days=4, met="2026-02-05", on_time=True
    )
    assert some(paid, "status", *MONEY, "next_due_date") == {
        "status": "paid",
        "reserve": Decimal("10000.00"),
        "paid_total": Decimal("10000.00"),
        "advance_total": Decimal("0.00"),
        "outstanding": Decimal("0.00"),
        "first_payment_on": D(2026, 2, 6),
        "last_payment_on": D(2026, 2, 6),
        "next_due_date": None,
    }
    # the 10th day after the agreement, Saturday 2026-02-14, is an adjusted working day (调休): not moved
    assert paid["clocks"]["payment"] == clock_json("2026-02-04", "2026-02-14", 10, 2, met="2026-02-06", on_time=True)
    assert some(closed, "status", "receipt_confirmed_on", "closed_on", "reserve", "paid_total") == {
        "status": "closed",
        "receipt_confirmed_on": D(2026, 2, 7),
        "closed_on": D(2026, 2, 8),
        "reserve": Decimal("0.00"),
        "paid_total": Decimal("10000.00"),
    }
    # round 2's 30th day from the reopening (02-20) is Sunday 2026-03-22: due Monday 2026-03-23 (Art. 203)
    assert some(
        reopened,
        *ASSESSMENT,
        *DECISION,
        "round",
        "reopenings",
        "decision_due_on",
        "payment_due_on",
        "decision_due_moved_because",
        "next_due_date",
        "closed_on",
        "receipt_confirmed_on",
        "paid_total",
        "fraud_flags",
    ) == {
        "status": "reopened",
        "assessed_amount": None,
        "claimed_amount": None,
        "assessments": 2,
        "agreed_on": None,
        "disputed": False,
        "decision": None,
        "decided_on": None,
        "payable": None,
        "deciding_role": None,
        "decided_by": None,
        "rejection_reasons": None,
        "rejection_notice_on": None,
        "round": 2,
        "reopenings": 1,
        "decision_due_on": D(2026, 3, 23),
        "payment_due_on": None,
        "decision_due_moved_because": "2026-03-22 is a Sunday; moved to 2026-03-23",
        "next_due_date": D(2026, 3, 24),
        "closed_on": None,
        "receipt_confirmed_on": None,
        "paid_total": Decimal("10000.00"),
        "fraud_flags": 2,
    }
    assert claim(book, "fire") == reopened  # nothing happened to it since


def test_a_rejection_shows_its_reasons_and_notice_and_a_second_notice_shows_as_a_breach(book: Book) -> None:
    rejected = claim(book, "theft", "theft:rejected")
    now = claim(book, "theft")

    assert some(
        rejected,
        "status",
        *DECISION,
        "claimant_id",
        "claimant_role",
        "missing_notices",
        "notice_breach",
        "reserve",
        "breach_count",
    ) == {
        "status": "rejected",
        "decision": "rejected",
        "decided_on": D(2026, 2, 13),
        "payable": None,
        "deciding_role": None,
        "decided_by": "mo",
        "rejection_reasons": ["the home was left unlocked"],
        "rejection_notice_on": None,
        "claimant_id": book.people["lender"],
        "claimant_role": "applicant",
        "missing_notices": 2,
        "notice_breach": True,
        "reserve": Decimal("15000.00"),
        "breach_count": 0,
    }
    # the third day, 2026-02-16, is in the Spring Festival holiday: the notice is due by Tuesday 2026-02-24
    assert rejected["clocks"]["rejection_notice"] == clock_json(
        "2026-02-13", "2026-02-24", 3, 0, nominal="2026-02-16", rest=SPRING
    )
    assert some(now, "rejection_notice_on", "next_due_date", "last_event_on") == {
        "rejection_notice_on": D(2026, 2, 15),
        "next_due_date": None,
        "last_event_on": D(2026, 2, 15),
    }


def test_a_breach_recorded_by_the_scheduler_shows_in_the_row_and_leaves_the_due_list(book: Book) -> None:
    before = claim(book, "water", "water:accepted")
    after = claim(book, "water")
    at_accepted = book.positions["water:accepted"]
    with book.services.read_side.engine.connect() as conn:
        then = {
            on: cl.due_for_scheduler(conn, on, at_accepted)
            for on in (D(2026, 3, 22), D(2026, 3, 23), D(2026, 4, 1), D(2026, 4, 2))
        }
        now = {
            on: cl.due_for_scheduler(conn, on) for on in (D(2026, 4, 2), D(2026, 5, 2), D(2026, 5, 6), D(2026, 5, 7))
        }

    assert some(before, "status", "decision_due_on", "next_due_date", "breaches", "breach_count") == {
        "status": "accepted",
        "decision_due_on": D(2026, 4, 1),
        "next_due_date": D(2026, 4, 2),
        "breaches": [],
        "breach_count": 0,
    }
    # next: the Art. 25 advance, whose 60th day, 2026-05-01, is in the Labour Day holiday (05-01..05-05):
    # due on Wednesday 2026-05-06 (Art. 203), breached from 2026-05-07
    assert some(after, "status", "decision_due_on", "next_due_date", "breach_count", "last_event_on") == {
        "status": "accepted",
        "decision_due_on": D(2026, 4, 1),
        "next_due_date": D(2026, 5, 7),
        "breach_count": 1,
        "last_event_on": D(2026, 4, 2),
    }
    assert after["clocks"]["advance"] == clock_json(
        "2026-03-02", "2026-05-06", 60, 31, nominal="2026-05-01", rest="a public holiday (Labour Day)"
    )
    assert after["breaches"] == [{"clock": "decision", "due_on": "2026-04-01", "on": "2026-04-02", "round": 1}]
    assert after["clocks"]["decision"] == clock_json("2026-03-02", "2026-04-01", 30, 31, breached=True)
    fire, water = book.id("fire"), book.id("water")
    # fire's round 2 is due on Monday 03-23 (moved from Sunday 03-22): not yet due for the scheduler on it
    assert then == {
        D(2026, 3, 22): [],
        D(2026, 3, 23): [],
        D(2026, 4, 1): [fire],
        D(2026, 4, 2): [fire, water],
    }  # earliest first
    # water's advance is not due on the Labour Day holiday nor on its moved last day, only the day after
    assert now == {D(2026, 4, 2): [fire], D(2026, 5, 2): [fire], D(2026, 5, 6): [fire], D(2026, 5, 7): [fire, water]}


# --- the risk flags register --------------------------------------------------------------------


def test_the_flags_register_lists_the_automatic_flags_with_the_claims_current_status(book: Book) -> None:
    fire = book.id("fire")
    near = read(book, cl.claim_flags, cl.flag_key(fire, "claim-near-sum-insured"))

    assert near == {
        **near,
        "claim_id": fire,
        "claim_number": claim(book, "fire")["claim_number"],
        "policy_id": str(book.policies["home"].id),
        "indicator": "claim-near-sum-insured",
        "detail": "claimed 750000.00 of 800000.00 remaining sum insured",
        "raised_on": D(2026, 1, 22),
        "claim_status": "reopened",
    }
    assert flags(book) == [("fire", FLAGS[0], "reopened"), ("fire", FLAGS[1], "reopened")]
    assert flags(book, "fire:reported") == [("fire", FLAGS[0], "reported"), ("fire", FLAGS[1], "reported")]
    assert flags(book, "fire:paid", indicator=FLAGS[1]) == [("fire", FLAGS[1], "paid")]
    assert flags(book, claim_id=fire) == flags(book)
    assert flags(book, claim_id=book.id("water")) == []
    assert flags(book, policy_id=str(book.policies["mortgaged"].id)) == []
    assert flags(book, raised_from=D(2026, 1, 22), raised_to=D(2026, 1, 22)) == flags(book)
    assert flags(book, raised_from=D(2026, 1, 23)) == [] and flags(book, raised_to=D(2026, 1, 21)) == []
    reported = book.positions["fire:reported"]  # the report, then each flag: one position each
    with book.services.read_side.engine.connect() as conn:
        raised = [
            [one(conn, cl.claim_flags, cl.flag_key(fire, f), at) is not None for f in FLAGS]
            for at in (reported - 2, reported - 1, reported)
        ]
    assert raised == [[False, False], [False, True], [True, True]]


# --- history, filters, sorts, counts and rebuild ----------------------------------------------------


CLAIM_FILTERS: list[tuple[dict[str, Any], list[str]]] = [
    ({"status": "reopened"}, ["fire"]),
    ({"status": "rejected"}, ["theft"]),
    ({"line": "property"}, ["fire", "theft", "water"]),
    ({"cause": "burst_pipe"}, ["water"]),
    ({"flagged": True}, ["fire"]),
    ({"flagged": False}, ["theft", "water"]),
    ({"breached": True}, ["theft", "water"]),  # a notice breach, a clock breach
    ({"breached": False}, ["fire"]),
    ({"open_": True}, ["fire", "theft", "water"]),
    ({"open_": False}, []),
    ({"reported_from": D(2026, 2, 11)}, ["theft", "water"]),
    ({"reported_to": D(2026, 2, 11)}, ["fire", "theft"]),
    ({"reported_from": D(2026, 2, 11), "reported_to": D(2026, 2, 11)}, ["theft"]),
    ({"loss_from": D(2026, 2, 10), "loss_to": D(2026, 2, 28)}, ["theft"]),
    ({"loss_to": D(2026, 1, 20)}, ["fire"]),
]


def test_each_claim_filter_keeps_only_the_matching_claims(book: Book) -> None:
    home, mortgaged = str(book.policies["home"].id), str(book.policies["mortgaged"].id)

    assert [listed(book, **filters) for filters, _ in CLAIM_FILTERS] == [expected for _, expected in CLAIM_FILTERS]
    assert listed(book, policy_id=home) == ["fire", "water"]
    assert listed(book, policy_id=mortgaged) == ["theft"]
    assert listed(book, claimant_id=book.people["holder"]) == ["fire", "water"]
    assert listed(book, claimant_id=book.people["owner"]) == []
    assert listed(book, policy_id=home, flagged=False, open_=True) == ["water"]
    assert listed(book, "fire:closed", open_=False) == ["fire"]
    assert listed(book, "fire:closed", status="closed", breached=False, flagged=True) == ["fire"]
    assert listed(book, "water:accepted", breached=True) == ["theft"]
    assert listed(book, "fire:reopened") == ["fire", "theft"]


def test_both_registers_sort_by_each_sortable_column(book: Book) -> None:
    for table, sortable in ((cl.claims, cl.CLAIM_SORTABLE), (cl.claim_flags, cl.FLAG_SORTABLE)):
        key = table.info["key"]
        rows = page(book, table, [], sortable, next(iter(sortable))).items
        for name in sortable:
            for sort in (name, f"-{name}"):
                found = [r[key] for r in page(book, table, [], sortable, sort).items]
                assert found == expected_order(rows, sortable[name].name, key, sort.startswith("-")), sort
    by_reported = page(book, cl.claims, [], cl.CLAIM_SORTABLE, cl.CLAIM_DEFAULT_SORT).items
    by_reserve = page(book, cl.claims, [], cl.CLAIM_SORTABLE, "-reserve").items
    by_due = page(book, cl.claims, [], cl.CLAIM_SORTABLE, "decision_due_on").items

    assert book.names(by_reported) == ["water", "theft", "fire"]
    assert book.names(by_reserve) == ["water", "theft", "fire"]  # 20000, 15000, 0 (released on closing)
    assert book.names(by_due) == ["theft", "fire", "water"]  # 3-16 (from Saturday 3-14), 3-23 (from Sunday 3-22), 4-01


def test_claims_on_a_policy_and_a_customers_claims_record_count_from_the_register(book: Book) -> None:
    home, mortgaged = str(book.policies["home"].id), str(book.policies["mortgaged"].id)
    since = D(2023, 11, 20)
    before_water = book.positions["fire:reopened"]
    before_theft = book.positions["fire:closed"]
    with book.services.read_side.engine.connect() as conn:
        on_policy = [
            cl.claims_on_policy(conn, home, D(2025, 3, 1), D(2026, 3, 1)),
            cl.claims_on_policy(conn, home, D(2026, 1, 21), D(2026, 3, 1)),
            cl.claims_on_policy(conn, home, D(2026, 1, 20), D(2026, 1, 20)),
            cl.claims_on_policy(conn, home, D(2025, 3, 1), D(2026, 3, 1), before_water),
            cl.claims_on_policy(conn, mortgaged, D(2025, 3, 1), D(2026, 12, 31)),
        ]
        records = {who: cl.claims_record(conn, book.people[who], since) for who in ("holder", "lender", "owner")}
        recent = cl.claims_record(conn, book.people["holder"], D(2026, 3, 1))
        stranger = cl.claims_record(conn, "nobody", since)
        owner_then = cl.claims_record(conn, book.people["owner"], since, before_theft)

    assert on_policy == [2, 1, 1, 1, 1]
    assert records == {
        "holder": {"claims_last_3_years": 2, "fraud_flags": 2},  # fire, water: as insured
        "lender": {"claims_last_3_years": 1, "fraud_flags": 0},  # theft: as claimant
        "owner": {"claims_last_3_years": 1, "fraud_flags": 0},
    }  # theft: as insured
    assert recent == {"claims_last_3_years": 1, "fraud_flags": 0}
    assert stranger == owner_then == {"claims_last_3_years": 0, "fraud_flags": 0}


def snapshot(book: Book) -> dict[str, list[dict[str, Any]]]:
    return registers.snapshot(book.services, (cl.claims, cl.claim_flags))


def test_a_rebuild_gives_exactly_the_rows_the_live_projection_wrote(book: Book) -> None:
    live = snapshot(book)

    book.services.read_side.rebuild(["claims"])

    assert snapshot(book) == live
    assert len(live["claims"]) == sum(book.claim(name).version for name in book.ids)  # one version per event
    # each flag: reported, documents_pending, accepted, investigating, assessed, approved, paid, closed, reopened
    assert len(live["claim_flags"]) == 2 * 9
    assert claim(book, "theft", "theft:reported")["status"] == "reported"  # as of still answers after it
    with book.services.read_side.engine.connect() as conn:
        assert one(conn, cl.claims, book.id("theft"), book.positions["fire:closed"]) is None
