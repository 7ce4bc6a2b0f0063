"""Latencies over the volume book: register and report queries, now and as of a year ago, each beside
the database running the very statements our path sent (replayed with psycopg, no Python layer); time
travel of a policy with 150 events beside reading its events."""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any
from uuid import UUID

import psycopg
from sqlalchemy import Connection, event, func, select

from application.commands import policies as policy_commands
from application.commands import policy_servicing as servicing
from application.context import CommandContext
from bench.common import percentile
from domain.identifiers import CHINA_TZ, china_today
from domain.policy.aggregate import Policy
from interface.bootstrap import Services
from projections import claims as cl
from projections import policies as pol
from projections.audit_log import audit_log, position_at
from projections.queries import Page, one, page_of
from projections.reports import REPORTS
from projections.versioned import as_of

#: Each case is sampled until it has `samples` timings or has taken this long (at least MIN_SAMPLES).
BUDGET_SECONDS = 12.0
MIN_SAMPLES = 10


def timed(samples: int, work: Callable[[int], Any], budget: float = BUDGET_SECONDS) -> dict[str, float]:
    """p50 and p99 in milliseconds of `work(i)` for i in range(samples), after two warm-up calls; a slow
    case stops early once it has run for `budget` seconds and has MIN_SAMPLES timings (`samples` says)."""
    work(0), work(1)
    times: list[float] = []
    deadline = time.perf_counter() + budget
    for i in range(samples):
        started = time.perf_counter()
        work(i)
        times.append((time.perf_counter() - started) * 1000)
        if len(times) >= MIN_SAMPLES and started > deadline:
            break
    times.sort()
    return {"p50_ms": percentile(times, 50), "p99_ms": percentile(times, 99), "samples": len(times)}


def report(conn: Connection, name: str, position: int | None, group_by: str) -> dict[str, Any]:
    """The product's own report (projections.reports) over the last twelve months, as the API runs it."""
    today = date.today()
    result = REPORTS[name].run(conn, position, today - timedelta(days=365), today, group_by)
    return {"rows": len(result.rows), "totals": {k: str(v) for k, v in result.totals.items()}}


def statements(conn: Connection, work: Callable[[int], Any], i: int) -> list[tuple[str, Any]]:
    """The SQL statements (with their parameters) that `work(i)` sends through `conn`."""
    sent: list[tuple[str, Any]] = []

    def grab(_conn: Any, _cursor: Any, statement: str, parameters: Any, _context: Any, _many: bool) -> None:
        sent.append((statement, parameters))

    event.listen(conn, "before_cursor_execute", grab)
    try:
        work(i)
    finally:
        event.remove(conn, "before_cursor_execute", grab)
    return sent


def measured(
    conn: Connection, raw: psycopg.Connection[Any], samples: int, work: Callable[[int], Any]
) -> dict[str, Any]:
    """Ours: `work(i)` timed, recording the statements each call sends. The baseline: psycopg sending the
    same statements and fetching every row, so the ratio is what our layer (SQLAlchemy, row mapping,
    Python) adds to the database's own work."""
    sent: dict[int, list[tuple[str, Any]]] = {}

    def ours(i: int) -> None:
        sent[i] = statements(conn, work, i)

    def baseline(i: int) -> None:
        for sql, parameters in sent[i % len(sent)]:
            raw.execute(sql, parameters).fetchall()

    return {"ours": timed(samples, ours), "baseline": timed(samples, baseline)}


