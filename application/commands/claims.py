"""Claim commands (SPEC §6; guide ch. 7): report against the policy, documents, investigation,
assessment, adjudication against the policy as it stood on the loss date, payments reported to the
policy in the same transaction, closing and reopening.

Every dated command first records, under the system's name, the clock breaches time has caused up
to its date (domain.claim.aggregate: `time-not-advanced`), so a late act is judged against a claim that shows
its breach. A date after today is refused: time that has not passed cannot be recorded.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date, timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID, uuid4

from application.app import CommandResult, InscribeApplication
from application.commands import policies as policies
from application.commands import timed as timed
from application.context import CommandContext
from domain.claim.aggregate import Claim
from domain.claim.rules import ZERO, fraud_indicators, required_claim_documents
from domain.errors import DomainError, InvalidValue, NotFound
from domain.identifiers import china_today
from domain.policy.aggregate import Policy
from domain.policy.cover import allocate, approved_by_cover, paying_parts
from domain.policy.state import CoverSnapshot
from domain.values import check_date

YEAR = timedelta(days=365)
ZERO = Decimal("0.00")


def _not_future(day: date, field: str) -> date:
    today = china_today()
    if day > today:
        raise InvalidValue(field, f"{day} is after today ({today}): the future cannot be recorded")
    return day


def _policy(app: InscribeApplication, policy_id: Any) -> Policy:
    try:
        return app.load(Policy, UUID(str(policy_id)))
    except (NotFound, ValueError):
        raise InvalidValue("policy_id", f"no policy {policy_id}") from None


def _check_claimant(policy: Policy, claimant_id: str, role: str) -> None:
    """The claimant must be who the policy says: its insured, a beneficiary named by customer id, or
    its applicant (7.1: 被保险人或受益人; the applicant for cover of its own property)."""
    if role == "insured":
        ok = claimant_id == str(policy.insured_id)
    elif role == "beneficiary":
        ok = any(str(b.get("customer_id")) == claimant_id for b in policy.beneficiaries if b.get("customer_id"))
    elif role == "applicant":
        ok = claimant_id == str(policy.applicant_id)
    else:
        return  # the domain names the bad role
    if not ok:
        raise InvalidValue("claimant_id", f"is not the {role} of policy {policy.policy_number or policy.id}")


def _reinstated_before(policy: Policy, day: date) -> date | None:
    """The latest day on or before `day` that the policy came back into force after a lapse."""
    latest = None
    for (_, before), (since, status) in zip(policy.history, policy.history[1:]):
        if before == "lapsed" and status == "in_force" and since <= day:
            latest = since
    return latest


def cover_for(app: InscribeApplication, claim: Claim) -> CoverSnapshot:
    """The claim's policy as it stood on the loss date (what adjudication and advances are judged by)."""
    return policies.cover_on(app, UUID(str(claim.policy_id)), claim.loss_date)


def report(
    app: InscribeApplication,
    ctx: CommandContext,
    *,
    policy_id: Any,
    claimant_id: Any,
    claimant_role: str,
    loss_date: date,
    cause: str,
    description: str,
    estimated_amount: Any,
    initial_reserve: Any,
    reported_on: date | None = None,
    known_on: date | None = None,
) -> CommandResult:
    """报案 (7.1): the first receipt of the claim. The product's documents are required; the automatic
    fraud indicators (ch. 9) are flagged in the same transaction. A time-barred claim is refused
    (Art. 26); cover is judged at adjudication, against the policy on the loss date."""

    def run() -> CommandResult:
        day = _not_future(check_date(reported_on or china_today(), "reported_on"), "reported_on")
        loss = check_date(loss_date, "loss_date")
        policy = _policy(app, policy_id)
        if policy.policy_number is None:
            raise InvalidValue("policy_id", f"policy {policy.id} was never issued: there is no contract to claim on")
        claimant = str(claimant_id)
        _check_claimant(policy, claimant, claimant_role)
        product = app.catalogue.get(policy.product_code, policy.product_version)
        claim = Claim.report(
            policy_id=policy.id,
            policy_number=policy.policy_number,
            claimant_id=claimant,
            claimant_role=claimant_role,
            loss_date=loss,
            cause=cause,
            description=description,
            estimated_amount=estimated_amount,
            initial_reserve=initial_reserve,
            reported_on=day,
            line=product.line,
            required_documents=required_claim_documents(product.claim_document_codes),
            known_on=known_on,
            claim_id=uuid4(),
        )
        cover = policies.cover_on(app, policy.id, loss)  # the domain refused a loss after the report
        ended = [p for p in cover.covers if p.ended_on is not None and loss >= p.ended_on]
        if cover.covers and len(ended) == len(cover.covers):
            raise DomainError(
                f"the policy's cover ended on {ended[0].ended_on} by a claim "
                f"({ended[0].ended_reason}): no later loss is covered",
                code="cover-ended",
            )
        others = app.claims_on_policy(str(policy.id), loss - YEAR, loss)
        for indicator, detail in fraud_indicators(
            loss, claim.estimated_amount, cover, policy.start_date, _reinstated_before(policy, loss), others
        ):
            claim.raise_fraud_flag(indicator, detail, day)
        return app.record(ctx, claim)

    return app.once(ctx, run)


