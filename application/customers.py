"""Customer commands: load → call → save, with the duplicate-identity rule across aggregates."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from application.app import CommandResult, InscribeApplication
from application.context import CommandContext
from domain.customer import Customer
from domain.errors import DomainError
from domain.identity import IdentityClaim


class DuplicateCustomer(DomainError):
    """The ID number or credit code is already registered (HTTP 409 naming the existing customer)."""

    code = "customer-already-registered"


def _register(app: InscribeApplication, ctx: CommandContext, customer: Customer) -> CommandResult:
    claim_id = IdentityClaim.id_for(customer.identity_key)
    if app.exists(claim_id):
        existing = app.load(IdentityClaim, claim_id).customer_id
        raise DuplicateCustomer(
            f"this identity is already registered as customer {existing}", existing_customer_id=str(existing)
        )
    claim = IdentityClaim.claim(customer.identity_key, customer.id)
    try:
        return app.record(ctx, customer, claim)
    except DomainError as conflict:
        # Lost a race with another registration of the same identity?
        if app.exists(claim_id):
            existing = app.load(IdentityClaim, claim_id).customer_id
            if existing != customer.id:
                raise DuplicateCustomer(
                    f"this identity is already registered as customer {existing}",
                    existing_customer_id=str(existing),
                ) from conflict
        raise


def register_individual(app: InscribeApplication, ctx: CommandContext, **data: Any) -> CommandResult:
    return app.once(ctx, lambda: _register(app, ctx, Customer.register_individual(**data)))


def register_enterprise(app: InscribeApplication, ctx: CommandContext, **data: Any) -> CommandResult:
    return app.once(ctx, lambda: _register(app, ctx, Customer.register_enterprise(**data)))


# Each action: the Customer method it calls. The interface passes the request's fields as kwargs.
ACTIONS = {
    "contacts": "change_contacts",
    "profile": "update_profile",
    "segment": "assign_segment",
    "lifecycle-stage": "change_lifecycle_stage",
    "interactions": "record_interaction",
    "consents": "give_consent",
    "consent-withdrawals": "withdraw_consent",
    "needs-analyses": "analyse_needs",
    "risk-assessments": "assess_risks",
    "satisfaction-surveys": "record_satisfaction_survey",
}


def act(app: InscribeApplication, ctx: CommandContext, customer_id: UUID, action: str, **data: Any) -> CommandResult:
    """Run one customer action (a key of ACTIONS) with its arguments."""
    method = ACTIONS[action]
    return app.execute(ctx, Customer, UUID(str(customer_id)), lambda customer: getattr(customer, method)(**data))
