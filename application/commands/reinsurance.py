"""Reinsurance commands (guide 6.1.1 (6) 有效利用再保险支持), one typed function each: load → call → save.

A treaty names the products it covers from the catalogue; what each policy cedes under the treaties is figured by
the read side after each of the policy's events (projections.reinsurance). A referred risk beyond every treaty's
capacity is placed facultatively on the policy (domain.policy.facultative).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any
from uuid import UUID, uuid4

from application.app import CommandResult, InscribeApplication
from application.context import CommandContext
from domain.errors import InvalidValue
from domain.policy.aggregate import Policy
from domain.reinsurance.aggregate import Treaty


def conclude(app: InscribeApplication, ctx: CommandContext, **fields: Any) -> CommandResult:
    """再保险合同: a treaty (Treaty.conclude's fields); each product it names must be in the catalogue."""

    def run() -> CommandResult:
        for i, code in enumerate(fields.get("product_codes") or []):
            if isinstance(code, str) and code not in app.catalogue:
                raise InvalidValue(f"product_codes[{i}]", f"unknown product {code!r}", code="unknown-product")
        return app.record(ctx, Treaty.conclude(treaty_id=uuid4(), **fields))

    return app.once(ctx, run)


def end(
    app: InscribeApplication, ctx: CommandContext, treaty_id: UUID, on: date, *, ends_on: date, reason: str
) -> CommandResult:
    """End a treaty early: risks starting after `ends_on` no longer attach to it."""
    return app.execute(ctx, Treaty, UUID(str(treaty_id)), lambda t: t.end(ends_on=ends_on, reason=reason, on=on))


def receive_recovery(
    app: InscribeApplication,
    ctx: CommandContext,
    treaty_id: UUID,
    on: date,
    *,
    reinsurer: str,
    amount: Decimal | str,
    reference: str,
) -> CommandResult:
    """A reinsurer of the treaty paid recoveries due (its account settled by `amount`)."""

    def action(treaty: Treaty) -> None:
        treaty.receive_recovery(reinsurer=reinsurer, amount=amount, reference=reference, on=on)

    return app.execute(ctx, Treaty, UUID(str(treaty_id)), action)


def place_facultative(
    app: InscribeApplication,
    ctx: CommandContext,
    policy_id: UUID,
    on: date,
    *,
    reinsurer: str,
    sum_insured: Decimal | str,
    premium: Decimal | str,
) -> CommandResult:
    """临时分保: place part of a referred risk beyond every treaty's capacity with a reinsurer (by the caller)."""

    def action(policy: Policy) -> None:
        policy.place_facultative(
            reinsurer=reinsurer, sum_insured=sum_insured, premium=premium, placed_by=ctx.actor_id, on=on
        )

    return app.execute(ctx, Policy, UUID(str(policy_id)), action)
