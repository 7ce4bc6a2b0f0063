"""The customer API: commands (POST) and queries (GET) under /api/v1/customers."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal
from uuid import UUID

from litestar import Controller, Request, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, FromQuery, JSONBody, QueryParameter
from pydantic import BaseModel

from application import customers as commands
from application import privacy
from application.retention import customer_retention
from domain.customer import Customer
from domain.errors import NotFound
from domain.identifiers import china_today
from interface.auth import Principal, requires
from interface.bootstrap import Services
from interface.customer_schemas import (
    ConsentIn,
    ContactsIn,
    CustomerPage,
    CustomerRetentionView,
    CustomerView,
    ErasureIn,
    InteractionIn,
    LifecycleStageIn,
    NeedsIn,
    PlanIn,
    ProfileIn,
    RegisterCustomer,
    RisksIn,
    SegmentIn,
    SurveyIn,
)
from interface.history import history_of
from interface.http import CommandAnswer, answer, command_context, read_position
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


class CustomerCommands(Controller):
    """Commands on customers. Each answers id, version and position."""

    path = "/api/v1/customers"
    tags = ["customers"]

    @post("/", guards=[requires("customers.register")], sync_to_thread=True, status_code=201)
    def register(
        self,
        request: Request[Principal, Any, Any],
        services: NamedDependency[Services],
        data: JSONBody[RegisterCustomer],
    ) -> CommandAnswer:
        """Register an individual (resident ID) or an enterprise (unified social credit code)."""
        ctx = command_context(request, data)
        customer = data.root
        fields = customer.model_dump(exclude={"kind", "contacts"})
        fields["contacts"] = customer.contacts.plain()
        if customer.kind == "individual":
            return answer(commands.register_individual(services.app, ctx, **fields))
        return answer(commands.register_enterprise(services.app, ctx, **fields))

    def _act(
        self,
        request: Request[Principal, Any, Any],
        services: NamedDependency[Services],
        customer_id: FromPath[UUID],
        action: str,
        body: BaseModel,
        **fields: Any,
    ) -> CommandAnswer:
        ctx = command_context(request, body, reason=fields.pop("_reason", None))
        return answer(commands.act(services.app, ctx, customer_id, action, **fields))

    @post("/{customer_id:uuid}/contacts", guards=[requires("customers.update")], sync_to_thread=True, status_code=200)
    def change_contacts(
        self,
        request: Request[Principal, Any, Any],
        services: NamedDependency[Services],
        customer_id: FromPath[UUID],
        data: JSONBody[ContactsIn],
    ) -> CommandAnswer:
        """Replace the customer's contacts."""
        return self._act(request, services, customer_id, "contacts", data, contacts=data.contacts.plain())

    @post("/{customer_id:uuid}/profile", guards=[requires("customers.update")], sync_to_thread=True, status_code=200)
    def update_profile(
        self,
        request: Request[Principal, Any, Any],
        services: NamedDependency[Services],
        customer_id: FromPath[UUID],
        data: JSONBody[ProfileIn],
    ) -> CommandAnswer:
        """Change profile fields (occupation, income, family status, …)."""
        return self._act(request, services, customer_id, "profile", data, changes=data.changes)

    @post("/{customer_id:uuid}/segment", guards=[requires("customers.segment")], sync_to_thread=True, status_code=200)
    def assign_segment(
        self,
        request: Request[Principal, Any, Any],
        services: NamedDependency[Services],
        customer_id: FromPath[UUID],
        data: JSONBody[SegmentIn],
    ) -> CommandAnswer:
        """Assign a segment (2.2 客户细分) with its basis."""
        return self._act(
            request, services, customer_id, "segment", data, segment=data.segment, basis=data.basis, _reason=data.basis
        )

    @post(
        "/{customer_id:uuid}/lifecycle-stage",
        guards=[requires("customers.lifecycle")],
        sync_to_thread=True,
        status_code=200,
    )
    def change_lifecycle_stage(
        self,
        request: Request[Principal, Any, Any],
        services: NamedDependency[Services],
        customer_id: FromPath[UUID],
        data: JSONBody[LifecycleStageIn],
    ) -> CommandAnswer:
        """Move the customer to another lifecycle stage, with a reason."""
        return self._act(
            request,
            services,
            customer_id,
            "lifecycle-stage",
            data,
            stage=data.stage,
            reason=data.reason,
            _reason=data.reason,
        )

    @post(
        "/{customer_id:uuid}/interactions",
        guards=[requires("customers.interact")],
        sync_to_thread=True,
        status_code=200,
    )
    def record_interaction(
        self,
        request: Request[Principal, Any, Any],
        services: NamedDependency[Services],
        customer_id: FromPath[UUID],
        data: JSONBody[InteractionIn],
    ) -> CommandAnswer:
        """Record a care call, visit, marketing contact or service interaction."""
        return self._act(
            request,
            services,
            customer_id,
            "interactions",
            data,
            kind=data.kind,
            summary=data.summary,
            occurred_at=data.occurred_at,
            staff_id=request.user.sub,
        )

    @post("/{customer_id:uuid}/consents", guards=[requires("customers.consent")], sync_to_thread=True, status_code=200)
    def give_consent(
        self,
        request: Request[Principal, Any, Any],
        services: NamedDependency[Services],
        customer_id: FromPath[UUID],
        data: JSONBody[ConsentIn],
    ) -> CommandAnswer:
        """Record a consent the customer gave."""
        return self._act(request, services, customer_id, "consents", data, purpose=data.purpose)

    @post(
        "/{customer_id:uuid}/consent-withdrawals",
        guards=[requires("customers.consent")],
        sync_to_thread=True,
        status_code=200,
    )
    def withdraw_consent(
        self,
        request: Request[Principal, Any, Any],
        services: NamedDependency[Services],
        customer_id: FromPath[UUID],
        data: JSONBody[ConsentIn],
    ) -> CommandAnswer:
        """Record that the customer withdrew a consent."""
        return self._act(request, services, customer_id, "consent-withdrawals", data, purpose=data.purpose)

    @post(
        "/{customer_id:uuid}/needs-analyses",
        guards=[requires("customers.analyse")],
        sync_to_thread=True,
        status_code=200,
    )
    def analyse_needs(
        self,
        request: Request[Principal, Any, Any],
        services: NamedDependency[Services],
        customer_id: FromPath[UUID],
        data: JSONBody[NeedsIn],
    ) -> CommandAnswer:
        """Record a needs analysis (4.1)."""
        return self._act(
            request,
            services,
            customer_id,
            "needs-analyses",
            data,
            concerns=data.concerns,
            potential_needs=data.potential_needs,
            budget=data.budget,
        )

    @post(
        "/{customer_id:uuid}/risk-assessments",
        guards=[requires("customers.analyse")],
        sync_to_thread=True,
        status_code=200,
    )
    def assess_risks(
        self,
        request: Request[Principal, Any, Any],
        services: NamedDependency[Services],
        customer_id: FromPath[UUID],
        data: JSONBody[RisksIn],
    ) -> CommandAnswer:
        """Record a risk assessment (4.2): each risk scored likelihood × severity."""
        return self._act(
            request, services, customer_id, "risk-assessments", data, risks=[r.model_dump() for r in data.risks]
        )

    @post("/{customer_id:uuid}/plans", guards=[requires("customers.plan")], sync_to_thread=True, status_code=200)
    def propose_plan(
        self,
        request: Request[Principal, Any, Any],
        services: NamedDependency[Services],
        customer_id: FromPath[UUID],
        data: JSONBody[PlanIn],
    ) -> CommandAnswer:
        """Propose an insurance plan (4.3): each product priced from the catalogue for this customer."""
        return self._act(
            request,
            services,
            customer_id,
            "plans",
            data,
            rationale=data.rationale,
            items=[item.model_dump() for item in data.items],
        )

    @post(
        "/{customer_id:uuid}/satisfaction-surveys",
        guards=[requires("customers.survey")],
        sync_to_thread=True,
        status_code=200,
    )
    def record_survey(
        self,
        request: Request[Principal, Any, Any],
        services: NamedDependency[Services],
        customer_id: FromPath[UUID],
        data: JSONBody[SurveyIn],
    ) -> CommandAnswer:
        """Record a satisfaction survey (8.3.1), scores 1–5."""
        return self._act(request, services, customer_id, "satisfaction-surveys", data, **data.model_dump())

    @post(
        "/{customer_id:uuid}/erasure-request",
        guards=[requires("personal.erasure_request")],
        sync_to_thread=True,
        status_code=200,
    )
    def request_erasure(
        self,
        request: Request[Principal, Any, Any],
        services: NamedDependency[Services],
        customer_id: FromPath[UUID],
        data: JSONBody[ErasureIn],
    ) -> CommandAnswer:
        """A deletion request (PIPL Art. 47): restricted at once while a retention period runs (masked for
        everyone, consents withdrawn, storage only); otherwise the customer's key is destroyed."""
        ctx = command_context(request, data, reason=data.reason)
        return answer(privacy.request_erasure(services.app, ctx, customer_id, data.reason))

    @post("/{customer_id:uuid}/erasure", guards=[requires("personal.erase")], sync_to_thread=True, status_code=200)
    def erase(
        self,
        request: Request[Principal, Any, Any],
        services: NamedDependency[Services],
        customer_id: FromPath[UUID],
        data: JSONBody[ErasureIn],
    ) -> CommandAnswer:
        """Destroy the customer's key (crypto-shredding); refused while a retention period runs
        (`retention-period-running`)."""
        ctx = command_context(request, data, reason=data.reason)
        return answer(privacy.erase(services.app, ctx, customer_id, data.reason))


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


class CustomerController(CustomerCommands, CustomerQueries):
    """Customer commands and queries share one path (Litestar routes one controller per path)."""
