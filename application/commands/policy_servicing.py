"""Commands on an issued policy (SPEC §5, 5.3), one typed function each: premiums and demands,
receipt and cooling-off, reinstatement (Art. 37), changes and sum insured increases, renewal,
surrender and rescission (Art. 16).

Each first brings the policy up to its date (application.commands.policies.command): what time has
caused is recorded under the system's name, and a date after today is refused.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from typing import Any
from uuid import UUID

from application.app import CommandResult, InscribeApplication
from application.commands.policies import command, quote_cover, renewal_quote
from application.context import CommandContext
from domain.authority import check_underwriting_authority
from domain.identifiers import china_today
from domain.policy.aggregate import Policy

# --- premiums -----------------------------------------------------------------------------------


def pay_premium(
    app: InscribeApplication, ctx: CommandContext, policy_id: UUID, paid_on: date, *, amount: Any, reference: str
) -> CommandResult:
    """A premium payment of exactly the amount due. The first one, once accepted, issues the contract."""
    return command(
        app, ctx, policy_id, paid_on, lambda policy: policy.pay_premium(amount, paid_on, reference), "paid_on"
    )


def demand_payment(
    app: InscribeApplication, ctx: CommandContext, policy_id: UUID, on: date, *, installment_no: int
) -> CommandResult:
    """催告: demand an overdue installment; for life and health the grace ends 30 days later at most."""
    return command(app, ctx, policy_id, on, lambda policy: policy.demand_payment(installment_no, on))


# --- receipt and cooling-off ----------------------------------------------------------------------


def sign_receipt(app: InscribeApplication, ctx: CommandContext, policy_id: UUID, on: date) -> CommandResult:
    """The applicant's signed receipt of the contract: the cooling-off period starts."""
    return command(app, ctx, policy_id, on, lambda policy: policy.sign_receipt(on))


def cancel_in_cooling_off(app: InscribeApplication, ctx: CommandContext, policy_id: UUID, on: date) -> CommandResult:
    """犹豫期退保: all premium refunded less the product's fee."""
    return command(app, ctx, policy_id, on, lambda policy: policy.cancel_in_cooling_off(on))


# --- reinstatement (Art. 37) --------------------------------------------------------------------------


def request_reinstatement(app: InscribeApplication, ctx: CommandContext, policy_id: UUID, on: date) -> CommandResult:
    """复效申请: within two years of the lapse; 30 days of silence count as consent."""
    return command(app, ctx, policy_id, on, lambda policy: policy.request_reinstatement(on))


def decide_reinstatement(
    app: InscribeApplication, ctx: CommandContext, policy_id: UUID, on: date, *, agree: bool, reason: str = ""
) -> CommandResult:
    """Agree, or refuse only because the risk has risen markedly, within 30 days of the request."""
    return command(app, ctx, policy_id, on, lambda policy: policy.decide_reinstatement(agree, on, reason))


def pay_arrears(
    app: InscribeApplication,
    ctx: CommandContext,
    policy_id: UUID,
    paid_on: date,
    *,
    amount: Any,
    reference: str = "arrears",
) -> CommandResult:
    """The arrears after an agreed reinstatement: cover resumes on the payment date."""
    return command(
        app, ctx, policy_id, paid_on, lambda policy: policy.pay_arrears(amount, paid_on, reference), "paid_on"
    )


# --- changes (5.3) ------------------------------------------------------------------------------------


def change(
    app: InscribeApplication,
    ctx: CommandContext,
    policy_id: UUID,
    on: date,
    *,
    kind: str,
    details: Mapping[str, Any],
    document_ref: str,
    effective_on: date,
    insured_consent_document: str | None = None,
) -> CommandResult:
    """A change in writing: beneficiary, contacts, premium mode, or a decrease of the sum insured."""
    return command(
        app,
        ctx,
        policy_id,
        on,
        lambda policy: policy.change(
            kind, details, document_ref, effective_on, on=on, insured_consent_document=insured_consent_document
        ),
    )


