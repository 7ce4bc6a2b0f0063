"""The HTTP conventions every answer follows, applied in one place: the app's response class.

- A command that creates something (201) names it in `Location`: the created resource's URL, in the
  collection the command was sent to (`POST /customers` → `/customers/{id}`) or, for a command on a
  sub-resource that creates something else, the collection its last segment names (`…/claims` → `/claims/{id}`).
- A single resource's GET carries its version (the aggregate version its body holds) as a strong `ETag`;
  `If-None-Match` with that tag (or `*`) answers 304 with no body. Commands take the tag back in `If-Match`.
- A register list (an operation that declares `format`) answers CSV for `?format=csv` or for an Accept
  header that prefers `text/csv`: a header row and one row per item, as `text/csv; charset=utf-8`.

Answers a handler builds itself (reports, exports) and problems are left as they are.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Mapping, Sequence
from typing import Any, get_args

from litestar import Litestar, Request, Response
from litestar.exceptions import HTTPException
from litestar.response.base import ASGIResponse
from pydantic import BaseModel

from interface.http import query_names

#: Where the API's resources live: a created resource is looked up in one of its collections.
API_BASE = "/api/v1"
CSV = "text/csv"  # Litestar adds "; charset=utf-8" to a text/* media type
JSON = "application/json"


def readable(app: Litestar, path: str) -> bool:
    """Whether `GET path` reaches a route (its path parameters of the right type)."""
    try:
        app.asgi_router.handle_routing(path, "GET")
    except HTTPException:  # not found, method not allowed
        return False
    return True


def location(request: Request[Any, Any, Any], resource_id: str) -> str | None:
    """The URL of the resource a command created: in the collection it was sent to, else in the collection
    its last path segment names; None if neither can be read."""
    path = str(request.scope["path"]).rstrip("/")  # as routed: without the root path a proxy may add
    for collection in (path, f"{API_BASE}/{path.rsplit('/', 1)[-1]}"):
        candidate = f"{collection}/{resource_id}"
        if readable(request.app, candidate):
            return f"{request.scope.get('root_path', '')}{candidate}"
    return None


def version_of(content: Any) -> int | None:
    """The aggregate version a single resource's body carries (None: a list, a page, or no version)."""
    fields = content.__dict__ if isinstance(content, BaseModel) else content
    if not isinstance(fields, Mapping) or "items" in fields:
        return None
    version = fields.get("version")
    return version if isinstance(version, int) and not isinstance(version, bool) else None


def etag_matches(header: str, tag: str) -> bool:
    """`If-None-Match` compares weakly (RFC 9110 §13.1.2): `*`, or any listed tag equal to `tag` (W/ aside)."""
    return any(given.strip() in ("*", tag) or given.strip().removeprefix("W/") == tag for given in header.split(","))


def offers_csv(request: Request[Any, Any, Any]) -> bool:
    """Whether the operation declares `format` (on the others `format` is refused before the handler runs)."""
    return "format" in query_names(request.route_handler, request.path_params)


def wants_csv(request: Request[Any, Any, Any]) -> bool:
    """`?format=csv`, or no `format` and an Accept header that prefers text/csv to JSON."""
    asked: str | None = request.query_params.get("format")
    if asked:
        return asked == "csv"
    return "accept" in request.headers and request.accept.best_match([JSON, CSV]) == CSV


def _item_type(annotation: Any) -> type[BaseModel] | None:
    """The model of a list's items, from `list[Model]` (None if it is not one)."""
    args = get_args(annotation)
    return args[0] if args and isinstance(args[0], type) and issubclass(args[0], BaseModel) else None


def _columns(content: Any, rows: Sequence[Any], request: Request[Any, Any, Any]) -> list[str]:
    """The CSV's columns: the item model's fields (known even for an empty page), else the first row's keys."""
    model: type[BaseModel] | None = None
    if isinstance(content, BaseModel) and "items" in type(content).model_fields:
        model = _item_type(type(content).model_fields["items"].annotation)
    elif rows and isinstance(rows[0], BaseModel):
        model = type(rows[0])
    else:
        model = _item_type(request.route_handler.parsed_fn_signature.return_type.annotation)
    if model is not None:
        return list(model.model_fields)
    first = rows[0] if rows else {}
    return list(first) if isinstance(first, Mapping) else []


def _cell(value: Any) -> str:
    """One value as CSV text: null empty, booleans as in JSON, nested objects and lists as JSON."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return str(value)


def as_csv(content: Any, request: Request[Any, Any, Any]) -> str | None:
    """A register page (or list) as CSV: a header row, then one row per item; None if it is neither."""
    if isinstance(content, BaseModel) and "items" in type(content).model_fields:
        rows: Sequence[Any] = getattr(content, "items", [])
    elif isinstance(content, list):
        rows = content
    else:
        return None
    columns = _columns(content, rows, request)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(columns)
    for row in rows:
        values = row.model_dump(mode="json") if isinstance(row, BaseModel) else dict(row)
        writer.writerow([_cell(values.get(column)) for column in columns])
    return out.getvalue()


class ConventionalResponse(Response[Any]):
    """The app's response class: Location on a 201, ETag and 304 on a single resource, CSV on a register."""

    def to_asgi_response(self, app: Litestar | None, request: Request[Any, Any, Any], **kwargs: Any) -> ASGIResponse:
        if request.method == "POST" and self.status_code == 201:
            self._locate(request)
        elif request.method == "GET" and self.status_code == 200:
            csv_too = offers_csv(request)
            if csv_too:
                self.headers["Vary"] = "Accept"  # the same URL answers JSON or CSV
            if csv_too and wants_csv(request):
                self._as_csv(request)
            else:
                self._tag(request)
        return super().to_asgi_response(app, request, **kwargs)

    def _locate(self, request: Request[Any, Any, Any]) -> None:
        created = getattr(self.content, "id", None)
        if created is not None and (url := location(request, str(created))) is not None:
            self.headers["Location"] = url

    def _tag(self, request: Request[Any, Any, Any]) -> None:
        version = version_of(self.content)
        if version is None:
            return
        tag = f'"{version}"'
        self.headers["ETag"] = tag
        asked = request.headers.get("If-None-Match")
        if asked is not None and etag_matches(asked, tag):
            self.status_code = 304
            self.content = b""

    def _as_csv(self, request: Request[Any, Any, Any]) -> None:
        text = as_csv(self.content, request)
        if text is not None:
            self.content = text
            self.media_type = CSV
            name = request.url.path.rstrip("/").rsplit("/", 1)[-1]
            self.headers["Content-Disposition"] = f'attachment; filename="{name}.csv"'
