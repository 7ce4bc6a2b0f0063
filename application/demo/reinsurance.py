"""Demo reinsurance (guide 6.1.1 (6) 有效利用再保险支持): on the book's first day and each year after, the reinsurance
team concludes a year's treaties: a quota share of life and health, a surplus on property and a per-risk excess of
loss on accident. Half way through the second year the excess of loss is ended early and replaced by one with a
higher retention. A referred risk beyond every treaty's capacity is placed facultatively before it is accepted
(`place_beyond_capacity`, called by the underwriter's decision in application.demo.policies). Each policy's cession
and each claim's recoveries follow on the read side. Each step is a command of
application.commands.reinsurance; the domain refuses what breaks its rules (tallied, recording nothing). They draw
nothing at random; a property risk beyond the surplus's capacity is referred, and decided as other referred cases
are."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any
from uuid import UUID

from application.commands import reinsurance as commands
from application.demo.world import World
from domain.policy.aggregate import Policy
from domain.values import money

TEAM = "re-wangfang"
YEAR = 365
QUOTA_SHARE: dict[str, Any] = {
    "kind": "quota_share",
    "lines": ["life", "health"],
    "terms": {"ceded_pct": "25"},
    "reinsurers": [{"reinsurer": "中国再保险", "share_pct": "60"}, {"reinsurer": "Swiss Re", "share_pct": "40"}],
}
SURPLUS: dict[str, Any] = {
    "kind": "surplus",
    "lines": ["property"],
    "terms": {"retention": "500000", "lines": 4},
    "reinsurers": [{"reinsurer": "Munich Re", "share_pct": "100"}],
}
EXCESS: dict[str, Any] = {
    "kind": "excess_of_loss",
    "lines": ["accident"],
    "terms": {"retention": "100000", "limit": "400000", "rate_pct": "1.5"},
    "reinsurers": [{"reinsurer": "Hannover Re", "share_pct": "50"}, {"reinsurer": "SCOR", "share_pct": "50"}],
}


def begin(world: World) -> None:
    world.at(world.start, _year, world, 0)


def _conclude(world: World, name: str, fields: dict[str, Any], first: date, last: date) -> UUID | None:
    done = world.attempt(
        "treaty-concluded",
        commands.conclude,
        world.app,
        world.ctx("reinsurance", TEAM),
        name=name,
        product_codes=[],
        effective_from=first,
        effective_to=last,
        by=TEAM,
        on=world.day,
        **fields,
    )
    return None if done is None else UUID(done.id)


def _year(world: World, n: int) -> None:
    first = world.day
    last = first + timedelta(days=YEAR - 1)
    year = first.year
    _conclude(world, f"{year} 寿险健康险成数分保", QUOTA_SHARE, first, last)
    _conclude(world, f"{year} 财产险溢额分保", SURPLUS, first, last)
    excess = _conclude(world, f"{year} 意外险险位超赔", EXCESS, first, last)
    if n == 1 and excess is not None:
        world.later(YEAR // 2, _replace, world, excess, last)
    world.later(YEAR, _year, world, n + 1)


def _replace(world: World, excess: UUID, last: date) -> None:
    """The excess of loss ended early, a higher retention from the next day to the year's end."""
    day = world.day
    world.attempt(
        "treaty-ended",
        commands.end,
        world.app,
        world.ctx("reinsurance", TEAM),
        excess,
        day,
        ends_on=day,
        reason="由更高自留额的合同替代",
    )
    higher = {**EXCESS, "terms": {**EXCESS["terms"], "retention": "200000", "limit": "300000"}}
    _conclude(world, f"{day.year} 意外险险位超赔（续）", higher, day + timedelta(days=1), last)


def place_beyond_capacity(world: World, policy_id: UUID, policy: Policy) -> None:
    """6.1.1 (6): the part of the risk beyond every treaty's capacity placed facultatively before the acceptance,
    for its share of the quoted premium."""
    beyond = policy.beyond_capacity() - policy.placed_facultative()
    if beyond <= 0:
        return
    quoted = policy.quoted_annual_premium or Decimal(0)
    done = world.attempt(
        "facultative",
        commands.place_facultative,
        world.app,
        world.ctx("reinsurance", TEAM),
        policy_id,
        world.day,
        reinsurer="Lloyd's Syndicate 2987",
        sum_insured=beyond,
        premium=money(quoted * beyond / policy.sum_insured),
    )
    if done is not None:
        world.paths["reinsurance:facultative"] += 1
