"""What every command and query shares: the command context, If-Match, as_of and after, and the checks
every request passes before its handler (parameters bounded and declared, a command's body JSON)."""

from __future__ import annotations

import contextlib
import hashlib
import json
import re
import threading
import unicodedata
import weakref
from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime, time
from typing import Any

from litestar import Litestar, Request
from litestar.exceptions import HTTPException
from pydantic import BaseModel

from application.context import CommandContext
from domain.identifiers import china_today
from interface.auth import Principal
from interface.bootstrap import Services
from interface.errors import (
    BadRequest,
    InvalidJson,
    PositionNotRecorded,
    UnknownParameters,
    UnsupportedMediaType,
    header_problem,
)
from interface.logs import current_ids
from interface.query_params import FORMATS, MAX_QUERY_CHARS, MAX_REASON_CHARS, ReadPoint
from projections.audit_log import moment_position

#: A log position or an aggregate version: ASCII digits only ("²".isdigit() is true), and it fits a BIGINT.
WHOLE_NUMBER = re.compile(r"[0-9]{1,18}")
#: Moments and dates `as_of` may name: any year whose end converts to UTC and back without overflow.
FIRST_YEAR, LAST_YEAR = 1900, 9998
#: At most this many reads wait for the read side at once (each wait holds a worker thread);
#: beyond it a read that would wait answers 503 with Retry-After at once.
MAX_WAITERS = 16
_waiters = threading.BoundedSemaphore(MAX_WAITERS)
#: Characters no query or path parameter may hold: control (NUL…), format (U+202E, zero-width),
#: unassigned, private-use and surrogate code points.
REFUSED_CATEGORIES = frozenset({"Cc", "Cf", "Cn", "Co", "Cs"})
#: The methods of commands: their body must be declared JSON.
COMMAND_METHODS = frozenset({"POST", "PUT", "PATCH"})
#: The largest command body (bytes): commands are small; beyond it 413 before anything is decoded.
MAX_BODY_BYTES = 1024 * 1024
#: How deeply a command body may nest arrays and objects (commands nest a few levels).
MAX_JSON_DEPTH = 32
#: Where a query parameter the operation does not declare is refused (the docs pages and their assets aside).
API_PREFIX = "/api/"
_JSON_STRING = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"', re.DOTALL)
_NOT_BRACKETS = bytes(b for b in range(256) if b not in b"[]{}")


class CommandAnswer(BaseModel):
    """The answer to every command: the aggregate, its new version, the log position of its last event."""

    id: str
    version: int
    position: int


def answer(result: Any) -> CommandAnswer:
    """The HTTP answer of an application CommandResult."""
    return CommandAnswer(id=result.id, version=result.version, position=result.position)


def business_day(value: date | None) -> date:
    """A command's business date: the one given, or today in China."""
    return value or china_today()


def parse_if_match(value: str | None) -> int | None:
    """`If-Match: 3` or `"3"` or `W/"3"` → 3."""
    if value is None or value.strip() in ("", "*"):
        return None
    cleaned = value.strip().removeprefix("W/").strip('"')
    if not WHOLE_NUMBER.fullmatch(cleaned):
        raise BadRequest("If-Match", "If-Match must be the aggregate version, a whole number (at most 18 digits)")
    return int(cleaned)


def event_header(request: Request[Any, Any, Any], name: str) -> str | None:
    """A header that reaches events, or None; 422 naming it unless it is 1 to 200 printable ASCII characters."""
    value = request.headers.get(name)
    if value is None:
        return None
    why = header_problem(name, value)
    if why is not None:
        raise BadRequest(name, why)
    return value


def command_context(
    request: Request[Principal, Any, Any],
    body: BaseModel | dict[str, Any] | None = None,
    *,
    reason: str | None = None,
    effective_at: datetime | None = None,
) -> CommandContext:
    """The audit context of a command from its request: actor, ids, If-Match, fingerprint."""
    principal: Principal = request.user
    payload = body.model_dump(mode="json") if isinstance(body, BaseModel) else (body or {})
    fingerprint = hashlib.sha256(
        # The caller is part of the request: another user's reuse of a key is not a retry.
        json.dumps([principal.sub, request.method, request.url.path, payload], sort_keys=True, default=str).encode()
    ).hexdigest()
    key = event_header(request, "Idempotency-Key")
    correlation_id = event_header(request, "X-Correlation-Id")
    causation_id = event_header(request, "X-Causation-Id")
    extra: dict[str, Any] = {"command_id": key} if key else {}
    context = CommandContext(
        actor_id=principal.sub,
        actor_role=principal.role,
        channel="api",
        correlation_id=correlation_id,
        causation_id=causation_id,
        reason=reason,
        effective_at=effective_at,
        expected_version=parse_if_match(request.headers.get("If-Match")),
        fingerprint=fingerprint,
        **extra,
    )
    ids = current_ids()
    if ids is not None:  # the request's log lines from here on name the ids its events carry
        ids.command_id = context.command_id
        ids.correlation_id = context.correlation_id or context.command_id  # as CommandContext.metadata
    return context


