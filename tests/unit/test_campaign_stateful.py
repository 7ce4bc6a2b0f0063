"""A campaign as a state machine (guide 2.1 (5); domain.campaign): contacts with any customers, segments, consents
and outcomes, links of any applications, on any days, and a close. Invariants: a refused command records nothing;
every contact was within the period, with a targeted segment and consent to marketing; every linked application
was made within the attribution window by a customer contacted on or before that day, once; nothing follows the
close; replaying the events gives the live state."""

from __future__ import annotations

from datetime import date, timedelta
from functools import reduce
from typing import Any

from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from domain.campaign.aggregate import Campaign
from domain.campaign.rules import attribution_ends
from domain.errors import DomainError

PLANNED = date(2026, 3, 2)
CUSTOMERS = st.sampled_from(("c-1", "c-2", "c-3"))


class CampaignLifecycle(RuleBasedStateMachine):
    @initialize(start=st.integers(0, 10), length=st.integers(0, 40))
    def plan(self, start: int, length: int) -> None:
        self.day = PLANNED
        starts = PLANNED + timedelta(days=start)
        self.campaign = Campaign.plan(
            name="c",
            objective="o",
            segments=["sme", "senior"],
            channel="sms",
            product_codes=[],
            starts_on=starts,
            ends_on=starts + timedelta(days=length),
            owner_id="mk",
            on=PLANNED,
        )
        self.events: list[Any] = list(self.campaign.collect_events())
        self.segments: dict[str, str] = {}

    def attempt(self, command: Any) -> None:
        version = self.campaign.version
        try:
            command()
        except DomainError:
            assert self.campaign.pending_events == [] and self.campaign.version == version
        self.events.extend(self.campaign.collect_events())

    @rule(days=st.integers(0, 20))
    def time_passes(self, days: int) -> None:
        self.day += timedelta(days=days)

    @rule(
        customer=CUSTOMERS,
        segment=st.sampled_from(("sme", "senior", "mass", None)),
        consents=st.sampled_from((frozenset(), frozenset({"marketing"}), frozenset({"health_data"}))),
        outcome=st.sampled_from(("interested", "no_answer", "not_interested", "callback")),
    )
    def contact(self, customer: str, segment: str | None, consents: frozenset[str], outcome: str) -> None:
        before = len(self.events)
        self.attempt(
            lambda: self.campaign.contact(
                customer_id=customer, segment=segment, consents=consents, outcome=outcome, staff_id="a", on=self.day
            )
        )
        assert len(self.events) == before or "marketing" in consents  # recorded only with consent to marketing

    @rule(policy=st.sampled_from(("p-1", "p-2", "p-3")), applicant=CUSTOMERS, back=st.integers(0, 40))
    def link(self, policy: str, applicant: str, back: int) -> None:
        applied = self.day - timedelta(days=back)
        self.attempt(
            lambda: self.campaign.link_application(
                policy_id=policy, applicant_id=applicant, product_code="x", applied_on=applied, on=self.day
            )
        )

    @rule()
    def close(self) -> None:
        self.attempt(lambda: self.campaign.close("done", on=self.day))

    @invariant()
    def contacts_and_links_keep_the_rules(self) -> None:
        c = self.campaign
        first: dict[str, date] = {}
        linked: set[str] = set()
        closed = False
        for event in self.events[1:]:
            assert not closed
            if isinstance(event, Campaign.CustomerContacted):
                assert c.starts_on <= event.on <= c.ends_on and event.segment in c.segments
                first.setdefault(event.customer_id, event.on)
            elif isinstance(event, Campaign.ApplicationLinked):
                assert c.starts_on <= event.applied_on <= attribution_ends(c.ends_on)
                assert first[event.customer_id] <= event.applied_on and event.policy_id not in linked
                linked.add(event.policy_id)
            elif isinstance(event, Campaign.Closed):
                closed = True
        assert c.contacted == first and set(c.applications) == linked

    @invariant()
    def replaying_the_events_gives_the_live_state(self) -> None:
        replayed = reduce(lambda campaign, event: event.mutate(campaign), self.events, None)
        live = {k: v for k, v in vars(self.campaign).items() if k != "_pending_events"}
        assert {k: v for k, v in vars(replayed).items() if k != "_pending_events"} == live


TestCampaignLifecycle = CampaignLifecycle.TestCase
