"""Claim commands (SPEC §6; guide ch. 7): report against the policy, documents, investigation,
assessment, adjudication against the policy as it stood on the loss date, payments reported to the
policy in the same transaction, closing and reopening.

Every dated command first records, under the system's name, the clock breaches time has caused up
to its date (domain.claim: `time-not-advanced`), so a late act is judged against a claim that shows
its breach. A date after today is refused: time that has not passed cannot be recorded.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any, Callable, Sequence
from uuid import UUID, uuid4

from application import policies, timed
from application.app import CommandResult, InscribeApplication
from application.context import CommandContext
from domain.claim import Claim
from domain.claim_rules import fraud_indicators, required_claim_documents
from domain.errors import InvalidValue, NotFound
from domain.identifiers import china_today
from domain.policy import Policy
from domain.policy_rules import check_date
from domain.policy_state import CoverSnapshot

YEAR = timedelta(days=365)


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
    app: InscribeApplication, ctx: CommandContext, *, policy_id: Any, claimant_id: Any, claimant_role: str,
    loss_date: date, cause: str, description: str, estimated_amount: Any, initial_reserve: Any,
    reported_on: date | None = None, known_on: date | None = None,
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
            policy_id=policy.id, policy_number=policy.policy_number, claimant_id=claimant,
            claimant_role=claimant_role, loss_date=loss, cause=cause, description=description,
            estimated_amount=estimated_amount, initial_reserve=initial_reserve, reported_on=day,
            line=product.line, required_documents=required_claim_documents(product.claim_document_codes),
            known_on=known_on, claim_id=uuid4(),
        )
        cover = policies.cover_on(app, policy.id, loss)  # the domain refused a loss after the report
        others = app.claims_on_policy(str(policy.id), loss - YEAR, loss)
        for indicator, detail in fraud_indicators(loss, claim.estimated_amount, cover, policy.start_date,
                                                  _reinstated_before(policy, loss), others):
            claim.raise_fraud_flag(indicator, detail, day)
        return app.record(ctx, claim)

    return app.once(ctx, run)


def act(app: InscribeApplication, ctx: CommandContext, claim_id: UUID, method: str, on: date | None, /,
        **arguments: Any) -> CommandResult:
    """Call `Claim.<method>(on=…, **arguments)` after recording the breaches time has caused up to `on`."""
    day = _not_future(check_date(on or china_today(), "on"), "on")
    return timed.timed(app, ctx, Claim, UUID(str(claim_id)), day,
                       lambda claim: getattr(claim, method)(on=day, **arguments))


def _with_cover(app: InscribeApplication, ctx: CommandContext, claim_id: UUID, on: date | None,
                action: Callable[[Claim, CoverSnapshot, date], Sequence[Any] | None]) -> CommandResult:
    day = _not_future(check_date(on or china_today(), "on"), "on")
    return timed.timed(app, ctx, Claim, UUID(str(claim_id)), day,
                       lambda claim: action(claim, cover_for(app, claim), day))


def approve(app: InscribeApplication, ctx: CommandContext, claim_id: UUID, on: date | None = None, *,
            exclusion_applies: str | None = None) -> CommandResult:
    """赔付决定 (7.3 (1)): within the deciding role's authority for the amount (Art. 23)."""

    def action(claim: Claim, cover: CoverSnapshot, day: date) -> None:
        claim.approve(cover=cover, deciding_role=ctx.actor_role, decided_by=ctx.actor_id, on=day,
                      exclusion_applies=exclusion_applies)

    return _with_cover(app, ctx, claim_id, on, action)


def settlement(app: InscribeApplication, claim_id: UUID) -> dict[str, Decimal]:
    """What approval would compute now (7.3 (1)); records nothing."""
    claim = app.load(Claim, UUID(str(claim_id)))
    return claim.settlement(cover_for(app, claim))


def pay(app: InscribeApplication, ctx: CommandContext, claim_id: UUID, *, amount: Any, reference: str,
        kind: str = "final", determinable_amount: Any = None, on: date | None = None) -> CommandResult:
    """A payment (final, or an Art. 25 advance): it reduces the claim's reserve and, in the same
    transaction, the remaining sum insured of the policy period of the loss."""
    day = _not_future(check_date(on or china_today(), "on"), "on")
    if app.previous_answer(ctx) is None:
        claim = app.load(Claim, UUID(str(claim_id)))
        policies.advance(app, UUID(str(claim.policy_id)), day)

    def action(claim: Claim, cover: CoverSnapshot, when: date) -> list[Any]:
        claim.pay(amount, when, reference, kind, determinable_amount=determinable_amount,
                  cover=cover if kind == "advance" else None)
        policy = app.load(Policy, UUID(str(claim.policy_id)))
        policy.record_claim_payment(claim.id, claim.payments[-1]["amount"], when, loss_on=claim.loss_date)
        return [policy]

    return _with_cover(app, ctx, claim_id, day, action)


def tick(app: InscribeApplication, claim_ids: Sequence[UUID], today: date) -> list[CommandResult]:
    """The scheduler's job: record the clock breaches due by `today` on each given claim."""
    results = []
    for claim_id in claim_ids:
        result = timed.advance(app, Claim, claim_id, today)
        if result is not None:
            results.append(result)
    return results
