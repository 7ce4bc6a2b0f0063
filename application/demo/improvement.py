"""Demo improvement plans (guide 8.3.2): on the first day of each quarter the service manager reviews the
last quarter's satisfaction surveys, follows up the plans raised a quarter before (measuring that quarter),
closes those whose actions are done, and raises a plan on the weakest dimension with two or three actions,
most done on time, some late. Each step is a command of application.commands.improvement.

The review reads the survey analysis (the read side), so it runs only where the demo can bring the read
side to the head of the log (`settle`, e.g. right after the nightly catch-up of `inscribe demo`).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal
from uuid import UUID

from application.commands import improvement as commands
from application.demo.world import World
from domain.improvement.rules import DIMENSIONS, Scope

MANAGER = "sm-zhouyan"
ACTION_OWNERS = ("co-linna", "ch-wuyan", "agent-lihua", "sm-qianrui")
#: Fewer surveys than this in a quarter make no finding.
MIN_SURVEYS = 3
ACTIONS = {
    "attitude": ("服务礼仪与沟通培训", "客户回访话术更新", "柜面服务质量抽查"),
    "speed": ("简化保全与理赔受理流程", "电话接通率纳入考核", "设立快速处理通道"),
    "quality": ("服务差错复盘与整改", "保单材料一次告知清单", "服务质量月度检查"),
    "claims_convenience": ("线上理赔材料上传", "小额理赔简化单证", "理赔进度短信通知"),
}


def quarter_before(day: date) -> tuple[date, date]:
    """The calendar quarter before the one `day` begins."""
    end = day - timedelta(days=1)
    return date(end.year, (end.month - 1) // 3 * 3 + 1, 1), end


def review(world: World, day: date, settle: Callable[[], None]) -> None:
    """The quarterly review on the first day of a quarter (after one whole quarter of the book)."""
    if day.day != 1 or day.month not in (1, 4, 7, 10):
        return
    q_from, q_to = quarter_before(day)
    if q_from < world.start:
        return
    for plan_id in list(world.plans):
        settle()  # what the review recorded so far too
        _follow_up(world, plan_id, day, q_from, q_to)
    settle()
    scores = {d: world.app.survey_score(Scope(d, q_from, q_to)) for d in DIMENSIONS}
    found = {d: s for d, s in scores.items() if s.surveys >= MIN_SURVEYS and s.average is not None}
    if not found:
        return
    weakest = min(found, key=lambda d: (found[d].average, DIMENSIONS.index(d)))
    average = found[weakest].average
    assert average is not None
    done = world.attempt(
        "improvement-plan",
        commands.raise_plan,
        world.app,
        world.ctx("service_manager", MANAGER),
        scope=Scope(weakest, q_from, q_to),
        title=f"{q_from.year}年第{(q_from.month - 1) // 3 + 1}季度满意度改进：{weakest}",
        finding=f"满意度调查中{weakest}得分最低（{average}），低于其他维度",
        owner_id=MANAGER,
        on=day,
        target_score=min(Decimal(5), average + Decimal("0.30")) if average < Decimal("4.70") else None,
    )
    if done is None:
        return
    plan_id = UUID(done.id)
    world.plans.append(plan_id)
    world.paths["improvement-plan"] += 1
    for n, description in enumerate(world.rng.sample(ACTIONS[weakest], world.rng.choice((2, 3)))):
        due = day + timedelta(days=world.days(20, 60))
        added = world.attempt(
            "improvement-action",
            commands.add_action,
            world.app,
            world.ctx("service_manager", MANAGER),
            plan_id,
            day,
            description=description,
            owner_id=ACTION_OWNERS[n % len(ACTION_OWNERS)],
            due_on=due,
        )
        if added is None:
            continue
        late = world.chance(0.2)
        done_on = due + timedelta(days=world.days(1, 15)) if late else due - timedelta(days=world.days(0, 15))
        world.paths["improvement-action:late" if late else "improvement-action:on-time"] += 1
        world.at(max(done_on, day), _done, world, plan_id, n + 1)


def _done(world: World, plan_id: UUID, no: int) -> None:
    world.attempt(
        "improvement-action-done",
        commands.complete_action,
        world.app,
        world.ctx("service_manager", MANAGER),
        plan_id,
        world.day,
        no=no,
        note="已按计划落实",
    )


def _follow_up(world: World, plan_id: UUID, day: date, q_from: date, q_to: date) -> None:
    """Measure the quarter just ended for a plan raised before it; close the plan if its actions are done."""
    ctx = world.ctx("service_manager", MANAGER)
    measured = world.attempt(
        "improvement-follow-up",
        commands.measure_follow_up,
        world.app,
        ctx,
        plan_id,
        day,
        period_from=q_from,
        period_to=q_to,
    )
    if measured is None:
        return
    world.paths["improvement-follow-up"] += 1
    closed = world.attempt(
        "improvement-close",
        commands.close,
        world.app,
        world.ctx("service_manager", MANAGER),
        plan_id,
        day,
        conclusion="改进措施已全部落实，跟踪期得分已测量",
    )
    if closed is not None:
        world.plans.remove(plan_id)
        world.paths["improvement-closed"] += 1
