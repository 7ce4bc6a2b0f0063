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
from interface.history import history_view
from interface.http import read_at
from interface.personal_data import mask_event_data, mask_text, record_unmasked, wants_unmasked
from interface.query_params import (
    QUERY_DEPENDENCIES,
    After,
    Format,
    HistoryView,
    Paged,
    PageNo,
    ReadAt,
    ReadPoint,
    Reason,
    Size,
    Text,
    Today,
    Unmasked,
)
from projections import complaints as cp
from projections import service_requests as sr
from projections.customers import CUSTOMERS, statuses
from projections.policies import renewals_due
from projections.register import Paging

Svc = NamedDependency[Services]


class RenewalReminder(BaseModel):
    policy_id: str
    policy_number: str | None
    product_code: str
    end_date: date | None
    renewal_due_on: date | None
    customer_id: str
    customer_name: str | None
    contacts: dict[str, Any]


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
    status = statuses(services.read_side, [r["complainant_customer_id"] for r in rows if r["complainant_customer_id"]])
    shown = [r for r in rows if unmasked and status.get(r["complainant_customer_id"] or "", "available") == "available"]
    record_unmasked(services, request, [r["complainant_customer_id"] or r["complaint_id"] for r in shown], view, reason)
    for row in rows:
        if not any(row is r for r in shown):
            row["complainant_name"] = mask_text(row["complainant_name"])


def _complainant_masked(data: dict[str, Any]) -> dict[str, Any]:
    """An event's data with the complainant masked."""
    return mask_event_data(data, False)


class ComplaintQueries(Controller):
    path = "/api/v1/complaints"
    tags = ["complaints"]
    dependencies = QUERY_DEPENDENCIES

    @get("/", guards=[requires("complaints.read")], sync_to_thread=True)
    def list_complaints(
        self,
        request: Request[Principal, Any, Any],
        services: Svc,
        paging: Paged,
        read_point: ReadAt,
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
        unmasked: Unmasked = False,
        reason: Reason = None,
    ) -> Any:
        """投诉登记簿: complaints with category, status, deadline, responsible person and clock; `overdue=true`
        lists those past their deadline without a decision as of `today`. Complainants' names are masked
        unless `unmasked=true` with a `reason` (personal.read; recorded)."""
        show = wants_unmasked(request, unmasked, reason)
        day = today or china_today()
        position = read_at(services, read_point, "complaints")
        conditions = cp.complaint_filters(
            status=status,
            category=category,
            channel=channel,
            responsible_id=responsible_id,
            complainant_customer_id=customer_id,
            related_policy_id=policy_id,
            related_claim_id=claim_id,
            received_from=received_from,
            received_to=received_to,
            breached=breached,
            overdue_on=day if overdue else None,
            open=open,
        )
        result = cp.COMPLAINTS.rows(services.read_side, conditions, paging, position)
        _complainants(services, request, result.items, show, reason, "complaints")
        return cp.COMPLAINTS.typed(result, day)

    @get("/improvement-actions", guards=[requires("complaints.read")], sync_to_thread=True)
    def actions(
        self,
        services: Svc,
        paging: Paged,
        read_point: ReadAt,
        owner_id: Text = None,
        complaint_id: Text = None,
        open: FromQuery[bool | None] = None,
        overdue: FromQuery[bool | None] = None,
        today: Today = None,
    ) -> Any:
        """Improvement actions with owner and due date; `open`, `overdue` as of `today`."""
        day = today or china_today()
        position = read_at(services, read_point, "complaints")
        conditions = cp.action_filters(owner_id, complaint_id, open, day if overdue else None)
        return cp.ACTIONS.page(services.read_side, conditions, paging, position, today=day)

    @get("/{complaint_id:uuid}", guards=[requires("complaints.read")], sync_to_thread=True)
    def get_complaint(
        self,
        request: Request[Principal, Any, Any],
        services: Svc,
        complaint_id: FromPath[UUID],
        read_point: ReadAt,
        today: Today = None,
        unmasked: Unmasked = False,
        reason: Reason = None,
    ) -> Any:
        """One complaint with its clock: deadline, days used, paused days, breached or not."""
        show = wants_unmasked(request, unmasked, reason)
        position = read_at(services, read_point, "complaints")
        row = cp.COMPLAINTS.raw(services.read_side, str(complaint_id), position)
        if row is None:
            raise NotFound(f"complaint {complaint_id} not found")
        _complainants(services, request, [row], show, reason, "complaint")
        return cp.COMPLAINTS.item(row, today)

    @get("/{complaint_id:uuid}/history", guards=[requires("complaints.read")], sync_to_thread=True)
    def history(self, services: Svc, complaint_id: FromPath[UUID], read_point: ReadAt) -> HistoryView:
        """Every event of the complaint in order, with who did it, when and why."""
        return history_view(services, complaint_id, read_point, Complaint.Event, "complaint", _complainant_masked)


class ServiceRequestQueries(Controller):
    path = "/api/v1/service-requests"
    tags = ["service"]
    dependencies = QUERY_DEPENDENCIES

    @get("/", guards=[requires("service.read")], sync_to_thread=True)
    def list_requests(
        self,
        services: Svc,
        paging: Paged,
        read_point: ReadAt,
        status: Text = None,
        kind: Text = None,
        customer_id: Text = None,
        staff_id: Text = None,
        policy_id: Text = None,
        requested_from: FromQuery[date | None] = None,
        requested_to: FromQuery[date | None] = None,
        open: FromQuery[bool | None] = None,
    ) -> Any:
        """Service requests with their timeline from request to completion."""
        position = read_at(services, read_point, "service_requests")
        conditions = sr.request_filters(
            status, kind, customer_id, staff_id, policy_id, requested_from, requested_to, open
        )
        return sr.REQUESTS.page(services.read_side, conditions, paging, position)

    @get("/renewal-reminders", guards=[requires("service.read")], sync_to_thread=True)
    def renewal_reminders(
        self,
        services: Svc,
        today: Today = None,
        page: PageNo = 1,
        page_size: Size = 50,
        after: After = None,
        format_: Format = None,  # JSON or CSV: the answer reads it (interface.responses)
    ) -> list[RenewalReminder]:
        """Renewal reminders (8.1.1 (4)): in-force renewable policies whose renewal is due by `today`,
        with the policyholder to contact (the renewals due of the policies register, and the customers register)."""
        read_at(services, ReadPoint(after=after), "policies", "customers")
        due = renewals_due(services.read_side, today or china_today(), Paging(page, page_size), None)
        reminders = []
        for policy in due.items:
            holder = CUSTOMERS.raw(services.read_side, policy["applicant_id"], None) or {}
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
    def get_request(self, services: Svc, request_id: FromPath[UUID], read_point: ReadAt) -> Any:
        """One service request from its register (SPEC §8)."""
        position = read_at(services, read_point, "service_requests")
        found = sr.REQUESTS.one(services.read_side, str(request_id), position)
        if found is None:
            raise NotFound(f"service request {request_id} not found")
        return found

    @get("/{request_id:uuid}/history", guards=[requires("service.read")], sync_to_thread=True)
    def history(self, services: Svc, request_id: FromPath[UUID], read_point: ReadAt) -> HistoryView:
        """Every event of the service request in order, with its audit metadata (SPEC §2)."""
        return history_view(services, request_id, read_point, ServiceRequest.Event, "service request")
