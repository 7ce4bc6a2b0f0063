"""The complaints register (投诉登记簿), improvement actions and service requests, as of any moment."""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

from litestar import Controller, Request, get
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery
from pydantic import BaseModel

from domain.complaint.aggregate import Complaint
from domain.errors import NotFound
from domain.identifiers import china_today
from domain.service_request.aggregate import ServiceRequest
from interface.auth import Principal, requires
from interface.bootstrap import Services
from interface.history import history_of
from interface.http import read_position
from interface.personal_data import mask_event_data, mask_text, record_unmasked, wants_unmasked
from interface.query_params import (
    After,
    AsOf,
    HistoryEntry,
    HistoryView,
    PageNo,
    Reason,
    Size,
    Text,
    Today,
    Unmasked,
    check_sort,
)
from interface.views import page_model, row_model, to_page
from projections import complaints as cp
from projections import policies as pol
from projections import service_requests as sr
from projections.customers import customers, personal_statuses
from projections.queries import Page, PageResult, one, page_of

Svc = NamedDependency[Services]

ComplaintView = row_model(
    "ComplaintView",
    cp.complaints,
    "A row of the complaints register, with its clock as of today.",
    days_used=(int | None, None),
    remaining_days=(int | None, None),
    overdue=(bool, False),
    calendar_warning=(str | None, None),
)
ComplaintPage = page_model("ComplaintPage", ComplaintView)
ActionView = row_model(
    "ImprovementActionView",
    cp.improvement_actions,
    "An improvement action (8.2.2 (5)).",
    days_overdue=(int | None, None),
)
ActionPage = page_model("ImprovementActionPage", ActionView)
RequestView = row_model("ServiceRequestView", sr.service_requests, "An after-sales service request and its timeline.")
RequestPage = page_model("ServiceRequestPage", RequestView)


class RenewalReminder(BaseModel):
    policy_id: str
    policy_number: str | None
    product_code: str
    end_date: date | None
    renewal_due_on: date | None
    customer_id: str
    customer_name: str | None
    contacts: dict[str, Any]


def _with_clock(rows: list[dict[str, Any]], today: date) -> None:
    for row in rows:
        row.update(cp.clock_columns(row, max(today, row["last_event_on"])), calendar_warning=cp.calendar_warning(row))


def _complainants(
    services: Services,
    request: Request[Principal, Any, Any],
    rows: list[dict[str, Any]],
    unmasked: bool,
    reason: str | None,
    view: str,
) -> None:
    """Mask each complainant's name unless asked and allowed (and always for a restricted customer);
    an unmasked read is recorded first, naming the customer (an outsider: the complaint)."""
    with services.read_side.engine.connect() as conn:
        statuses = personal_statuses(conn, [r["complainant_customer_id"] for r in rows if r["complainant_customer_id"]])
    shown = [
        r for r in rows if unmasked and statuses.get(r["complainant_customer_id"] or "", "available") == "available"
    ]
    record_unmasked(services, request, [r["complainant_customer_id"] or r["complaint_id"] for r in shown], view, reason)
    for row in rows:
        if not any(row is r for r in shown):
            row["complainant_name"] = mask_text(row["complainant_name"])


