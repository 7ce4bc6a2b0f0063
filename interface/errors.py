"""Every error the API can give, mapped to RFC 9457 problem details in one table."""

from __future__ import annotations

import logging
import re
import sqlite3
import uuid
from typing import Any

import psycopg
import sqlalchemy.exc
from eventsourcing import persistence
from litestar import Request, Response
from litestar.exceptions import (
    HTTPException,
    NotAuthorizedException,
    NotFoundException,
    PermissionDeniedException,
    ValidationException,
)

from domain.errors import DomainError, InvalidValue, NotFound
from interface.logs import current_ids
from interface.problem_codes import CODES
from projections.status import ReadSideBehind

PROBLEM = "application/problem+json"
log = logging.getLogger("inscribe.api")

#: How long a client should wait before retrying while the database is unreachable (seconds).
DATABASE_RETRY_AFTER = 2
#: The longest header value that reaches events (correlation, causation and idempotency ids).
MAX_HEADER_CHARS = 200
_PRINTABLE_ASCII = re.compile(r"[\x20-\x7e]+")


class BadRequest(Exception):
    """A malformed header or query parameter (422 naming it)."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


class UnknownParameters(Exception):
    """Query parameters the operation does not declare (422 naming each): a misspelt filter is not ignored."""

    def __init__(self, names: list[str], declared: list[str]) -> None:
        takes = ", ".join(declared) or "none"
        super().__init__(
            f"unknown query parameter(s): {', '.join(_shown(n) for n in names)} (this operation takes {takes})"
        )
        self.names = names
        self.declared = declared


def _shown(name: str, limit: int = 50) -> str:
    """A client's parameter name in a message, cut to `limit` characters."""
    return name if len(name) <= limit else name[:limit] + "…"


class PositionNotRecorded(Exception):
    """`?after=` names a position the log has not recorded yet (422 at once, no wait)."""

    def __init__(self, field: str, position: int, head: int) -> None:
        super().__init__(f"{field}={position} is beyond the head of the log ({head}): no command answered it")
        self.field = field
        self.position = position
        self.head = head


class UnsupportedMediaType(Exception):
    """A command whose body is not declared JSON (415)."""


class InvalidJson(Exception):
    """A body that cannot be read as JSON, or is nested too deeply (400)."""


def header_problem(name: str, value: str) -> str | None:
    """Why a header value that reaches events is refused (None: it is fine)."""
    if not value:
        return f"{name} must not be empty"
    if len(value) > MAX_HEADER_CHARS:
        return f"{name} must be at most {MAX_HEADER_CHARS} characters"
    if not _PRINTABLE_ASCII.fullmatch(value):
        return f"{name} must be printable ASCII (no control characters)"
    return None


def handler_name(handler: Any) -> str:
    """A route handler's function by its full name (the key of interface.problem_codes.CODES)."""
    fn = handler.fn
    fn = getattr(fn, "func", fn)  # litestar.utils.sync.AsyncCallable: a sync handler run in a thread
    fn = getattr(fn, "__wrapped__", fn)
    return f"{fn.__module__}.{fn.__qualname__}"


def correlation_id(request: Request[Any, Any, Any]) -> str:
    """The request's X-Correlation-Id when it is acceptable, otherwise the one its log lines carry
    (interface.logs), otherwise a fresh one."""
    given = request.headers.get("X-Correlation-Id")
    if given is not None and header_problem("X-Correlation-Id", given) is None:
        return given
    ids = current_ids()
    return ids.correlation_id if ids is not None else str(uuid.uuid4())


def problem(
    status: int,
    title: str,
    detail: str,
    code: str,
    retry_after: int | None = None,
    headers: dict[str, str] | None = None,
    **extra: Any,
) -> Response[dict[str, Any]]:
    """An RFC 9457 problem details response with a stable `code` (and any `headers` it must send)."""
    body = {
        "type": f"https://inscribe.example/problems/{code}",
        "title": title,
        "status": status,
        "detail": detail,
        "code": code,
        **extra,
    }
    headers = {**(headers or {}), **({"Retry-After": str(retry_after)} if retry_after is not None else {})}
    return Response(content=body, status_code=status, media_type=PROBLEM, headers=headers)


