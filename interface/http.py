"""What every command and query shares: the command context, If-Match, as_of and after."""

from __future__ import annotations

import hashlib
import json
from datetime import date, datetime, time, timezone
from typing import Any, Sequence

from litestar import Request
from pydantic import BaseModel

from application.context import CommandContext
from domain.identifiers import china_today
from interface.auth import Principal
from interface.bootstrap import Services
from interface.errors import BadRequest
from projections.audit_log import position_at


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
    if not cleaned.isdigit():
        raise BadRequest("If-Match", "If-Match must be the aggregate version, a whole number")
    return int(cleaned)


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
    key = request.headers.get("Idempotency-Key")
    if key is not None and not (0 < len(key) <= 200):
        raise BadRequest("Idempotency-Key", "Idempotency-Key must be 1 to 200 characters")
    extra: dict[str, Any] = {"command_id": key} if key else {}
    return CommandContext(
        actor_id=principal.sub,
        actor_role=principal.role,
        channel="api",
        correlation_id=request.headers.get("X-Correlation-Id"),
        causation_id=request.headers.get("X-Causation-Id"),
        reason=reason,
        effective_at=effective_at,
        expected_version=parse_if_match(request.headers.get("If-Match")),
        fingerprint=fingerprint,
        **extra,
    )


def parse_as_of(value: str | None) -> int | datetime | None:
    """`as_of` is a log position (a whole number), a moment (ISO 8601) or a date (its end)."""
    if value is None or value == "":
        return None
    if value.isdigit():
        return int(value)
    try:
        if len(value) == 10:
            day = date.fromisoformat(value)
            return datetime.combine(day, time.max, tzinfo=timezone.utc)
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise BadRequest("as_of", "as_of must be a log position, an ISO 8601 moment or a date") from None
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def read_position(
    services: Services, names: Sequence[str], after: int | None, as_of: str | None
) -> int | None:
    """Wait for `after` (read your writes); resolve `as_of` to the log position it means (None = now)."""
    wait = services.settings.read_wait_seconds
    if after is not None:
        if after < 0:
            raise BadRequest("after", "after must be a log position (0 or more)")
        services.read_side.wait_for(after, names, wait)
    point = parse_as_of(as_of)
    if point is None:
        return None
    read_side = services.read_side
    if isinstance(point, datetime):
        read_side.wait_for(read_side.head(), ["audit_log"], wait)
        with read_side.engine.connect() as conn:
            point = position_at(conn, point)
    # A position beyond the head means "now": answer as of the head, so the answer is repeatable.
    point = min(point, read_side.head())
    read_side.wait_for(point, names, wait)
    return point
