"""Every error the API can give, mapped to RFC 9457 problem details in one table."""

from __future__ import annotations

import re
from typing import Any

from litestar import Request, Response
from litestar.exceptions import (
    HTTPException,
    NotAuthorizedException,
    NotFoundException,
    PermissionDeniedException,
    ValidationException,
)

from domain.errors import DomainError, InvalidValue, NotFound
from projections.runner import ReadSideBehind

PROBLEM = "application/problem+json"


class BadRequest(Exception):
    """A malformed header or query parameter (422 naming it)."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


def problem(
    status: int, title: str, detail: str, code: str, retry_after: int | None = None, **extra: Any
) -> Response[dict[str, Any]]:
    """An RFC 9457 problem details response with a stable `code`."""
    body = {"type": f"https://inscribe.example/problems/{code}", "title": title, "status": status,
            "detail": detail, "code": code, **extra}
    headers = {"Retry-After": str(retry_after)} if retry_after is not None else None
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
    errors = [{"field": _field_name(e), "message": e.get("message", "invalid")}
              for e in (exc.extra or []) if isinstance(e, dict)]
    names = ", ".join(e["field"] for e in errors) or "the request"
    return problem(422, "Invalid input", f"invalid: {names}", "invalid-input", errors=errors)


def on_bad_request(_: Request[Any, Any, Any], exc: BadRequest) -> Response[dict[str, Any]]:
    return problem(422, "Invalid input", exc.message, "invalid-input",
                   errors=[{"field": exc.field, "message": exc.message}])


def on_domain(_: Request[Any, Any, Any], exc: DomainError) -> Response[dict[str, Any]]:
    if isinstance(exc, InvalidValue):
        return problem(422, "Invalid input", exc.message, exc.code,
                       errors=[{"field": exc.field, "message": exc.message}])
    if isinstance(exc, NotFound):
        return problem(404, "Not found", exc.message, exc.code)
    status = getattr(exc, "status", 409)
    return problem(status, "Forbidden" if status == 403 else "Conflict", exc.message, exc.code, **exc.details)


def on_behind(_: Request[Any, Any, Any], exc: ReadSideBehind) -> Response[dict[str, Any]]:
    return problem(503, "Read side not yet there", str(exc), "read-side-behind",
                   position=exc.position, reached=exc.reached, retry_after=1)


def on_http(_: Request[Any, Any, Any], exc: HTTPException) -> Response[dict[str, Any]]:
    if isinstance(exc, NotAuthorizedException):
        return problem(401, "Unauthorized", "a valid bearer token is required", "unauthorized")
    if isinstance(exc, PermissionDeniedException):
        return problem(403, "Forbidden", exc.detail, "forbidden")
    if isinstance(exc, NotFoundException):
        return problem(404, "Not found", exc.detail, "not-found")
    if exc.status_code == 400:  # e.g. a body that is not JSON: invalid input like any other
        return problem(422, "Invalid input", exc.detail, "invalid-input",
                       errors=[{"field": "body", "message": exc.detail}])
    return problem(exc.status_code, exc.detail or "Error", exc.detail, f"http-{exc.status_code}")


EXCEPTION_HANDLERS: dict[Any, Any] = {
    ValidationException: on_validation,
    BadRequest: on_bad_request,
    DomainError: on_domain,
    ReadSideBehind: on_behind,
    HTTPException: on_http,
}
