"""Volume: a demo book (application.demo.book) of a million events on a fresh PostgreSQL database.

Built through the real commands on simulated time, as `inscribe demo` builds it, by `workers`
processes in lockstep: each builds its own customers (seed + worker), all finish a simulated day
before the night's catch-up and scheduler run (in worker 0) and the next day begins, so the log
keeps its day order. Then: the projection rebuild rate and its peak memory (a child process of its
own), register and report queries current and as of a year ago, and time travel of a long-lived
policy (bench.volume_queries).
"""

from __future__ import annotations

import math
import multiprocessing
import queue
import resource
import secrets
import signal
import sys
import time
from collections import Counter
from collections.abc import Callable
from datetime import date
from typing import Any

from application.demo.book import DEMO_AGGREGATE_CACHE, DemoSummary, build_demo
from application.infrastructure.settings import Settings
from bench import as_of, console, lag, rebuild, report_forms, volume_queries
from bench.common import create_database, drop_database, scalar
from domain.identifiers import china_today
from domain.policy.rules import add_years
from interface.bootstrap import Services, bootstrap
from interface.scheduler import tick

#: Events a customer brings over a three-year book (measured: see README, "Volume"); with a margin.
EVENTS_PER_CUSTOMER = 36
YEARS = 3
BARRIER_SECONDS = 1800.0
EVENTS_TABLE = "inscribe_events"  # the eventsourcing table of the application named Inscribe


def customers_for(events: int) -> int:
    return max(20, math.ceil(events * 1.08 / EVENTS_PER_CUSTOMER))


def services_for(url: str, secret: str) -> Services:
    return bootstrap(
        Settings(database_url=url, jwt_secret=secret, aggregate_cache=DEMO_AGGREGATE_CACHE), run_projections=False
    )


def _worker(
    n: int,
    workers: int,
    url: str,
    secret: str,
    customers: int,
    seed: int,
    start: date,
    barrier: Any,
    days_done: Any,
    results: Any,
) -> None:
    """One builder: its share of the customers; worker 0 also runs each night for all of them."""
    try:
        services = services_for(url, secret)
    except BaseException as failure:
        barrier.abort()
        results.put((n, f"{type(failure).__name__}: {failure}"))
        raise

    def night(day: date) -> None:
        barrier.wait(BARRIER_SECONDS)  # everyone has finished the day before
        if n == 0:
            services.read_side.catch_up()
            report = tick(services, day)
            if report.failures:
                raise RuntimeError(f"tick {day} failed for " + "; ".join(map(str, report.failures)))
        barrier.wait(BARRIER_SECONDS)  # the night's work is recorded

    def progress(done: int, _days: int, _events: int) -> None:
        if n == 0:
            days_done.value = done

    try:
        summary = build_demo(
            services, customers=customers, years=YEARS, seed=seed * 1000 + n, start=start, progress=progress, tick=night
        )
        results.put((n, summary))
    except BaseException as failure:
        barrier.abort()  # the others stop waiting for this one
        results.put((n, f"{type(failure).__name__}: {failure}"))
        raise
    finally:
        services.close()


