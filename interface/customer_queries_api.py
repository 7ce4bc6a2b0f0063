"""The customer register (SPEC §4) under /api/v1/customers: list, one customer, history, retention."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal
from uuid import UUID

from litestar import Controller, Request, get
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery

from application import queries
from domain.customer.aggregate import Customer
from domain.errors import NotFound
from domain.identifiers import china_today
from interface.auth import Principal, requires
from interface.bootstrap import Services
from interface.customer_schemas import CustomerPage, CustomerRetentionView, CustomerView
from interface.history import history_of, shown
from interface.http import read_at
from interface.personal_data import mask_customer, mask_event_data, record_unmasked, wants_unmasked
from interface.query_params import (
    QUERY_DEPENDENCIES,
    After,
    HistoryView,
    Paged,
    ReadAt,
    ReadPoint,
    Reason,
    Text,
    Today,
    Unmasked,
)
from interface.retention_api import retention_view
from projections.customers import CUSTOMERS, customer_filters, statuses
from projections.db import aware
from projections.retention import retention as retention_of


def _view(row: dict[str, Any], status: str | None, unmasked: bool) -> CustomerView:
    """A register row for the caller: masked unless asked and allowed, and always while restricted."""
    status = status or row["personal_data"]
    shown = unmasked and status == "available"
    row = row if shown else mask_customer(row, restricted=status != "available")
    fields = {k: v for k, v in row.items() if k not in ("customer_id", "name_folded", "satisfaction_total")}
    fields.update(
        registered_at=aware(row["registered_at"]),
        updated_at=aware(row["updated_at"]),
        personal_data=status,
        masked=not shown,
    )
    return CustomerView(id=row["customer_id"], **fields)


def _views(
    services: Services,
    request: Request[Principal, Any, Any],
    rows: list[dict[str, Any]],
    unmasked: bool,
    reason: str | None,
    view: str,
) -> list[CustomerView]:
    """The rows as the caller may see them; an unmasked read is recorded before it is answered."""
    now = statuses(services.read_side, [r["customer_id"] for r in rows])
    if unmasked:
        record_unmasked(
            services,
            request,
            [r["customer_id"] for r in rows if now.get(r["customer_id"]) == "available"],
            view,
            reason,
        )
    return [_view(r, now.get(r["customer_id"]), unmasked) for r in rows]


class CustomerQueries(Controller):
    """The customers register: list, one customer, history; each `as_of` and `after`."""

    path = "/api/v1/customers"
    tags = ["customers"]
    dependencies = QUERY_DEPENDENCIES

    @get("/", guards=[requires("customers.read")], sync_to_thread=True)
    def list_customers(
        self,
        request: Request[Principal, Any, Any],
        services: NamedDependency[Services],
        paging: Paged,
        read_point: ReadAt,
        name: Text = None,
        kind: FromQuery[Literal["individual", "enterprise"] | None] = None,
        segment: Text = None,
        lifecycle_stage: FromQuery[Literal["prospect", "active", "dormant", "churned"] | None] = None,
        registered_from: FromQuery[datetime | None] = None,
        registered_to: FromQuery[datetime | None] = None,
        unmasked: Unmasked = False,
        reason: Reason = None,
    ) -> CustomerPage:
        """The customers register, paged, filtered and sorted, as of now or any past moment."""
        show = wants_unmasked(request, unmasked, reason)
        position = read_at(services, read_point, "customers")
        conditions = customer_filters(name, kind, segment, lifecycle_stage, registered_from, registered_to)
        result = CUSTOMERS.rows(services.read_side, conditions, paging, position)
        items = _views(services, request, result.items, show, reason, "customers")
        return CustomerPage(
            items=items, total=result.total, page=result.page, page_size=result.size, position=result.position
        )

    @get("/{customer_id:uuid}", guards=[requires("customers.read")], sync_to_thread=True)
    def get_customer(
        self,
        request: Request[Principal, Any, Any],
        services: NamedDependency[Services],
        customer_id: FromPath[UUID],
        read_point: ReadAt,
        unmasked: Unmasked = False,
        reason: Reason = None,
    ) -> CustomerView:
        """One customer as the register shows it now, or as of a past moment or position."""
        show = wants_unmasked(request, unmasked, reason)
        position = read_at(services, read_point, "customers")
        row = CUSTOMERS.raw(services.read_side, str(customer_id), position)
        if row is None:
            raise NotFound(f"customer {customer_id} not found" + (" at that moment" if position is not None else ""))
        return _views(services, request, [row], show, reason, "customer")[0]

    @get("/{customer_id:uuid}/history", guards=[requires("customers.read")], sync_to_thread=True)
    def history(
        self,
        request: Request[Principal, Any, Any],
        services: NamedDependency[Services],
        customer_id: FromPath[UUID],
        read_point: ReadAt,
        unmasked: Unmasked = False,
        reason: Reason = None,
    ) -> HistoryView:
        """Every event of the customer in order, with who did it, when and why (personal data masked)."""
        show = wants_unmasked(request, unmasked, reason)
        events = history_of(services, customer_id, read_point, Customer.Event, "customer")
        status = queries.at_version(services.app, Customer, customer_id, None).personal_data
        if show and status == "available":
            record_unmasked(services, request, [str(customer_id)], "customer-history", reason)
            return shown(customer_id, events)
        return shown(customer_id, events, lambda data: mask_event_data(data, status != "available"))

    @get("/{customer_id:uuid}/retention", guards=[requires("retention.read")], sync_to_thread=True)
    def retention(
        self, services: NamedDependency[Services], customer_id: FromPath[UUID], today: Today = None, after: After = None
    ) -> CustomerRetentionView:
        """Until when the customer's and each of their policies' records must be kept (Art. 87)."""
        read_at(services, ReadPoint(after=after), "customers", "policies")
        found = retention_of(services.read_side, str(customer_id))
        if not found:
            raise NotFound(f"customer {customer_id} not found")
        return retention_view(found[0], today or china_today())
