"""Logs as JSON lines: one object a line with time, level, logger and message, and the request's
correlation_id, actor_id and command_id when known (RequestIds, set by `request_ids`, an ASGI middleware).

No log line carries personal data: messages name ids (customers, policies, commands), never names, ID
numbers, phones, emails or addresses. The loggers that would echo values (SQLAlchemy's SQL and its
parameters) are held at WARNING whatever the root level, so even a DEBUG root never prints a row.
"""

from __future__ import annotations

import json
import logging
import os
import sys
import uuid
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # the command line imports this module: no Litestar at run time
    from litestar.types import ASGIApp, Receive, Scope, Send


#: Loggers whose DEBUG/INFO lines print SQL parameters (personal data in the read side's rows).
VALUE_LOGGERS = ("sqlalchemy.engine", "sqlalchemy.pool", "sqlalchemy.orm")
LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")
#: The fields a line names when they are known.
ID_FIELDS = ("correlation_id", "actor_id", "command_id")
_PRINTABLE = frozenset(chr(c) for c in range(0x20, 0x7F))


@dataclass
class RequestIds:
    """The ids of the request being handled: its correlation id (X-Correlation-Id or a fresh one), its
    command id (Idempotency-Key) and its scope, whose `user` the authentication sets after we start."""

    correlation_id: str
    command_id: str | None
    scope: Scope

    @property
    def actor_id(self) -> str | None:
        user = self.scope.get("user")
        sub = getattr(user, "sub", None)
        return sub if isinstance(sub, str) else None


_current: ContextVar[RequestIds | None] = ContextVar("inscribe_request_ids", default=None)


def current_ids() -> RequestIds | None:
    """The ids of the request this code runs for (None outside a request)."""
    return _current.get()


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", ()):
        if key.lower() == name:
            text = value.decode("latin-1")
            # Only what could reach events (interface.errors.header_problem): 1 to 200 printable ASCII.
            return text if 0 < len(text) <= 200 and set(text) <= _PRINTABLE else None
    return None


def request_ids(app: ASGIApp) -> ASGIApp:
    """ASGI middleware: the request's ids for every log line written while it is handled."""

    async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":  # type: ignore[comparison-overlap]  # ScopeType.HTTP is "http"
            await app(scope, receive, send)
            return
        ids = RequestIds(
            correlation_id=_header(scope, b"x-correlation-id") or str(uuid.uuid4()),
            command_id=_header(scope, b"idempotency-key"),
            scope=scope,
        )
        token = _current.set(ids)
        try:
            await app(scope, receive, send)
        finally:
            _current.reset(token)

    return middleware


class JsonLines(logging.Formatter):
    """One JSON object a line: time (UTC, ISO 8601), level, logger, message, the known ids, exception."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        ids = _current.get()
        if ids is not None:
            known = {"correlation_id": ids.correlation_id, "actor_id": ids.actor_id, "command_id": ids.command_id}
            entry.update({k: v for k, v in known.items() if v is not None})
        for name in ID_FIELDS:  # given explicitly: logger.info(..., extra={"command_id": ...})
            value = getattr(record, name, None)
            if value is not None:
                entry[name] = str(value)
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


def quiet_value_loggers() -> None:
    """Hold the loggers that print SQL parameters at WARNING, whatever the root level."""
    for name in VALUE_LOGGERS:
        logging.getLogger(name).setLevel(logging.WARNING)


class _Stderr(logging.StreamHandler):  # type: ignore[type-arg]
    """Writes to whatever sys.stderr is when a line is written (a test runner swaps it)."""

    def emit(self, record: logging.LogRecord) -> None:
        self.setStream(sys.stderr)
        super().emit(record)


def configure_logging(level: str = "INFO", stream: Any = None) -> logging.Handler:
    """Send every log line of this process to `stream` (default stderr) as JSON lines, at `level`.
    Idempotent: the handler it installed before is replaced, not doubled."""
    root = logging.getLogger()
    for installed in list(root.handlers):
        if getattr(installed, "inscribe_json", False):
            root.removeHandler(installed)
    handler: logging.Handler = logging.StreamHandler(stream) if stream is not None else _Stderr()
    handler.setFormatter(JsonLines())
    handler.inscribe_json = True  # type: ignore[attr-defined]
    root.addHandler(handler)
    root.setLevel(level)
    quiet_value_loggers()
    return handler


def command_line_logging(default: str = "WARNING") -> logging.Handler:
    """The command line's logging: JSON lines at INSCRIBE_LOG_LEVEL, else `default` (a one-shot command
    says only what went wrong; `serve` and `projections run` log at the settings' level, INFO)."""
    level = (os.environ.get("INSCRIBE_LOG_LEVEL") or default).upper()
    return configure_logging(level if level in LEVELS else default)


def uvicorn_log_config(base: dict[str, Any]) -> dict[str, Any]:
    """Uvicorn's logging configuration `base` with its lines written as JSON lines too."""
    config = dict(base)
    formatters = dict(config.get("formatters", {}))
    for name in list(formatters):
        formatters[name] = {"()": f"{__name__}.JsonLines"}
    config["formatters"] = formatters
    return config