def parse_as_of(value: str | None) -> int | datetime | None:
    """`as_of` is a log position (a whole number), a moment (ISO 8601) or a date (its end)."""
    if value is None or value == "":
        return None
    if value.isdigit():
        if not WHOLE_NUMBER.fullmatch(value):
            raise BadRequest("as_of", "as_of as a log position is a whole number of at most 18 digits (0-9)")
        return int(value)
    try:
        if len(value) == 10:
            day = date.fromisoformat(value)
            moment = datetime.combine(day, time.max, tzinfo=UTC)
        else:
            moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise BadRequest("as_of", "as_of must be a log position, an ISO 8601 moment or a date") from None
    if not FIRST_YEAR <= moment.year <= LAST_YEAR:
        raise BadRequest("as_of", f"as_of must be a moment between the years {FIRST_YEAR} and {LAST_YEAR}")
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def wait_for(services: Services, position: int, names: Sequence[str]) -> None:
    """Wait (bounded) until the named projections have reached `position`. At most MAX_WAITERS wait at
    once; beyond that, a read the read side can answer now is answered, and any other is 503 at once."""
    if not _waiters.acquire(blocking=False):
        services.read_side.wait_for(position, names, 0)
        return
    try:
        services.read_side.wait_for(position, names, services.settings.read_wait_seconds)
    finally:
        _waiters.release()


def read_position(services: Services, names: Sequence[str], after: int | None, as_of: str | None) -> int | None:
    """Wait for `after` (read your writes); resolve `as_of` to the log position it means (None = now).

    `after` beyond the head of the log is no write of anyone's: 422 `position-not-recorded` at once."""
    point = parse_as_of(as_of)  # checked before anything is read
    read_side = services.read_side
    if after is not None:
        if after < 0:
            raise BadRequest("after", "after must be a log position (0 or more)")
        head = read_side.head()
        if after > head:
            raise PositionNotRecorded("after", after, head)
        wait_for(services, after, names)
    if point is None:
        return None
    if isinstance(point, datetime):
        wait_for(services, read_side.head(), ["audit_log"])
        point = moment_position(read_side, point)
    # A position beyond the head means "now": answer as of the head, so the answer is repeatable.
    point = min(point, read_side.head())
    wait_for(services, point, names)
    return point


def read_at(services: Services, asked: ReadPoint, *names: str) -> int | None:
    """The log position a query reads at (None = now), the named projections waited for (see read_position)."""
    return read_position(services, names, asked.after, asked.as_of)


def text_problem(name: str, value: str, limit: int = MAX_QUERY_CHARS) -> str | None:
    """Why a query or path parameter is refused (None: it is fine)."""
    if len(value) > limit:
        return f"{name} must be at most {limit} characters"
    for char in value:
        if unicodedata.category(char) in REFUSED_CATEGORIES:
            return f"{name} must not contain control, format or unassigned characters (U+{ord(char):04X})"
    return None


def json_depth(raw: bytes, limit: int = MAX_JSON_DEPTH) -> int:
    """How deeply `raw` nests arrays and objects (strings skipped); counting stops just past `limit`."""
    depth = deepest = 0
    for byte in _JSON_STRING.sub(b'""', raw).translate(None, _NOT_BRACKETS):
        if byte in b"[{":
            depth += 1
            if depth > deepest:
                deepest = depth
                if deepest > limit:
                    break
        else:
            depth -= 1
    return deepest


def is_json(media_type: str) -> bool:
    """application/json or application/<anything>+json (parameters such as charset aside)."""
    kind = media_type.strip().lower()
    return kind == "application/json" or (kind.startswith("application/") and kind.endswith("+json"))


_DATE_PARAMS: weakref.WeakKeyDictionary[Any, dict[str, bool]] = weakref.WeakKeyDictionary()
_QUERY_NAMES: weakref.WeakKeyDictionary[Any, frozenset[str]] = weakref.WeakKeyDictionary()


