"""HTTP load without wrk: a pool of client processes (multiprocessing + httpx), one connection per thread."""

from __future__ import annotations

import multiprocessing as mp
import os
import threading
import time
from collections import Counter
from typing import Any

from bench.common import individual_body, percentile


def _client(
    base_url: str,
    token: str,
    region: str,
    index: int,
    stride: int,
    deadline: float,
    latencies: list[float],
    statuses: Counter[int],
    errors: Counter[str],
) -> None:
    import httpx

    headers = {"Authorization": f"Bearer {token}"}
    n = 0
    with httpx.Client(base_url=base_url, headers=headers, timeout=30.0) as client:
        while time.monotonic() < deadline:
            body = individual_body(index + n * stride, region)
            n += 1
            started = time.monotonic()
            try:
                status = client.post("/api/v1/customers", json=body).status_code
            except httpx.HTTPError as e:
                errors[type(e).__name__] += 1
                continue
            latencies.append(time.monotonic() - started)
            statuses[status] += 1


def _worker(
    base_url: str, token: str, region: str, indexes: list[int], stride: int, seconds: float, barrier: Any, results: Any
) -> None:
    """One process: a thread (and a keep-alive connection) per index; all start on the barrier."""
    import httpx  # noqa: F401  (imported before the barrier, so start-up is not measured)

    latencies: list[float] = []
    statuses: Counter[int] = Counter()
    errors: Counter[str] = Counter()
    barrier.wait()
    started = time.monotonic()
    deadline = started + seconds
    threads = [
        threading.Thread(
            target=_client, args=(base_url, token, region, i, stride, deadline, latencies, statuses, errors)
        )
        for i in indexes
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    results.put((started, time.monotonic(), latencies, dict(statuses), dict(errors)))


def run(
    base_url: str, token: str, region: str, connections: int, seconds: float, processes: int | None = None
) -> dict[str, Any]:
    """Drive POST /api/v1/customers for `seconds` from separate processes; the same report as bench.wrk.run."""
    ctx = mp.get_context("spawn")
    # Half the cores by default: the clients must not starve the server they measure.
    processes = max(1, min(processes or (os.cpu_count() or 2) // 2, connections))
    slices = [list(range(p, connections, processes)) for p in range(processes)]
    barrier = ctx.Barrier(processes + 1)
    results = ctx.Queue()
    workers = [
        ctx.Process(
            target=_worker, args=(base_url, token, region, indexes, connections, seconds, barrier, results), daemon=True
        )
        for indexes in slices
    ]
    for worker in workers:
        worker.start()
    barrier.wait(timeout=120)
    parts = [results.get(timeout=seconds + 120) for _ in workers]
    for worker in workers:
        worker.join(timeout=10)
    started = min(p[0] for p in parts)
    duration = max(p[1] for p in parts) - started
    latencies = sorted(x for p in parts for x in p[2])
    statuses: Counter[int] = Counter()
    errors: Counter[str] = Counter()
    for p in parts:
        statuses.update(p[3])
        errors.update(p[4])
    return {
        "driver": f"process pool ({processes} client process(es), httpx, {connections} connections)",
        "connections": connections,
        "duration_s": duration,
        "requests": len(latencies),
        "rps": len(latencies) / duration if duration else 0.0,
        "p50_ms": percentile(latencies, 50) * 1000,
        "p99_ms": percentile(latencies, 99) * 1000,
        "mean_ms": sum(latencies) / len(latencies) * 1000 if latencies else 0.0,
        "max_ms": (latencies[-1] * 1000) if latencies else 0.0,
        "statuses": dict(statuses),
        "socket_errors": dict(errors),
    }
