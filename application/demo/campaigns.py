"""Demo campaigns (guide 2.1 (5) 营销活动策划): every quarter marketing plans a campaign of 60 days for some
segments through a channel; agents contact customers of those segments who consented to marketing on days of
the period, some interested; when the attribution window has ended (30 days after the period), marketing links
each application an interested customer made since their contact, and closes the campaign. Each step is a command
of application.commands.campaigns; the domain refuses what breaks its rules (tallied, recording nothing).
"""

from __future__ import annotations

import random
from datetime import timedelta
from typing import Any
from uuid import UUID

from application.commands import campaigns as commands
from application.demo.people import Party, segment_of
from application.demo.world import World
from domain.campaign.rules import ATTRIBUTION_DAYS

QUARTER, LENGTH = 91, 60
#: (name, segments, channel, products) in turn, one a quarter.
PLANS: tuple[tuple[str, list[str], str, list[str]], ...] = (
    ("安心家庭计划", ["young_family", "mass_affluent"], "phone", ["term_life", "critical_illness"]),
    ("企业财产保障季", ["sme", "micro_business", "corporate"], "visit", []),
    ("银发健康关爱", ["senior"], "sms", ["medical", "personal_accident"]),
    ("高端客户财富传承", ["high_net_worth", "mass_affluent"], "event", ["term_life"]),
)
OUTCOMES = ("interested", "not_interested", "no_answer", "callback")


MARKETER, AGENTS = "mk-tangyi", ("agent-liuyang", "agent-chenjing", "agent-zhaolei")


def begin(world: World) -> None:
    """The first campaign is planned a month into the book, then one every quarter. The campaigns draw from a
    generator of their own, seeded from the book's, so the rest of a seed's book is the book it was before them."""
    rng = random.Random(repr(world.rng.getstate()[1][1:9]))  # (drawing nothing from it)
    world.at(world.start + timedelta(days=30), _plan, world, rng, 0)


def _plan(world: World, rng: random.Random, n: int) -> None:
    name, segments, channel, products = PLANS[n % len(PLANS)]
    day = world.day
    done = world.attempt(
        "campaign-planned",
        commands.plan,
        world.app,
        world.ctx("marketing", MARKETER),
        name=name,
        objective=f"{name}：面向目标客群的营销活动（2.1 (5)）",
        segments=segments,
        channel=channel,
        product_codes=[p for p in products if p in world.app.catalogue],
        starts_on=day,
        ends_on=day + timedelta(days=LENGTH - 1),
        owner_id=MARKETER,
        on=day,
    )
    world.later(QUARTER, _plan, world, rng, n + 1)
    if done is None:
        return
    world.paths["campaign-planned"] += 1
    campaign = UUID(done.id)
    targets = [
        p for p in world.parties if p.id is not None and "marketing" in p.consents and segment_of(p, day)[0] in segments
    ]
    contacted: dict[UUID, int] = {}  # customer → their covers when first contacted
    for party in rng.sample(targets, min(len(targets), 40)):
        world.later(rng.randint(0, LENGTH - 1), _contact, world, rng, campaign, party, contacted)
    world.later(LENGTH + ATTRIBUTION_DAYS, _conclude, world, campaign, contacted)


def _contact(world: World, rng: random.Random, campaign: UUID, party: Party, contacted: dict[UUID, int]) -> None:
    assert party.id is not None
    outcome = rng.choices(OUTCOMES, weights=(0.3, 0.3, 0.3, 0.1))[0]
    staff = rng.choice(AGENTS)
    done = world.attempt(
        "campaign-contact",
        commands.contact,
        world.app,
        world.ctx("agent", staff),
        campaign,
        world.day,
        customer_id=party.id,
        outcome=outcome,
        staff_id=staff,
    )
    if done is not None:
        world.paths[f"campaign-contact:{outcome}"] += 1
        if outcome == "interested":
            contacted.setdefault(party.id, len(party.covers))


def _conclude(world: World, campaign: UUID, contacted: dict[UUID, int]) -> None:
    """The attribution window ended: link what the interested customers applied for since, then close."""
    holders = {p.id: p for p in world.parties if p.id in contacted}
    for customer, covers in contacted.items():
        for cover in holders[customer].covers[covers:]:
            if cover.holder.id == customer and _link(world, campaign, cover.id):
                world.paths["campaign-application-linked"] += 1
    if world.attempt(
        "campaign-closed",
        commands.close,
        world.app,
        world.ctx("marketing", MARKETER),
        campaign,
        world.day,
        reason="期满结束",
    ):
        world.paths["campaign-closed"] += 1


def _link(world: World, campaign: UUID, policy: UUID) -> Any:
    return world.attempt(
        "campaign-link",
        commands.link_application,
        world.app,
        world.ctx("marketing", MARKETER),
        campaign,
        world.day,
        policy_id=policy,
    )
