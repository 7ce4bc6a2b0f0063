"""The worker's jobs beyond projecting: the scheduler on an interval, and projections whose tables
changed rebuilding themselves at start-up (on SQLite and PostgreSQL)."""

from __future__ import annotations

import logging
import time
from datetime import UTC, date, datetime
from typing import Any
from uuid import UUID

from sqlalchemy import select, update

from application.commands import policies as policies
from application.commands import policy_servicing as servicing
from application.commands.customers import register_individual
from domain import clock
from domain.policy.aggregate import Policy
from interface.bootstrap import bootstrap
from interface.scheduler import Ticker
from projections.customers import customers
from projections.db import schema_table
from tests.builders.common import ctx, individual


def an_issued_monthly_policy(app: Any, on: date) -> UUID:
    holder = UUID(register_individual(app, ctx(), **individual(7, annual_income="600000")).id)
    product = app.catalogue.get("term_life")
    answers = {q.id: not q.adverse for q in product.disclosure_questions}
    applied = policies.apply_for_policy(
        app,
        ctx(),
        applicant_id=holder,
        insured_id=holder,
        relationship="self",
        product_code="term_life",
        sum_insured="500000",
        term_months=120,
        premium_mode="monthly",
        disclosures=answers,
        beneficiaries=[{"name": "王芳", "share": "100"}],
        applied_on=on,
    )
    policy: Policy = app.load(Policy, UUID(applied.id))
    servicing.pay_premium(app, ctx(), policy.id, on, amount=policy.quoted_installment, reference="first")
    return policy.id


def test_the_worker_s_ticker_records_a_lapse_once_its_date_has_come(services: Any) -> None:
    simulated = clock.SimulatedClock(datetime(2025, 3, 1, 2, tzinfo=UTC))
    with clock.using(simulated):
        policy_id = an_issued_monthly_policy(services.app, date(2025, 3, 1))
        services.read_side.catch_up()
        # The second installment (due 04-01) never paid: its 60 days of grace end on 05-31, a Saturday in
        # the Dragon Boat Festival holiday, so on Tuesday 06-03 (Civil Code Art. 203); it lapses the day after.
        simulated.set(datetime(2025, 6, 4, 2, tzinfo=UTC))
        services.read_side.start(0.05)
        ticker = Ticker(services, interval=0.1)

        ticker.start()
        deadline = time.monotonic() + 20
        while services.app.load(Policy, policy_id).status != "lapsed" and time.monotonic() < deadline:
            time.sleep(0.1)
        ticker.stop()

    policy = services.app.load(Policy, policy_id)
    assert policy.status == "lapsed"
    lapses = [e for e in services.app.events.get(policy_id) if isinstance(e, Policy.Lapsed)]
    assert len(lapses) == 1
    assert lapses[0].meta["actor_id"] == "system"


def test_a_projection_whose_tables_changed_rebuilds_itself_at_start_up(services: Any, test_settings: Any) -> None:
    for seed in range(3):
        register_individual(services.app, ctx(), **individual(seed))
    services.read_side.catch_up()
    with services.read_side.engine.connect() as conn:
        before = [dict(r) for r in conn.execute(select(customers).order_by(customers.c.customer_id)).mappings()]
    with services.read_side.writer.begin() as conn:  # as if the table had been defined differently
        conn.execute(update(schema_table).where(schema_table.c.projection == "customers").values(fingerprint="old"))

    restarted = bootstrap(test_settings, run_projections=False)
    try:
        reset = restarted.read_side.position("customers")
        untouched = restarted.read_side.position("audit_log")
        restarted.read_side.catch_up()
        with restarted.read_side.engine.connect() as conn:
            after = [dict(r) for r in conn.execute(select(customers).order_by(customers.c.customer_id)).mappings()]
    finally:
        restarted.close()

    assert (reset, untouched) == (0, services.read_side.head())
    assert after == before


def issued_monthly_policies(app: Any, on: date, seeds: tuple[int, ...]) -> list[UUID]:
    """Term life paid monthly from `on`, one per seed (its own policyholder), the first premium paid."""
    product = app.catalogue.get("term_life")
    answers = {q.id: not q.adverse for q in product.disclosure_questions}
    ids = []
    for seed in seeds:
        holder = UUID(register_individual(app, ctx(), **individual(seed, annual_income="600000")).id)
        applied = policies.apply_for_policy(
            app,
            ctx(),
            applicant_id=holder,
            insured_id=holder,
            relationship="self",
            product_code="term_life",
            sum_insured="500000",
            term_months=120,
            premium_mode="monthly",
            disclosures=answers,
            beneficiaries=[{"name": "王芳", "share": "100"}],
            applied_on=on,
        )
        policy = app.load(Policy, UUID(applied.id))
        servicing.pay_premium(app, ctx(), policy.id, on, amount=policy.quoted_installment, reference="first")
        ids.append(policy.id)
    return ids


