"""Complaint commands (SPEC §7; guide 8.2), one typed function each. Every command on a received
complaint first records, under the system's name, what time has caused up to its date (a breached
deadline), then loads → calls → saves (If-Match and Idempotency-Key apply)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID, uuid4

from application.app import CommandResult, InscribeApplication
from application.commands.timed import timed
from application.context import CommandContext
from domain.authority import check_complaint_extension_authority
from domain.complaint.aggregate import Complaint
from domain.customer.aggregate import Customer
from domain.errors import InvalidValue, NotFound


def check_customer(app: InscribeApplication, customer_id: Any, field: str) -> None:
    """InvalidValue naming `field` unless `customer_id` is a registered customer."""
    try:
        app.load(Customer, UUID(str(customer_id)))
    except (NotFound, ValueError):
        raise InvalidValue(field, f"no customer {customer_id}") from None


def receive(
    app: InscribeApplication,
    ctx: CommandContext,
    *,
    channel: str,
    complainant: dict[str, Any],
    content: str,
    category: str,
    received_at: datetime,
    recording_ref: str,
    related_policy_id: str | UUID | None = None,
    related_claim_id: str | UUID | None = None,
    repeat_of: str | UUID | None = None,
    new_facts: bool | None = None,
) -> CommandResult:
    """Register a complaint on receipt. A repeat without new facts is linked to the first complaint
    in the same transaction; a repeat with new facts starts its own clock."""

    def run() -> CommandResult:
        if (complainant or {}).get("customer_id"):
            check_customer(app, complainant["customer_id"], "complainant.customer_id")
        first = None
        if repeat_of:
            try:
                first = app.load(Complaint, UUID(str(repeat_of)))
            except (NotFound, ValueError):
                raise InvalidValue("repeat_of", f"no complaint {repeat_of}") from None
        complaint = Complaint.receive(
            complaint_id=uuid4(),
            channel=channel,
            complainant=complainant,
            content=content,
            category=category,
            received_at=received_at,
            recording_ref=recording_ref,
            related_policy_id=related_policy_id,
            related_claim_id=related_claim_id,
            repeat_of=repeat_of,
            new_facts=new_facts,
        )
        if first is not None and complaint.linked:
            on = complaint.received_on
            first.advance_time(on)
            first.link_repeat(complaint.id, on)
            return app.record(ctx, complaint, first)
        return app.record(ctx, complaint)

    return app.once(ctx, run)


def _on(
    app: InscribeApplication, ctx: CommandContext, complaint_id: UUID, on: date, action: Callable[[Complaint], object]
) -> CommandResult:
    """Record what time has caused up to `on`, then call `action` on the complaint and save it."""

    def act(complaint: Complaint) -> None:
        action(complaint)  # some commands answer a value (an action id): not aggregates to save

    return timed(app, ctx, Complaint, UUID(str(complaint_id)), on, act)


def assign(
    app: InscribeApplication, ctx: CommandContext, complaint_id: UUID, on: date, *, responsible_id: str
) -> CommandResult:
    """Assign the complaint to a responsible person."""
    return _on(app, ctx, complaint_id, on, lambda complaint: complaint.assign(responsible_id, on))


def start_investigation(app: InscribeApplication, ctx: CommandContext, complaint_id: UUID, on: date) -> CommandResult:
    """Start the investigation (8.2.1 (3))."""
    return _on(app, ctx, complaint_id, on, lambda complaint: complaint.start_investigation(on))


def add_note(
    app: InscribeApplication, ctx: CommandContext, complaint_id: UUID, on: date, *, note: str, author_id: str
) -> CommandResult:
    """An investigation note."""
    return _on(app, ctx, complaint_id, on, lambda complaint: complaint.add_note(note, author_id, on))


def escalate(
    app: InscribeApplication, ctx: CommandContext, complaint_id: UUID, on: date, *, to: str, reason: str
) -> CommandResult:
    """Escalate to a higher level, with a reason."""
    return _on(app, ctx, complaint_id, on, lambda complaint: complaint.escalate(to, reason, on))


def extend(
    app: InscribeApplication,
    ctx: CommandContext,
    complaint_id: UUID,
    on: date,
    *,
    kind: str,
    reason: str,
    approved_by: str | None = None,
    complainant_notified_on: date | None = None,
) -> CommandResult:
    """Extend a complaint's deadline. The especially complex extension (to 60 days) needs a manager's
    approval: the acting role must be a complaints manager or an admin (`insufficient-authority`, 403),
    and the approver is the actor unless named."""
    if kind == "especially_complex":
        check_complaint_extension_authority(ctx.actor_role)  # a manager's approval (Art. 21)
        approved_by = approved_by or ctx.actor_id
    return _on(
        app,
        ctx,
        complaint_id,
        on,
        lambda complaint: complaint.extend(kind, reason, on, approved_by, complainant_notified_on),
    )


def start_external_appraisal(
    app: InscribeApplication, ctx: CommandContext, complaint_id: UUID, on: date, *, complainant_told_on: date
) -> CommandResult:
    """An external appraisal starts: its days do not count once the complainant has been told."""
    return _on(
        app, ctx, complaint_id, on, lambda complaint: complaint.start_external_appraisal(on, complainant_told_on)
    )


def end_external_appraisal(
    app: InscribeApplication, ctx: CommandContext, complaint_id: UUID, on: date
) -> CommandResult:
    """The external appraisal ends: the clock runs again."""
    return _on(app, ctx, complaint_id, on, lambda complaint: complaint.end_external_appraisal(on))


def resolve(
    app: InscribeApplication,
    ctx: CommandContext,
    complaint_id: UUID,
    decided_on: date,
    *,
    outcome: str,
    measures: list[str],
    compensation: Decimal | int | str,
    apology: bool,
) -> CommandResult:
    """The decision (8.2.1 (4)): upheld, partly upheld or not upheld; measures, compensation, apology."""
    return _on(
        app,
        ctx,
        complaint_id,
        decided_on,
        lambda complaint: complaint.resolve(outcome, measures, compensation, apology, decided_on),
    )


def notify_decision(
    app: InscribeApplication, ctx: CommandContext, complaint_id: UUID, on: date, *, channel: str
) -> CommandResult:
    """The complainant was told of the decision (Art. 21): the clock stops."""
    return _on(app, ctx, complaint_id, on, lambda complaint: complaint.notify_decision(on, channel))


def give_feedback(
    app: InscribeApplication, ctx: CommandContext, complaint_id: UUID, on: date, *, channel: str, summary: str
) -> CommandResult:
    """Feedback to the complainant (8.2.1 (5))."""
    return _on(app, ctx, complaint_id, on, lambda complaint: complaint.give_feedback(on, channel, summary))


def record_response(
    app: InscribeApplication, ctx: CommandContext, complaint_id: UUID, on: date, *, satisfied: bool, comment: str
) -> CommandResult:
    """The complainant's response to the feedback: satisfied or not."""
    return _on(app, ctx, complaint_id, on, lambda complaint: complaint.record_response(satisfied, comment, on))


