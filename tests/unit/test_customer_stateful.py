"""Random command sequences on a customer: refusals record nothing; replay equals live state."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from functools import reduce
from typing import Any

from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from domain import clock
from domain.customer.aggregate import (
    CONSENT_PURPOSES,
    INTERACTION_KINDS,
    LIFECYCLE_STAGES,
    PROFILE_FIELDS,
    SEGMENTS,
    Customer,
)
from domain.errors import DomainError

# Mostly valid values per profile field, so that accepted commands are common too.
VALID_PROFILE_VALUES: dict[str, st.SearchStrategy[Any]] = {
    "name": st.sampled_from(["王五", "王小五"]),
    "occupation": st.sampled_from(["driver", "clerk"]),
    "occupation_class": st.integers(min_value=1, max_value=6),
    "family_status": st.sampled_from(["single", "married", "divorced", "widowed"]),
    "dependants": st.integers(min_value=0, max_value=4),
    "annual_income": st.sampled_from([0, "80000", Decimal("95000.50")]),
    "industry": st.sampled_from(["retail", "logistics"]),
    "size": st.sampled_from(["micro", "small", "medium", "large"]),
    "headcount": st.integers(min_value=0, max_value=500),
    "annual_revenue": st.sampled_from([900000, "1200000.00"]),
    "contact_person": st.sampled_from(["赵六", "钱七"]),
    "id_number": st.just("11010519491231002X"),
}
ANY_VALUE = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-2, max_value=8),
    st.sampled_from(["", "  ", "single", "large", "clerk", "-1", "1e30", "NaN", "99.995"]),
    st.decimals(allow_nan=True, allow_infinity=True, places=3),
    st.floats(allow_nan=True),
)
PHONES = st.sampled_from(["13800138000", "010-88886666", "12012345678", "123", "", None])
EMAILS = st.sampled_from(["a@b.cn", "x.y@example.com", "nope", "", None])
CONTACTS = st.one_of(
    st.fixed_dictionaries(
        {"phone": st.sampled_from(["13800138000", "15912345678", "010-88886666"])},
        optional={"email": st.sampled_from(["a@b.cn", "x.y@example.com"])},
    ),
    st.fixed_dictionaries({}, optional={"phone": PHONES, "email": EMAILS, "address": st.sampled_from(["北京", ""])}),
    st.just({"fax": "1234567"}),
    st.just("13800138000"),
)
SCORE = st.sampled_from([1, 2, 3, 4, 5] * 3 + [0, 6])  # mostly valid 1-5 scores
RISK = st.fixed_dictionaries(
    {
        "description": st.sampled_from(["fire", "illness", "flood", ""]),
        "category": st.sampled_from(["personal", "property", "liability", "credit", "market"]),
        "likelihood": SCORE,
        "severity": SCORE,
    }
)


def state_of(customer: Customer) -> dict[str, Any]:
    return {k: v for k, v in vars(customer).items() if k != "_pending_events"}


class CustomerLifecycle(RuleBasedStateMachine):
    """Drives valid and invalid commands; every outcome is either one event or a refusal."""

    customer: Customer

    def __init__(self) -> None:
        super().__init__()
        self.events: list[Any] = []
        self.refusals = 0

    @initialize(kind=st.sampled_from(["individual", "enterprise"]))
    def register(self, kind: str) -> None:
        if kind == "individual":
            self.customer = Customer.register_individual(
                name="王五",
                id_number="11010519491231002X",
                occupation="driver",
                occupation_class=3,
                family_status="single",
                annual_income="80000",
                contacts={"phone": "13800138000"},
            )
        else:
            self.customer = Customer.register_enterprise(
                name="某公司",
                credit_code="91350100M000100Y43",
                industry="retail",
                size="micro",
                headcount=5,
                annual_revenue=900000,
                contact_person="赵六",
            )
        self.events.extend(self.customer.collect_events())

    def attempt(self, command: Callable[[], None]) -> None:
        """Run a command: either exactly one new event, or a domain refusal and no event."""
        version = self.customer.version
        try:
            command()
        except DomainError:
            self.refusals += 1
            assert self.customer.pending_events == []
            assert self.customer.version == version
            return
        new = self.customer.collect_events()
        assert len(new) == 1
        assert new[0].originator_version == version + 1
        self.events.extend(new)

    @rule(contacts=CONTACTS)
    def change_contacts(self, contacts: Any) -> None:
        self.attempt(lambda: self.customer.change_contacts(contacts))

    @rule(data=st.data())
    def update_profile(self, data: st.DataObject) -> None:
        own_keys = [*PROFILE_FIELDS[self.customer.kind], "industry", "id_number"]
        keys = data.draw(st.lists(st.sampled_from(own_keys), max_size=3), label="keys")
        changes = {}
        for key in keys:
            valid = data.draw(st.sampled_from([True, True, True, False]), label=f"{key} valid")
            changes[key] = data.draw(VALID_PROFILE_VALUES[key] if valid else ANY_VALUE, label=key)
        self.attempt(lambda: self.customer.update_profile(changes))

    @rule(
        segment=st.sampled_from([*SEGMENTS["individual"], *SEGMENTS["enterprise"], "vip"]),
        basis=st.sampled_from(["income band", "age", ""]),
    )
    def assign_segment(self, segment: str, basis: str) -> None:
        self.attempt(lambda: self.customer.assign_segment(segment, basis))

    @rule(stage=st.sampled_from([*LIFECYCLE_STAGES, "lost"]), reason=st.sampled_from(["policy", "lapse", " "]))
    def change_lifecycle_stage(self, stage: str, reason: str) -> None:
        self.attempt(lambda: self.customer.change_lifecycle_stage(stage, reason))

    @rule(
        kind=st.sampled_from([*INTERACTION_KINDS, "spam"]),
        summary=st.sampled_from(["called", "visited", ""]),
        when=st.sampled_from(["past", "past", "future", "naive"]),
    )
    def record_interaction(self, kind: str, summary: str, when: str) -> None:
        moment = {
            "past": datetime(2024, 1, 1, tzinfo=UTC),
            "future": clock.now() + timedelta(days=1),
            "naive": datetime(2024, 1, 1),
        }[when]
        self.attempt(lambda: self.customer.record_interaction(kind, summary, moment, "staff-1"))

    @rule(purpose=st.sampled_from([*CONSENT_PURPOSES, "profiling"]))
    def give_consent(self, purpose: str) -> None:
        self.attempt(lambda: self.customer.give_consent(purpose))

    @rule(purpose=st.sampled_from([*CONSENT_PURPOSES, "profiling"]))
    def withdraw_consent(self, purpose: str) -> None:
        self.attempt(lambda: self.customer.withdraw_consent(purpose))

    @rule(
        concerns=st.lists(st.sampled_from(["health", "education", " "]), max_size=2),
        needs=st.lists(st.sampled_from(["medical cover", ""]), max_size=2),
        budget=st.sampled_from([0, 5000, "8000", Decimal("12.345"), -1, "abc"]),
    )
    def analyse_needs(self, concerns: list[str], needs: list[str], budget: Any) -> None:
        self.attempt(lambda: self.customer.analyse_needs(concerns, needs, budget))

    @rule(risks=st.lists(RISK, max_size=2))
    def assess_risks(self, risks: list[dict[str, Any]]) -> None:
        self.attempt(lambda: self.customer.assess_risks(risks))

    @rule(scores=st.tuples(SCORE, SCORE, SCORE, SCORE), related=st.sampled_from([None, "claim-1", ""]))
    def record_survey(self, scores: tuple[int, int, int, int], related: str | None) -> None:
        self.attempt(lambda: self.customer.record_satisfaction_survey(*scores, related_id=related))

    @invariant()
    def replaying_the_events_gives_the_live_state(self) -> None:
        replayed = reduce(lambda state, event: event.mutate(state), self.events, None)
        assert state_of(replayed) == state_of(self.customer)
        assert self.customer.version == len(self.events)

    @invariant()
    def the_lifecycle_stage_is_always_a_known_one(self) -> None:
        assert self.customer.lifecycle_stage in LIFECYCLE_STAGES

    @invariant()
    def the_segment_always_fits_the_kind(self) -> None:
        segment = self.customer.segment
        assert segment is None or segment in SEGMENTS[self.customer.kind]

    @invariant()
    def consents_follow_the_give_and_withdraw_history(self) -> None:
        held: set[str] = set()
        for event in self.events:
            if isinstance(event, Customer.ConsentGiven):
                assert event.purpose not in held
                held.add(event.purpose)
            elif isinstance(event, Customer.ConsentWithdrawn):
                assert event.purpose in held
                held.discard(event.purpose)
        assert self.customer.consents == held

    @invariant()
    def marketing_is_only_recorded_while_consent_is_held(self) -> None:
        held: set[str] = set()
        for event in self.events:
            if isinstance(event, Customer.ConsentGiven):
                held.add(event.purpose)
            elif isinstance(event, Customer.ConsentWithdrawn):
                held.discard(event.purpose)
            elif isinstance(event, Customer.InteractionRecorded) and event.kind == "marketing":
                assert "marketing" in held


TestCustomerLifecycle = CustomerLifecycle.TestCase
