"""Demo risk management (guide ch. 9): on the book's first day the risk officer enters the business risks with
their controls and defines key risk indicators from the reports; `inscribe tick` measures them at the start of
every month, and a few days later the officer acknowledges each new alert. Each risk is reviewed every quarter
(some late), sometimes assessed again or given a control. Each step is a command of application.commands.risks.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any
from uuid import UUID

from application.commands import risks as commands
from application.demo.world import World
from domain.risk.aggregate import Indicator

OFFICER = "ro-fengjie"
#: (category, title, likelihood, impact, controls): the risks the guide's chapter 9 walks through.
RISKS = (
    ("fraud", "虚假理赔与夸大损失", 3, 4, ["理赔调查", "欺诈指标预警"]),
    ("underwriting", "核保标准执行不严导致逆选择", 3, 3, ["核保权限管理", "体检与查勘"]),
    ("operational", "保费催收不及时导致保单失效", 4, 2, ["宽限期提醒", "自动扣款"]),
    ("compliance", "投诉处理超时限", 2, 4, ["投诉时限监控"]),
)
#: (metric, line, threshold, the risk it watches (index into RISKS)).
INDICATORS = (
    ("lapse_rate_pct", "life", "5.00", 2),
    ("loss_ratio_pct", "property", "60.00", 0),
    ("claims_decided_in_time_pct", None, "95.00", 0),
    ("complaints_per_10k_policies", None, "300.00", 3),
)


def begin(world: World) -> None:
    """The risk register and the indicators on the first day, then their reviews and alert sweeps."""
    world.at(world.start, _enter, world)


def _ctx(world: World) -> Any:
    return world.ctx("risk_officer", OFFICER)


def _enter(world: World) -> None:
    day = world.day
    risk_ids: list[UUID | None] = []
    for category, title, likelihood, impact, controls in RISKS:
        done = world.attempt(
            "risk-identified",
            commands.identify,
            world.app,
            _ctx(world),
            category=category,
            title=title,
            description=f"{title}：见风险识别、评估与控制（第9章）",
            likelihood=likelihood,
            impact=impact,
            owner_id=OFFICER,
            controls=controls,
            review_on=day + timedelta(days=90),
            on=day,
        )
        risk_ids.append(None if done is None else UUID(done.id))
        if done is not None:
            world.paths["risk"] += 1
            _plan_review(world, UUID(done.id), day + timedelta(days=90))
    for metric, line, threshold, watches in INDICATORS:
        risk = risk_ids[watches]
        defined = world.attempt(
            "indicator-defined",
            commands.define_indicator,
            world.app,
            _ctx(world),
            metric=metric,
            line=line,
            threshold=threshold,
            owner_id=OFFICER,
            on=day,
            risk_id=None if risk is None else str(risk),
        )
        if defined is not None:
            world.indicators.append(UUID(defined.id))
            world.paths["risk-indicator"] += 1
    world.at(_month_start(day) + timedelta(days=3), _sweep, world)


def _plan_review(world: World, risk_id: UUID, due: date) -> None:
    late = world.chance(0.25)
    world.at(due + timedelta(days=world.days(1, 20) if late else -world.days(0, 10)), _review, world, risk_id, late)


def _review(world: World, risk_id: UUID, late: bool) -> None:
    day = world.day
    if world.chance(0.3):
        world.attempt(
            "risk-assessed",
            commands.assess,
            world.app,
            _ctx(world),
            risk_id,
            day,
            likelihood=world.days(1, 5),
            impact=world.days(2, 5),
            note="季度复评",
        )
    if world.chance(0.2):
        world.attempt("risk-control", commands.add_control, world.app, _ctx(world), risk_id, day, control="加强抽查")
    following = day + timedelta(days=90)
    reviewed = world.attempt(
        "risk-reviewed",
        commands.review,
        world.app,
        _ctx(world),
        risk_id,
        day,
        note="季度复核",
        next_review_on=following,
    )
    if reviewed is not None:
        world.paths["risk-review:late" if late else "risk-review:on-time"] += 1
        _plan_review(world, risk_id, following)


def _sweep(world: World) -> None:
    """A few days into each month the officer acknowledges the alerts of the month's measurements."""
    for indicator_id in world.indicators:
        indicator: Indicator = world.app.load(Indicator, indicator_id)
        for alert in indicator.alerts:
            if alert["acknowledged_on"] is None:
                done = world.attempt(
                    "alert-acknowledged",
                    commands.acknowledge,
                    world.app,
                    _ctx(world),
                    indicator_id,
                    world.day,
                    alert_no=alert["no"],
                    note="已通知业务部门，制定整改措施",
                )
                if done is not None:
                    world.paths["risk-alert"] += 1
    following = _month_start(world.day + timedelta(days=31)) + timedelta(days=3)
    world.at(following, _sweep, world)


def _month_start(day: date) -> date:
    return date(day.year, day.month, 1)
