"""Complaint commands (SPEC §7; guide 8.2) and service requests (8.1)."""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID, uuid4

from application.app import CommandResult, InscribeApplication
from application.commands.timed import timed
from application.context import CommandContext
from domain import clock
from domain.authority import check_complaint_extension_authority
from domain.complaint.aggregate import Complaint
from domain.customer.aggregate import Customer
from domain.errors import InvalidValue, NotFound
from domain.identifiers import china_today
from domain.service_request.aggregate import ServiceRequest


def _check_customer(app: InscribeApplication, customer_id: Any, field: str) -> None:
    try:
        app.load(Customer, UUID(str(customer_id)))
    except (NotFound, ValueError):
        raise InvalidValue(field, f"no customer {customer_id}") from None


def receive(app: InscribeApplication, ctx: CommandContext, **fields: Any) -> CommandResult:
    """Register a complaint on receipt. A repeat without new facts is linked to the first complaint
    in the same transaction; a repeat with new facts starts its own clock."""

    def run() -> CommandResult:
        complainant = fields.get("complainant") or {}
        if complainant.get("customer_id"):
            _check_customer(app, complainant["customer_id"], "complainant.customer_id")
        first = None
        if fields.get("repeat_of"):
            try:
                first = app.load(Complaint, UUID(str(fields["repeat_of"])))
            except (NotFound, ValueError):
                raise InvalidValue("repeat_of", f"no complaint {fields['repeat_of']}") from None
        complaint = Complaint.receive(complaint_id=uuid4(), **fields)
        if first is not None and complaint.linked:
            on = complaint.received_on
            first.advance_time(on)
            first.link_repeat(complaint.id, on)
            return app.record(ctx, complaint, first)
        return app.record(ctx, complaint)

    return app.once(ctx, run)


def act(
    app: InscribeApplication, ctx: CommandContext, complaint_id: UUID, method: str, on: date | None, /, **arguments: Any
) -> CommandResult:
    """Call `Complaint.<method>(**arguments)` after recording what time has caused up to `on`."""
    day = on or china_today()
    if method == "extend" and arguments.get("kind") == "especially_complex":
        check_complaint_extension_authority(ctx.actor_role)  # a manager's approval (Art. 21)

    def action(complaint: Complaint) -> None:
        getattr(complaint, method)(**arguments)  # some commands return a value (an action id): not aggregates

    return timed(app, ctx, Complaint, UUID(str(complaint_id)), day, action)


def extend(
    app: InscribeApplication,
    ctx: CommandContext,
    complaint_id: UUID,
    on: date,
    /,
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
        approved_by = approved_by or ctx.actor_id  # `act` checks the actor's authority
    return act(
        app,
        ctx,
        complaint_id,
        "extend",
        on,
        kind=kind,
        reason=reason,
        on=on,
        approved_by=approved_by,
        complainant_notified_on=complainant_notified_on,
    )


def open_request(app: InscribeApplication, ctx: CommandContext, **fields: Any) -> CommandResult:
    """Open an after-sales service request (8.1) for a registered customer."""

    def run() -> CommandResult:
        _check_customer(app, fields.get("customer_id"), "customer_id")
        requested_at = fields.pop("requested_at", None) or clock.now()
        return app.record(ctx, ServiceRequest.open(request_id=uuid4(), requested_at=requested_at, **fields))

    return app.once(ctx, run)


def act_on_request(
    app: InscribeApplication, ctx: CommandContext, request_id: UUID, method: str, /, **arguments: Any
) -> CommandResult:
    """Call `ServiceRequest.<method>(**arguments)`."""
    return app.execute(
        ctx, ServiceRequest, UUID(str(request_id)), lambda request: getattr(request, method)(**arguments)
    )