def test_the_worker_s_ticker_logs_a_failing_policy_and_goes_on_with_the_others(
    services: Any, monkeypatch: Any, caplog: Any
) -> None:
    simulated = clock.SimulatedClock(datetime(2025, 3, 1, 2, tzinfo=UTC))
    with clock.using(simulated):
        failing, other = issued_monthly_policies(services.app, date(2025, 3, 1), (51, 52))
        services.read_side.catch_up()
        # The second installments never paid: grace ends on 06-03 (05-31 is a holiday), lapse on 06-04.
        simulated.set(datetime(2025, 6, 4, 2, tzinfo=UTC))
        real = policies.advance

        def advance(app: Any, policy_id: UUID, today: date, **options: Any) -> Any:
            if policy_id == failing:
                raise RuntimeError("this policy cannot be read")
            return real(app, policy_id, today, **options)

        monkeypatch.setattr(policies, "advance", advance)
        services.read_side.start(0.05)
        ticker = Ticker(services, interval=0.1)

        with caplog.at_level(logging.ERROR, logger="interface.scheduler"):
            ticker.start()
            deadline = time.monotonic() + 20
            while (
                services.app.load(Policy, other).status != "lapsed"
                or sum(str(failing) in r.getMessage() for r in caplog.records) < 4
            ) and time.monotonic() < deadline:
                time.sleep(0.1)
            alive = ticker._thread.is_alive()
            ticker.stop()

    assert services.app.load(Policy, other).status == "lapsed"
    assert services.app.load(Policy, failing).status == "in_force"
    named = [r for r in caplog.records if r.name == "interface.scheduler" and str(failing) in r.getMessage()]
    assert len(named) >= 4 and alive  # ticked again and again: the failure never stopped the clock
    assert any(r.exc_info and "cannot be read" in str(r.exc_info[1]) for r in named)  # with its traceback
    assert not any("tick failed" in r.getMessage() for r in caplog.records)  # never the whole tick


def test_a_policy_that_fails_half_way_through_a_tick_leaves_nothing_behind_for_the_next(
    test_settings: Any, monkeypatch: Any
) -> None:
    """With the aggregate cache on, a policy whose lapse was triggered but not saved is not reused:
    the next tick records its lapse once, from the stored events."""
    from interface.scheduler import tick

    built = bootstrap(test_settings.model_copy(update={"aggregate_cache": 64}), run_projections=False)
    try:
        simulated = clock.SimulatedClock(datetime(2025, 3, 1, 2, tzinfo=UTC))
        with clock.using(simulated):
            failing, other = issued_monthly_policies(built.app, date(2025, 3, 1), (61, 62))
            for policy_id in (failing, other):
                built.app.view(Policy, policy_id)  # both in the cache
            built.read_side.catch_up()
            simulated.set(datetime(2025, 6, 4, 2, tzinfo=UTC))  # grace ends 06-03 (05-31 a holiday)
            real = policies._lifecycle

            def lifecycle(app: Any, policy: Policy) -> Any:  # after the lapse is triggered, before the save
                if policy.id == failing:
                    assert policy.pending_events
                    raise RuntimeError("the policyholder cannot be read")
                return real(app, policy)

            monkeypatch.setattr(policies, "_lifecycle", lifecycle)
            first = tick(built, date(2025, 6, 4))
            monkeypatch.undo()
            built.read_side.catch_up()
            second = tick(built, date(2025, 6, 4))
            stored = list(built.app.events.get(failing))
            live = built.app.load(Policy, failing)
    finally:
        built.close()

    assert [(f.kind, f.id) for f in first.failures] == [("policy", str(failing))]
    assert "the policyholder cannot be read" in first.failures[0].error
    assert (first.changed, second.changed, second.failures) == (1, 1, ())
    assert [type(e).__name__ for e in stored].count("Lapsed") == 1
    assert [e.originator_version for e in stored] == list(range(1, len(stored) + 1))
    assert (live.status, live.version) == ("lapsed", len(stored))
