"""Claim commands (SPEC §6; guide ch. 7), one typed function each: report against the policy,
documents, investigation, assessment, adjudication against the policy as it stood on the loss date,
closing and reopening. Payments, reported to the policy in the same transaction, are in
application.commands.claim_payments.

Every dated command first records, under the system's name, the clock breaches time has caused up
to its date (domain.claim.aggregate: `time-not-advanced`), so a late act is judged against a claim that shows
its breach. A date after today is refused: time that has not passed cannot be recorded.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import date, timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID, uuid4

from eventsourcing.domain import Aggregate

from application.app import CommandResult, InscribeApplication
from application.commands import policies as policies
from application.commands import timed as timed
from application.context import CommandContext
from domain.claim.aggregate import Claim
from domain.claim.rules import fraud_indicators, required_claim_documents
from domain.errors import DomainError, InvalidValue, NotFound
from domain.identifiers import china_today
from domain.policy.aggregate import Policy
from domain.policy.state import CoverSnapshot
from domain.values import check_date

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


def day_of(on: date | None) -> date:
    """A command's date: a date (today when not given), and not after today."""
    return _not_future(check_date(on or china_today(), "on"), "on")


def with_cover(
    app: InscribeApplication,
    ctx: CommandContext,
    claim_id: UUID,
    on: date | None,
    action: Callable[[Claim, CoverSnapshot, date], Iterable[Aggregate] | None],
) -> CommandResult:
    """Bring the claim up to `on`, then call `action` with the policy as it stood on the loss date."""
    day = day_of(on)
    return timed.timed(
        app, ctx, Claim, UUID(str(claim_id)), day, lambda claim: action(claim, cover_for(app, claim), day)
    )


def _on(
    app: InscribeApplication, ctx: CommandContext, claim_id: UUID, on: date, action: Callable[[Claim, date], None]
) -> CommandResult:
    """Bring the claim up to `on`, then call `action` with the day, and save."""
    day = day_of(on)
    return timed.timed(app, ctx, Claim, UUID(str(claim_id)), day, lambda claim: action(claim, day))


# --- documents and acceptance (7.1; Art. 22) ------------------------------------------------------------


def receive_document(
    app: InscribeApplication, ctx: CommandContext, claim_id: UUID, on: date, *, code: str
) -> CommandResult:
    """A claim document arrives (7.1 (1)); the last missing one ends the clock's pause."""
    return _on(app, ctx, claim_id, on, lambda claim, day: claim.receive_document(code, day))


def notify_missing_documents(
    app: InscribeApplication, ctx: CommandContext, claim_id: UUID, on: date, *, breach_reason: str | None = None
) -> CommandResult:
    """The one notice of all missing documents (Art. 22); a second one needs `breach_reason`."""
    return _on(app, ctx, claim_id, on, lambda claim, day: claim.notify_missing_documents(day, breach_reason))


def accept(app: InscribeApplication, ctx: CommandContext, claim_id: UUID, on: date) -> CommandResult:
    """受理: only with every required document."""
    return _on(app, ctx, claim_id, on, lambda claim, day: claim.accept(day))


# --- investigation and assessment (7.2) ---------------------------------------------------------------


def record_investigation(
    app: InscribeApplication,
    ctx: CommandContext,
    claim_id: UUID,
    on: date,
    *,
    activity: str,
    investigator_id: str,
    findings: str,
) -> CommandResult:
    """An investigation activity (7.2 (1)) with its findings."""
    return _on(
        app, ctx, claim_id, on, lambda claim, day: claim.record_investigation(activity, investigator_id, findings, day)
    )


def raise_fraud_flag(
    app: InscribeApplication, ctx: CommandContext, claim_id: UUID, on: date, *, indicator: str, detail: str
) -> CommandResult:
    """A fraud indicator found by a person (ch. 9)."""
    return _on(app, ctx, claim_id, on, lambda claim, day: claim.raise_fraud_flag(indicator, detail, day))