def registers(services: Services, samples: int) -> dict[str, Any]:
    """Each query the API runs for a register page, one row and the reports, now and a year ago."""
    rng = random.Random(1)
    url = services.settings.database_url
    with services.read_side.engine.connect() as conn, psycopg.connect(url, autocommit=True) as raw:
        year_ago = position_at(conn, datetime.now(UTC) - timedelta(days=365))
        reached = services.read_side.position("policies", conn)
        ids = [row[0] for row in conn.execute(select(pol.policies.c.policy_id).where(as_of(pol.policies, year_ago)))]
        ids = rng.sample(ids, min(len(ids), 500)) or [str(UUID(int=0))]

        def page(table: Any, sortable: Any, default: str, position: int | None) -> Callable[[int], Any]:
            return lambda i: page_of(conn, table, position, [], Page(1 + i % 10, 50, None), sortable, default, reached)

        def by_id(position: int | None) -> Callable[[int], Any]:
            return lambda i: one(conn, pol.policies, ids[i % len(ids)], position)

        def of(name: str, group_by: str, position: int | None) -> Callable[[int], Any]:
            return lambda i: report(conn, name, position, group_by)

        cases: dict[str, Callable[[int], Any]] = {}
        for label, position in (("now", None), ("as of a year ago", year_ago)):
            cases[f"policies register, page of 50, {label}"] = page(
                pol.policies, pol.SORTABLE, pol.DEFAULT_SORT, position
            )
            cases[f"claims register, page of 50, {label}"] = page(
                cl.claims, cl.CLAIM_SORTABLE, "-reported_on", position
            )
            cases[f"one policy by id, {label}"] = by_id(position)
            cases[f"loss ratio report by product, {label}"] = of("loss_ratio", "product", position)
            cases[f"claims timeliness report by line, {label}"] = of("claims_timeliness", "line", position)
            cases[f"persistency report by channel, {label}"] = of("persistency", "channel", position)
        result: dict[str, Any] = {
            "year_ago_position": year_ago,
            "head": reached,
            "cases": {},
            "baseline": "the same SQL statements replayed with psycopg",
        }
        for label, ours in cases.items():
            result["cases"][label] = measured(conn, raw, samples, ours)
        result["loss_ratio_now"] = report(conn, "loss_ratio", None, "line")
        result["loss_ratio_year_ago"] = report(conn, "loss_ratio", year_ago, "line")
    return result


#: Time travel is measured on a policy with at least this many events (SPEC: 100+).
LONG_LIVED = 150


def long_lived(services: Services, at_least: int = LONG_LIVED) -> tuple[UUID, int]:
    """The policy in force with the most events, brought up to `at_least` events by changes of its
    contact details recorded through the product's own command (the book's longest has about 66)."""
    app = services.app
    with services.read_side.engine.connect() as conn:
        count = func.count().label("n")
        row = conn.execute(
            select(audit_log.c.aggregate_id, count)
            .join(pol.policies, pol.policies.c.policy_id == audit_log.c.aggregate_id)
            .where(as_of(pol.policies, None), pol.policies.c.status == "in_force")
            .group_by(audit_log.c.aggregate_id)
            .order_by(count.desc())
            .limit(1)
        ).first()
    if row is None:
        raise LookupError("the book holds no policy in force")
    policy_id, events = UUID(row[0]), int(row[1])
    today = china_today()
    for i in range(events, at_least):
        servicing.change(
            app,
            CommandContext(actor_id="bench", actor_role="agent", channel="batch"),  # a command id each
            policy_id,
            today,
            kind="contacts",
            details={"contacts": {"phone": f"1380013{i:04d}"}},
            document_ref=f"BENCH-{i}",
            effective_on=today,
        )
    services.read_side.catch_up()
    return policy_id, max(events, at_least)


def time_travel(services: Services, samples: int) -> dict[str, Any]:
    """A policy in force with 150 events (long_lived): loaded now, at an early version, as of the moment
    of its middle event (version from the audit log, then load) and its cover on that date; beside
    reading its events."""
    app = services.app
    policy_id, events = long_lived(services)
    with services.read_side.engine.connect() as conn:
        middle = conn.execute(
            select(audit_log.c.recorded_at).where(
                audit_log.c.aggregate_id == str(policy_id), audit_log.c.aggregate_version == max(1, events // 2)
            )
        ).scalar_one()
    moment = middle.replace(tzinfo=UTC) if middle.tzinfo is None else middle
    day = moment.astimezone(CHINA_TZ).date()

    def as_of_moment(_: int) -> Policy:
        with services.read_side.engine.connect() as conn:
            version = conn.execute(
                select(func.max(audit_log.c.aggregate_version)).where(
                    audit_log.c.aggregate_id == str(policy_id), audit_log.c.recorded_at <= moment
                )
            ).scalar_one()
        return app.load(Policy, policy_id, version=version)

    cases = {
        f"load now (all {events} events)": lambda i: app.load(Policy, policy_id),
        f"at an early version ({max(1, events // 4)})": lambda i: app.load(
            Policy, policy_id, version=max(1, events // 4)
        ),
        f"as of {day} (version from the audit log, then load)": as_of_moment,
        f"cover on {day} (as claims are judged)": lambda i: policy_commands.cover_on(app, policy_id, day),
    }
    baseline = timed(samples, lambda i: app.recorder.select_events(policy_id))
    return {
        "policy_id": str(policy_id),
        "events": events,
        "baseline": baseline,
        "cases": {label: timed(samples, work) for label, work in cases.items()},
    }