def request_sum_insured_increase(
    app: InscribeApplication,
    ctx: CommandContext,
    policy_id: UUID,
    on: date,
    *,
    new_sum_insured: Any,
    document_ref: str,
    effective_on: date,
) -> CommandResult:
    """Ask for a higher sum insured: it is underwritten again before it takes effect."""
    return command(
        app,
        ctx,
        policy_id,
        on,
        lambda policy: policy.request_sum_insured_increase(new_sum_insured, document_ref, effective_on, on=on),
    )


def decide_sum_insured_increase(
    app: InscribeApplication,
    ctx: CommandContext,
    policy_id: UUID,
    approved: bool,
    *,
    reason: str = "",
    decided_on: date | None = None,
) -> CommandResult:
    """An increase of the sum insured is underwritten again, within authority for the new sum."""
    on = decided_on or china_today()

    def action(policy: Policy) -> None:
        pending = policy.pending_increase
        if pending is None:
            # Nothing to price: the domain refuses (wrong state, or no-pending-increase) before it
            # would use the premium, so a placeholder keeps an approval from failing on a missing one.
            policy.decide_sum_insured_increase(
                approved,
                underwriter_id=ctx.actor_id,
                role=ctx.actor_role,
                reason=reason,
                annual_premium=Decimal(1) if approved else None,
                decided_on=on,
            )
            return
        new_sum = Decimal(str(pending["new_sum_insured"]))
        check_underwriting_authority(ctx.actor_role, new_sum)
        priced = quote_cover(app, policy, sum_insured=new_sum, on=on) if approved else None
        policy.decide_sum_insured_increase(
            approved,
            underwriter_id=ctx.actor_id,
            role=ctx.actor_role,
            reason=reason,
            annual_premium=getattr(priced, "annual_premium", None),
            decided_on=on,
        )

    return command(app, ctx, policy_id, on, action, "decided_on")


# --- renewal, surrender, rescission -----------------------------------------------------------------


def offer_renewal(
    app: InscribeApplication, ctx: CommandContext, policy_id: UUID, on: date | None = None
) -> CommandResult:
    """Offer renewal now (8.1.1 (4)) at the latest product version's premium for the insured's age."""
    day = on or china_today()

    def action(policy: Policy) -> None:
        if not policy.renewable:  # never renewable, or recorded as not renewable: Policy refuses it (409)
            policy.offer_renewal(day, policy.annual_premium or Decimal(1))
            return
        renewed = renewal_quote(app, policy)
        policy.offer_renewal(day, renewed.annual_premium, renewed.installment_amount)

    # Time is brought up to the day without the scheduler's own offer, which would pre-empt this one.
    return command(app, ctx, policy_id, day, action, offers=False)


def renew(
    app: InscribeApplication,
    ctx: CommandContext,
    policy_id: UUID,
    paid_on: date,
    *,
    amount: Any,
    reference: str = "renewal",
) -> CommandResult:
    """Accept the renewal offer by paying its first premium."""
    return command(app, ctx, policy_id, paid_on, lambda policy: policy.renew(paid_on, amount, reference), "paid_on")


def surrender(app: InscribeApplication, ctx: CommandContext, policy_id: UUID, on: date) -> CommandResult:
    """退保: unearned premium refunded (pro rata for short-term; the cash value table for life)."""
    return command(app, ctx, policy_id, on, lambda policy: policy.surrender(on))


def rescind(
    app: InscribeApplication,
    ctx: CommandContext,
    policy_id: UUID,
    on: date,
    *,
    ground: str,
    learned_on: date,
    insurer_knew_at_contracting: bool = False,
) -> CommandResult:
    """解除合同 for non-disclosure (Art. 16), with the refund the ground allows."""
    return command(
        app, ctx, policy_id, on, lambda policy: policy.rescind(on, ground, learned_on, insurer_knew_at_contracting)
    )
