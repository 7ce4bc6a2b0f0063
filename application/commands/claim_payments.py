"""Claim payments (SPEC §6; guide 7.3 (2); Art. 23, 25): final payments and advances, each reported
to the policy in the same transaction (the remaining sum insured of the period of the loss, a rider's
premium when a claim ends it, installments an approval deducted for a loss in the grace period)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any
from uuid import UUID

from application.app import CommandResult, InscribeApplication
from application.commands import policies as policies
from application.commands.claims import day_of, with_cover
from application.context import CommandContext
from domain.claim.aggregate import Claim
from domain.claim.rules import ZERO
from domain.errors import InvalidValue, NotFound
from domain.policy.aggregate import Policy
from domain.policy.cover import allocate, approved_by_cover, paying_parts
from domain.policy.state import CoverSnapshot


def _settle_deduction(claim: Claim, policy: Policy, day: date) -> list[int]:
    """At the first final payment after an approval that deducted premium for a loss in the grace
    period: the installments it pays by deduction. Premium paid since the approval (or no longer set off:
    the policy is not in force) is released to the claimant first."""
    deducted = claim.premium_deducted
    claim_id = str(claim.id)
    if deducted <= 0 or any(i.get("claim_id") == claim_id for i in policy.schedule):
        return []
    owed, numbers = policy.grace_deduction(claim.loss_date)
    if owed > deducted:  # never more than the approval deducted: only whole installments it covered
        owed, numbers = ZERO, []
    if owed < deducted:
        claim.release_premium_deduction(owed, day)
    return numbers


def pay(
    app: InscribeApplication,
    ctx: CommandContext,
    claim_id: UUID,
    on: date | None = None,
    *,
    amount: Any,
    reference: str,
    kind: str = "final",
    determinable_amount: Any = None,
) -> CommandResult:
    """A payment (final, or an Art. 25 advance, within the payer's authority): it reduces the claim's
    reserve and, in the same transaction, the remaining sum insured of the policy period of the loss.
    The first final payment of a loss in the grace period also pays, in the same transaction, the
    installments the approval deducted (Policy.pay_by_claim_deduction); one paid since the approval is
    not deducted: the claim's payable rises by it first (Claim.release_premium_deduction)."""
    day = day_of(on)
    if app.previous_answer(ctx) is None:
        claim = app.load(Claim, UUID(str(claim_id)))
        policies.advance(app, UUID(str(claim.policy_id)), day)

    def action(claim: Claim, cover: CoverSnapshot, when: date) -> list[Any]:
        policy = app.load(Policy, UUID(str(claim.policy_id)))
        deducted = _settle_deduction(claim, policy, when) if kind == "final" and claim.status == "approved" else []
        claim.pay(
            amount,
            when,
            reference,
            kind,
            determinable_amount=determinable_amount,
            cover=cover if kind == "advance" else None,
            paying_role=ctx.actor_role,
        )
        if deducted:  # first: a death benefit recorded below ends the policy
            policy.pay_by_claim_deduction(claim.id, deducted, when)
        paid = claim.payments[-1]["amount"]
        policy.record_claim_payment(
            claim.id,
            paid,
            when,
            loss_on=claim.loss_date,
            by_cover=_split(claim, cover, paid, kind),
            cause=claim.cause,
            rider_premiums=_rider_premiums(app, policy),
        )
        return [policy]

    return with_cover(app, ctx, claim_id, day, action)


def _split(claim: Claim, cover: CoverSnapshot, paid: Decimal, kind: str) -> dict[str, Decimal] | None:
    """The covers a payment is taken from (SPEC §5: each cover keeps its own remaining sum insured).
    A final payment follows the approval's part for each cover, in order; an advance is taken from the
    covers that pay the loss, in order, up to what each has left. None: all on the main cover (an
    approval recorded before covers were judged one by one)."""
    if kind == "final":
        assert claim.approval is not None
        caps = approved_by_cover(claim.approval["computation"])
        if not caps:
            return None
        approved_on = claim.approval["on"]
        before = sum(
            (p["amount"] for p in claim.payments[:-1] if p.get("kind") == "final" and p["on"] >= approved_on), ZERO
        )
        after, earlier = allocate(before + paid, caps), (allocate(before, caps) if before else {})
        split = {k: v - earlier.get(k, ZERO) for k, v in after.items() if v - earlier.get(k, ZERO) > 0}
        return split or None
    paying, _ = paying_parts(cover.covers, claim.loss_date, claim.cause, str(claim.id), None, cover.suicide_excluded_to)
    if not paying:
        return None
    return allocate(paid, {p.key: p.remaining_sum_insured for p in paying})


def _rider_premiums(app: InscribeApplication, policy: Policy) -> dict[str, Decimal] | None:
    """Each rider's annual premium as quoted for the policy (what stops when a rider ends by a claim)."""
    if not policy.riders:
        return None
    try:
        quoted = policies.quote_for(app, policy)
    except (InvalidValue, NotFound, KeyError):
        return None
    return {r.code: r.annual_premium for r in quoted.breakdown.riders}