def act(
    app: InscribeApplication, ctx: CommandContext, claim_id: UUID, method: str, on: date | None, /, **arguments: Any
) -> CommandResult:
    """Call `Claim.<method>(on=…, **arguments)` after recording the breaches time has caused up to `on`."""
    day = _not_future(check_date(on or china_today(), "on"), "on")
    return timed.timed(
        app, ctx, Claim, UUID(str(claim_id)), day, lambda claim: getattr(claim, method)(on=day, **arguments)
    )


def _with_cover(
    app: InscribeApplication,
    ctx: CommandContext,
    claim_id: UUID,
    on: date | None,
    action: Callable[[Claim, CoverSnapshot, date], Sequence[Any] | None],
) -> CommandResult:
    day = _not_future(check_date(on or china_today(), "on"), "on")
    return timed.timed(
        app, ctx, Claim, UUID(str(claim_id)), day, lambda claim: action(claim, cover_for(app, claim), day)
    )


def approve(
    app: InscribeApplication,
    ctx: CommandContext,
    claim_id: UUID,
    on: date | None = None,
    *,
    exclusion_applies: str | None = None,
) -> CommandResult:
    """赔付决定 (7.3 (1)): within the deciding role's authority for the amount (Art. 23)."""

    def action(claim: Claim, cover: CoverSnapshot, day: date) -> None:
        claim.approve(
            cover=cover,
            deciding_role=ctx.actor_role,
            decided_by=ctx.actor_id,
            on=day,
            exclusion_applies=exclusion_applies,
            premium_owed=premium_owed_now(app, claim),
        )

    return _with_cover(app, ctx, claim_id, on, action)


def premium_owed_now(app: InscribeApplication, claim: Claim) -> Decimal:
    """For a loss in the grace period: the premium owed on the loss date that is still owed now
    (Art. 36; premium paid since is not deducted)."""
    return _policy(app, claim.policy_id).grace_deduction(claim.loss_date)[0]


def settlement(app: InscribeApplication, claim_id: UUID) -> dict[str, Decimal]:
    """What approval would compute now (7.3 (1)); records nothing."""
    claim = app.load(Claim, UUID(str(claim_id)))
    return claim.settlement(cover_for(app, claim), premium_owed=premium_owed_now(app, claim))


def record_rescission_finding(
    app: InscribeApplication,
    ctx: CommandContext,
    claim_id: UUID,
    *,
    seriously_affected: bool,
    reason: str,
    on: date | None = None,
) -> CommandResult:
    """Art. 16(5): whether the fact not disclosed through gross negligence seriously affected the loss."""

    def action(claim: Claim, cover: CoverSnapshot, day: date) -> None:
        claim.record_rescission_finding(seriously_affected, reason, cover=cover, on=day)

    return _with_cover(app, ctx, claim_id, on, action)


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
    *,
    amount: Any,
    reference: str,
    kind: str = "final",
    determinable_amount: Any = None,
    on: date | None = None,
) -> CommandResult:
    """A payment (final, or an Art. 25 advance, within the payer's authority): it reduces the claim's
    reserve and, in the same transaction, the remaining sum insured of the policy period of the loss.
    The first final payment of a loss in the grace period also pays, in the same transaction, the
    installments the approval deducted (Policy.pay_by_claim_deduction); one paid since the approval is
    not deducted: the claim's payable rises by it first (Claim.release_premium_deduction)."""
    day = _not_future(check_date(on or china_today(), "on"), "on")
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

    return _with_cover(app, ctx, claim_id, day, action)


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


def tick(app: InscribeApplication, claim_ids: Sequence[UUID], today: date) -> list[CommandResult]:
    """The scheduler's job: record the clock breaches due by `today` on each given claim."""
    results = []
    for claim_id in claim_ids:
        result = timed.advance(app, Claim, claim_id, today)
        if result is not None:
            results.append(result)
    return results
