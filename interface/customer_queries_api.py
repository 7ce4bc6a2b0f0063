"""The customer register (SPEC §4) under /api/v1/customers: list, one customer, history, retention."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal
from uuid import UUID

from litestar import Controller, Request, get
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery, QueryParameter

from application.commands import privacy as privacy
from application.retention import customer_retention
from domain.customer.aggregate import Customer
from domain.errors import NotFound
from domain.identifiers import china_today
from interface.auth import Principal, requires
from interface.bootstrap import Services
from interface.customer_schemas import CustomerPage, CustomerRetentionView, CustomerView
from interface.history import history_of
from interface.http import read_position
from interface.personal_data import mask_customer, mask_event_data, record_unmasked, wants_unmasked
from interface.query_params import After, AsOf, HistoryEntry, HistoryView, PageNo, Reason, Text, Today, Unmasked
from interface.retention_api import retention_view
from projections.customers import SORTABLE, customer_filters, customers, personal_statuses
from projections.db import aware
from projections.queries import Page, one, page_of
from projections.retention import contracts_of

READS = ["customers"]
SortField = Literal[
    "name",
    "-name",
    "registered_at",
    "-registered_at",
    "lifecycle_stage",
    "-lifecycle_stage",
    "segment",
    "-segment",
    "updated_at",
    "-updated_at",
]


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
    conn: Any,
    unmasked: bool,
    reason: str | None,
    view: str,
) -> list[CustomerView]:
    """The rows as the caller may see them; an unmasked read is recorded before it is answered."""
    statuses = personal_statuses(conn, [r["customer_id"] for r in rows])
    if unmasked:
        record_unmasked(
            services,
            request,
            [r["customer_id"] for r in rows if statuses.get(r["customer_id"]) == "available"],
            view,
            reason,
        )
    return [_view(r, statuses.get(r["customer_id"]), unmasked) for r in rows]


class CustomerQueries(Controller):
    """The customers register: list, one customer, history; each `as_of` and `after`."""

    path = "/api/v1/customers"
    tags = ["customers"]

    @get("/", guards=[requires("customers.read")], sync_to_thread=True)
    def list_customers(
        self,
        request: Request[Principal, Any, Any],
        services: NamedDependency[Services],
        name: Text = None,
        kind: FromQuery[Literal["individual", "enterprise"] | None] = None,
        segment: Text = None,
        lifecycle_stage: FromQuery[Literal["prospect", "active", "dormant", "churned"] | None] = None,
        registered_from: FromQuery[datetime | None] = None,
        registered_to: FromQuery[datetime | None] = None,
        page: PageNo = 1,
        page_size: Annotated[int, QueryParameter(ge=1, le=500)] = 50,
        sort: FromQuery[SortField] = "registered_at",
        as_of: AsOf = None,
        after: After = None,
        unmasked: Unmasked = False,
        reason: Reason = None,
    ) -> CustomerPage:
        """The customers register, paged, filtered and sorted, as of now or any past moment."""
        show = wants_unmasked(request, unmasked, reason)
        position = read_position(services, READS, after, as_of)
        conditions = customer_filters(name, kind, segment, lifecycle_stage, registered_from, registered_to)
        with services.read_side.engine.connect() as conn:
            reached = services.read_side.position("customers", conn)
            result = page_of(
                conn, customers, position, conditions, Page(page, page_size, sort), SORTABLE, "registered_at", reached
            )
            items = _views(services, request, result.items, conn, show, reason, "customers")
        return CustomerPage(
            items=items, total=result.total, page=result.page, size=result.size, position=result.position
        )

    @get("/{customer_id:uuid}", guards=[requires("customers.read")], sync_to_thread=True)
    def get_customer(
        self,
        request: Request[Principal, Any, Any],
        services: NamedDependency[Services],
        customer_id: FromPath[UUID],
        as_of: AsOf = None,
        after: After = None,
        unmasked: Unmasked = False,
        reason: Reason = None,
    ) -> CustomerView:
        """One customer as the register shows it now, or as of a past moment or position."""
        show = wants_unmasked(request, unmasked, reason)
        position = read_position(services, READS, after, as_of)
        with services.read_side.engine.connect() as conn:
            row = one(conn, customers, str(customer_id), position)
            if row is None:
                raise NotFound(
                    f"customer {customer_id} not found" + (" at that moment" if position is not None else "")
                )
            return _views(services, request, [row], conn, show, reason, "customer")[0]

    @get("/{customer_id:uuid}/history", guards=[requires("customers.read")], sync_to_thread=True)
    def history(
        self,
        request: Request[Principal, Any, Any],
        services: NamedDependency[Services],
        customer_id: FromPath[UUID],
        as_of: AsOf = None,
        after: After = None,
        unmasked: Unmasked = False,
        reason: Reason = None,
    ) -> HistoryView:
        """Every event of the customer in order, with who did it, when and why (personal data masked)."""
        show = wants_unmasked(request, unmasked, reason)
        position = read_position(services, ["audit_log"], after, as_of)
        entries = history_of(services, customer_id, position, Customer.Event, "customer")
        status = services.app.load(Customer, customer_id).personal_data
        if show and status == "available":
            record_unmasked(services, request, [str(customer_id)], "customer-history", reason)
        else:
            entries = [dict(e, data=mask_event_data(e["data"], status != "available")) for e in entries]
        return HistoryView(id=str(customer_id), events=[HistoryEntry(**e) for e in entries])

    @get("/{customer_id:uuid}/retention", guards=[requires("retention.read")], sync_to_thread=True)
    def retention(
        self, services: NamedDependency[Services], customer_id: FromPath[UUID], today: Today = None, after: After = None
    ) -> CustomerRetentionView:
        """Until when the customer's and each of their policies' records must be kept (Art. 87)."""
        read_position(services, ["customers", "policies"], after, None)
        with services.read_side.engine.connect() as conn:
            if one(conn, customers, str(customer_id), None) is None:
                raise NotFound(f"customer {customer_id} not found")
            found = customer_retention(str(customer_id), contracts_of(conn, str(customer_id)))
        return retention_view(found, today or china_today())
