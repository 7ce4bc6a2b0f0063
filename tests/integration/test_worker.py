"""The worker's jobs beyond projecting: the scheduler on an interval, and projections whose tables
changed rebuilding themselves at start-up (on SQLite and PostgreSQL)."""

from __future__ import annotations

import time
from datetime import date, datetime, timezone
from typing import Any
from uuid import UUID

from sqlalchemy import select, update

from application import policies
from application.customers import register_individual
from domain import clock
from domain.policy import Policy
from interface.bootstrap import bootstrap
from interface.scheduler import Ticker
from projections.customers import customers
from projections.db import schema_table
from tests.helpers import ctx, individual


def an_issued_monthly_policy(app: Any, on: date) -> UUID:
    holder = UUID(register_individual(app, ctx(), **individual(7, annual_income="600000")).id)
    product = app.catalogue.get("term_life")
    answers = {q.id: not q.adverse for q in product.disclosure_questions}
    applied = policies.apply_for_policy(
        app, ctx(), applicant_id=holder, insured_id=holder, relationship="self", product_code="term_life",
        sum_insured="500000", term_months=120, premium_mode="monthly", disclosures=answers,
        beneficiaries=[{"name": "王芳", "share": "100"}], applied_on=on)
    policy = app.load(Policy, UUID(applied.id))
    policies.act(app, ctx(), policy.id, "pay_premium", on, amount=policy.quoted_installment, paid_on=on,
                 reference="first")
    return policy.id


def test_the_worker_s_ticker_records_a_lapse_once_its_date_has_come(services: Any) -> None:
    simulated = clock.SimulatedClock(datetime(2025, 3, 1, 2, tzinfo=timezone.utc))
    with clock.using(simulated):
        policy_id = an_issued_monthly_policy(services.app, date(2025, 3, 1))
        services.read_side.catch_up()
        simulated.set(datetime(2025, 6, 1, 2, tzinfo=timezone.utc))  # the second installment never paid
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