# Tags of discriminated unions in request bodies: pydantic puts the tag first in an error's
# location ("individual.name"); the client sent "name", so that is the field we name.
UNION_TAGS = {"individual", "enterprise"}


def _field_name(error: dict[str, Any]) -> str:
    # One spelling for list items everywhere: risks[0].likelihood, as the domain names them.
    key = re.sub(r"\.(\d+)(?=\.|$)", r"[\1]", str(error.get("key") or ""))
    head, _, rest = key.partition(".")
    if head in UNION_TAGS and rest:
        return rest
    if key in ("", "data"):  # Litestar names a missing or unreadable body "data"
        return "body"
    return key


def on_validation(_: Request[Any, Any, Any], exc: ValidationException) -> Response[dict[str, Any]]:
    errors = [
        {"field": _field_name(e), "message": e.get("message", "invalid")}
        for e in (exc.extra or [])
        if isinstance(e, dict)
    ]
    names = ", ".join(e["field"] for e in errors) or "the request"
    return problem(422, "Invalid input", f"invalid: {names}", "invalid-input", errors=errors)


def on_bad_request(_: Request[Any, Any, Any], exc: BadRequest) -> Response[dict[str, Any]]:
    return problem(
        422, "Invalid input", exc.message, "invalid-input", errors=[{"field": exc.field, "message": exc.message}]
    )


def on_unknown(_: Request[Any, Any, Any], exc: UnknownParameters) -> Response[dict[str, Any]]:
    message = f"unknown query parameter (this operation takes {', '.join(exc.declared) or 'none'})"
    return problem(
        422,
        "Invalid input",
        str(exc),
        "invalid-input",
        errors=[{"field": _shown(name), "message": message} for name in exc.names],
    )


#: Tests turn this on (tests/conftest.py): a problem code the OpenAPI document does not list for the operation
#: (interface.problem_codes, derived from the code by `make contract`) is then answered as a 500 that names it.
CHECK_DOCUMENTED_CODES = False


def _undocumented(request: Request[Any, Any, Any], status: int, code: str) -> Response[dict[str, Any]] | None:
    handler = request.scope.get("route_handler")
    if not CHECK_DOCUMENTED_CODES or handler is None:
        return None
    name = handler_name(handler)
    if code in CODES.get(name, {}).get(status, ()):
        return None
    detail = f"{name} answered {status} {code}, which interface.problem_codes does not list: run `make contract`"
    return problem(500, "Undocumented problem code", detail, "undocumented-problem-code")


def on_domain(request: Request[Any, Any, Any], exc: DomainError) -> Response[dict[str, Any]]:
    status = 422 if isinstance(exc, InvalidValue) else 404 if isinstance(exc, NotFound) else getattr(exc, "status", 409)
    if (undocumented := _undocumented(request, status, exc.code)) is not None:
        return undocumented
    if isinstance(exc, InvalidValue):
        return problem(
            422, "Invalid input", exc.message, exc.code, errors=[{"field": exc.field, "message": exc.message}]
        )
    if isinstance(exc, NotFound):
        return problem(404, "Not found", exc.message, exc.code)
    return problem(status, "Forbidden" if status == 403 else "Conflict", exc.message, exc.code, **exc.details)


def on_behind(_: Request[Any, Any, Any], exc: ReadSideBehind) -> Response[dict[str, Any]]:
    return problem(
        503,
        "Read side not yet there",
        str(exc),
        "read-side-behind",
        position=exc.position,
        reached=exc.reached,
        retry_after=1,
    )


def on_not_recorded(_: Request[Any, Any, Any], exc: PositionNotRecorded) -> Response[dict[str, Any]]:
    return problem(
        422,
        "Position not recorded",
        str(exc),
        "position-not-recorded",
        errors=[{"field": exc.field, "message": str(exc)}],
        position=exc.position,
        head=exc.head,
    )


def on_media_type(_: Request[Any, Any, Any], exc: UnsupportedMediaType) -> Response[dict[str, Any]]:
    return problem(415, "Unsupported media type", str(exc), "unsupported-media-type")


