"""Management and regulatory reports (SPEC §8) under /api/v1/reports, as JSON or CSV: one route per report
of the registry (projections.reports.REPORTS), all answered by `answer`.

Every report takes the period (`from`, `to`: business dates, both included; default the current calendar
year to date), `group_by`, and `as_of` / `after` like every register. A report answered "now" names the log
position it was computed at: asked again `as_of` that position, it answers exactly the same.
"""

from __future__ import annotations

import csv
import io
from datetime import date
from decimal import Decimal
from typing import Annotated, Any

from litestar import Request, Response, Router, get
from litestar.di import NamedDependency
from litestar.handlers import HTTPRouteHandler
from litestar.params import QueryParameter
from pydantic import BaseModel

from domain.identifiers import china_today
from interface.auth import requires
from interface.bootstrap import Services
from interface.errors import BadRequest
from interface.http import read_at
from interface.query_params import QUERY_DEPENDENCIES, ReadAt, ReadPoint
from projections.reports import REPORTS, Report, ReportSpec, run_report

Svc = NamedDependency[Services]
BASE = "/api/v1/reports"
CSV = "text/csv"  # Litestar adds "; charset=utf-8"
#: The longest period a report may cover (ten years): a month-by-month report stays small.
MAX_DAYS = 3660

# Read as text and checked here, so that a 422 names the parameter as the client spelt it.
From = Annotated[
    str | None,
    QueryParameter(
        name="from", format="date", description="first day of the period (ISO date; default: 1 January of this year)"
    ),
]
To = Annotated[
    str | None,
    QueryParameter(name="to", format="date", description="last day of the period (ISO date; default: today in China)"),
]
GroupBy = Annotated[
    str | None,
    QueryParameter(name="group_by", description="the grouping (allowed values per report; default the first)"),
]
Format = Annotated[
    str | None,
    QueryParameter(
        name="format",
        enum=["json", "csv"],
        description="json or csv (default: json, or csv when the Accept header asks for text/csv)",
    ),
]


def parse_day(value: str | None, name: str, default: date) -> date:
    if value is None or value == "":
        return default
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise BadRequest(name, f"{name} must be a date (YYYY-MM-DD)") from None


class ReportInfo(BaseModel):
    """A report: where to ask for it, its groupings (the first is the default) and its figures' definitions."""

    name: str
    path: str
    title: str
    group_by: list[str]
    definitions: dict[str, str]


def _path(spec: ReportSpec) -> str:
    return f"{BASE}/" + spec.name.replace("_", "-")


def describe(name: str) -> str:
    """The OpenAPI description of a report: its groupings and the definition of every figure."""
    spec = REPORTS[name]
    lines = [f"{spec.title}. group_by: {', '.join(spec.group_by)} (default {spec.group_by[0]}).", ""]
    lines += [f"- **{figure}**: {text}" for figure, text in spec.definitions.items()]
    lines += [
        "",
        (
            "Ratios are percentages to 2 decimals, money to the cent; a figure whose denominator is 0 is "
            "null (empty in CSV). Grouped by month, each month is a period of its own; totals cover the "
            "whole period."
        ),
    ]
    return "\n".join(lines)


def plain(value: Any) -> Any:
    """A figure as JSON: decimals as plain decimal text, dates as ISO text."""
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, date):
        return value.isoformat()
    return value


def as_json(report: Report, spec: ReportSpec) -> dict[str, Any]:
    return {
        "report": report.name,
        "title": spec.title,
        "from": report.period_from.isoformat(),
        "to": report.period_to.isoformat(),
        "group_by": report.group_by,
        "position": report.position,
        "figures": report.figures,
        "rows": [{k: plain(v) for k, v in row.items()} for row in report.rows],
        "totals": {k: plain(v) for k, v in report.totals.items()},
        "definitions": report.definitions,
    }


def as_csv(report: Report) -> str:
    """A header row, one row per group and a last row `total`; figures as plain decimal text, null as empty."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow([report.group_by, *report.figures])
    for row in [*report.rows, {report.group_by: "total", **report.totals}]:
        writer.writerow(["" if row.get(k) is None else plain(row[k]) for k in (report.group_by, *report.figures)])
    return out.getvalue()


def answer(
    services: Services,
    request: Request[Any, Any, Any],
    name: str,
    period_from: str | None,
    period_to: str | None,
    group_by: str | None,
    read_point: ReadPoint,
    format_: str | None,
) -> Response[Any]:
    """Compute a report as asked and answer it as JSON or CSV."""
    spec = REPORTS[name]
    today = china_today()
    start, end = parse_day(period_from, "from", date(today.year, 1, 1)), parse_day(period_to, "to", today)
    if format_ not in (None, "json", "csv"):
        raise BadRequest("format", "format must be json or csv")
    if end < start:
        raise BadRequest("to", "the period must not end before it begins")
    if (end - start).days > MAX_DAYS:
        raise BadRequest("to", "a report covers at most ten years")
    if group_by is not None and group_by not in spec.group_by:
        raise BadRequest("group_by", f"group_by must be one of {', '.join(spec.group_by)} for this report")
    position = read_at(services, read_point, *spec.sources)
    report = run_report(services.read_side, spec, position, start, end, group_by)
    wants_csv = format_ == "csv" or (format_ is None and "text/csv" in request.headers.get("accept", ""))
    if wants_csv:
        filename = f"{name}_{start.isoformat()}_{end.isoformat()}.csv"
        return Response(
            content=as_csv(report),
            media_type=CSV,
            headers={"Content-Disposition": f'attachment; filename="{filename}"'},
        )
    return Response(content=as_json(report, spec), media_type="application/json")


@get("/", sync_to_thread=False)
def list_reports() -> list[ReportInfo]:
    """Every report, its groupings and the definition of each of its figures."""
    return [
        ReportInfo(name=s.name, path=_path(s), title=s.title, group_by=list(s.group_by), definitions=s.definitions)
        for s in REPORTS.values()
    ]


def report_route(spec: ReportSpec) -> HTTPRouteHandler:
    """The route of one report of the registry: GET /api/v1/reports/<name>, described by its definitions."""

    def handler(
        services: Svc,
        request: Request[Any, Any, Any],
        read_point: ReadAt,
        period_from: From = None,
        period_to: To = None,
        group_by: GroupBy = None,
        format_: Format = None,
    ) -> Response[Any]:
        return answer(services, request, spec.name, period_from, period_to, group_by, read_point, format_)

    handler.__name__ = handler.__qualname__ = spec.name  # the operation's summary and id, as before
    route: HTTPRouteHandler = get(_path(spec).removeprefix(BASE), sync_to_thread=True, description=describe(spec.name))(
        handler
    )
    return route


#: Loss ratio, claims timeliness, complaints, underwriting, persistency, satisfaction and staff reports:
#: the listing and one route per report of the registry (projections.reports.REPORTS).
ReportQueries = Router(
    path=BASE,
    route_handlers=[list_reports, *(report_route(spec) for spec in REPORTS.values())],
    tags=["reports"],
    guards=[requires("reports.read")],
    dependencies=QUERY_DEPENDENCIES,
)
