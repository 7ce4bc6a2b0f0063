"""Demo reinsurance (guide 6.1.1 (6) 有效利用再保险支持): on the book's first day and each year after, the reinsurance
team concludes a year's treaties: a quota share of life and health, a surplus on property and a per-risk excess of
loss on accident. Half way through the second year the excess of loss is ended early and replaced by one with a
higher retention. Each policy's cession and each claim's recoveries follow on the read side. Each step is a command of
application.commands.reinsurance; the domain refuses what breaks its rules (tallied, recording nothing). No random
draws: the rest of a seed's book is the book it was before them."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any
from uuid import UUID

from application.commands import reinsurance as commands
from application.demo.world import World

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
