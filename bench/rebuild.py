"""Projection rebuild rate beside reading and deserializing the notification log alone."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from sqlalchemy import text

from application.context import CommandContext
from application.infrastructure.settings import Settings
from bench.common import individual
from domain.customer.aggregate import Customer
from domain.identity.aggregate import IdentityClaim
from interface.bootstrap import Services, bootstrap


def open_services(database_url: str, jwt_secret: str) -> Services:
    """Write and read side on the database, projections not running (the bench drives them)."""
    return bootstrap(Settings(database_url=database_url, jwt_secret=jwt_secret), run_projections=False)


def count_events(services: Services) -> int:
    table = services.app.recorder.events_table_name  # type: ignore[attr-defined]
    with services.read_side.engine.connect() as conn:
        return int(conn.execute(text(f'SELECT count(*) FROM "{table}"')).scalar() or 0)


def seed(
    services: Services, region: str, events: int, per_command: int = 100, progress: Callable[[int], Any] | None = None
) -> int:
    """Add at least `events` events through the application, `per_command` customers per command.

    Each customer: registration, identity claim, and for every other one a contacts change, so the
    customers projection also updates rows, not only inserts them. Returns the events recorded.
    """
    app, added, i = services.app, 0, 0
    while added < events:
        aggregates = []
        for _ in range(per_command):
            customer = Customer.register_individual(**individual(i, region))
            if i % 2:
                customer.change_contacts({"phone": "13900139000", "email": f"c{i}@example.cn"})
            aggregates += [customer, IdentityClaim.claim(customer.identity_key, customer.id, app.identity_secret)]
            i += 1
        count = sum(len(a.pending_events) for a in aggregates)
        app.record(CommandContext(actor_id="bench", actor_role="agent", channel="batch"), *aggregates)
        added += count
        if progress is not None:
            progress(count)
    return added


def read_log(services: Services, batch_size: int) -> int:
    """The baseline: select_notifications in the projections' batch size + mapper.to_domain_event."""
    recorder, mapper = services.app.recorder, services.app.mapper
    start, read = 1, 0
    while True:
        notifications = recorder.select_notifications(start=start, limit=batch_size, inclusive_of_start=True)
        if not notifications:
            return read
        for notification in notifications:
            mapper.to_domain_event(notification)
        read += len(notifications)
        start = notifications[-1].id + 1


def _timed(work: Callable[[], int]) -> tuple[int, float]:
    started = time.perf_counter()
    count = work()
    return count, time.perf_counter() - started


def _split(marks: list[tuple[float, int]], started: float, events: int, names: list[str]) -> dict[str, Any]:
    """Each projection's share of one rebuild(): it runs them in turn, `events` notifications each."""
    split, done, since = {}, 0, started
    for name in names:
        target = done + events
        end = next((t for t, cumulative in marks if cumulative >= target), marks[-1][0] if marks else started)
        split[name] = {"seconds": end - since, "events_per_s": events / (end - since) if end > since else 0.0}
        done, since = target, end
    return split


def run(services: Services) -> dict[str, Any]:
    """Catch up (the live path), then time ReadSide.rebuild() beside the log read alone before and after it."""
    read_side = services.read_side
    batch = read_side.batch_size
    names = list(read_side.projections)
    behind = max(read_side.head() - min(read_side.position(n) for n in names), 0)
    caught, seconds_caught = _timed(read_side.catch_up)
    events = count_events(services)
    read_before, seconds_before = _timed(lambda: read_log(services, batch))
    marks: list[tuple[float, int]] = []
    cumulative = [0]

    def progress(count: int) -> None:
        cumulative[0] += count
        marks.append((time.perf_counter(), cumulative[0]))

    started = time.perf_counter()
    applied, seconds = _timed(lambda: read_side.rebuild(progress=progress))
    read_after, seconds_after = _timed(lambda: read_log(services, batch))
    result: dict[str, Any] = {
        "events": events,
        "batch_size": batch,
        "projections": names,
        # The live path first: it fills the read side, so rebuild() starts from full registers.
        "catch_up": {
            "seconds": seconds_caught,
            "applied": caught,
            "behind": behind,
            "events_per_s": caught / len(names) / seconds_caught if caught else 0.0,
        },
        "rebuild": {"seconds": seconds, "applied": applied, "events_per_s": events / seconds},
        "per_projection": _split(marks, started, events, names),
        # The faster of two reads (one before, one after the rebuild), so cache warmth favours the baseline.
        "read_log": {
            "seconds": [seconds_before, seconds_after],
            "read": [read_before, read_after],
            "events_per_s": events / min(seconds_before, seconds_after),
        },
    }
    if applied != events * len(names) or read_before != events or read_after != events:
        result["mismatch"] = f"{events} events; rebuild applied {applied}, reads saw {read_before}/{read_after}"
    return result
