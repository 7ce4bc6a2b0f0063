"""A campaign carried through every step (guide 2.1 (5)) by the application layer: planned, two customers of its
segment who consented to marketing contacted (one interested), the interested one's application linked, closed.
For the tests whose log must hold every kind of event."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any
from uuid import UUID

from application.commands import campaigns
from application.commands import customers as people
from tests.builders.common import ctx

DAY = timedelta(days=1)


def marketing() -> Any:
    return ctx("mk-1", "marketing")


def reachable(services: Any, customer: UUID, segment: str = "young_family") -> UUID:
    """The customer in `segment`, consenting to marketing."""
    people.assign_segment(services.app, ctx(), customer, segment=segment, basis="age 32 with 1 dependant")
    people.give_consent(services.app, ctx(), customer, purpose="marketing")
    return customer


def plan(services: Any, starts_on: date, ends_on: date, **fields: Any) -> UUID:
    args: dict[str, Any] = {
        "name": "安心家庭计划",
        "objective": "term life for young families",
        "segments": ["young_family"],
        "channel": "phone",
        "product_codes": [],
        "owner_id": "mk-1",
    }
    args.update(fields)
    return UUID(
        campaigns.plan(services.app, marketing(), starts_on=starts_on, ends_on=ends_on, on=starts_on, **args).id
    )


@dataclass
class Carried:
    campaign: UUID
    interested: UUID
    other: UUID


def carry_a_campaign_through(services: Any, first: UUID, second: UUID, policy: UUID, on: date) -> Carried:
    """A campaign over `on`…`on`+1: `first` (who applied for `policy` on `on` or later) contacted on `on`, interested;
    `second` contacted, no answer; `policy` linked; the campaign closed. `first` and `second` must be reachable."""
    campaign = plan(services, on, on + DAY)
    for customer, outcome in ((first, "interested"), (second, "no_answer")):
        agent = ctx("agent-1", "agent")  # a command id each
        campaigns.contact(services.app, agent, campaign, on, customer_id=customer, outcome=outcome, staff_id="agent-1")
    campaigns.link_application(services.app, marketing(), campaign, on + DAY, policy_id=policy)
    campaigns.close(services.app, marketing(), campaign, on + DAY, reason="period over")
    return Carried(campaign, first, second)