class ComplaintQueries(Controller):
    path = "/api/v1/complaints"
    tags = ["complaints"]

    @get("/", guards=[requires("complaints.read")], sync_to_thread=True)
    def list_complaints(
        self,
        request: Request[Principal, Any, Any],
        services: Svc,
        status: Text = None,
        category: Text = None,
        channel: Text = None,
        responsible_id: Text = None,
        customer_id: Text = None,
        policy_id: Text = None,
        claim_id: Text = None,
        received_from: FromQuery[date | None] = None,
        received_to: FromQuery[date | None] = None,
        breached: FromQuery[bool | None] = None,
        overdue: FromQuery[bool | None] = None,
        open: FromQuery[bool | None] = None,
        today: Today = None,
        page: PageNo = 1,
        page_size: Size = 50,
        sort: Text = None,
        as_of: AsOf = None,
        after: After = None,
        unmasked: Unmasked = False,
        reason: Reason = None,
    ) -> Any:
        """投诉登记簿: complaints with category, status, deadline, responsible person and clock; `overdue=true`
        lists those past their deadline without a decision as of `today`. Complainants' names are masked
        unless `unmasked=true` with a `reason` (personal.read; recorded)."""
        show = wants_unmasked(request, unmasked, reason)
        day = today or china_today()
        position = read_position(services, ["complaints"], after, as_of)
        conditions = cp.complaint_filters(
            status,
            category,
            channel,
            responsible_id,
            customer_id,
            policy_id,
            claim_id,
            received_from,
            received_to,
            breached,
            day if overdue else None,
            open,
        )
        order = check_sort(sort, cp.SORTABLE, cp.DEFAULT_SORT)
        with services.read_side.engine.connect() as conn:
            reached = services.read_side.position("complaints", conn)
            result = page_of(
                conn,
                cp.complaints,
                position,
                conditions,
                Page(page, page_size, order),
                cp.SORTABLE,
                cp.DEFAULT_SORT,
                reached,
            )
        _with_clock(result.items, day)
        _complainants(services, request, result.items, show, reason, "complaints")
        return to_page(ComplaintPage, result)

    @get("/improvement-actions", guards=[requires("complaints.read")], sync_to_thread=True)
    def actions(
        self,
        services: Svc,
        owner_id: Text = None,
        complaint_id: Text = None,
        open: FromQuery[bool | None] = None,
        overdue: FromQuery[bool | None] = None,
        today: Today = None,
        page: PageNo = 1,
        page_size: Size = 50,
        sort: Text = None,
        as_of: AsOf = None,
        after: After = None,
    ) -> Any:
        """Improvement actions with owner and due date; `open`, `overdue` as of `today`."""
        day = today or china_today()
        position = read_position(services, ["complaints"], after, as_of)
        conditions = cp.action_filters(owner_id, complaint_id, open, day if overdue else None)
        order = check_sort(sort, cp.ACTION_SORTABLE, cp.ACTION_DEFAULT_SORT)
        with services.read_side.engine.connect() as conn:
            reached = services.read_side.position("complaints", conn)
            result = page_of(
                conn,
                cp.improvement_actions,
                position,
                conditions,
                Page(page, page_size, order),
                cp.ACTION_SORTABLE,
                cp.ACTION_DEFAULT_SORT,
                reached,
            )
        for row in result.items:
            row["days_overdue"] = cp.days_overdue(row, day)
        return to_page(ActionPage, result)

    @get("/{complaint_id:uuid}", guards=[requires("complaints.read")], sync_to_thread=True)
    def get_complaint(
        self,
        request: Request[Principal, Any, Any],
        services: Svc,
        complaint_id: FromPath[UUID],
        today: Today = None,
        as_of: AsOf = None,
        after: After = None,
        unmasked: Unmasked = False,
        reason: Reason = None,
    ) -> Any:
        """One complaint with its clock: deadline, days used, paused days, breached or not."""
        show = wants_unmasked(request, unmasked, reason)
        position = read_position(services, ["complaints"], after, as_of)
        with services.read_side.engine.connect() as conn:
            row = one(conn, cp.complaints, str(complaint_id), position)
        if row is None:
            raise NotFound(f"complaint {complaint_id} not found")
        _with_clock([row], today or china_today())
        _complainants(services, request, [row], show, reason, "complaint")
        return ComplaintView(**row)

    @get("/{complaint_id:uuid}/history", guards=[requires("complaints.read")], sync_to_thread=True)
    def history(
        self, services: Svc, complaint_id: FromPath[UUID], as_of: AsOf = None, after: After = None
    ) -> HistoryView:
        """Every event of the complaint in order, with who did it, when and why."""
        position = read_position(services, ["audit_log"], after, as_of)
        entries = history_of(services, complaint_id, position, Complaint.Event, "complaint")
        entries = [dict(e, data=mask_event_data(e["data"], False)) for e in entries]  # the complainant, masked
        return HistoryView(id=str(complaint_id), events=[HistoryEntry(**e) for e in entries])


