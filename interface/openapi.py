"""What the OpenAPI document declares beyond the handlers' own types: the problem responses every
operation can give (RFC 9457, SPEC §10) and the headers commands read.

Litestar documents each handler's success response from its return type; the errors come from one table
(interface.errors) shared by every route, so they are declared here, once, for every operation.
"""

from __future__ import annotations

from typing import Any

from litestar import Litestar
from litestar.openapi.spec import (
    Components,
    OpenAPIHeader,
    OpenAPIMediaType,
    OpenAPIResponse,
    OpenAPIType,
    Operation,
    Parameter,
    Reference,
    Schema,
)

from interface.errors import PROBLEM

PROBLEM_SCHEMA = Schema(
    type=OpenAPIType.OBJECT,
    description="RFC 9457 problem details with a stable `code`; a 422 names each bad field in `errors`.",
    required=["type", "title", "status", "detail", "code"],
    properties={
        "type": Schema(type=OpenAPIType.STRING),
        "title": Schema(type=OpenAPIType.STRING),
        "status": Schema(type=OpenAPIType.INTEGER),
        "detail": Schema(type=OpenAPIType.STRING),
        "code": Schema(type=OpenAPIType.STRING, description="e.g. invalid-input, policy-not-in-force"),
        "errors": Schema(
            type=OpenAPIType.ARRAY,
            items=Schema(
                type=OpenAPIType.OBJECT,
                required=["field", "message"],
                properties={"field": Schema(type=OpenAPIType.STRING), "message": Schema(type=OpenAPIType.STRING)},
            ),
        ),
        "correlation_id": Schema(type=OpenAPIType.STRING),
    },
)

#: Status → (description, the codes it carries), for the operations that can give it.
PROBLEMS: dict[str, str] = {
    "400": "The body is not JSON, or nested too deep (`invalid-json`).",
    "401": "No valid bearer token (`unauthorized`).",
    "403": "The role may not do this, or lacks the authority for the amount (`forbidden`, `insufficient-authority`).",
    "404": "No such resource (`not-found`).",
    "409": "A rule or state forbids it (a stable `code`, e.g. `policy-not-in-force`, `stale-version`).",
    "413": "The body is too large (`payload-too-large`).",
    "415": "A command body that is not JSON (`unsupported-media-type`).",
    "422": "Invalid input: each bad field or parameter named (`invalid-input`, `position-not-recorded`).",
    "500": "An unexpected error (`internal-error`), with a correlation id the log names.",
    "503": "The database is unreachable, or the read side has not reached `after` yet (`database-unavailable`, "
    "`read-side-behind`); see Retry-After.",
}
COMMAND_ONLY = {"400", "409", "413", "415"}

RETRY_AFTER = OpenAPIHeader(schema=Schema(type=OpenAPIType.INTEGER), description="seconds to wait before retrying")

#: The headers a command reads (SPEC §10): they reach the events' metadata.
COMMAND_HEADERS = [
    Parameter(
        name="Idempotency-Key",
        param_in="header",
        required=False,
        description="the command id: a retry with the same key gets the first answer and records nothing",
        schema=Schema(type=OpenAPIType.STRING, min_length=1, max_length=200),
    ),
    Parameter(
        name="If-Match",
        param_in="header",
        required=False,
        description="the aggregate version the command expects (409 stale-version otherwise)",
        schema=Schema(type=OpenAPIType.STRING, pattern=r'^(W/)?"?[0-9]{1,18}"?$'),
    ),
    Parameter(
        name="X-Correlation-Id",
        param_in="header",
        required=False,
        description="the correlation id recorded with every event of the command",
        schema=Schema(type=OpenAPIType.STRING, max_length=200, pattern=r"^[\x21-\x7e]+$"),
    ),
    Parameter(
        name="X-Causation-Id",
        param_in="header",
        required=False,
        description="what caused the command, recorded with its events",
        schema=Schema(type=OpenAPIType.STRING, max_length=200, pattern=r"^[\x21-\x7e]+$"),
    ),
]


def _problem(description: str, status: str) -> OpenAPIResponse:
    headers: dict[str, OpenAPIHeader | Reference] | None = {"Retry-After": RETRY_AFTER} if status == "503" else None
    return OpenAPIResponse(
        description=description,
        headers=headers,
        content={PROBLEM: OpenAPIMediaType(schema=Reference("#/components/schemas/Problem"))},
    )


def _operations(item: Any) -> list[tuple[str, Operation]]:
    methods = ("get", "put", "post", "delete", "patch")
    return [(m, op) for m in methods if (op := getattr(item, m, None)) is not None]


def _offers_csv(operation: Operation) -> bool:
    """An operation with `?format=csv` (or `Accept: text/csv`) answers CSV too."""
    for parameter in operation.parameters or []:
        if (
            isinstance(parameter, Parameter)
            and parameter.name == "format"
            and isinstance(parameter.schema, Schema)
            and "csv" in (parameter.schema.enum or [])
        ):
            return True
    return False


def declare_problems(app: Litestar) -> None:
    """Add the problem responses (and, on commands, the command headers) to every operation."""
    schema = app.openapi_schema
    schema.components = schema.components or Components()
    schema.components.schemas = {**(schema.components.schemas or {}), "Problem": PROBLEM_SCHEMA}
    for path, item in (schema.paths or {}).items():
        for method, operation in _operations(item):
            command = method != "get"
            responses = dict(operation.responses or {})
            for status, description in PROBLEMS.items():
                if status in COMMAND_ONLY and not command:
                    continue
                if status == "404" and "{" not in path and not command:
                    continue
                responses[status] = _problem(description, status)
            if _offers_csv(operation) and "200" in responses:
                ok = responses["200"]
                if isinstance(ok, OpenAPIResponse):
                    ok.content = {
                        **(ok.content or {}),
                        "text/csv": OpenAPIMediaType(
                            schema=Schema(type=OpenAPIType.STRING, description="the same figures as CSV")
                        ),
                    }
            operation.responses = responses
            if command:
                present = {p.name for p in operation.parameters or [] if isinstance(p, Parameter)}
                operation.parameters = [
                    *(operation.parameters or []),
                    *(h for h in COMMAND_HEADERS if h.name not in present),
                ]