def add_improvement_action(
    app: InscribeApplication,
    ctx: CommandContext,
    complaint_id: UUID,
    on: date,
    *,
    description: str,
    owner_id: str,
    due_on: date,
    action_id: str | None = None,
) -> CommandResult:
    """An improvement action with owner and due date (8.2.2 (5))."""
    return _on(
        app,
        ctx,
        complaint_id,
        on,
        lambda complaint: complaint.add_improvement_action(description, owner_id, due_on, on, action_id),
    )


def complete_improvement_action(
    app: InscribeApplication,
    ctx: CommandContext,
    complaint_id: UUID,
    completed_on: date,
    *,
    action_id: str,
    result: str,
) -> CommandResult:
    """An improvement action is done."""
    return _on(
        app,
        ctx,
        complaint_id,
        completed_on,
        lambda complaint: complaint.complete_improvement_action(action_id, completed_on, result),
    )


def reopen(
    app: InscribeApplication, ctx: CommandContext, complaint_id: UUID, on: date, *, reason: str
) -> CommandResult:
    """Reopen with a reason: a new 15-day round starts."""
    return _on(app, ctx, complaint_id, on, lambda complaint: complaint.reopen(reason, on))


def archive(app: InscribeApplication, ctx: CommandContext, complaint_id: UUID, on: date) -> CommandResult:
    """Archive (8.2.1 (6)), only after feedback."""
    return _on(app, ctx, complaint_id, on, lambda complaint: complaint.archive(on))
