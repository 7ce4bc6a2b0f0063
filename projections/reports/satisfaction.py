"""Satisfaction (满意度): customer surveys and complainants' satisfaction with the result, by customer kind.

A survey is a version of the customers register row whose survey count rose by one; its score is the rise
of the row's exact survey total (the survey's average of its four 1–5 scores), and its day is the day in
China the survey was recorded. The customers register keeps only each customer's running total, so the
four separate scores (attitude, speed, quality, claims convenience) cannot be averaged from it.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import Connection, Numeric, and_, cast, func, select

from projections.complaints import complaints
from projections.customers import customers
from projections.reports.base import (
    Raw,
    ReportSpec,
    average,
    between,
    count_if,
    current,
    day_bounds,
    grouped,
    known,
    merge,
    ratio,
    state_on,
)

DEFINITIONS = {
    "surveys": "Satisfaction surveys (8.3.1) recorded in the period.",
    "average_score": "The average over those surveys of each survey's mean score (1–5).",
    "complaint_feedback": "Complaints whose result was fed back to the complainant in the period.",
    "complainant_responses": "Of complaint_feedback, those where the complainant's opinion was recorded (by the "
    "end of the period).",
    "complainants_satisfied_pct": "Of complainant_responses, the share satisfied with the result, in percent.",
}
SCORE = Numeric(20, 2)


def _surveys(conn: Connection, position: int | None, start: date, end: date, by: str | None) -> dict[Any, Raw]:
    v, before = customers.alias("v"), customers.alias("before")
    low, high = day_bounds(start, end)
    score = cast(v.c.satisfaction_total, SCORE) - cast(func.coalesce(before.c.satisfaction_total, "0"), SCORE)
    keys = [v.c.kind] if by else []
    query = (
        select(*keys, func.count(), func.coalesce(func.sum(score), 0))
        .select_from(v.join(before, and_(before.c.customer_id == v.c.customer_id, before.c.valid_to == v.c.valid_from)))
        .where(known(v, position), v.c.surveys == before.c.surveys + 1, v.c.updated_at >= low, v.c.updated_at < high)
        .group_by(*keys)
    )
    return grouped(conn, query, ("surveys", "score_total"), by is not None)


def _feedback(conn: Connection, position: int | None, start: date, end: date, by: str | None) -> dict[Any, Raw]:
    s = state_on(complaints, position, end)
    who = customers.alias("who")
    fed_back = between(s.c.feedback_on, start, end)
    keys = [who.c.kind] if by else []
    subject = s.outerjoin(who, and_(who.c.customer_id == s.c.complainant_customer_id, current(who, position)))
    query = (
        select(
            *keys,
            count_if(fed_back),
            count_if(and_(fed_back, s.c.satisfied.is_not(None))),
            count_if(and_(fed_back, s.c.satisfied.is_(True))),
        )
        .select_from(subject)
        .where(fed_back)
        .group_by(*keys)
    )
    return grouped(conn, query, ("feedback", "responses", "satisfied"), by is not None)


def compute(conn: Connection, position: int | None, start: date, end: date, group: str, split: bool) -> dict[Any, Raw]:
    by = group if split else None
    return merge(_surveys(conn, position, start, end, by), _feedback(conn, position, start, end, by))


def finish(raw: Raw, group: str) -> dict[str, Any]:
    surveys, responses = int(raw.get("surveys") or 0), int(raw.get("responses") or 0)
    return {
        "surveys": surveys,
        "average_score": average(raw.get("score_total"), surveys),
        "complaint_feedback": int(raw.get("feedback") or 0),
        "complainant_responses": responses,
        "complainants_satisfied_pct": ratio(raw.get("satisfied"), responses),
    }


SPEC = ReportSpec(
    name="satisfaction",
    title="Customer satisfaction: surveys and complainants' opinion",
    group_by=("kind", "month"),
    definitions=DEFINITIONS,
    compute=compute,
    finish=finish,
    sources=("customers", "complaints"),
)
