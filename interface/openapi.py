"""What the OpenAPI document declares beyond the handlers' own types: the problem responses every
operation can give (RFC 9457, SPEC §10), the headers commands read and answers send, each operation's
summary (interface.openapi_summaries; its description is the handler's docstring), and a document every
validator and client generator accepts (no `name` on the bearer scheme, one model name per schema).

Litestar documents each handler's success response from its return type; the errors come from one table
(interface.errors) shared by every route, so they are declared here, once, for every operation. The docs
pages (Swagger UI, Redoc) load their scripts from the app's own /static/docs, never from a CDN.
"""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path
from typing import Any

from litestar import Litestar
from litestar._openapi.datastructures import OpenAPIContext
from litestar._openapi.schema_generation import SchemaCreator
from litestar.openapi.plugins import RedocRenderPlugin, SwaggerRenderPlugin
from litestar.openapi.spec import (
    Components,
    OpenAPI,
    OpenAPIFormat,
    OpenAPIHeader,
    OpenAPIMediaType,
    OpenAPIResponse,
    OpenAPIType,
    Operation,
    Parameter,
    Reference,
    Schema,
)
from litestar.typing import FieldDefinition
from pydantic import BaseModel

from interface.errors import PROBLEM
from interface.openapi_codes import document_codes
from interface.openapi_registers import REGISTER_READS
from interface.openapi_summaries import SUMMARIES

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

_FIGURE = Schema(
    one_of=[Schema(type=OpenAPIType.STRING), Schema(type=OpenAPIType.INTEGER), Schema(type=OpenAPIType.NULL)],
    description="a decimal as plain text, a count, a date (ISO), or null",
)
#: A report as JSON (interface.reports_api.as_json): its figures per group, the totals and their definitions.
REPORT_SCHEMA = Schema(
    type=OpenAPIType.OBJECT,
    title="Report",
    required=["report", "title", "from", "to", "group_by", "position", "figures", "rows", "totals", "definitions"],
    properties={
        "report": Schema(type=OpenAPIType.STRING),
        "title": Schema(type=OpenAPIType.STRING),
        "from": Schema(type=OpenAPIType.STRING, format=OpenAPIFormat.DATE),
        "to": Schema(type=OpenAPIType.STRING, format=OpenAPIFormat.DATE),
        "group_by": Schema(type=OpenAPIType.STRING),
        "position": Schema(one_of=[Schema(type=OpenAPIType.INTEGER), Schema(type=OpenAPIType.NULL)]),
        "figures": Schema(type=OpenAPIType.ARRAY, items=Schema(type=OpenAPIType.STRING), description="in order"),
        "rows": Schema(
            type=OpenAPIType.ARRAY,
            items=Schema(type=OpenAPIType.OBJECT, additional_properties=_FIGURE),
            description="one per group: the group key (named by `group_by`), then the figures",
        ),
        "totals": Schema(type=OpenAPIType.OBJECT, additional_properties=_FIGURE),
        "definitions": Schema(type=OpenAPIType.OBJECT, additional_properties=Schema(type=OpenAPIType.STRING)),
    },
)

#: Status → (description, the codes it carries), for the operations that can give it.
PROBLEMS: dict[str, str] = {
    "400": "The body is not JSON, or nested too deep (`invalid-json`).",
    "401": "No valid bearer token (`unauthorized`).",
    "403": "The role may not do this, or lacks the authority for the amount (`forbidden`, `insufficient-authority`).",
    "404": "No such resource (`not-found`).",
    "409": "A rule or state forbids it.",
    "413": "The body is too large (`payload-too-large`).",
    "415": "A command body that is not JSON (`unsupported-media-type`).",
    "422": "Invalid input: each bad field or parameter named (`invalid-input`, `position-not-recorded`).",
    "500": "An unexpected error (`internal-error`), with a correlation id the log names.",
    "503": "The database is unreachable, or the read side has not reached `after` yet (`database-unavailable`, "
    "`read-side-behind`); see Retry-After.",
}
COMMAND_ONLY = {"400", "409", "413", "415"}

