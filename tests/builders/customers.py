"""Customer commands by the name of their HTTP resource (`"consents"`, `"lifecycle-stage"`, …), for the
table-driven tests that script histories the way the API would receive them."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from uuid import UUID

from application.app import CommandResult, InscribeApplication
from application.commands import customers as customers
from application.context import CommandContext

#: Each resource under /api/v1/customers/{id}/ and the command it sends.
COMMANDS: dict[str, Callable[..., CommandResult]] = {
    "contacts": customers.change_contacts,
    "profile": customers.update_profile,
    "segment": customers.assign_segment,
    "lifecycle-stage": customers.change_lifecycle_stage,
    "interactions": customers.record_interaction,
    "consents": customers.give_consent,
    "consent-withdrawals": customers.withdraw_consent,
    "needs-analyses": customers.analyse_needs,
    "risk-assessments": customers.assess_risks,
    "satisfaction-surveys": customers.record_satisfaction_survey,
    "plans": customers.propose_plan,
}


def act(app: InscribeApplication, ctx: CommandContext, customer_id: Any, action: str, **data: Any) -> CommandResult:
    """Send the command of the resource `action` with its fields."""
    return COMMANDS[action](app, ctx, UUID(str(customer_id)), **data)


def book(services: Any, customers_count: int) -> int:
    """`customers_count` individuals registered through the application; the read side caught up; the head."""
    from tests.builders.common import ctx, individual

    for seed in range(1, customers_count + 1):
        customers.register_individual(services.app, ctx(), **individual(seed))
    services.read_side.catch_up()
    head: int = services.read_side.head()
    return head