class ServiceRequestQueries(Controller):
    path = "/api/v1/service-requests"
    tags = ["service"]

    @get("/", guards=[requires("service.read")], sync_to_thread=True)
    def list_requests(
        self,
        services: Svc,
        status: Text = None,
        kind: Text = None,
        customer_id: Text = None,
        staff_id: Text = None,
        policy_id: Text = None,
        requested_from: FromQuery[date | None] = None,
        requested_to: FromQuery[date | None] = None,
        open: FromQuery[bool | None] = None,
        page: PageNo = 1,
        page_size: Size = 50,
        sort: Text = None,
        as_of: AsOf = None,
        after: After = None,
    ) -> Any:
        """Service requests with their timeline from request to completion."""
        position = read_position(services, ["service_requests"], after, as_of)
        conditions = sr.request_filters(
            status, kind, customer_id, staff_id, policy_id, requested_from, requested_to, open
        )
        order = check_sort(sort, sr.SORTABLE, sr.DEFAULT_SORT)
        with services.read_side.engine.connect() as conn:
            reached = services.read_side.position("service_requests", conn)
            result: PageResult = page_of(
                conn,
                sr.service_requests,
                position,
                conditions,
                Page(page, page_size, order),
                sr.SORTABLE,
                sr.DEFAULT_SORT,
                reached,
            )
        return to_page(RequestPage, result)

    @get("/renewal-reminders", guards=[requires("service.read")], sync_to_thread=True)
    def renewal_reminders(
        self, services: Svc, today: Today = None, page: PageNo = 1, page_size: Size = 50, after: After = None
    ) -> list[RenewalReminder]:
        """Renewal reminders (8.1.1 (4)): in-force renewable policies whose renewal is due by `today`,
        with the policyholder to contact (from the policy and customer registers)."""
        day = today or china_today()
        read_position(services, ["policies", "customers"], after, None)
        with services.read_side.engine.connect() as conn:
            reached = services.read_side.position("policies", conn)
            due = page_of(
                conn,
                pol.policies,
                None,
                pol.renewal_due_filters(day),
                Page(page, page_size, "renewal_due_on"),
                pol.SORTABLE,
                "renewal_due_on",
                reached,
            )
            reminders = []
            for policy in due.items:
                holder = one(conn, customers, policy["applicant_id"], None) or {}
                reminders.append(
                    RenewalReminder(
                        policy_id=policy["policy_id"],
                        policy_number=policy["policy_number"],
                        product_code=policy["product_code"],
                        end_date=policy["end_date"],
                        renewal_due_on=policy["renewal_due_on"],
                        customer_id=policy["applicant_id"],
                        customer_name=holder.get("name"),
                        contacts=holder.get("contacts") or {},
                    )
                )
        return reminders

    @get("/{request_id:uuid}", guards=[requires("service.read")], sync_to_thread=True)
    def get_request(self, services: Svc, request_id: FromPath[UUID], as_of: AsOf = None, after: After = None) -> Any:
        """One service request."""
        position = read_position(services, ["service_requests"], after, as_of)
        with services.read_side.engine.connect() as conn:
            row = one(conn, sr.service_requests, str(request_id), position)
        if row is None:
            raise NotFound(f"service request {request_id} not found")
        return RequestView(**row)

    @get("/{request_id:uuid}/history", guards=[requires("service.read")], sync_to_thread=True)
    def history(
        self, services: Svc, request_id: FromPath[UUID], as_of: AsOf = None, after: After = None
    ) -> HistoryView:
        """Every event of the request in order."""
        position = read_position(services, ["audit_log"], after, as_of)
        entries = history_of(services, request_id, position, ServiceRequest.Event, "service request")
        return HistoryView(id=str(request_id), events=[HistoryEntry(**e) for e in entries])