RETRY_AFTER = OpenAPIHeader(schema=Schema(type=OpenAPIType.INTEGER), description="seconds to wait before retrying")
LOCATION = OpenAPIHeader(
    schema=Schema(type=OpenAPIType.STRING), description="the URL of the resource the command created"
)
ETAG = OpenAPIHeader(
    schema=Schema(type=OpenAPIType.STRING),
    description="the resource's version (its aggregate version), for `If-Match` on the next command",
)
IF_NONE_MATCH = Parameter(
    name="If-None-Match",
    param_in="header",
    required=False,
    description="an ETag this client holds: 304 with no body while the resource still has that version",
    schema=Schema(type=OpenAPIType.STRING, max_length=200),
)
NOT_MODIFIED = OpenAPIResponse(description="Not modified: the version named in `If-None-Match` is current.")

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


#: The docs pages' own assets (interface/static/docs: Swagger UI and Redoc, with their licences).
STATIC_DIR = Path(__file__).parent / "static"
DOCS_ASSETS = "/static/docs"


def docs_pages() -> list[Any]:
    """Swagger UI at / and /swagger, Redoc at /redoc (under /schema), from the app's own assets."""
    favicon = f"<link rel='icon' type='image/png' href='{DOCS_ASSETS}/swagger-ui/favicon-32x32.png'>"
    return [
        SwaggerRenderPlugin(
            path=["/", "/swagger"],
            js_url=f"{DOCS_ASSETS}/swagger-ui/swagger-ui-bundle.js",
            css_url=f"{DOCS_ASSETS}/swagger-ui/swagger-ui.css",
            standalone_preset_js_url=f"{DOCS_ASSETS}/swagger-ui/swagger-ui-standalone-preset.js",
            favicon=favicon,
        ),
        RedocRenderPlugin(js_url=f"{DOCS_ASSETS}/redoc/redoc.standalone.js", google_fonts=False, favicon=favicon),
    ]


def _type_register_reads(app: Litestar, schema: OpenAPI, components: Components) -> None:
    """Document each register read's body as its register's model (a page of rows, or one row)."""
    context = OpenAPIContext(openapi_config=app.openapi_config, plugins=app.plugins.openapi)  # type: ignore[arg-type]
    creator = SchemaCreator.from_openapi_context(context, prefer_alias=False)
    for path, item in (schema.paths or {}).items():
        for method, operation in _operations(item):
            read = REGISTER_READS.get(f"{method.upper()} {path}")
            ok = (operation.responses or {}).get("200")
            if path.startswith("/api/v1/reports/") and isinstance(ok, OpenAPIResponse):
                report = Reference("#/components/schemas/Report")
                ok.content = {**(ok.content or {}), "application/json": OpenAPIMediaType(schema=report)}
            if read is None or not isinstance(ok, OpenAPIResponse):
                continue
            register, page = read
            model: type[BaseModel] = register.page_model if page else register.model
            body = creator.for_field_definition(FieldDefinition.from_annotation(model))
            ok.content = {**(ok.content or {}), "application/json": OpenAPIMediaType(schema=body)}
    generated = context.schema_registry.generate_components_schemas()
    for model_schema in generated.values():  # column names are SQLAlchemy's quoted_name: plain str in a document
        model_schema.properties = {str(k): v for k, v in (model_schema.properties or {}).items()} or None
        model_schema.required = [str(name) for name in model_schema.required or []] or None
    components.schemas = {**generated, **(components.schemas or {}), "Report": REPORT_SCHEMA}


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


def _model_name(key: str) -> str:
    """`claim_schemas_On` → `ClaimOn`: Litestar prefixes a model's module when two share a name."""
    match = re.fullmatch(r"([a-z]+)_schemas_(\w+)", key)
    return f"{match.group(1).capitalize()}{match.group(2)}" if match else key


def _rename_refs(node: Any, renames: dict[str, str]) -> None:
    """Point every `$ref` to a renamed schema at its new name (the spec objects are dataclasses)."""
    if isinstance(node, Reference):
        name = node.ref.rsplit("/", 1)[-1]
        if node.ref.startswith("#/components/schemas/") and name in renames:
            node.ref = f"#/components/schemas/{renames[name]}"
    elif dataclasses.is_dataclass(node) and not isinstance(node, type):
        for field in dataclasses.fields(node):
            _rename_refs(getattr(node, field.name), renames)
    elif isinstance(node, dict):
        for value in node.values():
            _rename_refs(value, renames)
    elif isinstance(node, list | tuple):
        for value in node:
            _rename_refs(value, renames)


def _unique_model_names(schema: OpenAPI, components: Components) -> None:
    """One model name per schema: a generator names a class by the title, and two `On`s collide."""
    schemas = components.schemas or {}
    renames = {key: _model_name(key) for key in schemas if _model_name(key) != key}
    for key, value in list(schemas.items()):
        if isinstance(value, Schema):
            value.title = renames.get(key, key)
    components.schemas = {renames.get(key, key): value for key, value in schemas.items()}
    _rename_refs(schema.paths, renames)
    _rename_refs(components.schemas, renames)


