"""A referred case with its inspections and medical examinations as a state machine (domain.policy.examinations):
any order of orders, reports and decisions on any days. Invariants: an acceptance or offer comes only once every
examination is reported and carries what they call for; each report is one finding; every due date is a
working day at least 15 days after its order; replaying the events, or a snapshot and the events after it,
gives the live state."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from functools import reduce
from typing import Any

from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from domain.calendar import is_working_day
from domain.errors import DomainError
from domain.policy.aggregate import Policy
from domain.policy.examination_events import EXAMINATION_CHECK
from domain.policy.examinations import EXAMINATION_DAYS
from tests.builders.policies import application, findings, through_snapshot

START = date(2025, 9, 1)  # the order clocks cross National Day
EXCLUSIONS = ("hypertension", "knee injury", "back")


class ExaminedCase(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.events: list[Any] = []
        self.day = START

    @initialize()
    def refer(self) -> None:
        self.policy = Policy.apply(**application(applied_on=START))
        self.policy.start_underwriting(on=START)
        self.policy.record_automatic_underwriting(findings("refer"), "referred", on=START)
        self.events = list(self.policy.collect_events())

    def attempt(self, command: Any) -> None:
        version = self.policy.version
        try:
            command()
        except DomainError:
            assert self.policy.pending_events == [] and self.policy.version == version  # nothing recorded
        self.events.extend(self.policy.collect_events())

    @rule(days=st.integers(0, 12))
    def time_passes(self, days: int) -> None:
        self.day += timedelta(days=days)

    @rule()
    def order(self) -> None:
        self.attempt(lambda: self.policy.order_examination("medical", "check", ordered_by="uw-1", on=self.day))

    @rule(
        no=st.integers(1, 4),
        result=st.sampled_from(("standard", "conditions", "decline")),
        loading=st.sampled_from(("0", "25", "50", "100")),
        excluded=st.lists(st.sampled_from(EXCLUSIONS), max_size=2, unique=True),
        back=st.integers(0, 20),
    )
    def report(self, no: int, result: str, loading: str, excluded: list[str], back: int) -> None:
        examined = self.day - timedelta(days=back)
        self.attempt(
            lambda: self.policy.report_examination(
                no,
                examiner="Dr. Wang",
                examined_on=examined,
                result=result,
                summary="findings",
                loading_pct=loading,
                exclusions=excluded,
                on=self.day,
            )
        )

    @rule(
        decision=st.sampled_from(("accept", "offer_with_conditions", "postpone", "decline")),
        loading=st.sampled_from(("0", "25", "50", "100")),
        excluded=st.lists(st.sampled_from(EXCLUSIONS), max_size=3, unique=True),
    )
    def decide(self, decision: str, loading: str, excluded: list[str]) -> None:
        self.attempt(
            lambda: self.policy.decide(
                decision,
                underwriter_id="uw-1",
                role="underwriter",
                reason="as examined",
                loading_pct=loading,
                exclusions=excluded,
                annual_premium=Decimal("1300"),
                installment=Decimal("1300"),
                decided_on=self.day,
            )
        )

    @invariant()
    def an_acceptance_or_offer_carries_every_examination(self) -> None:
        ordered: set[int] = set()
        reported: dict[int, Any] = {}
        for event in self.events:
            if isinstance(event, Policy.ExaminationOrdered):
                ordered.add(event.no)
            elif isinstance(event, Policy.ExaminationReported):
                assert event.no in ordered and event.no not in reported
                reported[event.no] = event
            elif isinstance(event, Policy.UnderwritingDecided) and event.decision in (
                "accept",
                "offer_with_conditions",
            ):
                assert ordered == set(reported)
                assert all(r.result != "decline" for r in reported.values())
                assert event.loading_pct >= max((r.loading_pct for r in reported.values()), default=Decimal(0))
                assert {x for r in reported.values() for x in r.exclusions} <= set(event.exclusions)

    @invariant()
    def each_report_is_one_finding(self) -> None:
        reports = [e for e in self.events if isinstance(e, Policy.ExaminationReported)]
        examined = [f for f in self.policy.findings if f["check"] == EXAMINATION_CHECK]
        assert [f["data"]["no"] for f in examined] == [r.no for r in reports]

    @invariant()
    def every_due_date_is_a_working_day_at_least_fifteen_days_on(self) -> None:
        for item in self.policy.examinations:
            assert is_working_day(item["due_on"])
            assert item["due_on"] >= item["ordered_on"] + timedelta(days=EXAMINATION_DAYS)
        waiting = self.policy.outstanding_examinations()
        assert waiting == (
            [e for e in self.policy.examinations if e["reported_on"] is None]
            if self.policy.status == "referred"
            else []
        )

    @invariant()
    def replaying_the_events_gives_the_live_state(self) -> None:
        replayed = reduce(lambda policy, event: event.mutate(policy), self.events, None)
        live = {k: v for k, v in vars(self.policy).items() if k != "_pending_events"}
        assert {k: v for k, v in vars(replayed).items() if k != "_pending_events"} == live
        # and from a snapshot halfway, stored and read back as the application stores it (application.loading)
        restored = through_snapshot(self.events, (len(self.events) + 1) // 2)
        assert {k: v for k, v in vars(restored).items() if k != "_pending_events"} == live


TestExaminedCase = ExaminedCase.TestCase
