"""What create_app adds for operators: health, metrics, request ids in the logs and optional tracing."""

from __future__ import annotations

from typing import Any

from application.infrastructure.settings import Settings
from interface.bootstrap import Services
from interface.health import live, ready
from interface.logs import quiet_value_loggers, request_ids
from interface.metrics import count_commands, metrics_controller, prometheus_config
from interface.tracing import tracing_middleware


def operations_routes(services: Services) -> list[Any]:
    """/health, /health/live, /health/ready and /metrics (open: no token)."""
    return [live, ready, metrics_controller(services)]


def operations_middleware(settings: Settings, tracer_provider: Any = None) -> list[Any]:
    """Outermost first: the request's ids for the logs, tracing when on, request and command metrics."""
    quiet_value_loggers()  # no SQL parameters in any log line, whatever the root level
    return [
        request_ids,
        *tracing_middleware(settings.tracing, tracer_provider),
        prometheus_config().middleware,
        count_commands,
    ]
