"""A reinsurance treaty as a state machine (guide 6.1.1 (6); domain.reinsurance): early ends and settlements on any
days. Invariants: a refused command records nothing; the treaty ends at most once, never after its own last day nor
before the day it was ended; what each reinsurer received is the sum of its settlements, all from the treaty's
reinsurers; replaying the events gives the live state."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from functools import reduce
from typing import Any

from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from domain.errors import DomainError
from domain.reinsurance.aggregate import Treaty

CONCLUDED = date(2026, 1, 1)


class TreatyLifecycle(RuleBasedStateMachine):
    @initialize(length=st.integers(0, 400), kind=st.sampled_from(("quota_share", "surplus", "excess_of_loss")))
    def conclude(self, length: int, kind: str) -> None:
        self.day = CONCLUDED
        forms: dict[str, dict[str, Any]] = {
            "quota_share": {"ceded_pct": "40"},
            "surplus": {"retention": "100000", "lines": 5},
            "excess_of_loss": {"retention": "10000", "limit": "90000", "rate_pct": "3"},
        }
        terms = forms[kind]
        self.treaty = Treaty.conclude(
            name="t",
            kind=kind,
            lines=["property", "liability"],
            product_codes=[],
            terms=terms,
            reinsurers=[{"reinsurer": "A", "share_pct": "70"}, {"reinsurer": "B", "share_pct": "30"}],
            effective_from=CONCLUDED,
            effective_to=CONCLUDED + timedelta(days=length),
            by="re-1",
            on=CONCLUDED,
        )
        self.events: list[Any] = list(self.treaty.collect_events())

    def attempt(self, command: Any) -> None:
        version = self.treaty.version
        try:
            command()
        except DomainError:
            assert self.treaty.pending_events == [] and self.treaty.version == version
        self.events.extend(self.treaty.collect_events())

    @rule(days=st.integers(0, 60))
    def time_passes(self, days: int) -> None:
        self.day += timedelta(days=days)

    @rule(offset=st.integers(-3, 30))
    def end(self, offset: int) -> None:
        self.attempt(lambda: self.treaty.end(ends_on=self.day + timedelta(days=offset), reason="r", on=self.day))

    @rule(
        reinsurer=st.sampled_from(("A", "B", "C")),
        amount=st.decimals(min_value="0.01", max_value=1000000, places=2),
        back=st.integers(0, 3),
    )
    def settle(self, reinsurer: str, amount: Decimal, back: int) -> None:
        on = self.day - timedelta(days=back)
        self.attempt(lambda: self.treaty.receive_recovery(reinsurer=reinsurer, amount=amount, reference="s", on=on))

    @invariant()
    def ends_and_settlements_keep_the_rules(self) -> None:
        t = self.treaty
        ends = [e for e in self.events if isinstance(e, Treaty.Ended)]
        assert len(ends) <= 1
        for e in ends:
            assert e.on <= e.ends_on < t.effective_to and t.ended_on == e.ends_on and t.status == "ended"
        received: dict[str, Decimal] = {}
        day = CONCLUDED
        for e in self.events[1:]:
            assert e.on >= day  # business dates never go back
            day = e.on
            if isinstance(e, Treaty.RecoveryReceived):
                assert e.reinsurer in ("A", "B")
                received[e.reinsurer] = received.get(e.reinsurer, Decimal(0)) + e.amount
        assert t.received == received

    @invariant()
    def replaying_the_events_gives_the_live_state(self) -> None:
        replayed = reduce(lambda treaty, event: event.mutate(treaty), self.events, None)
        live = {k: v for k, v in vars(self.treaty).items() if k != "_pending_events"}
        assert {k: v for k, v in vars(replayed).items() if k != "_pending_events"} == live


TestTreatyLifecycle = TreatyLifecycle.TestCase
