"""After-sales service request commands (guide 8.1), one typed function each: load → call → save."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from uuid import UUID, uuid4

from application.app import CommandResult, InscribeApplication
from application.commands.complaints import check_customer
from application.context import CommandContext
from domain import clock
from domain.service_request.aggregate import ServiceRequest


def open_request(
    app: InscribeApplication,
    ctx: CommandContext,
    *,
    customer_id: str | UUID,
    kind: str,
    description: str,
    channel: str,
    policy_id: str | UUID | None = None,
    requested_at: datetime | None = None,
) -> CommandResult:
    """Open an after-sales service request (8.1) for a registered customer."""

    def run() -> CommandResult:
        check_customer(app, customer_id, "customer_id")
        request = ServiceRequest.open(
            request_id=uuid4(),
            requested_at=requested_at or clock.now(),
            customer_id=customer_id,
            kind=kind,
            description=description,
            channel=channel,
            policy_id=policy_id,
        )
        return app.record(ctx, request)

    return app.once(ctx, run)


def _on(
    app: InscribeApplication, ctx: CommandContext, request_id: UUID, action: Callable[[ServiceRequest], None]
) -> CommandResult:
    return app.execute(ctx, ServiceRequest, UUID(str(request_id)), action)


def assign(
    app: InscribeApplication, ctx: CommandContext, request_id: UUID, on: date, *, staff_id: str
) -> CommandResult:
    """Assign the request to a staff member."""
    return _on(app, ctx, request_id, lambda request: request.assign(staff_id, on))


def start(app: InscribeApplication, ctx: CommandContext, request_id: UUID, on: date) -> CommandResult:
    """Work on the request starts."""
    return _on(app, ctx, request_id, lambda request: request.start(on))


def add_update(
    app: InscribeApplication, ctx: CommandContext, request_id: UUID, on: date, *, note: str, author_id: str
) -> CommandResult:
    """A progress note."""
    return _on(app, ctx, request_id, lambda request: request.add_update(note, author_id, on))


def complete(
    app: InscribeApplication, ctx: CommandContext, request_id: UUID, on: date, *, resolution: str
) -> CommandResult:
    """The request is completed, with the resolution."""
    return _on(app, ctx, request_id, lambda request: request.complete(resolution, on))


def cancel(app: InscribeApplication, ctx: CommandContext, request_id: UUID, on: date, *, reason: str) -> CommandResult:
    """The request is cancelled, with a reason."""
    return _on(app, ctx, request_id, lambda request: request.cancel(reason, on))
