"""Live catch-up under load: how long after a command is recorded every projection shows it (the lag a
reader asking `?after=` waits), while a rebuild of every register by worker processes runs beside it on the
same database (`rebuild --workers`), beside the same lag with nothing else running.

Commands register customers one after another at a steady rate through the application, with the
projections running in-process as the API runs them; each lag is from the moment the command returned to
the moment every projection's position reached it (polled every 5 ms)."""

from __future__ import annotations

import multiprocessing
import time
from typing import Any

from application.context import CommandContext
from bench.common import individual, percentile
from domain.customer.aggregate import Customer
from domain.identity.aggregate import IdentityClaim
from interface.bootstrap import Services

#: Commands a second, and the region code of the customers the measurement registers.
RATE = 20
REGION = "310104"
POLL_SECONDS = 0.005


def lags(services: Services, seconds: float, first: int) -> tuple[list[float], int]:
    """The lag in milliseconds of each command recorded during `seconds` (customers from number `first`),
    and the number of the next customer."""
    app, read = services.app, services.read_side
    ctx = CommandContext(actor_id="bench", actor_role="agent", channel="batch")
    found: list[float] = []
    deadline, i = time.monotonic() + seconds, first
    while time.monotonic() < deadline:
        started = time.monotonic()
        customer = Customer.register_individual(**individual(i, REGION))
        claim = IdentityClaim.claim(customer.identity_key, customer.id, app.identity_secret)
        position = app.record(ctx, customer, claim).position
        saved = time.monotonic()
        while min(read.positions().values()) < position:
            if time.monotonic() - saved > 60:
                raise RuntimeError(f"the projections did not reach position {position} within 60 s")
            time.sleep(POLL_SECONDS)
        found.append((time.monotonic() - saved) * 1000)
        i += 1
        time.sleep(max(0.0, 1 / RATE - (time.monotonic() - started)))
    return found, i


def figures(found: list[float]) -> dict[str, Any]:
    return {"p50_ms": percentile(found, 50), "p99_ms": percentile(found, 99), "max_ms": found[-1], "n": len(found)}


def _rebuild(url: str, secret: str, workers: int) -> None:
    from bench.volume import services_for

    services = services_for(url, secret)
    try:
        services.read_side.rebuild(workers=workers)
    finally:
        services.close()


def under_rebuild(services: Services, url: str, secret: str, workers: int, idle_seconds: float) -> dict[str, Any]:
    """The lag with nothing else running for `idle_seconds`, then while a rebuild by `workers` processes
    runs (from its start to its end)."""
    services.read_side.start(poll_interval=0.05)
    # customers numbered from the head of the log: a run never registers an ID number an earlier one did
    # (each registration records two events or more)
    i = 10_000_000 + services.read_side.head()
    try:
        idle, i = lags(services, idle_seconds, i)
        context = multiprocessing.get_context("spawn")
        rebuild = context.Process(target=_rebuild, args=(url, secret, workers), name="rebuild")
        rebuild.start()
        busy: list[float] = []
        started = time.monotonic()
        while rebuild.is_alive():
            found, i = lags(services, 2.0, i)
            busy += found
        rebuild.join()
        seconds = time.monotonic() - started
    finally:
        services.read_side.stop()
    return {
        "rate_per_s": RATE,
        "idle": figures(sorted(idle)),
        "during_rebuild": figures(sorted(busy)) | {"rebuild_seconds": seconds, "rebuild_exit": rebuild.exitcode},
        "rebuild_workers": workers,
    }
