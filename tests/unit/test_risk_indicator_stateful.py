"""A key risk indicator as a state machine (guide ch. 9; domain.risk): measurements of any months with any values,
threshold changes and acknowledgements on any days. Invariants: a refused command records nothing; each month is
measured once, in order, after it ended; an alert is raised exactly when a measurement is beyond the threshold and
the last measurement with a value was not; each alert is acknowledged at most once; replaying the events gives
the live state."""

from __future__ import annotations

import calendar
from datetime import date, timedelta
from decimal import Decimal
from functools import reduce
from typing import Any

from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule

from domain.errors import DomainError
from domain.risk.aggregate import Indicator

START = date(2026, 1, 5)
VALUES = st.one_of(st.none(), st.decimals(Decimal(0), Decimal(10), places=2))


def month_end(n: int) -> date:
    year, month = 2026 + (n // 12), n % 12 + 1
    return date(year, month, calendar.monthrange(year, month)[1])


class IndicatorLifecycle(RuleBasedStateMachine):
    @initialize(
        metric=st.sampled_from(("lapse_rate_pct", "claims_decided_in_time_pct")),
        threshold=st.sampled_from(("4.00", "5.00")),
    )
    def define(self, metric: str, threshold: str) -> None:
        self.day = START
        self.indicator = Indicator.define(metric=metric, line=None, threshold=threshold, owner_id="ro-1", on=START)
        self.events: list[Any] = list(self.indicator.collect_events())

    def attempt(self, command: Any) -> None:
        version = self.indicator.version
        try:
            command()
        except DomainError:
            assert self.indicator.pending_events == [] and self.indicator.version == version
        self.events.extend(self.indicator.collect_events())

    @rule(days=st.integers(0, 45))
    def time_passes(self, days: int) -> None:
        self.day += timedelta(days=days)

    @rule(n=st.integers(0, 14), value=VALUES)
    def measure(self, n: int, value: Decimal | None) -> None:
        self.attempt(lambda: self.indicator.measure(month_end(n), value, 1, on=self.day))

    @rule(threshold=st.sampled_from(("3.00", "5.00", "6.50")))
    def change_threshold(self, threshold: str) -> None:
        self.attempt(lambda: self.indicator.change_threshold(threshold, "appetite", on=self.day))

    @rule(no=st.integers(0, 4))
    def acknowledge(self, no: int) -> None:
        self.attempt(lambda: self.indicator.acknowledge(no, "seen", on=self.day))

    @invariant()
    def alerts_come_exactly_at_crossings(self) -> None:
        above = self.indicator.metric == "lapse_rate_pct"
        in_breach, alerts, last = False, 0, None
        for event in self.events:
            if not isinstance(event, Indicator.Measured):
                continue
            assert last is None or event.period_to > last
            assert event.period_to < event.on
            last = event.period_to
            beyond = event.value is not None and (
                event.value > event.threshold if above else event.value < event.threshold
            )
            assert event.breached == beyond
            assert (event.alert_no is not None) == (beyond and not in_breach)
            if event.alert_no is not None:
                alerts += 1
                assert event.alert_no == alerts
            if event.value is not None:
                in_breach = beyond
        assert len(self.indicator.alerts) == alerts and self.indicator.in_breach == in_breach

    @invariant()
    def each_alert_is_acknowledged_at_most_once(self) -> None:
        acknowledged = [e.alert_no for e in self.events if isinstance(e, Indicator.AlertAcknowledged)]
        assert len(acknowledged) == len(set(acknowledged))
        assert {a["no"] for a in self.indicator.alerts if a["acknowledged_on"]} == set(acknowledged)

    @invariant()
    def replaying_the_events_gives_the_live_state(self) -> None:
        replayed = reduce(lambda indicator, event: event.mutate(indicator), self.events, None)
        live = {k: v for k, v in vars(self.indicator).items() if k != "_pending_events"}
        assert {k: v for k, v in vars(replayed).items() if k != "_pending_events"} == live


TestIndicatorLifecycle = IndicatorLifecycle.TestCase
