"""Survey analysis (8.3.2 (1) 分析调查结果): the satisfaction surveys' four scores by dimension, for each product,
line, sales channel, customer kind or month: where service falls short.

A survey counts in the period of the day in China it was recorded. Its product, line and channel are those of
the policy it is about: the policy its `related_id` names, or the policy of the claim it names; a survey about
neither (or about nothing) is in the group `unknown`. The improvement plans measure their baseline and
follow-up scores with `dimension_score`, the same figures for one dimension and scope.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import Connection, Select, and_, func, or_, select

from domain.improvement.rules import DIMENSIONS, Scope
from projections.claims import claims
from projections.policies import policies
from projections.reports.base import Raw, ReportSpec, average, between, count_if, current, grouped, known, ratio
from projections.surveys import satisfaction_surveys

DEFINITIONS = {
    "surveys": "Satisfaction surveys (8.3.1) recorded in the period (the day in China).",
    "attitude_avg": "The average service attitude score (1–5) of those surveys.",
    "speed_avg": "The average service speed score (1–5).",
    "quality_avg": "The average service quality score (1–5).",
    "claims_convenience_avg": "The average claims convenience score (1–5).",
    "overall_avg": "The average of all four scores of every survey.",
    "dissatisfied_pct": "Of the surveys, those with any score of 1 or 2, in percent.",
}
_s = satisfaction_surveys.c


def _surveys_with_policy(position: int | None) -> tuple[Any, Any]:
    """The surveys joined to the policy each is about (directly, or through a claim), as known at `position`."""
    c, p = claims.alias("about_claim"), policies.alias("about_policy")
    joined = satisfaction_surveys.outerjoin(c, and_(c.c.claim_id == _s.related_id, current(c, position))).outerjoin(
        p, and_(p.c.policy_id == func.coalesce(c.c.policy_id, _s.related_id), current(p, position))
    )
    return joined, p


def _keys(p: Any, by: str | None) -> list[Any]:
    column = {"product": p.c.product_code, "line": p.c.line, "channel": p.c.channel, "kind": _s.customer_kind}
    return [column[by]] if by else []


def compute(conn: Connection, position: int | None, start: date, end: date, group: str, split: bool) -> dict[Any, Raw]:
    joined, p = _surveys_with_policy(position)
    keys = _keys(p, group if split else None)
    low = or_(*(_s[name] <= 2 for name in DIMENSIONS))
    query: Select[Any] = (
        select(*keys, func.count(), *(func.coalesce(func.sum(_s[name]), 0) for name in DIMENSIONS), count_if(low))
        .select_from(joined)
        .where(known(satisfaction_surveys, position), between(_s.surveyed_on, start, end))
        .group_by(*keys)
    )
    return grouped(conn, query, ("surveys", *DIMENSIONS, "dissatisfied"), bool(keys))


def finish(raw: Raw, group: str) -> dict[str, Any]:
    surveys = int(raw.get("surveys") or 0)
    averages = {name: average(raw.get(name), surveys) for name in DIMENSIONS}
    return {
        "surveys": surveys,
        **{f"{name}_avg": averages[name] for name in DIMENSIONS},
        "overall_avg": average(sum(int(raw.get(name) or 0) for name in DIMENSIONS), surveys * len(DIMENSIONS)),
        "dissatisfied_pct": ratio(raw.get("dissatisfied"), surveys),
    }


def dimension_score(conn: Connection, position: int | None, scope: Scope) -> tuple[int, Any]:
    """(surveys, average score of the scope's dimension, to 2 decimals or None) in the scope's period,
    product and channel, as known at `position`: the report's figure for that group."""
    joined, p = _surveys_with_policy(position)
    conditions = [known(satisfaction_surveys, position), between(_s.surveyed_on, scope.period_from, scope.period_to)]
    if scope.product_code is not None:
        conditions.append(p.c.product_code == scope.product_code)
    if scope.channel is not None:
        conditions.append(p.c.channel == scope.channel)
    query = select(func.count(), func.sum(_s[scope.dimension])).select_from(joined).where(*conditions)
    count, total = conn.execute(query).one()
    return int(count), average(total, count)


SPEC = ReportSpec(
    name="survey_analysis",
    title="Satisfaction surveys by dimension: attitude, speed, quality, claims convenience",
    group_by=("product", "line", "channel", "kind", "month"),
    definitions=DEFINITIONS,
    compute=compute,
    finish=finish,
    sources=("customers", "policies", "claims"),
    additive=("product", "line", "channel", "kind"),
)