def _unwrap_root_models(components: Components) -> None:
    """A pydantic RootModel is its root on the wire; Litestar documents it as an object `{"root": …}`."""
    for key, value in (components.schemas or {}).items():
        if isinstance(value, Schema) and set(value.properties or {}) == {"root"} and value.required == ["root"]:
            root = (value.properties or {})["root"]
            if isinstance(root, Schema):
                root.title, root.description = value.title or key, value.description or root.description
                (components.schemas or {})[key] = root


def _bearer_scheme(components: Components) -> None:
    """An http bearer scheme has no `name` (OpenAPI 3.1 §4.8.27): validators refuse one."""
    for scheme in (components.security_schemes or {}).values():
        if not isinstance(scheme, Reference) and scheme.type == "http":
            scheme.name = None
            scheme.description = "A JWT carrying `sub` and `role` (SPEC §10); mint one with `inscribe token`."


def _responses(path: str, command: bool, operation: Operation) -> dict[str, OpenAPIResponse | Reference]:
    responses = dict(operation.responses or {})
    responses.pop("400", None)  # Litestar's own 400 body; the API answers a problem, and only to commands
    for status, description in PROBLEMS.items():
        if status in COMMAND_ONLY and not command:
            continue
        if status == "404" and "{" not in path and not command:
            continue
        responses[status] = _problem(description, status)
    created, ok = responses.get("201"), responses.get("200")
    if isinstance(created, OpenAPIResponse):
        created.headers = {**(created.headers or {}), "Location": LOCATION}
    if isinstance(ok, OpenAPIResponse) and not command and path.endswith("}"):  # a single resource
        ok.headers = {**(ok.headers or {}), "ETag": ETAG}
        responses["304"] = NOT_MODIFIED
        operation.parameters = [*(operation.parameters or []), IF_NONE_MATCH]
    if isinstance(ok, OpenAPIResponse) and _offers_csv(operation):
        ok.content = {
            **(ok.content or {}),
            "text/csv": OpenAPIMediaType(schema=Schema(type=OpenAPIType.STRING, description="the same figures as CSV")),
        }
    return responses


def _first_sentence(operation: Operation) -> str | None:
    """An operation missing from SUMMARIES: its docstring's first sentence rather than the handler's name."""
    if not operation.description:
        return operation.summary
    return operation.description.split(". ", 1)[0].split("\n", 1)[0].rstrip(".")


def _operation_id(summary: str) -> str:
    """ "Analyse a customer's needs" → `analyse_customers_needs`: a client's function name, in words."""
    words = re.findall(r"[a-z0-9]+", summary.lower().replace("'s", "s"))
    return "_".join(w for w in words if w not in {"a", "an", "the", "of", "by", "for", "on", "with"})


def _name_operations(schema: OpenAPI) -> None:
    """Each operation's id from its summary, when those ids are unique (otherwise Litestar's stay)."""
    named = [op for item in (schema.paths or {}).values() for _, op in _operations(item) if op.summary]
    ids = [_operation_id(op.summary or "") for op in named]
    if len(set(ids)) == len(ids):
        for operation, operation_id in zip(named, ids):
            operation.operation_id = operation_id


def declare_problems(app: Litestar) -> None:
    """Complete the document: problem responses, command headers, answer headers, summaries, model names."""
    schema = app.openapi_schema
    components = schema.components = schema.components or Components()
    components.schemas = {**(components.schemas or {}), "Problem": PROBLEM_SCHEMA}
    _bearer_scheme(components)
    _type_register_reads(app, schema, components)
    _unique_model_names(schema, components)
    _unwrap_root_models(components)
    for path, item in (schema.paths or {}).items():
        for method, operation in _operations(item):
            command = method != "get"
            operation.summary = SUMMARIES.get(f"{method.upper()} {path}") or _first_sentence(operation)
            operation.responses = _responses(path, command, operation)
            if command:
                present = {p.name for p in operation.parameters or [] if isinstance(p, Parameter)}
                operation.parameters = [
                    *(operation.parameters or []),
                    *(h for h in COMMAND_HEADERS if h.name not in present),
                ]
    _name_operations(schema)
    document_codes(app, schema, _problem(PROBLEMS["409"], "409"))
