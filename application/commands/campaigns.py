"""Campaign commands (guide 2.1 (5) 营销活动策划), one typed function each: load → call → save.

A contact reads the customer's segment and consents as their record holds them when the command runs (never
from the caller), and refuses a customer whose data a deletion request restricted or erased; a link reads the
applicant, product and application date from the policy.
"""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID, uuid4

from application.app import CommandResult, InscribeApplication
from application.context import CommandContext
from domain.campaign.aggregate import Campaign
from domain.customer.aggregate import Customer
from domain.errors import InvalidValue
from domain.policy.aggregate import Policy


def plan(app: InscribeApplication, ctx: CommandContext, **fields: Any) -> CommandResult:
    """营销活动策划: a campaign (Campaign.plan's fields); each product it names must be in the catalogue."""

    def run() -> CommandResult:
        for i, code in enumerate(fields.get("product_codes") or []):
            if isinstance(code, str) and code not in app.catalogue:
                raise InvalidValue(f"product_codes[{i}]", f"unknown product {code!r}", code="unknown-product")
        return app.record(ctx, Campaign.plan(campaign_id=uuid4(), **fields))

    return app.once(ctx, run)


def contact(
    app: InscribeApplication,
    ctx: CommandContext,
    campaign_id: UUID,
    on: date,
    *,
    customer_id: UUID,
    outcome: str,
    staff_id: str,
) -> CommandResult:
    """A contact with a customer in the campaign: their segment targeted, their consent to marketing held."""

    def action(campaign: Campaign) -> None:
        customer: Customer = app.load(Customer, UUID(str(customer_id)))  # 404 when there is no such customer
        customer.check_processing_allowed()
        campaign.contact(
            customer_id=str(customer.id),
            segment=customer.segment,
            consents=customer.consents,
            outcome=outcome,
            staff_id=staff_id,
            on=on,
        )

    return app.execute(ctx, Campaign, UUID(str(campaign_id)), action)


def link_application(
    app: InscribeApplication, ctx: CommandContext, campaign_id: UUID, on: date, *, policy_id: UUID
) -> CommandResult:
    """Count an application as the campaign's (its applicant contacted in it on or before applying)."""

    def action(campaign: Campaign) -> None:
        policy: Policy = app.load(Policy, UUID(str(policy_id)))  # 404 when there is no such policy
        if policy.applied_on is None:
            raise InvalidValue("policy_id", "the policy has no application")
        campaign.link_application(
            policy_id=str(policy.id),
            applicant_id=policy.applicant_id,
            product_code=policy.product_code,
            applied_on=policy.applied_on,
            on=on,
        )

    return app.execute(ctx, Campaign, UUID(str(campaign_id)), action)


def close(app: InscribeApplication, ctx: CommandContext, campaign_id: UUID, on: date, *, reason: str) -> CommandResult:
    return app.execute(ctx, Campaign, UUID(str(campaign_id)), lambda campaign: campaign.close(reason, on))
