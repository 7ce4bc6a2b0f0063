"""Prometheus metrics at /metrics.

Requests by route, method and status with their latency come from Litestar's Prometheus plugin
(`inscribe_requests_total`, `inscribe_request_duration_seconds`). Commands by type (the operation) and
outcome are counted where every command answer and problem passes (`count_commands`, an ASGI middleware).
The read side is asked at scrape time: each projection's position, the head of the log, its lag and
whether it is faulted, and the progress of a rebuild running in any process (its shadow's positions).
Tick outcomes are counted by the process that ticks (the projection worker serves them on
INSCRIBE_WORKER_METRICS_PORT).
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Iterable
from typing import Any

from litestar import Response, get
from litestar.enums import ScopeType
from litestar.plugins.prometheus import PrometheusConfig, PrometheusController
from litestar.types import ASGIApp, Message, Receive, Scope, Send
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    REGISTRY,
    CollectorRegistry,
    Counter,
    generate_latest,
    start_http_server,
)
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector
from sqlalchemy import text

from interface.bootstrap import Services
from projections.rebuild import shadow_file, shadow_schema
from projections.runner import ReadSide
from projections.tracking import tracking_table

log = logging.getLogger("inscribe.commands")
PREFIX = "inscribe"
COMMAND_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})

COMMANDS = Counter(
    f"{PREFIX}_commands_total",
    "Commands answered, by type (the operation) and outcome (accepted, rejected: a problem 4xx, failed: 5xx)",
    ["command", "outcome"],
)
TICKS = Counter(f"{PREFIX}_ticks_total", "Scheduler ticks, by outcome (completed, partial, failed)", ["outcome"])
TICK_AGGREGATES = Counter(
    f"{PREFIX}_tick_aggregates_total",
    "Aggregates a tick found due, by outcome (changed, unchanged, failed)",
    ["kind", "outcome"],
)


def prometheus_config() -> PrometheusConfig:
    """Litestar's request metrics, by route template (never a path with ids in it)."""
    return PrometheusConfig(
        app_name="inscribe",
        prefix=PREFIX,
        group_path=True,
        exclude=["^/metrics", "^/health"],
        exclude_unhandled_paths=True,
    )


def outcome(status: int) -> str:
    return "accepted" if status < 400 else "rejected" if status < 500 else "failed"


def count_commands(app: ASGIApp) -> ASGIApp:
    """ASGI middleware: every command (POST, PUT, PATCH, DELETE under /api/) counted by its operation and
    outcome once its answer or problem has been sent."""

    async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] != ScopeType.HTTP
            or scope.get("method") not in COMMAND_METHODS
            or "/api/" not in scope["path"]
        ):
            await app(scope, receive, send)
            return
        status = [500]

        async def sending(message: Message) -> None:
            if message["type"] == "http.response.start":
                status[0] = message["status"]
            await send(message)

        try:
            await app(scope, receive, sending)
        finally:
            name, result = command_name(scope), outcome(status[0])
            COMMANDS.labels(name, result).inc()
            log.info("command %s %s (%d)", name, result, status[0])  # the ids come with the line (interface.logs)

    return middleware


def command_name(scope: Scope) -> str:
    """The command a request ran, as its resource and handler: `customers.register`, `policies.pay_premium`
    (a route's, never an id)."""
    handler = scope.get("route_handler")
    if handler is None:
        return "unknown"
    parts = str(scope.get("path_template") or scope["path"]).strip("/").split("/")
    resource = parts[2] if len(parts) > 2 and parts[0] == "api" else parts[0]
    return f"{resource}.{handler.handler_name}"


def record_tick(result: str, kinds: Iterable[tuple[str, str]] = ()) -> None:
    """Count one tick (completed, partial: some aggregates failed, failed: the tick itself) and its
    aggregates' outcomes ((kind, changed|unchanged|failed) pairs)."""
    TICKS.labels(result).inc()
    for kind, outcome_of in kinds:
        TICK_AGGREGATES.labels(kind, outcome_of).inc()


class ReadSideCollector(Collector):
    """The read side at scrape time: positions, head, lag, faults, and a running rebuild's progress."""

    def __init__(self, read_side: ReadSide) -> None:
        self.read_side = read_side

    def collect(self) -> Iterable[Any]:
        head = GaugeMetricFamily(f"{PREFIX}_log_head", "The position of the last event in the log")
        position = GaugeMetricFamily(f"{PREFIX}_projection_position", "A projection's position", labels=["projection"])
        lag = GaugeMetricFamily(f"{PREFIX}_projection_lag", "Events a projection is behind", labels=["projection"])
        faulted = GaugeMetricFamily(
            f"{PREFIX}_projection_faulted", "1 while a projection is faulted (held back)", labels=["projection"]
        )
        rebuild = GaugeMetricFamily(
            f"{PREFIX}_rebuild_position", "A running rebuild's position, by projection", labels=["projection"]
        )
        statuses = self.read_side.status()
        if statuses:
            head.add_metric([], statuses[0].head)
        for s in statuses:
            position.add_metric([s.name], s.position)
            lag.add_metric([s.name], s.lag)
            faulted.add_metric([s.name], 1 if s.fault is not None else 0)
        for name, at in rebuild_positions(self.read_side).items():
            rebuild.add_metric([name], at)
        return [head, position, lag, faulted, rebuild]


def rebuild_positions(read_side: ReadSide) -> dict[str, int]:
    """The positions in the shadow of a rebuild (projections.rebuild), if one is there: a rebuild is
    running in some process (or one was killed and its shadow waits for the next)."""
    query = f"SELECT projection, notification_id FROM {{}}{tracking_table.name} WHERE application_name = :app"
    app = read_side.app.name
    if read_side.engine.dialect.name == "postgresql":
        schema = shadow_schema(read_side)
        with read_side.engine.connect() as conn:
            if conn.execute(text("SELECT to_regclass(:t)"), {"t": f'"{schema}".{tracking_table.name}'}).scalar():
                rows = conn.execute(text(query.format(f'"{schema}".')), {"app": app})
                return {str(name): int(at) for name, at in rows}
        return {}
    path = shadow_file(read_side.engine)
    if not path.exists():
        return {}
    try:
        with sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=1) as conn:
            return dict(conn.execute(query.format("").replace(":app", "?"), (app,)).fetchall())
    except sqlite3.Error:  # the shadow is being made or dropped
        return {}


def serve_worker_metrics(services: Services) -> int:
    """The projection worker's /metrics (its ticks and the read side) on INSCRIBE_WORKER_METRICS_PORT, in a
    background thread; the port, or 0 when none is set."""
    port = services.settings.worker_metrics_port
    if port:
        REGISTRY.register(ReadSideCollector(services.read_side))
        start_http_server(port)
    return port


def metrics_controller(services: Services) -> type[PrometheusController]:
    """Litestar's /metrics, with this app's read side asked at each scrape. Open to the scraper (no token)."""
    read_side = CollectorRegistry(auto_describe=False)
    read_side.register(ReadSideCollector(services.read_side))

    class Metrics(PrometheusController):
        @get(include_in_schema=False, opt={"exclude_from_auth": True}, sync_to_thread=True)
        def get(self) -> Response[bytes]:
            body = generate_latest(REGISTRY) + generate_latest(read_side)
            return Response(body, status_code=200, headers={"Content-Type": CONTENT_TYPE_LATEST})

    return Metrics
