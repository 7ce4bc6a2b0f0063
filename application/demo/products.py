"""Demo product approval (guide 3.2 保险产品设计原则): a month into the book a product manager drafts term life v2
(the same cover under a clearer name), first with a cooling-off period of 14 days, which the design check finds;
she revises it to 15 days, checks it again, and another product manager approves it; it is launched the same day
(sold from then on; the policies sold under v1 keep v1). On the book's 200th day, critical illness v1 (superseded by
v2 in the shipped catalogue) is withdrawn. Each step is a command of application.commands.products; the domain
refuses what breaks its rules (tallied, recording nothing). They draw nothing at random."""

from __future__ import annotations

import json
from typing import Any

from application.commands import products as commands
from application.demo.world import World
from domain.product.catalogue import shipped_files

DRAFTER, APPROVER = "pm-liqing", "pm-zhaomin"


def begin(world: World) -> None:
    world.later(30, _draft, world)
    world.later(200, _withdraw, world)


def _term_life_v2(**changes: Any) -> str:
    definition: dict[str, Any] = json.loads(dict(shipped_files())["term_life.v1.json"])
    definition.update(
        version=2, name_zh="守护者定期寿险（2版）", name_en="Guardian Term Life Insurance (v2)", **changes
    )
    return json.dumps(definition, ensure_ascii=False, indent=2)


def _as(world: World, who: str) -> Any:
    return world.ctx("product_manager", who)


def _draft(world: World) -> None:
    app, on = world.app, world.day
    if "term_life" not in app.catalogue or 2 in app.catalogue.versions("term_life"):
        return
    done = world.attempt(
        "product-drafted",
        commands.draft,
        app,
        _as(world, DRAFTER),
        on,
        definition=_term_life_v2(cooling_off_days=14),
        staff_id=DRAFTER,
    )
    if done is None:
        return
    world.attempt("product-checked", commands.check, app, _as(world, DRAFTER), "term_life", 2, on, staff_id=DRAFTER)
    revised = _term_life_v2()
    world.attempt(
        "product-revised",
        commands.revise,
        app,
        _as(world, DRAFTER),
        "term_life",
        2,
        on,
        definition=revised,
        staff_id=DRAFTER,
    )
    world.attempt("product-checked", commands.check, app, _as(world, DRAFTER), "term_life", 2, on, staff_id=DRAFTER)
    world.attempt(
        "product-approved",
        commands.approve,
        app,
        _as(world, APPROVER),
        "term_life",
        2,
        on,
        staff_id=APPROVER,
        note="费率与条款已复核",
    )
    world.attempt(
        "product-launched",
        commands.launch,
        app,
        _as(world, APPROVER),
        "term_life",
        2,
        on,
        launches_on=on,
        staff_id=APPROVER,
    )


def _withdraw(world: World) -> None:
    if world.app.catalogue.sale_window("critical_illness", 1) is None:
        return
    world.attempt(
        "product-withdrawn",
        commands.withdraw,
        world.app,
        _as(world, APPROVER),
        "critical_illness",
        1,
        world.day,
        withdrawn_on=world.day,
        reason="由2版取代",
        staff_id=APPROVER,
    )
