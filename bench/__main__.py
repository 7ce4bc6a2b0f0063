"""`python -m bench` (`make bench`): registration over HTTP and projection rebuild, each beside a baseline.

(a) POST /api/v1/customers against `inscribe serve` (a subprocess; projections in-process), driven by
    wrk or, without wrk, by a pool of client processes; beside the eventsourcing library alone saving
    the same aggregate in the same database.
(b) ReadSide.rebuild() over the events (a) made plus seeded ones; beside reading and deserializing the
    notification log alone in the same batch size.
(c) Volume (bench.volume): a demo book of a million events built through the commands on a fresh
    database; rebuild rate and peak memory, register and report queries now and a year ago, time travel.
Prints a table (metric, ours, baseline, ratio) and saves JSON under bench/results/.
"""

from __future__ import annotations

import argparse
import random
import secrets
import signal
import sys
import time
from typing import Any

import httpx

from bench import library, pool, rebuild, report, volume, wrk
from bench.common import ADMIN_URL, create_database, drop_database, individual_body, machine_info, scalar
from bench.server import Server
from interface.auth import mint_token

REGISTERED = "inscribe.customer.IndividualRegistered.v1"


def parse(argv: list[str] | None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n\n")[0])
    p.add_argument(
        "--database-url",
        help="use this PostgreSQL database (it keeps the bench's customers and "
        "gets its read side rebuilt); default: a new database, dropped at the end",
    )
    p.add_argument("--quick", action="store_true", help="a small run (about 40 s)")
    p.add_argument("--seconds", type=float, help="HTTP load duration (default 20, quick 5)")
    p.add_argument(
        "--library-seconds",
        type=float,
        help="library baseline duration, half before and half after the HTTP load (default 10, quick 4)",
    )
    p.add_argument("--connections", type=int, default=8, help="HTTP connections = library threads (8)")
    p.add_argument(
        "--events", type=int, help="seed the log up to this many events before the rebuild (default 30000, quick 8000)"
    )
    p.add_argument(
        "--driver",
        choices=["auto", "wrk", "pool"],
        default="auto",
        help="HTTP load driver: wrk if installed (auto), or the multiprocessing+httpx pool",
    )
    p.add_argument(
        "--volume-events",
        type=int,
        help="the volume section's demo book size in events (default 1000000, quick 20000; 0 skips it)",
    )
    p.add_argument("--volume-workers", type=int, default=2, help="processes building the demo book (2)")
    p.add_argument("--volume-only", action="store_true", help="run only the volume section")
    p.add_argument("--keep-volume-database", action="store_true", help="keep the volume book's database")
    p.add_argument("--volume-database-url", help="measure the book a kept volume database holds (no build)")
    args = p.parse_args(argv)
    if args.volume_events is None:
        args.volume_events = 20_000 if args.quick else 1_000_000
    args.seconds = args.seconds or (5.0 if args.quick else 20.0)
    args.library_seconds = args.library_seconds or (4.0 if args.quick else 10.0)
    args.events = args.events if args.events is not None else (8_000 if args.quick else 30_000)
    return args


def say(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def registered(url: str, table: str) -> int:
    return int(scalar(url, f"SELECT count(*) FROM \"{table}\" WHERE topic = '{REGISTERED}'"))


def http_phase(
    args: argparse.Namespace, url: str, secret: str, regions: dict[str, str], table: str, result: dict[str, Any]
) -> None:
    token = mint_token(secret, "bench", "agent", hours=2)
    use_wrk = args.driver == "wrk" or (args.driver == "auto" and wrk.available())
    if args.driver == "wrk" and not wrk.available():
        raise SystemExit("--driver wrk: wrk is not installed (apt-get install -y wrk)")
    before = registered(url, table)
    say("starting inscribe serve")
    with Server(url, secret) as server:
        headers = {"Authorization": f"Bearer {token}"}
        with httpx.Client(base_url=server.base_url, headers=headers, timeout=30) as client:
            for i in range(30):  # warm-up: first requests build caches and connections
                answer = client.post("/api/v1/customers", json=individual_body(i, regions["warmup"]))
                if answer.status_code != 201:
                    raise SystemExit(f"warm-up registration answered {answer.status_code}: {answer.text}")
        say(
            f"HTTP load for {args.seconds:.0f} s, {args.connections} connections, "
            f"driver {'wrk' if use_wrk else 'process pool' + ('' if wrk.available() else ' (wrk not installed)')}"
        )
        driver = wrk if use_wrk else pool
        http = driver.run(server.base_url, token, regions["http"], args.connections, args.seconds)
        say("stopping the server")
    http["new_customers_in_store"] = registered(url, table) - before - 30
    result["http"] = http
    non_201 = {code: n for code, n in http["statuses"].items() if code != 201}
    if non_201 or http["socket_errors"]:
        result["warnings"].append(f"HTTP: non-201 answers {non_201}, socket errors {http['socket_errors']}")
    # wrk stops with requests in flight: the server may finish up to one per connection unseen.
    unseen = http["new_customers_in_store"] - http["statuses"].get(201, 0)
    http["saved_but_unanswered_at_stop"] = unseen
    if not 0 <= unseen <= args.connections:
        result["warnings"].append(
            f"HTTP: {http['statuses'].get(201, 0)} x 201 but "
            f"{http['new_customers_in_store']} new customers in the event store"
        )


def main(argv: list[str] | None = None) -> int:
    args = parse(argv)
    # SIGTERM unwinds like Ctrl-C: the server stops and the bench's database is dropped.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    started = time.monotonic()
    own_database = args.database_url is None and not args.volume_only
    url = args.database_url or (create_database() if own_database else "")
    # Fresh regions per run: the IDs never collide with an earlier run's in a given database.
    codes = random.sample(range(110000, 660000), 3)
    regions = {"warmup": str(codes[0]), "http": str(codes[1]), "seed": str(codes[2])}
    secret = secrets.token_urlsafe(32)
    result: dict[str, Any] = {
        "machine": machine_info(url or ADMIN_URL),
        "warnings": [],
        "settings": {**vars(args), "database_url": None if own_database else url},
    }
    try:
        if not args.volume_only:
            say(f"database {url.rsplit('/', 1)[1]} ({'new, dropped at the end' if own_database else 'given'})")
            first_sections(args, url, secret, regions, result)
    finally:
        if own_database:
            drop_database(url)
    if args.volume_events:
        result["volume"] = volume.run(
            args.volume_events, args.volume_workers, 1, say, args.keep_volume_database, args.volume_database_url
        )
        if "warning" in result["volume"]:
            result["warnings"].append(f"volume: {result['volume']['warning']}")
    result["total_seconds"] = time.monotonic() - started
    print(report.render(result))
    path = report.save(result)
    print(f"\nsaved {path.relative_to(path.parent.parent.parent)}  (total {result['total_seconds']:.0f} s)")
    return 1 if result["warnings"] else 0


def first_sections(
    args: argparse.Namespace, url: str, secret: str, regions: dict[str, str], result: dict[str, Any]
) -> None:
    """(a) registration over HTTP beside the library, (b) the projection rebuild beside the log read."""
    services = rebuild.open_services(url, secret)  # creates the tables before the server starts
    try:
        table = services.app.recorder.events_table_name  # type: ignore[attr-defined]
        half = args.library_seconds / 2
        say(f"library baseline, first half: {half:.1f} s, {args.connections} threads")
        first = library.run(url, args.connections, half)
        http_phase(args, url, secret, regions, table, result)
        say(f"library baseline, second half: {half:.1f} s")
        result["library"] = library.combine(first, library.run(url, args.connections, half))
        if result["library"]["failures"]:
            result["warnings"].append(
                f"library: {result['library']['failures']} saves failed "
                f"({', '.join(result['library']['failure_kinds'])})"
            )
        have = rebuild.count_events(services)
        if have < args.events:
            say(f"seeding {args.events - have:,} events (log has {have:,})")
            result["seeded"] = rebuild.seed(services, regions["seed"], args.events - have)
        say("rebuilding the projections")
        result["rebuild"] = rebuild.run(services)
        if "mismatch" in result["rebuild"]:
            result["warnings"].append(f"rebuild: {result['rebuild']['mismatch']}")
    finally:
        services.close()


if __name__ == "__main__":
    sys.exit(main())
