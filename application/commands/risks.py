"""Risk register and key risk indicator commands (guide ch. 9), one typed function each: load → call → save.

An indicator's value is measured by the read side's reports (`app.indicator_value`) when the command runs,
never taken from the caller: the measurement keeps the figure the report gave and the log position it gave it at.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any
from uuid import UUID, uuid4

from application.app import CommandResult, InscribeApplication
from application.context import CommandContext, system_context
from domain.risk.aggregate import Indicator, Risk
from domain.risk.rules import previous_month_end, window


def identify(app: InscribeApplication, ctx: CommandContext, **fields: Any) -> CommandResult:
    """风险识别: enter a risk in the register (Risk.identify's fields)."""
    return app.once(ctx, lambda: app.record(ctx, Risk.identify(risk_id=uuid4(), **fields)))


def _risk(
    app: InscribeApplication, ctx: CommandContext, risk_id: UUID, action: Callable[[Risk], None]
) -> CommandResult:
    return app.execute(ctx, Risk, UUID(str(risk_id)), action)


def assess(
    app: InscribeApplication, ctx: CommandContext, risk_id: UUID, on: date, *, likelihood: int, impact: int, note: str
) -> CommandResult:
    return _risk(app, ctx, risk_id, lambda risk: risk.assess(likelihood, impact, note, on))


def add_control(
    app: InscribeApplication, ctx: CommandContext, risk_id: UUID, on: date, *, control: str
) -> CommandResult:
    return _risk(app, ctx, risk_id, lambda risk: risk.add_control(control, on))


def review(
    app: InscribeApplication, ctx: CommandContext, risk_id: UUID, on: date, *, note: str, next_review_on: date
) -> CommandResult:
    return _risk(app, ctx, risk_id, lambda risk: risk.review(note, next_review_on, on))


def close(app: InscribeApplication, ctx: CommandContext, risk_id: UUID, on: date, *, reason: str) -> CommandResult:
    return _risk(app, ctx, risk_id, lambda risk: risk.close(reason, on))


def define_indicator(
    app: InscribeApplication,
    ctx: CommandContext,
    *,
    metric: str,
    line: str | None,
    threshold: Decimal | str,
    owner_id: str,
    on: date,
    risk_id: str | None = None,
) -> CommandResult:
    """A key risk indicator with its threshold; a risk it watches must be in the register."""

    def run() -> CommandResult:
        if risk_id is not None:
            app.load(Risk, UUID(str(risk_id)))  # 404 when there is no such risk
        indicator = Indicator.define(
            indicator_id=uuid4(),
            metric=metric,
            line=line,
            threshold=threshold,
            owner_id=owner_id,
            on=on,
            risk_id=risk_id,
        )
        return app.record(ctx, indicator)

    return app.once(ctx, run)


def _indicator(
    app: InscribeApplication, ctx: CommandContext, indicator_id: UUID, action: Callable[[Indicator], None]
) -> CommandResult:
    return app.execute(ctx, Indicator, UUID(str(indicator_id)), action)


def change_threshold(
    app: InscribeApplication,
    ctx: CommandContext,
    indicator_id: UUID,
    on: date,
    *,
    threshold: Decimal | str,
    reason: str,
) -> CommandResult:
    return _indicator(app, ctx, indicator_id, lambda indicator: indicator.change_threshold(threshold, reason, on))


def measure(
    app: InscribeApplication, ctx: CommandContext, indicator_id: UUID, on: date, after: int | None = None
) -> CommandResult:
    """Measure the indicator over the twelve months to the end of the month before `on`, from the reports once
    they reached log position `after` (None: the head of the log)."""

    def act(indicator: Indicator) -> None:
        end = previous_month_end(on)
        start, _ = window(end)
        value, position = app.indicator_value(indicator.metric, indicator.line, start, end, after)
        indicator.measure(end, value, position, on)

    return _indicator(app, ctx, indicator_id, act)


def measure_due(app: InscribeApplication, indicator_id: UUID, today: date, after: int) -> CommandResult | None:
    """The scheduler's measurement (actor: system) of the month before `today`'s, once (None if measured), from
    the reports once they reached `after` (the head of the log when the tick began: what the tick records
    itself does not hold it up)."""
    indicator: Indicator = app.load(Indicator, UUID(str(indicator_id)))
    month = indicator.due_month(today)
    if month is None or indicator.status != "active":
        return None
    ctx = system_context(
        f"key risk indicator for the twelve months to {month.isoformat()}",
        command_id=f"indicator:{indicator_id}:{month.isoformat()}",
    )
    return measure(app, ctx, UUID(str(indicator_id)), today, after)


def acknowledge(
    app: InscribeApplication, ctx: CommandContext, indicator_id: UUID, on: date, *, alert_no: int, note: str
) -> CommandResult:
    """The owner acknowledges an alert with a note."""
    return _indicator(app, ctx, indicator_id, lambda indicator: indicator.acknowledge(alert_no, note, on))


def retire(
    app: InscribeApplication, ctx: CommandContext, indicator_id: UUID, on: date, *, reason: str
) -> CommandResult:
    return _indicator(app, ctx, indicator_id, lambda indicator: indicator.retire(reason, on))
