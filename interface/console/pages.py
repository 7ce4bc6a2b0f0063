"""The console's pages for reading the books: registers, timelines, work queues and charts. Each reads
through the API (interface.console.api) as the signed-in caller, as of the page's read point."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from litestar import Controller, Request, Response, get
from litestar.exceptions import NotFoundException
from litestar.params import FromPath
from litestar.response import Template

from interface.auth import Principal
from interface.console.api import Api, ApiProblem
from interface.console.context import as_of_of, business_day, render
from interface.console.registers import (
    AGGREGATE_KINDS,
    REGISTERS,
    TIMELINES,
    Filter,
    RegisterPage,
    cell,
    filters_of,
    operation_parameters,
)
from interface.console.session import PATH
from interface.console.views import chart, clock_readings, diff, flatten, queue_rows, timeline
from interface.permissions import allowed
from projections.reports import REPORTS

Req = Request[Principal, Any, Any]

#: The most rows the console puts in one CSV download, read CSV_PAGE at a time (the API's largest page).
MAX_CSV_ROWS = 10_000
CSV_PAGE = 500

#: Rows a queue shows (the nearest clocks first).
QUEUE_SIZE = 100

#: The charts of the reports: report → (grouping, figures offered first).
CHARTS: dict[str, tuple[str, tuple[str, ...]]] = {
    "loss-ratio": ("line", ("loss_ratio_pct", "period_loss_ratio_pct")),
    "claims-timeliness": ("line", ("decided_in_time_pct", "paid_in_time_pct", "average_days_to_payment")),
    "complaints": ("category", ("per_100m_premium", "per_10k_policies", "decided_within_15_days_pct")),
    "persistency": ("product", ("lapse_rate_pct", "surrender_rate_pct", "renewal_rate_pct")),
}


def _register(name: str) -> RegisterPage:
    page = REGISTERS.get(name)
    if page is None:
        raise NotFoundException(f"no register {name!r}")
    return page


def _filters(request: Req, page: RegisterPage) -> tuple[list[Filter], dict[str, str]]:
    """The register's filters (from the API's OpenAPI document, read once per app) and the values asked."""
    known: dict[str, list[Filter]] = request.app.state.setdefault("console_filters", {})
    if page.api not in known:
        known[page.api] = filters_of(operation_parameters(request.app.openapi_schema.to_schema(), page.api))
    declared = known[page.api]
    asked = {f.name: request.query_params.get(f.name, "") for f in declared}
    return declared, {k: v for k, v in asked.items() if v}


class ConsolePages(Controller):
    """Registers, timelines, queues and charts."""

    path = PATH
    include_in_schema = False

    @get("/")
    async def home(self, request: Req) -> Template:
        return render(request, "home.html", registers=list(REGISTERS), charts=list(CHARTS))

    @get("/registers/{name:str}")
    async def register(self, request: Req, name: FromPath[str]) -> Template:
        page = _register(name)
        declared, asked = _filters(request, page)
        sort = request.query_params.get("sort") or page.default_sort
        number = request.query_params.get("page") or "1"
        size = request.query_params.get("page_size") or "50"
        unmasked = page.personal and request.query_params.get("unmasked") == "true"
        reason = request.query_params.get("reason", "")
        params = {**asked, "page": number, "page_size": size, "sort": sort, "as_of": as_of_of(request)}
        if unmasked:
            params.update(unmasked="true", reason=reason)
        result = await Api(request).get(page.api, params)
        items = result.get("items", [])
        return render(
            request,
            "register.html",
            page=page,
            name=name,
            filters=declared,
            asked=asked,
            sort=sort,
            result=result,
            rows=[{c: cell(item.get(c)) for c in page.columns} | {"_key": item.get(page.key or "")} for item in items],
            kinds={i: AGGREGATE_KINDS.get(str(item.get("aggregate_type"))) for i, item in enumerate(items)},
            pages=max(1, -(-int(result.get("total", 0)) // int(result.get("page_size") or 50))),
            unmasked=unmasked,
            reason=reason,
            may_unmask=page.personal and allowed(request.user.role, "personal.read"),
        )

    @get("/registers/{name:str}/csv")
    async def register_csv(self, request: Req, name: FromPath[str]) -> Response[bytes]:
        """Every row of the register's current view (filters, sort, read point) as the API's CSV, all read
        at one log position; a view of more than MAX_CSV_ROWS rows is refused (narrow the filters)."""
        page = _register(name)
        _, asked = _filters(request, page)
        api = Api(request)
        params = {**asked, "sort": request.query_params.get("sort") or page.default_sort, "as_of": as_of_of(request)}
        first = await api.get(page.api, {**params, "page_size": 1})
        if first["total"] > MAX_CSV_ROWS:
            raise ApiProblem(
                422,
                {
                    "title": "Too many rows",
                    "detail": f"{first['total']} rows: the console downloads up to {MAX_CSV_ROWS}; narrow the "
                    "filters, or page through the API's CSV",
                },
            )
        params.update(as_of=first["position"], format="csv", page_size=CSV_PAGE)
        lines: list[bytes] = []
        for number in range(1, max(1, -(-first["total"] // CSV_PAGE)) + 1):
            answered = await api.download(page.api, {**params, "page": number}, "text/csv")
            body = answered.content.splitlines(keepends=True)
            lines.extend(body if number == 1 else body[1:])  # the header once
        return Response(
            b"".join(lines),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="{name}.csv"'},
        )

    @get("/timeline/{kind:str}/{aggregate_id:uuid}")
    async def timeline(self, request: Req, kind: FromPath[str], aggregate_id: FromPath[UUID]) -> Template:
        """Every event of the aggregate; the state after one (`at`); what changed between two (`from`, `to`)."""
        if kind not in TIMELINES:
            raise NotFoundException(f"no timeline of {kind!r}")
        history_path, row_path = (p.format(id=aggregate_id) for p in TIMELINES[kind])
        api = Api(request)
        as_of = as_of_of(request)
        events = timeline(await api.get(history_path, {"as_of": as_of}))
        positions = {e.version: e.position for e in events}
        state, changes, chosen = None, None, {}
        at = request.query_params.get("at")
        if at and at.isdigit() and positions.get(int(at)) is not None:
            state = flatten(await api.get(row_path, {"as_of": positions[int(at)]}))
            chosen["at"] = int(at)
        before, after = request.query_params.get("from"), request.query_params.get("to")
        if before and after and before.isdigit() and after.isdigit():
            rows = []
            for version in (int(before), int(after)):
                position = positions.get(version)
                rows.append(None if position is None else await api.get(row_path, {"as_of": position}))
            changes = diff(rows[0], rows[1])
            chosen.update({"from": int(before), "to": int(after)})
        return render(
            request,
            "timeline.html",
            kind=kind,
            aggregate_id=str(aggregate_id),
            events=events,
            state=state,
            changes=changes,
            chosen=chosen,
        )

    @get("/queues/{name:str}")
    async def queue(self, request: Req, name: FromPath[str]) -> Template:
        """A work queue in the order of its statutory clock, read on the page's business day."""
        as_of = as_of_of(request)
        day = business_day(as_of)
        api = Api(request)
        common = {"as_of": as_of, "page_size": QUEUE_SIZE, "today": day.isoformat()}
        if name == "claims":
            found = await api.get("/api/v1/claims", {**common, "open": "true", "sort": "decision_due_on"})
            rows = queue_rows(found["items"], "decision_due_on", day, "decision_paused")
            key, kind, columns = "claim_id", "claim", ("claim_number", "status", "policy_number", "reported_on")
        elif name == "complaints":
            found = await api.get("/api/v1/complaints", {**common, "open": "true", "sort": "deadline_on"})
            rows = queue_rows(found["items"], "deadline_on", day, "appraisal_open")
            key, kind, columns = "complaint_id", "complaint", ("status", "category", "channel", "received_on")
        elif name == "referrals":
            params = {**common, "pending": "true", "automatic_outcome": "referred", "sort": "applied_on"}
            params.pop("today")
            found = await api.get("/api/v1/underwriting-decisions", params)
            rows = queue_rows(found["items"], "applied_on", day)
            key, kind, columns = "policy_id", "policy", ("product_code", "sum_insured", "status", "applied_on")
        elif name == "examinations":  # 审核检验 (6.1.2 (2)): the cases waiting for an examination, by its due date
            params = {**common, "examination": "outstanding", "sort": "examination_due_on"}
            found = await api.get("/api/v1/underwriting-decisions", params)
            rows = queue_rows(found["items"], "examination_due_on", day)
            key, kind = "policy_id", "policy"
            columns = ("product_code", "sum_insured", "examinations_outstanding", "applied_on")
        else:
            raise NotFoundException(f"no queue {name!r}")
        return render(
            request,
            "queue.html",
            name=name,
            rows=rows,
            total=found.get("total", len(rows)),
            key=key,
            kind=kind,
            columns=columns,
            day=day,
            by_age=name == "referrals",
            clocks={i: clock_readings(q.row.get("clocks"), day) for i, q in enumerate(rows)}
            if name == "claims"
            else {},
        )

    @get("/charts/{name:str}")
    async def chart(self, request: Req, name: FromPath[str]) -> Template:
        """A report as a bar chart of one figure per group, with its table and definitions."""
        if name not in CHARTS:
            raise NotFoundException(f"no chart {name!r}")
        group_default, offered = CHARTS[name]
        params = {
            "from": request.query_params.get("from"),
            "to": request.query_params.get("to"),
            "group_by": request.query_params.get("group_by") or group_default,
            "as_of": as_of_of(request),
        }
        api = Api(request)
        report = await api.get(f"/api/v1/reports/{name}", params)
        groupings = list(REPORTS[name.replace("-", "_")].group_by)  # the registry the API's routes come from
        figure = request.query_params.get("figure") or offered[0]
        if figure not in report["figures"]:
            figure = report["figures"][0]
        return render(
            request,
            "chart.html",
            name=name,
            report=report,
            figure=figure,
            offered=[f for f in offered if f in report["figures"]],
            drawn=chart(report["rows"], report["group_by"], figure),
            groupings=groupings,
            charts=list(CHARTS),
        )
