"""Management and regulatory reports (SPEC §8) under /api/v1/reports, as JSON or CSV.

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

from litestar import Controller, Request, Response, get
from litestar.di import NamedDependency
from litestar.params import QueryParameter
from pydantic import BaseModel

from domain.identifiers import china_today
from interface.auth import requires
from interface.bootstrap import Services
from interface.errors import BadRequest
from interface.http import read_position
from interface.query_params import After, AsOf
from projections.reports import REPORTS, Report, ReportSpec

Svc = NamedDependency[Services]
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
    return "/api/v1/reports/" + spec.name.replace("_", "-")


def describe(name: str) -> str:
    """The OpenAPI description of a report: its groupings and the definition of every figure."""
    spec = REPORTS[name]
    lines = [f"{spec.title}. group_by: {', '.join(spec.group_by)} (default {spec.group_by[0]}).", ""]
    lines += [f"- **{figure}**: {text}" for figure, text in spec.definitions.items()]
    lines += [
        "",
        "Ratios are percentages to 2 decimals, money to the cent; a figure whose denominator is 0 is "
        "null (empty in CSV). Grouped by month, each month is a period of its own; totals cover the "
        "whole period.",
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
    as_of: str | None,
    after: int | None,
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
    position = read_position(services, spec.sources, after, as_of)
    read_side = services.read_side
    with read_side.engine.connect() as conn:
        if position is None:  # now: the position every source has reached, so the answer can be asked again
            position = min(read_side.position(source, conn) for source in spec.sources)
        report = spec.run(conn, position, start, end, group_by)
    wants_csv = format_ == "csv" or (format_ is None and "text/csv" in request.headers.get("accept", ""))
    if wants_csv:
        filename = f"{name}_{start.isoformat()}_{end.isoformat()}.csv"
        return Response(
            content=as_csv(report),
            media_type=CSV,
            headers={"Content-Disposition": f'attachment; filename="{filename}"'},
        )
    return Response(content=as_json(report, spec), media_type="application/json")


class ReportQueries(Controller):
    """Loss ratio, claims timeliness, complaints, underwriting, persistency, satisfaction and staff reports."""

    path = "/api/v1/reports"
    tags = ["reports"]
    guards = [requires("reports.read")]

    @get("/", sync_to_thread=False)
    def list_reports(self) -> list[ReportInfo]:
        """Every report, its groupings and the definition of each of its figures."""
        return [
            ReportInfo(name=s.name, path=_path(s), title=s.title, group_by=list(s.group_by), definitions=s.definitions)
            for s in REPORTS.values()
        ]

    @get("/loss-ratio", sync_to_thread=True, description=describe("loss_ratio"))
    def loss_ratio(
        self,
        services: Svc,
        request: Request[Any, Any, Any],
        period_from: From = None,
        period_to: To = None,
        group_by: GroupBy = None,
        as_of: AsOf = None,
        after: After = None,
        format_: Format = None,
    ) -> Response[Any]:
        """Loss ratio (赔付率) by product or line."""
        return answer(services, request, "loss_ratio", period_from, period_to, group_by, as_of, after, format_)

    @get("/claims-timeliness", sync_to_thread=True, description=describe("claims_timeliness"))
    def claims_timeliness(
        self,
        services: Svc,
        request: Request[Any, Any, Any],
        period_from: From = None,
        period_to: To = None,
        group_by: GroupBy = None,
        as_of: AsOf = None,
        after: After = None,
        format_: Format = None,
    ) -> Response[Any]:
        """Claims timeliness (Art. 22–25), days to payment, payout and closure rates."""
        return answer(services, request, "claims_timeliness", period_from, period_to, group_by, as_of, after, format_)

    @get("/complaints", sync_to_thread=True, description=describe("complaints"))
    def complaints(
        self,
        services: Svc,
        request: Request[Any, Any, Any],
        period_from: From = None,
        period_to: To = None,
        group_by: GroupBy = None,
        as_of: AsOf = None,
        after: After = None,
        format_: Format = None,
    ) -> Response[Any]:
        """Complaints per 100 million yuan of premium and per 10,000 policies, and decision times."""
        return answer(services, request, "complaints", period_from, period_to, group_by, as_of, after, format_)

    @get("/underwriting", sync_to_thread=True, description=describe("underwriting"))
    def underwriting(
        self,
        services: Svc,
        request: Request[Any, Any, Any],
        period_from: From = None,
        period_to: To = None,
        group_by: GroupBy = None,
        as_of: AsOf = None,
        after: After = None,
        format_: Format = None,
    ) -> Response[Any]:
        """Underwriting acceptance and referral rates and turnaround."""
        return answer(services, request, "underwriting", period_from, period_to, group_by, as_of, after, format_)

    @get("/persistency", sync_to_thread=True, description=describe("persistency"))
    def persistency(
        self,
        services: Svc,
        request: Request[Any, Any, Any],
        period_from: From = None,
        period_to: To = None,
        group_by: GroupBy = None,
        as_of: AsOf = None,
        after: After = None,
        format_: Format = None,
    ) -> Response[Any]:
        """Lapse, surrender and renewal rates."""
        return answer(services, request, "persistency", period_from, period_to, group_by, as_of, after, format_)

    @get("/satisfaction", sync_to_thread=True, description=describe("satisfaction"))
    def satisfaction(
        self,
        services: Svc,
        request: Request[Any, Any, Any],
        period_from: From = None,
        period_to: To = None,
        group_by: GroupBy = None,
        as_of: AsOf = None,
        after: After = None,
        format_: Format = None,
    ) -> Response[Any]:
        """Satisfaction surveys and complainants' satisfaction."""
        return answer(services, request, "satisfaction", period_from, period_to, group_by, as_of, after, format_)

    @get("/staff", sync_to_thread=True, description=describe("staff"))
    def staff(
        self,
        services: Svc,
        request: Request[Any, Any, Any],
        period_from: From = None,
        period_to: To = None,
        group_by: GroupBy = None,
        as_of: AsOf = None,
        after: After = None,
        format_: Format = None,
    ) -> Response[Any]:
        """Staff performance (ch. 11) by agent or claims handler."""
        return answer(services, request, "staff", period_from, period_to, group_by, as_of, after, format_)
