"""Improvement plans (8.3.2): plans raised and closed, actions due, done on time and overdue, and the effect
the follow-up measurements found, by survey dimension or month.

Each figure reads the plans and their actions as they stood at the end of the period (their latest
versions known at the position whose last business date is on or before its last day).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import Connection, and_, or_, select

from projections.improvement_plans import improvement_plan_actions, improvement_plans
from projections.reports.base import Raw, ReportSpec, average, between, count_if, grouped, merge, state_on, sum_if

DEFINITIONS = {
    "plans_raised": "Improvement plans raised in the period.",
    "plans_closed": "Plans closed in the period.",
    "plans_open": "Plans raised by the end of the period and not closed by then.",
    "actions_due": "Actions whose due date falls in the period.",
    "actions_done_on_time": "Of actions_due, those done on or before their due date.",
    "actions_overdue": "Actions not done by the end of the period whose due date was before its last day.",
    "plans_measured": "Plans raised by the end of the period whose effect a follow-up had measured by then "
    "(with surveys in its period).",
    "plans_improved": "Of plans_measured, those whose latest follow-up score was above the baseline.",
    "average_change": "The average over plans_measured of the latest follow-up score minus the baseline score.",
}


def _plans(conn: Connection, position: int | None, start: date, end: date, by: str | None) -> dict[Any, Raw]:
    p = state_on(improvement_plans, position, end)
    keys = [p.c.dimension] if by else []
    measured = p.c.score_change.is_not(None)
    query = (
        select(
            *keys,
            count_if(between(p.c.raised_on, start, end)),
            count_if(between(p.c.closed_on, start, end)),
            count_if(p.c.closed_on.is_(None)),
            count_if(measured),
            count_if(p.c.improved.is_(True)),
            sum_if(measured, p.c.score_change),
        )
        .select_from(p)
        .group_by(*keys)
    )
    names = ("raised", "closed", "open", "measured", "improved", "change_total")
    return grouped(conn, query, names, by is not None)


def _actions(conn: Connection, position: int | None, start: date, end: date, by: str | None) -> dict[Any, Raw]:
    a = state_on(improvement_plan_actions, position, end)
    keys = [a.c.dimension] if by else []
    due = between(a.c.due_on, start, end)
    query = (
        select(
            *keys,
            count_if(due),
            count_if(and_(due, a.c.done_on.is_not(None), a.c.done_on <= a.c.due_on)),
            count_if(and_(a.c.due_on < end, or_(a.c.done_on.is_(None), a.c.done_on > end))),
        )
        .select_from(a)
        .group_by(*keys)
    )
    return grouped(conn, query, ("due", "on_time", "overdue"), by is not None)


def compute(conn: Connection, position: int | None, start: date, end: date, group: str, split: bool) -> dict[Any, Raw]:
    by = group if split else None
    return merge(_plans(conn, position, start, end, by), _actions(conn, position, start, end, by))


def finish(raw: Raw, group: str) -> dict[str, Any]:
    measured = int(raw.get("measured") or 0)
    return {
        "plans_raised": int(raw.get("raised") or 0),
        "plans_closed": int(raw.get("closed") or 0),
        "plans_open": int(raw.get("open") or 0),
        "actions_due": int(raw.get("due") or 0),
        "actions_done_on_time": int(raw.get("on_time") or 0),
        "actions_overdue": int(raw.get("overdue") or 0),
        "plans_measured": measured,
        "plans_improved": int(raw.get("improved") or 0),
        "average_change": average(raw.get("change_total"), measured),
    }


SPEC = ReportSpec(
    name="improvement_plans",
    title="Improvement plans: actions due, done and overdue, and the effect measured",
    group_by=("dimension", "month"),
    definitions=DEFINITIONS,
    compute=compute,
    finish=finish,
    sources=("improvement_plans",),
    additive=("dimension",),
)
