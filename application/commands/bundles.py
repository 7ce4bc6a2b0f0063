"""Bundle commands (guide 3.3 保险产品组合策略): several applications of one applicant made and priced together.

`propose` makes each item's application exactly as `apply_for_policy` makes one (the version on sale that day, the
automatic underwriting, its quote) and records every policy and the bundle in one transaction: all of them, or
nothing (a refusal names the item: `items[2].sum_insured`). Each policy then goes its own way.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any
from uuid import uuid4

from application.app import CommandResult, InscribeApplication
from application.commands.policies import application_of
from application.context import CommandContext
from domain.bundle.aggregate import MAX_ITEMS, Bundle
from domain.errors import DomainError, InvalidValue
from domain.identifiers import china_today
from domain.policy.aggregate import Policy

#: What an item may say: an application's fields but the applicant, channel, agent and day (the bundle's).
ITEM_FIELDS = (
    "insured_id",
    "relationship",
    "product_code",
    "product_version",
    "sum_insured",
    "term_months",
    "premium_mode",
    "beneficiaries",
    "riders",
    "disclosures",
    "insured_consent",
    "declared_property_value",
)


def propose(
    app: InscribeApplication,
    ctx: CommandContext,
    *,
    applicant_id: Any,
    items: Sequence[Mapping[str, Any]],
    channel: str = "agent",
    agent_id: str | None = None,
    applied_on: date | None = None,
) -> CommandResult:
    """组合投保: one application per item, and the bundle with their combined premium, in one command."""

    def run() -> CommandResult:
        if not isinstance(items, Sequence) or not 2 <= len(items) <= MAX_ITEMS:
            raise InvalidValue("items", f"a bundle combines 2 to {MAX_ITEMS} applications")
        on = applied_on or china_today()
        policies = [_item(app, ctx, i, item, applicant_id, channel, agent_id, on) for i, item in enumerate(items)]
        bundle = Bundle.propose(
            applicant_id=str(applicant_id),
            channel=channel,
            agent_id=agent_id or ctx.actor_id,
            items=[_summary(policy) for policy in policies],
            on=on,
            bundle_id=uuid4(),
        )
        return app.record(ctx, bundle, *policies)

    return app.once(ctx, run)


def _item(
    app: InscribeApplication,
    ctx: CommandContext,
    i: int,
    item: Mapping[str, Any],
    applicant_id: Any,
    channel: str,
    agent_id: str | None,
    on: date,
) -> Policy:
    unknown = sorted(set(item) - set(ITEM_FIELDS))
    if unknown:
        raise InvalidValue(f"items[{i}].{unknown[0]}", "is not a field of a bundle's item")
    try:
        return application_of(
            app, ctx, applicant_id=applicant_id, channel=channel, agent_id=agent_id, applied_on=on, **item
        )
    except InvalidValue as refusal:
        raise InvalidValue(f"items[{i}].{refusal.field}", refusal.message, code=refusal.code) from None
    except DomainError as refusal:
        raise DomainError(f"items[{i}]: {refusal}", code=refusal.code) from None


def _summary(policy: Policy) -> dict[str, Any]:
    premium = policy.annual_premium if policy.annual_premium is not None else policy.quoted_annual_premium
    declined = policy.status == "declined"
    return {
        "policy_id": str(policy.id),
        "product_code": policy.product_code,
        "product_version": policy.product_version,
        "line": policy.product_terms["line"],
        "insured_id": policy.insured_id,
        "sum_insured": str(policy.sum_insured),
        "term_months": policy.term_months,
        "premium_mode": policy.premium_mode,
        "riders": [r["code"] for r in policy.riders],
        "annual_premium": None if declined or premium is None else str(premium),
        "outcome": policy.status,
    }
