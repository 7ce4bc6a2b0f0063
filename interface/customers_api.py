"""The customer API: commands (POST) under /api/v1/customers. Queries: interface.customer_queries_api."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from litestar import Controller, Request, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody

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

Req = Request[Principal, Any, Any]
Svc = NamedDependency[Services]
Id = FromPath[UUID]


class CustomerCommands(Controller):
    """Commands on customers. Each answers id, version and position."""

    path = "/api/v1/customers"
    tags = ["customers"]

    @post("/", guards=[requires("customers.register")], sync_to_thread=True, status_code=201)
    def register(self, request: Req, services: Svc, data: JSONBody[RegisterCustomer]) -> CommandAnswer:
        """Register an individual (resident ID) or an enterprise (unified social credit code)."""
        ctx = command_context(request, data)
        customer = data.root
        contacts = customer.contacts.plain()
        if customer.kind == "individual":
            return answer(
                commands.register_individual(
                    services.app,
                    ctx,
                    name=customer.name,
                    id_number=customer.id_number,
                    occupation=customer.occupation,
                    occupation_class=customer.occupation_class,
                    family_status=customer.family_status,
                    dependants=customer.dependants,
                    annual_income=customer.annual_income,
                    contacts=contacts,
                )
            )
        return answer(
            commands.register_enterprise(
                services.app,
                ctx,
                name=customer.name,
                credit_code=customer.credit_code,
                industry=customer.industry,
                size=customer.size,
                headcount=customer.headcount,
                annual_revenue=customer.annual_revenue,
                contact_person=customer.contact_person,
                contacts=contacts,
            )
        )

    @post("/{customer_id:uuid}/contacts", guards=[requires("customers.update")], sync_to_thread=True, status_code=200)
    def change_contacts(
        self, request: Req, services: Svc, customer_id: Id, data: JSONBody[ContactsIn]
    ) -> CommandAnswer:
        """Replace the customer's contacts (SPEC §4): phone, email, address; personal data, encrypted at rest."""
        ctx = command_context(request, data)
        return answer(commands.change_contacts(services.app, ctx, customer_id, contacts=data.contacts.plain()))

    @post("/{customer_id:uuid}/profile", guards=[requires("customers.update")], sync_to_thread=True, status_code=200)
    def update_profile(self, request: Req, services: Svc, customer_id: Id, data: JSONBody[ProfileIn]) -> CommandAnswer:
        """Change profile fields (occupation, income, family status, …)."""
        ctx = command_context(request, data)
        return answer(commands.update_profile(services.app, ctx, customer_id, changes=data.changes))

    @post("/{customer_id:uuid}/segment", guards=[requires("customers.segment")], sync_to_thread=True, status_code=200)
    def assign_segment(self, request: Req, services: Svc, customer_id: Id, data: JSONBody[SegmentIn]) -> CommandAnswer:
        """Assign a segment (SPEC §4, guide 2.2 客户细分) with the basis for it, recorded as the reason."""
        ctx = command_context(request, data, reason=data.basis)
        return answer(commands.assign_segment(services.app, ctx, customer_id, segment=data.segment, basis=data.basis))

    @post(
        "/{customer_id:uuid}/lifecycle-stage",
        guards=[requires("customers.lifecycle")],
        sync_to_thread=True,
        status_code=200,
    )
    def change_lifecycle_stage(
        self, request: Req, services: Svc, customer_id: Id, data: JSONBody[LifecycleStageIn]
    ) -> CommandAnswer:
        """Move the customer to another lifecycle stage, with a reason."""
        ctx = command_context(request, data, reason=data.reason)
        return answer(
            commands.change_lifecycle_stage(services.app, ctx, customer_id, stage=data.stage, reason=data.reason)
        )

    @post(
        "/{customer_id:uuid}/interactions",
        guards=[requires("customers.interact")],
        sync_to_thread=True,
        status_code=200,
    )
    def record_interaction(
        self, request: Req, services: Svc, customer_id: Id, data: JSONBody[InteractionIn]
    ) -> CommandAnswer:
        """Record a care call, visit, marketing contact or service interaction."""
        ctx = command_context(request, data)
        return answer(
            commands.record_interaction(
                services.app,
                ctx,
                customer_id,
                kind=data.kind,
                summary=data.summary,
                occurred_at=data.occurred_at,
                staff_id=request.user.sub,
            )
        )

    @post("/{customer_id:uuid}/consents", guards=[requires("customers.consent")], sync_to_thread=True, status_code=200)
    def give_consent(self, request: Req, services: Svc, customer_id: Id, data: JSONBody[ConsentIn]) -> CommandAnswer:
        """Record a consent the customer gave for a purpose (SPEC §4, §9; PIPL Art. 14)."""
        ctx = command_context(request, data)
        return answer(commands.give_consent(services.app, ctx, customer_id, purpose=data.purpose))

    @post(
        "/{customer_id:uuid}/consent-withdrawals",
        guards=[requires("customers.consent")],
        sync_to_thread=True,
        status_code=200,
    )
    def withdraw_consent(
        self, request: Req, services: Svc, customer_id: Id, data: JSONBody[ConsentIn]
    ) -> CommandAnswer:
        """Record that the customer withdrew a consent (SPEC §4, §9; PIPL Art. 15): processing for that purpose stops."""
        ctx = command_context(request, data)
        return answer(commands.withdraw_consent(services.app, ctx, customer_id, purpose=data.purpose))

    @post(
        "/{customer_id:uuid}/needs-analyses",
        guards=[requires("customers.analyse")],
        sync_to_thread=True,
        status_code=200,
    )
    def analyse_needs(self, request: Req, services: Svc, customer_id: Id, data: JSONBody[NeedsIn]) -> CommandAnswer:
        """Record a needs analysis (SPEC §4, guide 4.1): the customer's concerns, potential needs and budget."""
        ctx = command_context(request, data)
        return answer(
            commands.analyse_needs(
                services.app,
                ctx,
                customer_id,
                concerns=data.concerns,
                potential_needs=data.potential_needs,
                budget=data.budget,
            )
        )

    @post(
        "/{customer_id:uuid}/risk-assessments",
        guards=[requires("customers.analyse")],
        sync_to_thread=True,
        status_code=200,
    )
    def assess_risks(self, request: Req, services: Svc, customer_id: Id, data: JSONBody[RisksIn]) -> CommandAnswer:
        """Record a risk assessment (4.2): each risk scored likelihood × severity."""
        ctx = command_context(request, data)
        return answer(commands.assess_risks(services.app, ctx, customer_id, risks=[r.model_dump() for r in data.risks]))

    @post("/{customer_id:uuid}/plans", guards=[requires("customers.plan")], sync_to_thread=True, status_code=200)
    def propose_plan(self, request: Req, services: Svc, customer_id: Id, data: JSONBody[PlanIn]) -> CommandAnswer:
        """Propose an insurance plan (4.3): each product priced from the catalogue for this customer."""
        ctx = command_context(request, data)
        return answer(
            commands.propose_plan(
                services.app,
                ctx,
                customer_id,
                items=[item.model_dump() for item in data.items],
                rationale=data.rationale,
            )
        )

    @post(
        "/{customer_id:uuid}/satisfaction-surveys",
        guards=[requires("customers.survey")],
        sync_to_thread=True,
        status_code=200,
    )
    def record_survey(self, request: Req, services: Svc, customer_id: Id, data: JSONBody[SurveyIn]) -> CommandAnswer:
        """Record a satisfaction survey (SPEC §4, guide 8.3.1): attitude, speed, quality and claims convenience
        scored 1–5, with a comment."""
        ctx = command_context(request, data)
        return answer(
            commands.record_satisfaction_survey(
                services.app,
                ctx,
                customer_id,
                attitude=data.attitude,
                speed=data.speed,
                quality=data.quality,
                claims_convenience=data.claims_convenience,
                comment=data.comment,
                related_id=data.related_id,
            )
        )

    @post(
        "/{customer_id:uuid}/erasure-request",
        guards=[requires("personal.erasure_request")],
        sync_to_thread=True,
        status_code=200,
    )
    def request_erasure(self, request: Req, services: Svc, customer_id: Id, data: JSONBody[ErasureIn]) -> CommandAnswer:
        """A deletion request (PIPL Art. 47): restricted at once while a retention period runs (masked for
        everyone, consents withdrawn, storage only); otherwise the customer's key is destroyed."""
        ctx = command_context(request, data, reason=data.reason)
        return answer(privacy.request_erasure(services.app, ctx, customer_id, data.reason))

    @post("/{customer_id:uuid}/erasure", guards=[requires("personal.erase")], sync_to_thread=True, status_code=200)
    def erase(self, request: Req, services: Svc, customer_id: Id, data: JSONBody[ErasureIn]) -> CommandAnswer:
        """Destroy the customer's key (crypto-shredding); refused while a retention period runs
        (`retention-period-running`)."""
        ctx = command_context(request, data, reason=data.reason)
        return answer(privacy.erase(services.app, ctx, customer_id, data.reason))


class CustomerController(CustomerCommands, CustomerQueries):
    """Customer commands and queries share one path (Litestar routes one controller per path)."""
