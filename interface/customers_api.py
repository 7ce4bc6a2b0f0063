"""The customer API: commands (POST) under /api/v1/customers. Queries: interface.customer_queries_api."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from litestar import Controller, Request, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody
from pydantic import BaseModel

from application.commands import customers as commands
from application.commands import privacy as privacy
from interface.auth import Principal, requires
from interface.bootstrap import Services
from interface.customer_queries_api import CustomerQueries
from interface.customer_schemas import (
    ConsentIn,
    ContactsIn,
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
from interface.http import CommandAnswer, answer, command_context


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


class CustomerController(CustomerCommands, CustomerQueries):
    """Customer commands and queries share one path (Litestar routes one controller per path)."""
