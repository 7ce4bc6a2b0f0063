"""审核检验 (guide 6.1.2 (2)): an underwriter orders a medical examination or a property survey of a
referred case and records what it found (domain.policy.examinations)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any
from uuid import UUID

from application.app import CommandResult, InscribeApplication
from application.commands.policies import command
from application.context import CommandContext
from domain.identifiers import china_today
from domain.policy.aggregate import Policy


def order_examination(
    app: InscribeApplication, ctx: CommandContext, policy_id: UUID, on: date | None, kind: str, reason: str
) -> CommandResult:
    """Order an examination of a referred case: due 15 days later, counted as the Civil Code counts."""
    day = on or china_today()

    def order(policy: Policy) -> None:
        policy.order_examination(kind, reason, ordered_by=ctx.actor_id, on=day)

    return command(app, ctx, policy_id, day, order)


def report_examination(
    app: InscribeApplication,
    ctx: CommandContext,
    policy_id: UUID,
    on: date | None,
    no: int,
    *,
    examiner: str,
    examined_on: date,
    result: str,
    summary: str,
    loading_pct: Any = 0,
    exclusions: Sequence[str] = (),
) -> CommandResult:
    """Record an examination's findings: who examined, when, and what they call for."""
    day = on or china_today()
    return command(
        app,
        ctx,
        policy_id,
        day,
        lambda policy: policy.report_examination(
            no,
            examiner=examiner,
            examined_on=examined_on,
            result=result,
            summary=summary,
            loading_pct=loading_pct,
            exclusions=list(exclusions),
            on=day,
        ),
    )
