"""The bundles of a book as a state machine (guide 3.3): an applicant's bundles proposed with 0 to 12 items (2 to
10 accepted), their items declined or quoted; a refusal creates nothing; invariants: each bundle's combined premium
is the sum of its quoted items to the cent, its strategies are read from its items, and replaying its one event
gives the same bundle."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from functools import reduce
from typing import Any
from uuid import uuid4

from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

from domain.bundle.aggregate import MAX_ITEMS, Bundle, strategies_of
from domain.errors import InvalidValue

LINES = ("life", "health", "accident", "property", "liability", "credit")
items_of = st.lists(
    st.fixed_dictionaries(
        {
            "line": st.sampled_from(LINES),
            "term_months": st.sampled_from((12, 120, 240)),
            "riders": st.lists(st.just("accidental_death_rider"), max_size=1),
            "annual_premium": st.one_of(st.none(), st.decimals("0.01", "99999999.99", places=2).map(str)),
        }
    ),
    max_size=MAX_ITEMS + 2,
)


class Bundles(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.proposed: list[tuple[Bundle, list[dict[str, Any]], list[Any]]] = []
        self.refused = 0

    @rule(raw=items_of, day=st.dates(date(2024, 1, 1), date(2030, 12, 31)))
    def propose(self, raw: list[dict[str, Any]], day: date) -> None:
        items = [
            {**item, "policy_id": str(uuid4()), "product_code": "p", "product_version": 1, "insured_id": "c"}
            for item in raw
        ]
        try:
            bundle = Bundle.propose(
                applicant_id="c", channel="agent", agent_id="a", items=items, on=day, bundle_id=uuid4()
            )
        except InvalidValue as refusal:
            assert not 2 <= len(items) <= MAX_ITEMS and refusal.field == "items"
            self.refused += 1
            return
        assert 2 <= len(items) <= MAX_ITEMS
        self.proposed.append((bundle, items, list(bundle.collect_events())))

    @invariant()
    def each_bundle_adds_up_and_replays(self) -> None:
        for bundle, items, events in self.proposed:
            quoted = [Decimal(i["annual_premium"]) for i in items if i["annual_premium"] is not None]
            assert bundle.combined_annual_premium == sum(quoted, Decimal(0))
            assert bundle.strategies == strategies_of(items)
            assert [i["policy_id"] for i in bundle.items] == [i["policy_id"] for i in items]
            replayed: Any = reduce(lambda state, event: event.mutate(state), events, None)
            assert (replayed.combined_annual_premium, replayed.items) == (bundle.combined_annual_premium, bundle.items)
            assert replayed.id == bundle.id


TestBundles = Bundles.TestCase