def assess(
    app: InscribeApplication,
    ctx: CommandContext,
    claim_id: UUID,
    on: date,
    *,
    items: list[dict[str, Any]],
    assessor_id: str,
) -> CommandResult:
    """定损: loss items with claimed and assessed amounts; again after a dispute."""
    return _on(app, ctx, claim_id, on, lambda claim, day: claim.assess(items, assessor_id, day))


def notify_assessment(app: InscribeApplication, ctx: CommandContext, claim_id: UUID, on: date) -> CommandResult:
    """The claimant is told the assessment."""
    return _on(app, ctx, claim_id, on, lambda claim, day: claim.notify_assessment(day))


def agree_assessment(app: InscribeApplication, ctx: CommandContext, claim_id: UUID, on: date) -> CommandResult:
    """The claimant agrees the amount: payment is due within 10 days (Art. 23)."""
    return _on(app, ctx, claim_id, on, lambda claim, day: claim.agree_assessment(day))


def dispute_assessment(
    app: InscribeApplication, ctx: CommandContext, claim_id: UUID, on: date, *, reason: str
) -> CommandResult:
    """The claimant disputes the assessment: it must be assessed again."""
    return _on(app, ctx, claim_id, on, lambda claim, day: claim.dispute_assessment(reason, day))


def set_reserve(
    app: InscribeApplication, ctx: CommandContext, claim_id: UUID, on: date, *, amount: Any, reason: str
) -> CommandResult:
    """Set the case reserve, with a reason."""
    return _on(app, ctx, claim_id, on, lambda claim, day: claim.set_reserve(amount, reason, day))


# --- the decision (7.3; Art. 23, 24) ---------------------------------------------------------------------


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

    return with_cover(app, ctx, claim_id, on, action)


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
    on: date | None = None,
    *,
    seriously_affected: bool,
    reason: str,
) -> CommandResult:
    """Art. 16(5): whether the fact not disclosed through gross negligence seriously affected the loss."""

    def action(claim: Claim, cover: CoverSnapshot, day: date) -> None:
        claim.record_rescission_finding(seriously_affected, reason, cover=cover, on=day)

    return with_cover(app, ctx, claim_id, on, action)


def reject(
    app: InscribeApplication, ctx: CommandContext, claim_id: UUID, on: date, *, reasons: list[str], decided_by: str
) -> CommandResult:
    """拒赔 with reasons; the written notice is due within 3 days (Art. 24)."""
    return _on(app, ctx, claim_id, on, lambda claim, day: claim.reject(reasons, decided_by, day))


def send_rejection_notice(app: InscribeApplication, ctx: CommandContext, claim_id: UUID, on: date) -> CommandResult:
    """The written rejection notice with its reasons is sent."""
    return _on(app, ctx, claim_id, on, lambda claim, day: claim.send_rejection_notice(day))


# --- after payment (application.commands.claim_payments): receipt, closing, reopening --------------------


def confirm_receipt(app: InscribeApplication, ctx: CommandContext, claim_id: UUID, on: date) -> CommandResult:
    """The claimant confirms receipt of the payment."""
    return _on(app, ctx, claim_id, on, lambda claim, day: claim.confirm_receipt(day))


def close(app: InscribeApplication, ctx: CommandContext, claim_id: UUID, on: date) -> CommandResult:
    """结案: the reserve is released."""
    return _on(app, ctx, claim_id, on, lambda claim, day: claim.close(day))


def reopen(app: InscribeApplication, ctx: CommandContext, claim_id: UUID, on: date, *, reason: str) -> CommandResult:
    """Reopen a closed claim with a reason: a new round with its own clocks."""
    return _on(app, ctx, claim_id, on, lambda claim, day: claim.reopen(reason, day))


def tick(app: InscribeApplication, claim_ids: Sequence[UUID], today: date) -> list[CommandResult]:
    """The scheduler's job: record the clock breaches due by `today` on each given claim."""
    results = []
    for claim_id in claim_ids:
        result = timed.advance(app, Claim, claim_id, today)
        if result is not None:
            results.append(result)
    return results
