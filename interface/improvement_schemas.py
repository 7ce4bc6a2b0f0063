"""Request models of the improvement plan API (guide 8.3.2; the domain checks the rules)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import AfterValidator, Field

from interface.complaint_schemas import On
from interface.value_schemas import Text50, Text100, Text200, Text1000, Text2000, _money_schema, money_check

#: A survey score, 1 to 5, at most 2 decimals.
TargetScore = Annotated[Decimal, AfterValidator(money_check(Decimal(5))), _money_schema(Decimal(5), False)]
Dimension = Literal["attitude", "speed", "quality", "claims_convenience"]


class PlanIn(On):
    """A plan raised from a finding of the survey analysis (GET /api/v1/reports/survey_analysis): the
    dimension, the period analysed and optionally one product and/or sales channel. The baseline score is
    measured by the server from the surveys, never sent."""

    title: Text200
    finding: Text2000 = Field(description="the shortfall the analysis found (8.3.2 (1))")
    owner_id: Text100 = Field(description="who answers for the plan (责任人)")
    dimension: Dimension
    period_from: date = Field(description="first day of the period analysed")
    period_to: date = Field(description="last day of the period analysed (ended before the plan is raised)")
    product_code: Text50 | None = Field(default=None, description="only surveys about this product's policies")
    channel: Text50 | None = Field(default=None, description="only surveys about policies sold by this channel")
    target_score: TargetScore | None = Field(default=None, description="the score the plan aims for (1–5)")


class PlanActionIn(On):
    description: Text1000
    owner_id: Text100 = Field(description="who carries the action out")
    due_on: date = Field(description="the action's due date (完成时限), not before `on`")


class PlanActionDoneIn(On):
    note: Text2000 = Field(description="what was done")


class FollowUpIn(On):
    """The follow-up measurement (8.3.2 (4)); the period defaults to the next one of the analysed period's
    length after the last period measured. The score is measured by the server."""

    period_from: date | None = None
    period_to: date | None = None


class ConclusionIn(On):
    conclusion: Text2000