def on_invalid_json(_: Request[Any, Any, Any], exc: InvalidJson) -> Response[dict[str, Any]]:
    return problem(400, "Invalid JSON", str(exc), "invalid-json", errors=[{"field": "body", "message": str(exc)}])


# What the database drivers raise while the database is unreachable or the connection was lost.
_UNAVAILABLE: tuple[type[BaseException], ...] = (
    psycopg.OperationalError,  # includes psycopg_pool.PoolTimeout
    psycopg.InterfaceError,
    persistence.OperationalError,
    persistence.InterfaceError,
    sqlalchemy.exc.OperationalError,
    sqlalchemy.exc.InterfaceError,
    sqlalchemy.exc.DisconnectionError,
    sqlalchemy.exc.TimeoutError,  # the read side's pool gave no connection in time
    sqlite3.OperationalError,  # "database is locked", "unable to open database file"
)


def database_unavailable(exc: BaseException) -> bool:
    """True if `exc` (or what caused it) says the database cannot be reached now."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, _UNAVAILABLE):
            return True
        if isinstance(current, sqlalchemy.exc.DBAPIError) and current.connection_invalidated:
            return True
        current = current.__cause__ or current.__context__
    return False


def on_unexpected(request: Request[Any, Any, Any], exc: Exception) -> Response[dict[str, Any]]:
    """The catch-all: never a bare 500. The log line names the correlation id the answer gives."""
    cid = correlation_id(request)
    if database_unavailable(exc):
        log.warning(
            "database unavailable (correlation id %s) on %s %s: %s: %s",
            cid,
            request.method,
            request.url.path,
            type(exc).__name__,
            exc,
        )
        return problem(
            503,
            "Database unavailable",
            "the database cannot be reached now; retry later",
            "database-unavailable",
            retry_after=DATABASE_RETRY_AFTER,
            correlation_id=cid,
        )
    log.exception("internal error (correlation id %s) on %s %s", cid, request.method, request.url.path, exc_info=exc)
    return problem(
        500, "Internal error", f"an unexpected error; quote correlation id {cid}", "internal-error", correlation_id=cid
    )


def on_http(request: Request[Any, Any, Any], exc: HTTPException) -> Response[dict[str, Any]]:
    if isinstance(exc, NotAuthorizedException):
        return problem(401, "Unauthorized", "a valid bearer token is required", "unauthorized")
    if isinstance(exc, PermissionDeniedException):
        return problem(403, "Forbidden", exc.detail, "forbidden")
    if isinstance(exc, NotFoundException):
        return problem(404, "Not found", exc.detail, "not-found")
    if exc.status_code == 400:  # Litestar could not decode the body (malformed JSON)
        return on_invalid_json(request, InvalidJson(f"the body is not valid JSON: {exc.detail}"))
    if exc.status_code == 405:  # Allow: the methods the path answers (RFC 9110 §15.5.6)
        allowed = sorted({m.strip() for m in (exc.headers or {}).get("allow", "").split(",") if m.strip()})
        return problem(
            405,
            "Method not allowed",
            f"{request.method} is not allowed here; allowed: {', '.join(allowed)}",
            "method-not-allowed",
            headers={"Allow": ", ".join(allowed)} if allowed else None,
        )
    if exc.status_code == 413:
        return problem(413, "Payload too large", "the body is larger than a command may be", "payload-too-large")
    if exc.status_code >= 500:
        return on_unexpected(request, exc)
    return problem(exc.status_code, exc.detail or "Error", exc.detail, f"http-{exc.status_code}")


EXCEPTION_HANDLERS: dict[Any, Any] = {
    ValidationException: on_validation,
    BadRequest: on_bad_request,
    UnknownParameters: on_unknown,
    DomainError: on_domain,
    ReadSideBehind: on_behind,
    PositionNotRecorded: on_not_recorded,
    UnsupportedMediaType: on_media_type,
    InvalidJson: on_invalid_json,
    HTTPException: on_http,
    Exception: on_unexpected,
}
