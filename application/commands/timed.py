"""Commands on aggregates whose state moves with time (complaints, claims): record, under the
system's name, what the passing of time has caused up to the command's date, then run the command."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date
from typing import Any, TypeVar
from uuid import UUID

from eventsourcing.domain import Aggregate

from application.app import CommandResult, InscribeApplication
from application.context import CommandContext, system_context

T = TypeVar("T", bound=Aggregate)


def advance(app: InscribeApplication, kind: type[T], aggregate_id: UUID, today: date) -> CommandResult | None:
    """Record what time causes up to `today` (actor: system), idempotently. None if nothing."""
    aggregate: Any = app.load(kind, aggregate_id)
    before = aggregate.version
    aggregate.advance_time(today)
    if not aggregate.pending_events:
        return None
    ctx = system_context(
        f"the passing of time up to {today.isoformat()}", command_id=f"time:{aggregate_id}:{before}:{today.isoformat()}"
    )
    return app.once(ctx, lambda: app.record(ctx, aggregate))


def timed(
    app: InscribeApplication,
    ctx: CommandContext,
    kind: type[T],
    aggregate_id: UUID,
    on: date,
    action: Callable[[T], Iterable[Aggregate] | None],
) -> CommandResult:
    """Bring the aggregate up to `on`, then load → act → save (If-Match and Idempotency-Key apply)."""
    if app.previous_answer(ctx) is None:
        advance(app, kind, aggregate_id, on)
    return app.execute(ctx, kind, aggregate_id, action)