def query_names(handler: Any, path_params: Iterable[str]) -> frozenset[str]:
    """The query parameters a handler declares, its own and its dependencies' (`paging`, `read_point`),
    by the name the client spells: what its OpenAPI operation lists."""
    try:
        found = _QUERY_NAMES.get(handler)
    except TypeError:  # a handler Litestar makes itself (OPTIONS) cannot be weakly referenced
        found = None
    if found is None:
        model = handler.create_kwargs_model(path_parameters=dict.fromkeys(path_params))  # only its keys are read
        found = frozenset(p.field_alias for p in model.expected_query_params)
        with contextlib.suppress(TypeError):  # see above
            _QUERY_NAMES[handler] = found
    return found


def declared_query(app: Litestar, path: str, method: str = "GET") -> frozenset[str]:
    """The query parameters `method path` declares (a client's or a test's question; none if no operation)."""
    try:
        _, handler, _, path_params, _ = app.asgi_router.handle_routing(path, method)
    except HTTPException:  # no such path, or no such method on it
        return frozenset()
    return query_names(handler, path_params)


def check_query_names(request: Request[Any, Any, Any]) -> None:
    """An API operation refuses a query parameter it does not declare (422 naming each), and a `format`
    other than json or csv where it declares one."""
    if not str(request.scope["path"]).startswith(API_PREFIX):  # as routed (a proxy's root path aside)
        return
    declared = query_names(request.route_handler, request.path_params)
    unknown = sorted({name for name in request.query_params if name not in declared})
    if unknown:
        raise UnknownParameters(unknown, sorted(declared))
    if "format" in declared and request.query_params.get("format", "json") not in FORMATS:
        raise BadRequest("format", f"format must be one of {', '.join(FORMATS)}")


def date_parameters(handler: Any) -> dict[str, bool]:
    """The handler's query parameters that hold a date or a moment (by the name the client spells), each
    with True for a moment: typed date/datetime, or text declared `format="date"`/`"date-time"`."""
    try:
        found = _DATE_PARAMS.get(handler)
    except TypeError:  # a handler Litestar makes itself (OPTIONS) cannot be weakly referenced
        found = None
    if found is None:
        found = {}
        for name, field in handler.parsed_fn_signature.parameters.items():
            kwarg = field.kwarg_definition
            spelt = getattr(kwarg, "query", None) or getattr(kwarg, "name", None) or name
            fmt = str(getattr(kwarg, "format", None) or "").lower()
            if field.is_subclass_of(datetime) or field.has_inner_subclass_of(datetime) or fmt == "date-time":
                found[spelt] = True
            elif field.is_subclass_of(date) or field.has_inner_subclass_of(date) or fmt == "date":
                found[spelt] = False
        with contextlib.suppress(TypeError):  # see above
            _DATE_PARAMS[handler] = found
    return found


def date_problem(name: str, value: str, moment: bool) -> str | None:
    """Why a date or moment parameter is refused: only its year is checked here (FIRST_YEAR..LAST_YEAR,
    so that converting it to UTC or adding a day cannot overflow); a malformed one is left to its parser."""
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00")) if moment else date.fromisoformat(value)
    except ValueError:
        try:
            parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return None
    if FIRST_YEAR <= parsed.year <= LAST_YEAR:
        return None
    return f"{name} must be a date between the years {FIRST_YEAR} and {LAST_YEAR}"


def check_parameter_text(request: Request[Any, Any, Any]) -> None:
    """Query and path parameters hold no control, format or unassigned characters and are bounded
    (422 naming the parameter); the API's check and the console's both start with it."""
    for name, value in request.query_params.multi_items():
        why = text_problem(name, value, MAX_REASON_CHARS if name == "reason" else MAX_QUERY_CHARS)
        if why is not None:
            raise BadRequest(name, why)
    for name, value in request.path_params.items():
        if isinstance(value, str) and (why := text_problem(name, value)) is not None:
            raise BadRequest(name, why)


async def check_request(request: Request[Any, Any, Any]) -> None:
    """Run before every handler, after its guards: query and path parameters hold no control, format or
    unassigned characters, are bounded and are declared by the operation (422 naming the parameter); a
    command's body is declared JSON (415) and is not nested absurdly deep (400), so nothing unreadable
    reaches a decoder or SQL."""
    check_query_names(request)
    check_parameter_text(request)
    dates = date_parameters(request.route_handler)
    for name, value in request.query_params.multi_items():
        if name in dates and value and (why := date_problem(name, value, dates[name])) is not None:
            raise BadRequest(name, why)
    if request.method in COMMAND_METHODS and request.route_handler.parsed_data_field is not None:
        media_type = request.content_type[0]
        if not is_json(media_type):
            raise UnsupportedMediaType(
                f"a command's body must be JSON (Content-Type: application/json), not {media_type or 'undeclared'}"
            )
        if json_depth(await request.body()) > MAX_JSON_DEPTH:
            raise InvalidJson(f"the body nests arrays and objects more than {MAX_JSON_DEPTH} deep")
