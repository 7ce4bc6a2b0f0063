"""The satisfaction surveys and the improvement plans on SQLite and PostgreSQL (guide 8.3; projections.surveys,
projections.improvement_plans, projections.reports.survey_analysis): the analysis asked as of every position
of the log answers what the surveys recorded up to it; an erased customer's scores stay counted while what
they said is gone; a plan keeps the baseline the analysis gave and the position it gave it at; a rebuild
writes exactly what the live projections wrote."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any
from uuid import UUID

import pytest
from sqlalchemy import select

from application.commands import customers, improvement, privacy
from domain import clock
from domain.customer.aggregate import ERASED
from domain.improvement.rules import DIMENSIONS, Scope
from projections.improvement_plans import improvement_plans
from projections.reports.survey_analysis import SPEC, dimension_score
from projections.surveys import satisfaction_surveys
from tests.builders.common import ctx
from tests.builders.office import Office
from tests.builders.registers import every_row

D = date
START = D(2026, 1, 5)
COMMENT = "the agent never called back about my claim"


@pytest.fixture
def simulated() -> Iterator[clock.SimulatedClock]:
    moving = clock.SimulatedClock(datetime(2026, 1, 5, 2, tzinfo=UTC))
    with clock.using(moving):
        yield moving


def surveyed(services: Any, simulated: clock.SimulatedClock) -> tuple[list[dict[str, Any]], UUID, UUID]:
    """Nine surveys over three months by two individuals (one holding a term life policy) and a firm, each
    about the policy or about nothing; what each recorded, at which position."""
    office = Office(services)
    holder, other, firm = office.person(1), office.person(2), office.firm(3)
    policy = office.apply(holder, on=START)
    recorded = []
    for n in range(9):
        simulated.set(datetime(2026, 1, 5, 2, tzinfo=UTC) + timedelta(days=11 * n))
        who = (holder, other, firm)[n % 3]
        about = str(policy.id) if n % 2 == 0 else None
        scores = {d: 1 + (n * (i + 2)) % 5 for i, d in enumerate(DIMENSIONS)}
        result = customers.record_satisfaction_survey(
            services.app, ctx(), who, comment=COMMENT, related_id=about, **scores
        )
        day = clock.now().date()
        recorded.append(
            {
                "position": result.position,
                "day": day,
                "kind": "enterprise" if who == firm else "individual",
                "product": "term_life" if about else None,
                **scores,
            }
        )
    services.read_side.catch_up()
    return recorded, other, policy.id


def expected(recorded: list[dict[str, Any]], position: int, start: date, end: date) -> dict[str, Any]:
    counted = [r for r in recorded if r["position"] <= position and start <= r["day"] <= end]
    n = len(counted)

    def avg(total: int, count: int) -> Decimal | None:
        return None if count == 0 else (Decimal(total) / count).quantize(Decimal("0.01"), ROUND_HALF_UP)

    return {
        "surveys": n,
        **{f"{d}_avg": avg(sum(r[d] for r in counted), n) for d in DIMENSIONS},
        "overall_avg": avg(sum(r[d] for r in counted for d in DIMENSIONS), 4 * n),
    }


def test_the_analysis_as_of_every_position_answers_what_was_recorded_up_to_it(
    services: Any, simulated: clock.SimulatedClock
) -> None:
    recorded, _, _ = surveyed(services, simulated)
    start, end = D(2026, 1, 1), D(2026, 3, 10)
    first, head = recorded[0]["position"] - 1, services.read_side.head()

    with services.read_side.queries.connect() as conn:
        for position in range(first, head + 1):
            report = SPEC.run(conn, position, start, end, "product")
            want = expected(recorded, position, start, end)
            assert {k: report.totals[k] for k in want} == want, position
            products = {row["product"]: row["surveys"] for row in report.rows}
            assert sum(products.values()) == want["surveys"]
            assert products.get("term_life", 0) == len(
                [r for r in recorded if r["position"] <= position and r["product"] and start <= r["day"] <= end]
            )
            count, average = dimension_score(conn, position, Scope("speed", start, end, "term_life", "agent"))
            about = [r for r in recorded if r["position"] <= position and r["product"] and start <= r["day"] <= end]
            assert (count, average) == (len(about), expected(about, position, start, end)["speed_avg"])
        by_kind = SPEC.run(conn, None, start, end, "kind")
    assert {row["kind"]: row["surveys"] for row in by_kind.rows} == Counter(
        r["kind"] for r in recorded if start <= r["day"] <= end
    )


def test_an_erased_customers_scores_stay_counted_and_what_they_said_is_nowhere(
    services: Any, simulated: clock.SimulatedClock
) -> None:
    recorded, other, _ = surveyed(services, simulated)
    before = every_row(services.read_side)["satisfaction_surveys"]

    privacy.erase(services.app, ctx("admin-1", "admin"), other, "the customer asked (PIPL Art. 47)")
    services.read_side.catch_up()

    rows = every_row(services.read_side)
    assert rows["satisfaction_surveys"] == before and len(before) == len(recorded)
    assert [r["customer_id"] for r in before].count(str(other)) == 3
    assert all(COMMENT not in str(row) for table in rows.values() for row in table)
    erased = [r for r in rows["customers"] if r["customer_id"] == str(other)]
    assert erased and all(r["name"] == ERASED for r in erased)


def test_a_plan_keeps_the_baseline_the_analysis_gave_and_a_rebuild_writes_what_the_live_projection_did(
    services: Any, simulated: clock.SimulatedClock
) -> None:
    recorded, _, _ = surveyed(services, simulated)
    scope = Scope("quality", D(2026, 1, 1), D(2026, 2, 28))
    simulated.set(datetime(2026, 3, 31, 2, tzinfo=UTC))
    raised = improvement.raise_plan(
        services.app,
        ctx("sm-1", "service_manager"),
        scope=scope,
        title="quality",
        finding="low",
        owner_id="sm-1",
        on=D(2026, 3, 31),
    )
    improvement.add_action(
        services.app,
        ctx("sm-1", "service_manager"),
        UUID(raised.id),
        D(2026, 3, 31),
        description="review",
        owner_id="co-1",
        due_on=D(2026, 4, 10),
    )
    services.read_side.catch_up()

    c = improvement_plans.c
    with services.read_side.engine.connect() as conn:
        row = conn.execute(select(improvement_plans).where(c.valid_to.is_(None))).mappings().one()
    want = expected(recorded, row["baseline_position"], scope.period_from, scope.period_to)
    assert (row["baseline_surveys"], Decimal(str(row["baseline_score"]))) == (want["surveys"], want["quality_avg"])
    assert (row["actions_total"], row["next_due_on"]) == (1, D(2026, 4, 10))
    live = every_row(services.read_side)
    services.read_side.rebuild()
    assert every_row(services.read_side) == live
    assert len(live["improvement_plans"]) == 2 and len(live["improvement_plan_actions"]) == 1
    assert len(live[satisfaction_surveys.name]) == len(recorded)
