"""The policy registers (SPEC §5, §8): policies, underwriting decisions, premium schedule and payments.

Policies are driven through the domain with the shipped catalogue's products and recorded with the
application's audit metadata; every register row must follow from the policy's state, answer "as of"
any past position, and come out the same from a rebuild.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any, cast
from uuid import UUID

import pytest
from sqlalchemy import Table

from application.commands.customers import register_individual
from domain.customer.aggregate import Customer
from domain.policy.aggregate import Policy
from domain.policy.underwriting import History, Party, UnderwritingCase, assess
from domain.product.catalogue import default_catalogue, quote
from domain.product.model import Product
from domain.product.quotation import Quote
from projections import policies as pol
from projections import premiums as prem
from projections import underwriting as uw
from projections.queries import PageResult
from projections.register import Paging
from tests.builders import registers as registers
from tests.builders.common import ctx, individual, resident_id
from tests.builders.registers import check_every_sort, page_rows, read_row

D = date
CATALOGUE = default_catalogue()
TERM_LIFE = CATALOGUE.get("term_life")
HOME = CATALOGUE.get("home_property")
ALL = Paging(1, 100)


# --- arranging: policies through the domain --------------------------------------------------


@dataclass
class Book:
    """A small book of business: who is who, the policies by name, and log positions worth asking."""

    services: Any
    customers: dict[str, str] = field(default_factory=dict)
    policies: dict[str, Policy] = field(default_factory=dict)
    positions: dict[str, int] = field(default_factory=dict)

    @property
    def app(self) -> Any:
        return self.services.app

    def customer(self, name: str, seed: int, **overrides: Any) -> str:
        result = register_individual(self.app, ctx(), **individual(seed, name=name, **overrides))
        self.customers[name] = result.id
        return result.id

    def record(self, name: str, mark: str | None = None) -> int:
        position = self.app.record(ctx("clerk", "agent"), self.policies[name]).position
        if mark:
            self.positions[mark] = position
        return int(position)

    def apply(
        self,
        name: str,
        product: Product,
        applicant: str,
        *,
        on: date,
        sum_insured: str,
        term: int,
        mode: str,
        insured: str | None = None,
        relationship: str = "self",
        adverse: tuple[str, ...] = (),
        property_value: str | None = None,
        agent: str = "agent-7",
        channel: str = "agent",
    ) -> Policy:
        """Apply, then run the automatic underwriting the application layer would run."""
        insured = insured or applicant
        parties = {who: self.app.load(Customer, UUID(self.customers[who])) for who in (applicant, insured)}
        disclosures = {q.id: q.adverse == (q.id in adverse) for q in product.disclosure_questions}
        case = UnderwritingCase(
            applicant=Party.of(parties[applicant], on),
            insured=Party.of(parties[insured], on),
            relationship=relationship,
            product=product,
            sum_insured=Decimal(sum_insured),
            term_months=term,
            premium_mode=mode,
            application_date=on,
            insured_consent=insured != applicant,
            disclosures=disclosures,
            declared_property_value=None if property_value is None else Decimal(property_value),
            history=History(),
        )
        result = assess(case, quote)
        assert result.quote is not None
        quoted = cast(Quote, result.quote)  # the catalogue's quote, which assess was given
        personal = product.line in ("life", "health", "accident")
        policy = Policy.apply(
            applicant_id=self.customers[applicant],
            insured_id=self.customers[insured],
            relationship=relationship,
            beneficiaries=[{"name": "王芳", "share": 100}] if personal else [],
            product=product,
            riders=[],
            sum_insured=Decimal(sum_insured),
            term_months=term,
            premium_mode=mode,
            disclosures=disclosures,
            agent_id=agent,
            channel=channel,
            applied_on=on,
            quoted_annual_premium=result.quote.annual_premium,
            quoted_installment=quoted.installment_amount,
        )
        self.policies[name] = policy
        self.record(name, f"{name}:applied")
        policy.start_underwriting(on=on)
        accepted = result.outcome == "accepted"
        policy.record_automatic_underwriting(
            [f.as_dict() for f in result.findings],
            result.outcome,
            result.quote.annual_premium if accepted else None,
            quoted.installment_amount if accepted else None,
            on=on,
        )
        self.record(name, f"{name}:underwritten")
        return policy

    def pay(self, name: str, on: date, mark: str | None = None) -> None:
        policy = self.policies[name]
        due = next((i["amount"] for i in policy.schedule if i["paid_on"] is None), policy.installment)
        if policy.status in ("applied", "underwriting", "referred"):
            due = policy.quoted_installment
        policy.pay_premium(due, on, f"bank-{name}-{on.isoformat()}")
        self.record(name, mark)

    def id(self, name: str) -> str:
        return str(self.policies[name].id)

    def catch_up(self) -> None:
        self.services.read_side.catch_up()


def build_book(services: Any) -> Book:
    """Five applications, each taking a different road:

    - wang_life: term life, accepted automatically, paid, in force (annual).
    - li_life: term life with an adverse disclosure, referred; offered with conditions, accepted, paid;
      later its premium mode changes to monthly, and it is rescinded for gross negligence (refund).
    - chen_home: home property without a declared value, referred; premium paid with the application;
      declined by a senior underwriter (refund).
    - zhao_life: term life, monthly, on the applicant's spouse; two installments paid, the third
      demanded and unpaid: the policy lapses.
    - wang_home: home property, accepted automatically, paid: renewable.
    """
    book = Book(services)
    for seed, name in enumerate(("Wang", "Li", "Chen", "Zhao"), start=1):
        book.customer(name, seed)
    book.customer("Sun", 5, id_number=resident_id(5, "19880301", "female"))

    book.apply(
        "zhao_life",
        TERM_LIFE,
        "Zhao",
        insured="Sun",
        relationship="spouse",
        on=D(2024, 1, 10),
        sum_insured="200000",
        term=120,
        mode="monthly",
        agent="agent-9",
        channel="bancassurance",
    )
    book.pay("zhao_life", D(2024, 1, 10))
    book.pay("zhao_life", D(2024, 2, 8))
    book.policies["zhao_life"].demand_payment(3, D(2024, 3, 20))
    book.record("zhao_life", "zhao_life:demanded")

    book.apply("wang_life", TERM_LIFE, "Wang", on=D(2024, 3, 1), sum_insured="500000", term=120, mode="annual")
    book.pay("wang_life", D(2024, 3, 5), "wang_life:issued")

    li = book.apply(
        "li_life",
        TERM_LIFE,
        "Li",
        on=D(2024, 3, 1),
        sum_insured="300000",
        term=120,
        mode="annual",
        adverse=("heavy_smoker",),
        agent="agent-8",
        channel="online",
    )
    assert li.quoted_annual_premium is not None
    loaded = (li.quoted_annual_premium * Decimal("1.25")).quantize(Decimal("0.01"))
    li.decide(
        "offer_with_conditions",
        underwriter_id="uw-1",
        role="underwriter",
        reason="heavy smoker",
        loading_pct=25,
        exclusions=["smoking_related_illness"],
        annual_premium=loaded,
        installment=loaded,
        decided_on=D(2024, 3, 11),
    )
    book.record("li_life")
    li.accept_conditions(D(2024, 3, 12))
    book.record("li_life")
    book.pay("li_life", D(2024, 3, 12), "li_life:issued")

    chen = book.apply(
        "chen_home",
        HOME,
        "Chen",
        on=D(2024, 3, 15),
        sum_insured="800000",
        term=12,
        mode="annual",
        relationship="owner",
        channel="online",
    )
    book.pay("chen_home", D(2024, 3, 15))
    chen.decide(
        "decline",
        underwriter_id="uw-2",
        role="senior_underwriter",
        reason="property value not evidenced",
        suggested_products=["public_liability"],
        decided_on=D(2024, 3, 20),
    )
    book.record("chen_home")

    book.apply(
        "wang_home",
        HOME,
        "Wang",
        on=D(2024, 3, 5),
        sum_insured="1000000",
        term=12,
        mode="annual",
        relationship="owner",
        property_value="2000000",
        channel="online",
    )
    book.pay("wang_home", D(2024, 3, 5))

    book.positions["before_lapse"] = services.read_side.head()
    book.policies["zhao_life"].advance_time(D(2024, 4, 20))
    book.record("zhao_life", "zhao_life:lapsed")

    li.change("premium_mode", {"premium_mode": "monthly"}, "DOC-2024-001", D(2025, 3, 12), on=D(2024, 4, 1))
    book.record("li_life", "li_life:mode_changed")
    li.rescind(D(2024, 6, 1), "gross_negligence", learned_on=D(2024, 5, 20), insurer_knew_at_contracting=False)
    book.record("li_life", "li_life:rescinded")
    book.catch_up()
    return book


@pytest.fixture
def book(services: Any) -> Book:
    return build_book(services)


# --- asking the registers ---------------------------------------------------------------------


def read(book: Book, table: Table, key: str, position: int | None = None) -> dict[str, Any]:
    return read_row(book.services, table, key, position)


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


def policy_names(book: Book, result: PageResult) -> list[str]:
    by_id = {book.id(name): name for name in book.policies}
    return [by_id[row["policy_id"]] for row in result.items]


def installments(book: Book, name: str, position: int | None = None) -> list[dict[str, Any]]:
    conditions = prem.installment_filters(policy_id=book.id(name))
    return page(book, prem.premium_installments, conditions, prem.SORTABLE, "installment_no", position, size=500).items


def payments(book: Book, position: int | None = None, **filters: Any) -> PageResult:
    return prem.PAYMENTS.rows(book.services.read_side, prem.payment_filters(**filters), Paging(1, 100), position)


# --- the policies register ------------------------------------------------------------------------


def test_an_application_accepted_automatically_and_paid_becomes_a_policy_in_force(services: Any) -> None:
    book = Book(services)
    book.customer("Wang", 1)
    book.apply("wang_life", TERM_LIFE, "Wang", on=D(2024, 3, 1), sum_insured="500000", term=120, mode="annual")
    book.pay("wang_life", D(2024, 3, 5), "wang_life:issued")
    book.catch_up()
    policy, key = book.policies["wang_life"], book.id("wang_life")

    applied = read(book, pol.policies, key, book.positions["wang_life:applied"])
    accepted = read(book, pol.policies, key, book.positions["wang_life:underwritten"])
    issued = read(book, pol.policies, key)

    assert (applied["status"], applied["policy_number"], applied["annual_premium"]) == ("applied", None, None)
    assert (applied["product_code"], applied["product_version"], applied["line"]) == ("term_life", 1, "life")
    assert (applied["applicant_id"], applied["insured_id"]) == (book.customers["Wang"], book.customers["Wang"])
    assert (applied["sum_insured"], applied["term_months"], applied["applied_on"]) == (500000, 120, D(2024, 3, 1))
    assert (accepted["status"], accepted["annual_premium"], accepted["in_force"]) == (
        "accepted",
        policy.annual_premium,
        False,
    )
    assert issued == {
        **issued,
        "version": policy.version,
        "status": "in_force",
        "in_force": True,
        "policy_number": policy.policy_number,
        # the 90-day waiting period counts from the day after the start (Art. 201): 6 March … 3 June 2024,
        # so 4 June is the first day past it
        "start_date": D(2024, 3, 5),
        "end_date": D(2034, 3, 4),
        "waiting_period_end": D(2024, 6, 4),
        "period": 1,
        "premium_paid": policy.installment,
        "remaining_sum_insured": Decimal("500000"),
        # the lapse, unless paid: 60 days after 5 March 2025 is Sunday 4 May, in the Labour Day holiday
        # (1–5 May 2025), so grace ends Tuesday 6 May (Art. 203) and the policy lapses on 7 May
        "next_installment_due": D(2025, 3, 5),
        "next_due_date": D(2025, 5, 7),
        "renewal_due_on": None,
        "renewal_offered_on": None,
        "lapsed_on": None,
        "last_event_on": D(2024, 3, 5),
        "agent_id": "agent-7",
        "channel": "agent",
        "relationship": "self",
        "premium_mode": "annual",
        "riders": [],
    }
    assert issued["policy_number"].startswith("P2024")
    decision = read(book, uw.underwriting_decisions, key)
    assert {
        k: decision[k]
        for k in (
            "automatic_outcome",
            "decision",
            "decided_by",
            "decided_on",
            "turnaround_days",
            "status",
            "policy_status",
            "underwriter_id",
        )
    } == {
        "automatic_outcome": "accepted",
        "decision": "accept",
        "decided_by": "automatic",
        "decided_on": D(2024, 3, 1),
        "turnaround_days": 0,
        "status": "decided",
        "policy_status": "in_force",
        "underwriter_id": None,
    }
    assert [f["outcome"] for f in decision["findings"]] == ["pass"] * 5
    rows = installments(book, "wang_life")
    assert [(r["installment_no"], r["due_date"], r["status"]) for r in rows[:2]] == [
        (1, D(2024, 3, 5), "paid"),
        (2, D(2025, 3, 5), "due"),
    ]
    assert len(rows) == 10 and all(r["amount"] == policy.installment for r in rows)
    assert [(p["kind"], p["amount"], p["installment_no"]) for p in payments(book).items] == [
        ("payment", policy.installment, 1)
    ]


def test_a_referred_case_shows_the_underwriters_decision_its_turnaround_and_the_applicants_answer(book: Book) -> None:
    li, key = book.policies["li_life"], book.id("li_life")

    referred = read(book, uw.underwriting_decisions, key, book.positions["li_life:underwritten"])
    decided = read(book, uw.underwriting_decisions, key)

    assert {k: referred[k] for k in ("status", "automatic_outcome", "referred_reasons", "decision")} == {
        "status": "referred",
        "automatic_outcome": "referred",
        "referred_reasons": ["adverse-disclosure"],
        "decision": None,
    }
    assert {
        k: decided[k]
        for k in (
            "decision",
            "decided_by",
            "underwriter_id",
            "underwriter_role",
            "decided_on",
            "turnaround_days",
            "loading_pct",
            "exclusions",
            "applicant_response",
            "responded_on",
            "reason",
            "status",
            "policy_status",
            "annual_premium",
        )
    } == {
        "decision": "offer_with_conditions",
        "decided_by": "underwriter",
        "underwriter_id": "uw-1",
        "underwriter_role": "underwriter",
        "decided_on": D(2024, 3, 11),
        "turnaround_days": 10,
        "loading_pct": Decimal("25"),
        "exclusions": ["smoking_related_illness"],
        "applicant_response": "accepted",
        "responded_on": D(2024, 3, 12),
        "reason": "heavy smoker",
        "status": "decided",
        "policy_status": "rescinded",
        "annual_premium": li.annual_premium,
    }
    chen = read(book, uw.underwriting_decisions, book.id("chen_home"))
    assert {
        k: chen[k]
        for k in ("decision", "underwriter_role", "turnaround_days", "suggested_products", "referred_reasons")
    } == {
        "decision": "decline",
        "underwriter_role": "senior_underwriter",
        "turnaround_days": 5,
        "suggested_products": ["public_liability"],
        "referred_reasons": ["property-value-unknown"],
    }


def test_installments_show_payments_demands_grace_and_the_overdue_list_counts_days(book: Book) -> None:
    rows = installments(book, "zhao_life", book.positions["before_lapse"])
    due = prem.overdue_page(book.services.read_side, D(2024, 4, 1), [], ALL, book.positions["before_lapse"])

    assert len(rows) == 120
    assert [(r["installment_no"], r["status"], r["paid_on"], r["paid_amount"] is not None) for r in rows[:4]] == [
        (1, "paid", D(2024, 1, 10), True),
        (2, "paid", D(2024, 2, 8), True),
        (3, "due", None, False),
        (4, "due", None, False),
    ]
    assert (rows[2]["demanded_on"], rows[2]["grace_end"]) == (D(2024, 3, 20), D(2024, 4, 19))  # 30 days after demand
    # 60 days after the 10 April due date is Sunday 9 June 2024; Monday 10 June is the Dragon Boat Festival,
    # so grace ends Tuesday 11 June (Art. 203)
    assert (rows[3]["demanded_on"], rows[3]["grace_end"]) == (None, D(2024, 6, 11))
    assert rows[3]["grace_end_moved_because"] == "2024-06-09 is a Sunday; moved to 2024-06-11"
    assert rows[2]["grace_end_moved_because"] is None  # 19 April 2024 was a Friday
    assert (rows[0]["cover_from"], rows[0]["cover_to"]) == (D(2024, 1, 10), D(2024, 2, 9))
    assert [(r["policy_id"], r["installment_no"], r["days_overdue"]) for r in due.items] == [
        (book.id("zhao_life"), 3, 22)
    ]
    assert due.total == 1


def test_an_unpaid_installment_past_its_grace_lapses_the_policy(book: Book) -> None:
    key = book.id("zhao_life")

    before = read(book, pol.policies, key, book.positions["before_lapse"])
    after = read(book, pol.policies, key)
    rows = installments(book, "zhao_life")
    due = prem.overdue_page(book.services.read_side, D(2024, 4, 25), [], ALL, None)

    assert (before["status"], before["in_force"], before["lapsed_on"]) == ("in_force", True, None)
    assert (after["status"], after["in_force"], after["lapsed_on"]) == ("lapsed", False, D(2024, 4, 20))
    assert after["next_due_date"] == D(2026, 4, 21)  # terminates two years after the lapse
    assert [r["status"] for r in rows[:5]] == ["paid", "paid", "lapsed", "lapsed", "lapsed"]
    assert [(r["installment_no"], r["days_overdue"], r["status"]) for r in due.items] == [
        (3, 46, "lapsed"),
        (4, 15, "lapsed"),
    ]


def test_payments_and_refunds_are_listed_with_signs_reasons_and_references(book: Book) -> None:
    chen, li = book.policies["chen_home"], book.policies["li_life"]
    assert chen.quoted_installment is not None

    chen_rows = payments(book, policy_id=book.id("chen_home")).items
    refunds = payments(book, kind="refund")
    in_march = payments(book, on_from=D(2024, 3, 12), on_to=D(2024, 3, 15))
    all_rows = payments(book)

    assert [(p["kind"], p["amount"], p["on"], p["reason"]) for p in chen_rows] == [
        ("payment", chen.quoted_installment, D(2024, 3, 15), None),
        ("refund", -chen.quoted_installment, D(2024, 3, 20), "declined"),
    ]
    assert chen_rows[0]["reference"] == "bank-chen_home-2024-03-15" and chen_rows[0]["installment_no"] == 1
    assert [(p["policy_id"], p["reason"]) for p in refunds.items] == [
        (book.id("chen_home"), "declined"),
        (book.id("li_life"), "rescission"),
    ]
    assert refunds.extra["total_amount"] == -(chen.quoted_installment + li.premiums_paid)
    assert [(p["policy_id"], p["on"]) for p in in_march.items] == [
        (book.id("li_life"), D(2024, 3, 12)),
        (book.id("chen_home"), D(2024, 3, 15)),
    ]
    assert all_rows.extra["total_amount"] == sum((p.net_premium_paid for p in book.policies.values()), Decimal(0))
    assert [p["position"] for p in all_rows.items] == sorted(p["position"] for p in all_rows.items)


def test_as_of_a_past_position_the_registers_answer_what_they_held_then(book: Book) -> None:
    key, then = book.id("li_life"), book.positions["li_life:issued"]

    past = read(book, pol.policies, key, then)
    now = read(book, pol.policies, key)
    past_rows = installments(book, "li_life", then)
    rows = installments(book, "li_life")
    past_refunds = prem.PAYMENTS.rows(book.services.read_side, prem.payment_filters(kind="refund"), ALL, then)

    assert (past["status"], past["in_force"], past["premium_paid"]) == ("in_force", True, past["installment"])
    assert (now["status"], now["in_force"], now["premium_paid"], now["premium_mode"]) == (
        "rescinded",
        False,
        Decimal("0.00"),
        "monthly",
    )
    assert now["closing_reason"] == "rescinded for non-disclosure (gross_negligence)"
    assert [(r["installment_no"], r["status"]) for r in past_rows] == [(1, "paid")] + [(n, "due") for n in range(2, 11)]
    # the mode change replaced the nine annual installments with 108 monthly ones, cancelled by the rescission
    assert [r["status"] for r in rows[:10]] == ["paid"] + ["replaced"] * 9
    assert len(rows) == 118 and {r["status"] for r in rows[10:]} == {"cancelled"}
    assert rows[10]["due_date"] == D(2025, 3, 12) and rows[10]["kind"] == "premium"
    assert past_refunds.total == 0


def snapshot(book: Book) -> dict[str, list[dict[str, Any]]]:
    return registers.snapshot(
        book.services, (pol.policies, uw.underwriting_decisions, prem.premium_installments, prem.premium_payments)
    )


def test_a_rebuild_gives_exactly_the_rows_the_live_projections_wrote(book: Book) -> None:
    live = snapshot(book)

    book.services.read_side.rebuild(["policies", "underwriting_decisions", "premiums"])

    assert snapshot(book) == live
    assert {name: len(rows) for name, rows in live.items()} == {
        "policies": len(live["policies"]),
        "underwriting_decisions": len(live["underwriting_decisions"]),
        "premium_installments": len(live["premium_installments"]),
        "premium_payments": 8,
    }
    assert len({r["policy_id"] for r in live["policies"]}) == 5


POLICY_FILTERS: list[tuple[dict[str, Any], list[str]]] = [
    ({"status": "in_force"}, ["wang_home", "wang_life"]),
    ({"product_code": "home_property"}, ["chen_home", "wang_home"]),
    ({"line": "life"}, ["li_life", "wang_life", "zhao_life"]),
    ({"customer_id": "Sun"}, ["zhao_life"]),
    ({"applicant_id": "Sun"}, []),
    ({"insured_id": "Sun"}, ["zhao_life"]),
    ({"applicant_id": "Wang"}, ["wang_home", "wang_life"]),
    ({"agent_id": "agent-8"}, ["li_life"]),
    ({"channel": "online"}, ["chen_home", "li_life", "wang_home"]),
    ({"in_force": False}, ["chen_home", "li_life", "zhao_life"]),
    ({"applied_from": D(2024, 3, 1), "applied_to": D(2024, 3, 5)}, ["li_life", "wang_home", "wang_life"]),
    ({"start_from": D(2024, 3, 5), "start_to": D(2024, 3, 5)}, ["wang_home", "wang_life"]),
    ({"status": "lapsed", "line": "life", "channel": "bancassurance"}, ["zhao_life"]),
]


def test_each_policy_filter_keeps_only_the_matching_policies(book: Book) -> None:
    def resolved(filters: dict[str, Any]) -> dict[str, Any]:
        return {k: book.customers.get(v, v) if k.endswith("_id") else v for k, v in filters.items()}

    found = [
        page(book, pol.policies, pol.policy_filters(**resolved(f)), pol.SORTABLE, "policy_number")
        for f, _ in POLICY_FILTERS
    ]
    number = book.policies["wang_life"].policy_number

    assert [sorted(policy_names(book, r)) for r in found] == [expected for _, expected in POLICY_FILTERS]
    assert [r.total for r in found] == [len(expected) for _, expected in POLICY_FILTERS]
    assert policy_names(
        book, page(book, pol.policies, pol.policy_filters(policy_number=number), pol.SORTABLE, "status")
    ) == ["wang_life"]


def test_policies_sort_by_each_sortable_column_with_empty_values_last(book: Book) -> None:
    by_applied = policy_names(book, page(book, pol.policies, [], pol.SORTABLE, "applied_on"))
    by_sum_insured = policy_names(book, page(book, pol.policies, [], pol.SORTABLE, "-sum_insured"))
    by_end = policy_names(book, page(book, pol.policies, [], pol.SORTABLE, "end_date"))

    check_every_sort(book.services, pol.policies, pol.SORTABLE)
    assert by_applied[0] == "zhao_life" and by_applied[-1] == "chen_home"
    assert by_sum_insured == ["wang_home", "chen_home", "wang_life", "li_life", "zhao_life"]
    assert by_end == ["wang_home", "zhao_life", "wang_life", "li_life", "chen_home"]  # never issued: last


UNDERWRITING_FILTERS: list[tuple[dict[str, Any], list[str]]] = [
    ({"decision": "accept"}, ["wang_home", "wang_life", "zhao_life"]),
    ({"decision": "decline"}, ["chen_home"]),
    ({"automatic_outcome": "referred"}, ["chen_home", "li_life"]),
    ({"decided_by": "underwriter"}, ["chen_home", "li_life"]),
    ({"underwriter_id": "uw-1"}, ["li_life"]),
    ({"product_code": "home_property"}, ["chen_home", "wang_home"]),
    ({"pending": True}, []),
    ({"pending": False}, ["chen_home", "li_life", "wang_home", "wang_life", "zhao_life"]),
    ({"status": "decided"}, ["chen_home", "li_life", "wang_home", "wang_life", "zhao_life"]),
    ({"decided_from": D(2024, 3, 5), "decided_to": D(2024, 3, 11)}, ["li_life", "wang_home"]),
]


def test_each_underwriting_filter_and_sort(book: Book) -> None:
    found = [
        page(book, uw.underwriting_decisions, uw.underwriting_filters(**f), uw.SORTABLE, "applied_on")
        for f, _ in UNDERWRITING_FILTERS
    ]
    pending_then = page(
        book,
        uw.underwriting_decisions,
        uw.underwriting_filters(pending=True),
        uw.SORTABLE,
        "applied_on",
        book.positions["li_life:underwritten"],
    )
    sorted_by = {
        s: policy_names(book, page(book, uw.underwriting_decisions, [], uw.SORTABLE, s))
        for s in ("-turnaround_days", "decided_on", "-sum_insured")
    }

    assert [sorted(policy_names(book, r)) for r in found] == [expected for _, expected in UNDERWRITING_FILTERS]
    assert policy_names(book, pending_then) == ["li_life"]
    assert sorted_by["-turnaround_days"][:2] == ["li_life", "chen_home"]
    assert sorted_by["decided_on"] == ["zhao_life", "wang_life", "wang_home", "li_life", "chen_home"]
    assert sorted_by["-sum_insured"] == ["wang_home", "chen_home", "wang_life", "li_life", "zhao_life"]
    check_every_sort(book.services, uw.underwriting_decisions, uw.SORTABLE)


def test_each_installment_filter_and_sort(book: Book) -> None:
    zhao = book.id("zhao_life")

    def found(sort: str = "due_date", **filters: Any) -> list[tuple[str, int]]:
        result = page(
            book, prem.premium_installments, prem.installment_filters(**filters), prem.SORTABLE, sort, size=500
        )
        by_id = {book.id(n): n for n in book.policies}
        return [(by_id[r["policy_id"]], r["installment_no"]) for r in result.items]

    paid = found(status="paid", sort="paid_on")
    assert paid[:2] == [("zhao_life", 1), ("zhao_life", 2)] and paid[4:] == [("li_life", 1)]
    assert set(paid[2:4]) == {("wang_home", 1), ("wang_life", 1)}  # both paid on 5 March: by key
    assert found(paid=False, product_code="home_property") == []
    assert found(kind="adjustment") == []
    assert found(policy_id=zhao, due_from=D(2024, 3, 10), due_to=D(2024, 5, 10)) == [
        ("zhao_life", 3),
        ("zhao_life", 4),
        ("zhao_life", 5),
    ]
    assert found(policy_id=zhao, sort="-installment_no")[0] == ("zhao_life", 120)
    assert found(status="replaced", sort="installment_no") == [("li_life", n) for n in range(2, 11)]
    check_every_sort(book.services, prem.premium_installments, prem.SORTABLE)


# --- the scheduler, renewals and the 6.2.5 history -----------------------------------------------


def due_by_the_domain(book: Book, on: date) -> list[str]:
    """The policies on which advance_time(on) records something (a copy of each, never saved)."""
    due = []
    for name in book.policies:
        policy = book.app.repository.get(UUID(book.id(name)))
        policy.advance_time(on, renewal_premium=lambda: (Decimal("800.00"), None))
        if policy.pending_events:
            due.append(book.id(name))
    return sorted(due)


# wang_life's 2025 grace ends Tuesday 6 May 2025 (60 days after 5 March is Sunday 4 May, in the Labour Day
# holiday 1–5 May; Art. 203): 6 May is its last day of cover, 7 May its lapse. 4 and 5 May (the old boundary)
# stay as days inside the moved grace.
SCHEDULER_DATES = [
    D(2024, 4, 20),
    D(2025, 2, 1),
    D(2025, 2, 2),
    D(2025, 5, 4),
    D(2025, 5, 5),
    D(2025, 5, 6),
    D(2025, 5, 7),
    D(2026, 4, 21),
    D(2040, 1, 1),
]


def test_the_scheduler_query_returns_exactly_the_policies_due(book: Book) -> None:
    with book.services.read_side.engine.connect() as conn:
        found = {on: pol.due_for_scheduler(conn, on) for on in SCHEDULER_DATES}
        then = pol.due_for_scheduler(conn, D(2024, 4, 20), book.positions["before_lapse"])

    assert {on: sorted(ids) for on, ids in found.items()} == {on: due_by_the_domain(book, on) for on in SCHEDULER_DATES}
    assert found[D(2025, 2, 1)] == []
    assert found[D(2025, 5, 5)] == found[D(2025, 5, 6)] == [book.id("wang_home")]  # wang_life still in grace
    assert found[D(2025, 5, 7)] == [book.id("wang_home"), book.id("wang_life")]  # earliest first
    assert then == [book.id("zhao_life")]


def test_the_renewal_due_list_holds_renewable_policies_in_force_until_renewal_is_offered(book: Book) -> None:
    def renewal_due(today: date) -> list[str]:
        return policy_names(
            book, page(book, pol.policies, pol.renewal_due_filters(today), pol.SORTABLE, "renewal_due_on")
        )

    before = renewal_due(D(2025, 2, 1))
    due = renewal_due(D(2025, 2, 2))
    home = book.policies["wang_home"]
    home.advance_time(D(2025, 2, 2), renewal_premium=lambda: (Decimal("800.00"), None))
    book.record("wang_home")
    book.catch_up()
    row = read(book, pol.policies, book.id("wang_home"))

    assert (before, due) == ([], ["wang_home"])
    assert read(book, pol.policies, book.id("wang_home"), book.positions["before_lapse"])["renewal_due_on"] == D(
        2025, 2, 2
    )
    assert renewal_due(D(2025, 2, 2)) == []
    assert (row["renewal_offered_on"], row["next_due_date"]) == (D(2025, 2, 2), D(2025, 3, 5))  # then expiry


def test_the_underwriting_history_counts_declines_and_rescissions_as_applicant_or_insured(book: Book) -> None:
    c = book.customers
    with book.services.read_side.engine.connect() as conn:
        chen = pol.underwriting_history(conn, c["Chen"])
        li = pol.underwriting_history(conn, c["Li"], line="life")
        li_then = pol.underwriting_history(conn, c["Li"], position=book.positions["li_life:issued"])
        wang = pol.underwriting_history(conn, c["Wang"], line="life")
        wang_other = pol.underwriting_history(conn, c["Wang"], line="life", exclude_policy_id=book.id("wang_life"))
        sun = pol.underwriting_history(conn, c["Sun"], line="life")
        zhao = pol.underwriting_history(conn, c["Zhao"], line="life")

    assert History(**chen) == History(earlier_declines=1)
    assert (li["earlier_declines"], li["rescissions"], li["existing_sum_insured_same_line"]) == (0, 1, 0)
    assert li_then["rescissions"] == 0
    assert (wang["existing_sum_insured_same_line"], wang_other["existing_sum_insured_same_line"]) == (500000, 0)
    assert sun["existing_sum_insured_same_line"] == Decimal("200000.00")  # insured, on a lapsed policy
    assert zhao["existing_sum_insured_same_line"] == 0  # applicant only
