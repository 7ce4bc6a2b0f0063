"""The service requests register (guide 8.1): one versioned row per after-sales request, with its
timeline and turnaround.

Every row is a function of the request as it stands after the event (`AggregateCache` applies each
event exactly as a replay would), so a rebuild writes exactly the rows the live projection wrote.
"""

from __future__ import annotations

from datetime import date
from typing import Any, cast

from eventsourcing.domain import DomainEventProtocol
from sqlalchemy import JSON, Column, Date, DateTime, Index, Integer, String, Text

from domain.service_request.aggregate import TERMINAL, ServiceRequest
from projections.aggregates import AggregateCache
from projections.base import Batch, Projection
from projections.customers import plain
from projections.db import utc
from projections.policies import ID
from projections.register import Register
from projections.versioned import versioned_table

service_requests = versioned_table(
    "service_requests",
    "request_id",
    Column("version", Integer, nullable=False),
    Column("status", String(20), nullable=False),  # opened | assigned | in_progress | completed | cancelled
    Column("customer_id", ID, nullable=False),
    Column("kind", String(30), nullable=False),
    Column("description", Text, nullable=False),
    Column("channel", String(20), nullable=False),
    Column("policy_id", ID, nullable=True),
    Column("requested_at", DateTime, nullable=False),  # naive UTC
    Column("requested_on", Date, nullable=False),  # the date in China
    Column("staff_id", ID, nullable=True),
    Column("assigned_on", Date, nullable=True),
    Column("started_on", Date, nullable=True),
    Column("updates_count", Integer, nullable=False),
    Column("last_update_on", Date, nullable=True),
    Column("completed_on", Date, nullable=True),
    Column("cancelled_on", Date, nullable=True),
    Column("resolution", Text, nullable=True),
    Column("cancel_reason", Text, nullable=True),
    Column("turnaround_days", Integer, nullable=True),  # requested_on → completed_on, calendar days
    Column("timeline", JSON(none_as_null=True), nullable=False),  # the date of each step (ISO) or null
)
Index("ix_service_requests_customer", service_requests.c.customer_id, service_requests.c.valid_to)
Index("ix_service_requests_staff", service_requests.c.staff_id, service_requests.c.valid_to)


def request_row(request: ServiceRequest) -> dict[str, Any]:
    """The register row of a request's current state."""
    assert request.requested_at is not None
    return {
        "version": request.version,
        "status": request.status,
        "customer_id": request.customer_id,
        "kind": request.kind,
        "description": request.description,
        "channel": request.channel,
        "policy_id": request.policy_id,
        "requested_at": utc(request.requested_at),
        "requested_on": request.requested_on,
        "staff_id": request.staff_id,
        "assigned_on": request.assigned_on,
        "started_on": request.started_on,
        "updates_count": request.updates_count,
        "last_update_on": request.last_update_on,
        "completed_on": request.completed_on,
        "cancelled_on": request.cancelled_on,
        "resolution": request.resolution,
        "cancel_reason": request.cancel_reason,
        "turnaround_days": request.turnaround_days,
        "timeline": plain(request.timeline),
    }


class ServiceRequestsProjection(Projection):
    """Keeps the service requests register."""

    handles = (ServiceRequest.Event,)
    aggregate = ServiceRequest

    name = "service_requests"
    tables = (service_requests,)

    def bind(self, app: Any) -> None:
        super().bind(app)
        self.cache = AggregateCache(app)

    def keys(self, event: DomainEventProtocol[Any]) -> list[str]:
        return [str(event.originator_id)] if isinstance(event, ServiceRequest.Event) else []

    def apply(self, event: DomainEventProtocol[Any], position: int, batch: Batch) -> None:
        if isinstance(event, ServiceRequest.Event):
            request = cast(ServiceRequest, self.cache.apply(event))
            batch.versioned(service_requests).put(str(request.id), request_row(request), position)


# --- queries ---------------------------------------------------------------------------------
_r = service_requests.c
SORTABLE = {"requested_on": _r.requested_on, "completed_on": _r.completed_on, "status": _r.status, "kind": _r.kind}
DEFAULT_SORT = "-requested_on"
#: After-sales service requests and their timeline from request to completion.
REQUESTS = Register(
    service_requests,
    "service_requests",
    SORTABLE,
    DEFAULT_SORT,
    view="ServiceRequestView",
    doc="An after-sales service request and its timeline.",
    page_view="ServiceRequestPage",
)


def request_filters(
    status: str | None = None,
    kind: str | None = None,
    customer_id: str | None = None,
    staff_id: str | None = None,
    policy_id: str | None = None,
    requested_from: date | None = None,
    requested_to: date | None = None,
    open: bool | None = None,
) -> list[Any]:
    """SQL conditions for the register's filters. The requested date range includes both ends;
    `open`: neither completed nor cancelled (True), or one of them (False)."""
    conditions: list[Any] = []
    for column, value in (
        (_r.status, status),
        (_r.kind, kind),
        (_r.customer_id, customer_id),
        (_r.staff_id, staff_id),
        (_r.policy_id, policy_id),
    ):
        if value is not None:
            conditions.append(column == value)
    if requested_from is not None:
        conditions.append(_r.requested_on >= requested_from)
    if requested_to is not None:
        conditions.append(_r.requested_on <= requested_to)
    if open is not None:
        conditions.append(_r.status.not_in(TERMINAL) if open else _r.status.in_(TERMINAL))
    return conditions
