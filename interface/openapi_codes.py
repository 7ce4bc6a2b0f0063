"""Each operation's problem responses name the `code`s that operation can answer (SPEC §10), from
interface.problem_codes: derived from the code by `make contract` (tools/problem_codes.py) and checked by the
test runs (interface.errors.CHECK_DOCUMENTED_CODES). A client can switch on them; the docs page shows one
example per code."""

from __future__ import annotations

from litestar import Litestar
from litestar.openapi.spec import OpenAPI, OpenAPIResponse, Operation, Reference
from litestar.openapi.spec.example import Example
from litestar.routes import HTTPRoute

from interface.errors import PROBLEM, handler_name
from interface.problem_codes import CODES

#: The codes the API answers with a status besides those a handler's own rules raise (interface.errors).
FRAMEWORK_CODES: dict[int, tuple[str, ...]] = {403: ("forbidden",), 404: ("not-found",), 422: ("invalid-input",)}
TITLES = {403: "Forbidden", 404: "Not found", 409: "Conflict", 422: "Invalid input"}


def handlers_by_operation(app: Litestar) -> dict[str, str]:
    """ "METHOD /path" (as the document spells it) → the full name of the function that answers it."""
    found: dict[str, str] = {}
    for route in app.routes:
        if isinstance(route, HTTPRoute):
            for handler in route.route_handlers:
                for method in handler.http_methods:
                    found[f"{method} {route.path_format}"] = handler_name(handler)
    return found


def operation_codes(handler: str | None, status: int) -> tuple[str, ...]:
    """The codes an operation can answer with `status` (its rules' and the framework's), in order."""
    own = CODES.get(handler or "", {}).get(status, ())
    return tuple(sorted({*FRAMEWORK_CODES.get(status, ()), *own}))


def _examples(status: int, codes: tuple[str, ...]) -> dict[str, Example | Reference]:
    return {
        code: Example(
            summary=code,
            value={"type": f"https://inscribe.example/problems/{code}", "title": TITLES[status], "status": status}
            | {"code": code, "detail": "…"},
        )
        for code in codes
    }


def name_codes(operation: Operation, handler: str | None, conflict: OpenAPIResponse) -> None:
    """List, on each of the operation's 403/404/409/422 responses, the codes it can answer (a 409 only if some
    rule of the operation gives one; a read whose rules can refuse gets one too)."""
    responses = operation.responses or {}
    if CODES.get(handler or "", {}).get(409) and "409" not in responses:
        responses["409"] = conflict
    for key, response in list(responses.items()):
        status = int(key)
        if status not in TITLES or not isinstance(response, OpenAPIResponse):
            continue
        codes = operation_codes(handler, status)
        if status == 409 and not codes:
            del responses[key]
            continue
        shown = ", ".join(f"`{code}`" for code in codes)
        media = (response.content or {}).get(PROBLEM)
        documented = OpenAPIResponse(
            description=f"{response.description} Codes: {shown}.",
            headers=response.headers,
            content=dict(response.content or {}),
        )
        if media is not None:
            documented.content = {
                **(documented.content or {}),
                PROBLEM: type(media)(schema=media.schema, examples=_examples(status, codes)),
            }
        responses[key] = documented
    operation.responses = responses


def document_codes(app: Litestar, schema: OpenAPI, conflict: OpenAPIResponse) -> None:
    """Name the codes of every operation of the document (`conflict`: the 409 response to start from)."""
    handlers = handlers_by_operation(app)
    for path, item in (schema.paths or {}).items():
        for method in ("get", "put", "post", "delete", "patch"):
            operation = getattr(item, method, None)
            if operation is not None:
                name_codes(operation, handlers.get(f"{method.upper()} {path}"), conflict)
