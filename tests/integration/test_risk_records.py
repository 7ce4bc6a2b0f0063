"""Key risk indicators measured by the scheduler on SQLite and PostgreSQL (guide ch. 9; interface.scheduler,
projections.risks): `tick` on the first day of a month measures the twelve months to the end of the month before,
once, with the figure the report gives at the position it records; the measurement beyond the threshold is an
alert, which stays one alert while the indicator stays in breach; the alerts register answers as of any moment; a
rebuild writes what the live projection wrote."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

import pytest

from application.commands import risks
from application.commands.customers import record_satisfaction_survey
from domain import clock
from domain.risk.aggregate import Indicator
from interface.scheduler import tick
from projections.reports.satisfaction import SPEC as SATISFACTION
from projections.risks import risk_alerts, risk_indicators
from projections.status import ProjectionsFaulted
from projections.versioned import select_as_of
from tests.builders.common import ctx
from tests.builders.office import Office
from tests.builders.registers import every_row

D = date


@pytest.fixture
def simulated() -> Iterator[clock.SimulatedClock]:
    moving = clock.SimulatedClock(datetime(2026, 1, 5, 2, tzinfo=UTC))
    with clock.using(moving):
        yield moving


def survey(services: Any, simulated: clock.SimulatedClock, customer: UUID, moment: datetime, score: int) -> None:
    simulated.set(moment)
    record_satisfaction_survey(
        services.app, ctx(), customer, attitude=score, speed=score, quality=score, claims_convenience=score
    )


def position_of(services: Any, indicator_id: UUID) -> int:
    """The log position the (one) measurement of the indicator says its report was read at."""
    (measured,) = [
        e for e in services.app.repository.event_store.get(indicator_id) if isinstance(e, Indicator.Measured)
    ]
    position: int = measured.position
    return position


def rows(services: Any, table: Any, position: int | None = None) -> list[dict[str, Any]]:
    with services.read_side.engine.connect() as conn:
        return [dict(r) for r in conn.execute(select_as_of(table, position)).mappings()]


def satisfaction_indicator(services: Any) -> UUID:
    """A whole-book satisfaction indicator alerting below 3.50, defined on 5 January 2026."""
    defined = risks.define_indicator(
        services.app,
        ctx("ro-1", "risk_officer"),
        metric="satisfaction_average",
        line=None,
        threshold="3.50",
        owner_id="ro-1",
        on=D(2026, 1, 5),
    )
    return UUID(defined.id)


def test_tick_measures_each_month_once_after_it_ends_with_what_the_report_gives_at_the_position_it_records(
    services: Any, simulated: clock.SimulatedClock
) -> None:
    customer = Office(services).person(1)
    indicator_id = satisfaction_indicator(services)
    survey(services, simulated, customer, datetime(2026, 1, 20, 2, tzinfo=UTC), 3)  # January: 3.00, below 3.50
    survey(services, simulated, customer, datetime(2026, 1, 31, 15, 59, tzinfo=UTC), 4)  # 23:59 in China: still January
    survey(services, simulated, customer, datetime(2026, 1, 31, 16, 0, tzinfo=UTC), 1)  # 00:00 on 1 February in China
    services.read_side.catch_up()

    simulated.set(datetime(2026, 1, 31, 17, tzinfo=UTC))
    assert tick(services, D(2026, 1, 31)).changed == 0  # January has not ended on its last day
    first = tick(services, D(2026, 2, 1))
    services.read_side.catch_up()  # (no runner here: the tick waits for the registers to reach the head)
    again = tick(services, D(2026, 2, 1))
    services.read_side.catch_up()

    assert (first.changed, again.changed, first.failures) == (1, 0, ())
    indicator: Indicator = services.app.load(Indicator, indicator_id)
    (m,) = indicator.measurements
    with services.read_side.queries.connect() as conn:
        report = SATISFACTION.run(conn, position_of(services, indicator_id), D(2025, 2, 1), D(2026, 1, 31))
    # the report at the position the measurement recorded: January's 3.00 and 4.00 (the survey at midnight in
    # China is February's); 3.50 is not below 3.50, so no alert
    assert m["value"] == report.totals["average_score"] == Decimal("3.50")
    assert (m["breached"], indicator.alerts, indicator.in_breach) == (False, [], False)
    (shown,) = rows(services, risk_indicators)
    assert (shown["measurements"], shown["last_period_to"], shown["last_value"], shown["alerts"]) == (
        1,
        D(2026, 1, 31),
        Decimal("3.50"),
        0,
    )


def test_an_indicator_in_breach_stays_one_alert_until_it_recovers_and_a_rebuild_is_the_live_register(
    services: Any, simulated: clock.SimulatedClock
) -> None:
    customer = Office(services).person(2)
    indicator_id = satisfaction_indicator(services)
    survey(services, simulated, customer, datetime(2026, 1, 20, 2, tzinfo=UTC), 2)
    services.read_side.catch_up()
    tick(services, D(2026, 2, 1))  # 2.00 over the twelve months: an alert
    services.read_side.catch_up()
    raised_at = services.read_side.head()
    survey(services, simulated, customer, datetime(2026, 2, 10, 2, tzinfo=UTC), 3)
    services.read_side.catch_up()
    tick(services, D(2026, 3, 1))  # 2.50: still in breach, no new alert
    services.read_side.catch_up()
    risks.acknowledge(
        services.app, ctx("ro-1", "risk_officer"), indicator_id, D(2026, 3, 2), alert_no=1, note="service training"
    )
    survey(services, simulated, customer, datetime(2026, 3, 10, 2, tzinfo=UTC), 5)
    survey(services, simulated, customer, datetime(2026, 3, 11, 2, tzinfo=UTC), 5)
    services.read_side.catch_up()
    tick(services, D(2026, 4, 1))  # 3.75: recovered
    services.read_side.catch_up()

    indicator: Indicator = services.app.load(Indicator, indicator_id)
    assert [(m["value"], m["breached"]) for m in indicator.measurements] == [
        (Decimal("2.00"), True),
        (Decimal("2.50"), True),
        (Decimal("3.75"), False),
    ]
    (alert,) = rows(services, risk_alerts)
    assert (alert["no"], alert["value"], alert["acknowledged_on"], alert["note"]) == (
        1,
        Decimal("2.00"),
        D(2026, 3, 2),
        "service training",
    )
    (then,) = rows(services, risk_alerts, raised_at)
    assert (then["acknowledged_on"], then["note"]) == (None, None)  # as it stood when it was raised
    live = every_row(services.read_side)
    services.read_side.rebuild()
    assert every_row(services.read_side) == live


def test_a_faulted_register_an_indicator_reads_fails_that_indicator_alone_and_the_clocks_go_on(
    services: Any, simulated: clock.SimulatedClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    customer = Office(services).person(3)
    defined = risks.define_indicator(
        services.app,
        ctx("ro-1", "risk_officer"),
        metric="satisfaction_average",
        line=None,
        threshold="3.50",
        owner_id="ro-1",
        on=D(2026, 1, 5),
    )
    services.read_side.catch_up()
    projection = services.read_side.projections["customers"]
    original = projection.apply

    def broken(event: Any, position: int, batch: Any) -> None:
        raise RuntimeError(f"customers register broken at {position}")

    monkeypatch.setattr(projection, "apply", broken)
    survey(services, simulated, customer, datetime(2026, 1, 20, 2, tzinfo=UTC), 2)
    with pytest.raises(ProjectionsFaulted):
        services.read_side.catch_up()

    report = tick(services, D(2026, 2, 1))  # the customers register (satisfaction's source) is faulted

    assert [(f.kind, f.id) for f in report.failures] == [("indicator", defined.id)]
    assert "ReadSideBehind" in report.failures[0].error
    monkeypatch.setattr(projection, "apply", original)
    services.read_side.retry_now()
    services.read_side.catch_up()
    assert tick(services, D(2026, 2, 1)).changed == 1  # measured once the register is back