def build(url: str, secret: str, events: int, workers: int, seed: int, say: Callable[[str], None]) -> dict[str, Any]:
    """Build the book with `workers` processes; the figures of the build."""
    customers = customers_for(events)
    start = add_years(china_today(), -YEARS)
    days = (china_today() - start).days + 1
    services_for(url, secret).close()  # the tables, before the workers race to create them
    context = multiprocessing.get_context("spawn")
    barrier, days_done, results = context.Barrier(workers), context.Value("i", 0), context.Queue()
    shares = [customers // workers + (1 if n < customers % workers else 0) for n in range(workers)]
    say(
        f"building a demo book for about {events:,} events: {customers:,} customers over {YEARS} years "
        f"({days:,} simulated days), {workers} worker process(es)"
    )
    started = time.perf_counter()
    processes = [
        context.Process(
            target=_worker,
            args=(n, workers, url, secret, shares[n], seed, start, barrier, days_done, results),
            name=f"demo-{n}",
        )
        for n in range(workers)
    ]
    for process in processes:
        process.start()
    collected: dict[int, Any] = {}
    try:
        _collect(
            collected, processes, results, log_head(url), lambda: f"day {days_done.value:,}/{days:,}", started, say
        )
    finally:  # also on Ctrl-C or SIGTERM: no worker is left waiting at the barrier
        failed = len(collected) < workers or any(not isinstance(o, DemoSummary) for o in collected.values())
        for process in processes:
            if failed:
                process.terminate()
            process.join()
    seconds = time.perf_counter() - started
    failures = [o for o in collected.values() if not isinstance(o, DemoSummary)]
    if failures or len(collected) < workers:
        raise RuntimeError(f"demo workers failed: {failures or 'a worker died'}")
    summaries = [o for o in collected.values() if isinstance(o, DemoSummary)]
    services = services_for(url, secret)
    try:
        caught_up = _timed(services.read_side.catch_up)  # the last day
        total = services.read_side.head()
    finally:
        services.close()
    return {
        "customers_asked": customers,
        "customers": sum(s.customers for s in summaries),
        "workers": workers,
        "years": YEARS,
        "days": days,
        "start": start.isoformat(),
        "events": total,
        "seconds": seconds,
        "events_per_s": total / seconds,
        "final_catch_up_seconds": caught_up,
        "policies": _sum(s.policies for s in summaries),
        "claims": _sum(s.claims for s in summaries),
        "complaints": _sum(s.complaints for s in summaries),
        "refused": sum(sum(s.refused.values()) for s in summaries),
    }


def _collect(
    collected: dict[int, Any],
    processes: list[Any],
    results: Any,
    head: Callable[[], int],
    where: Callable[[], str],
    started: float,
    say: Callable[[str], None],
) -> None:
    """Wait for every worker's summary (or the first failure), saying how far the build is every 30 s."""
    while len(collected) < len(processes):
        try:
            n, outcome = results.get(timeout=30)
            collected[n] = outcome
            if not isinstance(outcome, DemoSummary):
                return
            continue
        except queue.Empty:
            if any(p.exitcode not in (None, 0) for p in processes):
                return  # a worker died without a word
        elapsed, written = time.perf_counter() - started, head()
        say(f"  {where()}, {written:,} events, {elapsed:,.0f} s, {written / elapsed if elapsed else 0:,.0f} events/s")


def log_head(url: str) -> Callable[[], int]:
    """The head of the log, read with a plain connection (the parent opens no services)."""

    def head() -> int:
        return int(scalar(url, f"SELECT max(notification_id) FROM {EVENTS_TABLE}") or 0)

    return head


def _sum(counts: Any) -> dict[str, int]:
    total: Counter[str] = Counter()
    for one in counts:
        total.update(one)
    return dict(sorted(total.items()))


#: The processes of the rebuild measured with `rebuild --workers` (one per core of the machine measured).
REBUILD_WORKERS = 2


def _timed(work: Callable[[], Any]) -> float:
    started = time.perf_counter()
    work()
    return time.perf_counter() - started


def _rebuild_child(url: str, secret: str, results: Any) -> None:
    """Rebuild every projection in a fresh process: its rate, and the peak memory it took."""
    services = services_for(url, secret)
    try:
        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        events = services.read_side.head()
        started = time.perf_counter()
        applied = services.read_side.rebuild()
        seconds = time.perf_counter() - started
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        read_started = time.perf_counter()
        read = rebuild.read_log(services, services.read_side.batch_size)
        read_seconds = time.perf_counter() - read_started
        results.put(
            {
                "events": events,
                "projections": list(services.read_side.projections),
                "applied": applied,
                "seconds": seconds,
                "events_per_s": events / seconds,
                "rss_before_mb": before / 1024,
                "rss_peak_mb": peak / 1024,
                "read_log_seconds": read_seconds,
                "read_log_events_per_s": read / read_seconds if read_seconds else 0.0,
            }
        )
    finally:
        services.close()


def _register_child(url: str, secret: str, name: str, results: Any) -> None:
    """Rebuild one register in a fresh process: the log's events per second it covers, its peak memory."""
    services = services_for(url, secret)
    try:
        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        events = services.read_side.head()
        seconds = _timed(lambda: services.read_side.rebuild([name]))
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        results.put(
            {"events_per_s": events / seconds, "seconds": seconds, "rss_before_mb": before / 1024}
            | {"rss_peak_mb": peak / 1024}
        )
    finally:
        services.close()


def _workers_child(url: str, secret: str, workers: int, results: Any) -> None:
    """Rebuild every projection by `workers` processes (`rebuild --workers`): the rate, this process's
    peak memory and the largest worker's."""
    services = services_for(url, secret)
    try:
        events = services.read_side.head()
        seconds = _timed(lambda: services.read_side.rebuild(workers=workers))
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        worker_peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        results.put(
            {"workers": workers, "events_per_s": events / seconds, "seconds": seconds}
            | {"rss_peak_mb": peak / 1024, "worker_rss_peak_mb": worker_peak / 1024}
        )
    finally:
        services.close()


def _lag_child(url: str, secret: str, results: Any) -> None:
    """Live catch-up lag with a rebuild beside it (bench.lag), in a fresh process."""
    services = services_for(url, secret)
    try:
        results.put(lag.under_rebuild(services, url, secret, REBUILD_WORKERS, idle_seconds=10.0))
    finally:
        services.close()


def rebuild_in_child(url: str, secret: str, say: Callable[[str], None]) -> dict[str, Any]:
    say("rebuilding every projection in a fresh process (rate and peak memory)")
    result = in_child(_rebuild_child, url, secret)
    say(f"rebuilding every projection by {REBUILD_WORKERS} worker processes")
    result["by_workers"] = in_child(_workers_child, url, secret, REBUILD_WORKERS)
    result["per_register"] = {}
    for name in result.get("projections", []):
        say(f"rebuilding {name} alone in a fresh process")
        result["per_register"][name] = in_child(_register_child, url, secret, name)
    return result


def _queries_child(url: str, secret: str, events: int, results: Any) -> None:
    """The query latencies, in a fresh process (none of the build's or the rebuild's memory)."""
    services = services_for(url, secret)
    try:
        results.put(
            {
                "queries": volume_queries.registers(services, samples=60 if events < 100_000 else 200),
                "time_travel": volume_queries.time_travel(services, samples=30 if events < 100_000 else 100),
                "console": console.pages(services, samples=30 if events < 100_000 else 100),
                "as_of_forms": as_of.measure(url, None, samples=60 if events < 100_000 else 200),
                "report_forms": report_forms.measure(url, None, samples=10 if events < 100_000 else 30),
            }
        )
    finally:
        services.close()


def in_child(target: Callable[..., None], *args: Any) -> dict[str, Any]:
    """Run `target(*args, results)` in a fresh process; what it put on `results`."""
    context = multiprocessing.get_context("spawn")
    results = context.Queue()
    child = context.Process(target=target, args=(*args, results), name=target.__name__.strip("_"))
    child.start()
    while True:
        try:
            outcome: dict[str, Any] = results.get(timeout=5)
            break
        except queue.Empty:
            if not child.is_alive():
                raise RuntimeError(
                    f"the {child.name} process ended without a result (exit code {child.exitcode})"
                ) from None
    child.join()
    return outcome


def run(
    events: int, workers: int, seed: int, say: Callable[[str], None], keep: bool = False, reuse: str | None = None
) -> dict[str, Any]:
    """The volume section: build, rebuild, queries, time travel, on a database of its own (or on the
    book an earlier run kept, `reuse`: its build is not measured again)."""
    url = reuse or create_database()
    keep = keep or reuse is not None
    secret = secrets.token_urlsafe(32)
    say(f"volume: database {url.rsplit('/', 1)[1]} ({'kept' if keep else 'dropped at the end'})")
    result: dict[str, Any] = {"database": url if keep else None, "target_events": events}
    try:
        if reuse is None:
            result["build"] = build(url, secret, events, workers, seed, say)
        else:
            result["reused_events"] = log_head(url)()
        result["rebuild"] = rebuild_in_child(url, secret, say)
        say(f"live catch-up lag while {REBUILD_WORKERS} worker processes rebuild every register, beside it idle")
        result["lag"] = in_child(_lag_child, url, secret)
        say("register and report queries, current and as of a year ago; time travel of a long-lived policy")
        result.update(in_child(_queries_child, url, secret, events))
    finally:
        if not keep:
            drop_database(url)
    built = result["build"]["events"] if "build" in result else result["reused_events"]
    if built < events:
        result["warning"] = f"the book holds {built:,} events, short of the {events:,} asked"
    return result


if __name__ == "__main__":  # python -m bench.volume EVENTS [WORKERS]
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # unwind: workers stopped, database dropped
    print(
        run(
            int(sys.argv[1]),
            int(sys.argv[2]) if len(sys.argv) > 2 else 2,
            1,
            lambda m: print(m, file=sys.stderr, flush=True),
        )
    )
