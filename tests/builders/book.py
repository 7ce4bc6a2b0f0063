"""A small book of business recorded through the application layer on a simulated clock, for the report
tests (integration and API): policies, claims, complaints and surveys whose figures are computed by hand."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path
from typing import Any
from uuid import UUID

from application.commands import complaints as complaints
from application.commands import policies as policies
from application.commands import policy_servicing as servicing
from application.commands.customers import record_satisfaction_survey, register_enterprise
from application.infrastructure.settings import Settings
from domain import clock
from projections.reports import REPORTS, Report
from tests.builders.claims import ClaimDesk, manager
from tests.builders.common import ctx, enterprise
from tests.builders.environment import JWT_SECRET, drop_postgres_database, new_postgres_database, require_postgres
from tests.builders.office import Office

D = date
CHINA = timezone(timedelta(hours=8))
H1 = (D(2026, 1, 1), D(2026, 6, 30))


def officer() -> Any:
    return ctx("olga", "complaints_officer")  # a new command id each time: one command, one context


def underwriter() -> Any:
    return ctx("uw-1", "underwriter")


def money(value: str) -> Decimal:
    return Decimal(value)


class Book:
    """A small book of business, recorded in date order on a simulated clock that follows the business dates.

    Policies (home 584.00 a year = 1.60 a day; term life 63.00 a month, 700.00 a year):
    - HA  home, alice/agent: paid 2025-07-01, cover to 2026-06-30; renewed on 2026-06-20 (584.00).
    - HB  home, bob/online: paid 2026-01-10, cover to 2027-01-09; surrendered 2026-04-30 (408.00 refunded).
    - TL  term life monthly, alice/agent: paid 2026-01-05 (cover to 02-04), never again: lapsed 2026-04-07.
    - U1  term life, referred, accepted by an underwriter 10 days after applying (not paid).
    - U2  term life, referred, declined 4 days after applying.
    Claims (handler hana, manager mo): C1 on HA (paid 10,000 on time, closed), C2 on HB (rejected by mo, notice
    late, closed), C4 on HB (paid 10,000 late, closed), C3 on HA (undetermined, decision late, advance 3,000 in
    time; reserve 17,000 at the end). Complaints: K1 claims (about HA and C1), K4 its repeat without new facts,
    K2 sales (about TL, extended as complex), K3 claims (about HB and C2, open). Surveys: one in 2025, three in
    H1 (two individuals 4.00 and 4.50, one enterprise 3.00).
    """

    def __init__(self, services: Any, simulated: clock.SimulatedClock) -> None:
        self.services, self.app, self.clock = services, services.app, simulated
        self.office, self.desk = Office(services), ClaimDesk(services)
        self.ids: dict[str, Any] = {}

    def today(self, day: date) -> date:
        self.clock.set(datetime(day.year, day.month, day.day, 10, tzinfo=CHINA))
        return day

    def home(self, name: str, seed: int, on: date, **terms: Any) -> None:
        self.today(on)
        policy = self.desk.home_policy(seed, on, sum_insured="730000", declared_property_value="1000000", **terms)
        self.ids[name] = policy.id
        self.ids[f"{name}:holder"] = policy.applicant_id

    def term_life(self, name: str, seed: int, on: date, *, adverse: tuple[str, ...] = (), pay: bool = False) -> None:
        self.today(on)
        holder = self.office.person(seed)
        policy = self.office.apply(holder, "term_life", mode="monthly", on=on, adverse=adverse)
        if pay:
            self.office.pay(policy, on)
        self.ids[name], self.ids[f"{name}:holder"] = policy.id, str(holder)

    def survey(self, customer: str, on: date, *scores: int) -> None:
        self.today(on)
        keys = ("attitude", "speed", "quality", "claims_convenience")
        scored: dict[str, Any] = dict(zip(keys, scores))
        record_satisfaction_survey(self.app, ctx(), UUID(str(customer)), **scored)

    def complaint(self, name: str, on: date, *, category: str, channel: str, holder: str, **related: Any) -> None:
        self.today(on)
        links: dict[str, Any] = {k: str(v) if isinstance(v, UUID) else v for k, v in related.items()}
        result = complaints.receive(
            self.app,
            officer(),
            channel=channel,
            category=category,
            content=f"{name}: 投诉内容",
            complainant={"name": "王强", "contact": "13800138000", "customer_id": str(self.ids[holder])},
            received_at=datetime(on.year, on.month, on.day, 9, tzinfo=CHINA),
            recording_ref=f"REC-{name}",
            **links,
        )
        self.ids[name] = UUID(result.id)

    def on_complaint(self, name: str, day: date, method: str, /, **arguments: Any) -> None:
        self.today(day)
        getattr(complaints, method)(self.app, officer(), self.ids[name], **arguments)

    def investigate(self, name: str, day: date) -> None:
        self.on_complaint(name, day, "assign", responsible_id="olga", on=day)
        self.on_complaint(name, day, "start_investigation", on=day)

    def decide(self, name: str, decided: date, satisfied: bool) -> None:
        """Decide on `decided` (upheld), feed back the next day and hear the complainant the day after."""
        self.on_complaint(
            name,
            decided,
            "resolve",
            outcome="upheld",
            measures=["explain"],
            compensation="0",
            apology=True,
            decided_on=decided,
        )
        after, later = decided + timedelta(days=1), decided + timedelta(days=2)
        self.on_complaint(name, after, "give_feedback", on=after, channel="phone", summary="upheld")
        self.on_complaint(name, later, "record_response", satisfied=satisfied, comment="", on=later)

    def claim(self, name: str, on: date, method: str, **arguments: Any) -> None:
        """A claim command on `on` (which becomes today): approve, pay, or any other Claim method."""
        self.today(on)
        if method in ("approve", "pay"):
            getattr(self.desk, method)(name, on, **arguments)
        else:
            self.desk.act(name, method, on, **arguments)

    def build(self) -> Book:
        desk = self.desk
        self.home("HA", 1, D(2025, 7, 1))
        self.survey(self.ids["HA:holder"], D(2025, 12, 20), 1, 1, 1, 1)  # before the period
        self.term_life("TL", 5, D(2026, 1, 5), pay=True)
        self.home("HB", 3, D(2026, 1, 10), agent_id="bob", channel="online")
        self.term_life("U1", 6, D(2026, 2, 2), adverse=("hypertension",))
        # C1 on HA: reported 02-03, amount agreed 02-05, approved 02-06, paid 02-07, closed 02-09
        self.today(D(2026, 2, 9))
        desk.to_paid("C1", desk.policy(self.ids["HA"]), D(2026, 2, 1), D(2026, 2, 3))
        self.claim("C1", D(2026, 2, 8), "confirm_receipt")
        self.claim("C1", D(2026, 2, 9), "close")
        self.complaint(
            "K1",
            D(2026, 2, 10),
            category="claims",
            channel="phone",
            holder="HA:holder",
            related_policy_id=self.ids["HA"],
            related_claim_id=desk.ids["C1"],
        )
        self.investigate("K1", D(2026, 2, 11))
        self.today(D(2026, 2, 12))
        policies.decide(self.app, underwriter(), self.ids["U1"], "accept", decided_on=D(2026, 2, 12))
        self.complaint(
            "K4",
            D(2026, 2, 15),
            category="claims",
            channel="phone",
            holder="HA:holder",
            repeat_of=self.ids["K1"],
            new_facts=False,
        )
        self.decide("K1", D(2026, 2, 20), satisfied=True)  # 10 days after receipt
        self.term_life("U2", 7, D(2026, 3, 1), adverse=("hypertension",))
        self.complaint(
            "K2",
            D(2026, 3, 1),
            category="sales",
            channel="online",
            holder="TL:holder",
            related_policy_id=self.ids["TL"],
        )
        self.investigate("K2", D(2026, 3, 2))
        # C2 on HB: reported 03-02, rejected by mo 03-10, notice 03-15 (5 days: late), closed 03-16
        self.today(D(2026, 3, 2))
        desk.report("C2", desk.policy(self.ids["HB"]), loss=D(2026, 3, 1), reported=D(2026, 3, 2))
        desk.documents("C2", D(2026, 3, 2))
        self.claim("C2", D(2026, 3, 2), "accept")
        self.today(D(2026, 3, 5))
        policies.decide(
            self.app, underwriter(), self.ids["U2"], "decline", reason="hypertension", decided_on=D(2026, 3, 5)
        )
        self.survey(self.ids["TL:holder"], D(2026, 3, 5), 5, 4, 4, 3)  # 4.00
        self.claim("C2", D(2026, 3, 10), "reject", who=manager(), reasons=["not covered"], decided_by="mo")
        self.on_complaint("K2", D(2026, 3, 10), "extend", kind="complex", reason="several parties", on=D(2026, 3, 10))
        self.claim("C2", D(2026, 3, 15), "send_rejection_notice")
        self.claim("C2", D(2026, 3, 16), "close")
        self.decide("K2", D(2026, 3, 20), satisfied=False)  # 19 days after receipt, within the complex 30
        # C4 on HB: reported 03-21, agreed 03-23, approved 03-24, paid 04-10 (due 04-02: late), closed 04-12
        self.today(D(2026, 3, 24))
        desk.report("C4", desk.policy(self.ids["HB"]), loss=D(2026, 3, 20), reported=D(2026, 3, 21))
        desk.documents("C4", D(2026, 3, 21))
        self.claim("C4", D(2026, 3, 21), "accept")
        desk.assess("C4", D(2026, 3, 23))
        self.claim("C4", D(2026, 3, 24), "approve")
        self.complaint(
            "K3",
            D(2026, 4, 1),
            category="claims",
            channel="phone",
            holder="HB:holder",
            related_policy_id=self.ids["HB"],
            related_claim_id=desk.ids["C2"],
        )
        # C3 on HA: reported 04-02, never assessed: decision due 05-02 (late), advance due 06-01
        self.today(D(2026, 4, 2))
        desk.report("C3", desk.policy(self.ids["HA"]), loss=D(2026, 4, 1), reported=D(2026, 4, 2))
        desk.documents("C3", D(2026, 4, 2))
        self.claim("C3", D(2026, 4, 2), "accept")
        self.claim("C4", D(2026, 4, 10), "pay")
        policies.tick(self.app, [self.ids["TL"]], D(2026, 4, 10))  # TL lapses on 04-07
        self.claim("C4", D(2026, 4, 11), "confirm_receipt")
        self.claim("C4", D(2026, 4, 12), "close")
        self.today(D(2026, 4, 30))
        servicing.surrender(self.app, ctx(), self.ids["HB"], D(2026, 4, 30))
        self.survey(self.ids["HA:holder"], D(2026, 5, 10), 5, 5, 4, 4)  # 4.50
        self.claim("C3", D(2026, 5, 20), "pay", amount="3000", kind="advance", determinable_amount="5000")
        self.today(D(2026, 6, 1))
        firm = register_enterprise(self.app, ctx(), **enterprise(1)).id
        self.survey(firm, D(2026, 6, 1), 3, 3, 3, 3)  # 3.00
        self.renew("HA", D(2026, 6, 20))
        self.services.read_side.catch_up()
        return self

    def renew(self, name: str, on: date) -> None:
        self.today(on)
        policies.advance(self.app, self.ids[name], on)  # the renewal offer falls due on 05-31
        offer = self.office.load(self.ids[name]).renewal_offer
        assert offer is not None and offer["installment"] == money("584.00")
        servicing.renew(self.app, ctx(), self.ids[name], on, amount=offer["installment"])

    def report(self, name: str, group_by: str, position: int | None = None, period: tuple[date, date] = H1) -> Report:
        with self.services.read_side.engine.connect() as conn:
            return REPORTS[name].run(conn, position, period[0], period[1], group_by)


@contextmanager
def built_book(database: str, folder: Path) -> Iterator[Book]:
    """The book, built on a fresh `database` ("sqlite", a file in `folder`, or "postgres", a new database dropped
    after), on a simulated clock from 2025-07-01; the clock is the book's while the caller holds it."""
    from interface.bootstrap import bootstrap

    url = f"sqlite:///{folder / 'inscribe.db'}"
    if database == "postgres":
        require_postgres()
        url = new_postgres_database()
    services = bootstrap(
        Settings(database_url=url, jwt_secret=JWT_SECRET, read_wait_seconds=5.0), run_projections=False
    )
    simulated = clock.SimulatedClock(datetime(2025, 7, 1, 2, tzinfo=UTC))
    try:
        with clock.using(simulated):
            yield Book(services, simulated).build()
    finally:
        services.close()
        if database == "postgres":
            drop_postgres_database(url)
