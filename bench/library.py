"""Baseline for registration: the eventsourcing library alone saving the same aggregate.

A plain `Application` on the same PostgreSQL database (its own schema, so its events never reach
our notification log), the library's own recorder (no command log), no HTTP, no identity claim:
`Customer.register_individual(...)` then `app.save(customer)`, from as many threads as the HTTP
run has connections.
"""

from __future__ import annotations

import threading
import time
import uuid
from typing import Any
from uuid import UUID

import psycopg
from eventsourcing.application import Application
from eventsourcing.persistence import JSONTranscoder

from application.app import DateAsISO
from application.infrastructure.settings import Settings
from bench.common import REGION_LIBRARY, individual, percentile
from domain.customer.aggregate import Customer


class LibraryApplication(Application[UUID]):
    name = "InscribeBenchLibrary"

    def register_transcodings(self, transcoder: JSONTranscoder) -> None:
        super().register_transcodings(transcoder)
        transcoder.register(DateAsISO())  # Customer events carry a birth date


def _env(database_url: str, schema: str, connections: int) -> dict[str, str]:
    env = Settings(database_url=database_url).eventsourcing_env()
    env.pop("APPLICATION_RECORDER_TOPIC")  # the library's PostgresApplicationRecorder
    env.update(POSTGRES_SCHEMA=schema, POSTGRES_POOL_SIZE=str(connections), POSTGRES_MAX_OVERFLOW="0")
    return env


def _saver(
    app: LibraryApplication,
    index: int,
    stride: int,
    deadline: float,
    stop: threading.Event,
    latencies: list[float],
    failures: list[str],
) -> None:
    n = 0
    while time.monotonic() < deadline and not stop.is_set():
        fields = individual(index + n * stride, REGION_LIBRARY)
        n += 1
        started = time.monotonic()
        try:
            app.save(Customer.register_individual(**fields))
        except Exception as e:
            failures.append(type(e).__name__)
            continue
        latencies.append(time.monotonic() - started)


def run(database_url: str, connections: int, seconds: float, warmup: int = 50) -> dict[str, Any]:
    """Saves per second and per-save latency (domain call + save), `connections` threads."""
    schema = f"bench_library_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    try:
        app = LibraryApplication(env=_env(database_url, schema, connections))
        try:
            offset = 10_000_000  # warm-up IDs, apart from the measured ones
            for i in range(warmup):
                app.save(Customer.register_individual(**individual(offset + i, REGION_LIBRARY)))
            latencies: list[float] = []
            failures: list[str] = []
            started = time.monotonic()
            deadline = started + seconds
            stop = threading.Event()
            threads = [
                threading.Thread(target=_saver, args=(app, i, connections, deadline, stop, latencies, failures))
                for i in range(connections)
            ]
            for thread in threads:
                thread.start()
            try:
                for thread in threads:
                    thread.join()
            finally:  # interrupted: the savers finish their save and stop before the pool closes
                stop.set()
                for thread in threads:
                    thread.join()
            duration = time.monotonic() - started
            saved = app.recorder.max_notification_id() or 0
        finally:
            app.close()
    finally:
        with psycopg.connect(database_url, autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')
    latencies.sort()
    return summary(connections, duration, latencies, failures, saved)


def combine(first: dict[str, Any], second: dict[str, Any]) -> dict[str, Any]:
    """Two runs (one before, one after the HTTP load) as one: what noise there is hits both sides."""
    latencies = sorted(first.pop("_latencies") + second.pop("_latencies"))
    failures = first.pop("_failures") + second.pop("_failures")
    combined = summary(
        first["connections"],
        first["duration_s"] + second["duration_s"],
        latencies,
        failures,
        first["events_in_store"] + second["events_in_store"],
    )
    del combined["_latencies"], combined["_failures"]
    combined["runs"] = [first, second]
    return combined


def summary(
    connections: int, duration: float, latencies: list[float], failures: list[str], saved: int
) -> dict[str, Any]:
    return {
        "driver": f"eventsourcing Application.save, {connections} threads, one process",
        "connections": connections,
        "duration_s": duration,
        "requests": len(latencies),
        "rps": len(latencies) / duration if duration else 0.0,
        "p50_ms": percentile(latencies, 50) * 1000,
        "p99_ms": percentile(latencies, 99) * 1000,
        "mean_ms": sum(latencies) / len(latencies) * 1000 if latencies else 0.0,
        "failures": len(failures),
        "failure_kinds": sorted(set(failures)),
        "events_in_store": saved,
        "_latencies": latencies,
        "_failures": failures,
    }
