"""Request models of the risk register and key risk indicator API (guide ch. 9; the domain checks the rules)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated, Literal

from pydantic import AfterValidator, Field

from interface.complaint_schemas import On
from interface.value_schemas import MAX_LIST, Text100, Text200, Text500, Text2000, _money_schema, money_check

Category = Literal["underwriting", "claims", "fraud", "operational", "compliance", "market", "credit", "reputational"]
Metric = Literal[
    "loss_ratio_pct",
    "lapse_rate_pct",
    "surrender_rate_pct",
    "claims_decided_in_time_pct",
    "complaints_per_10k_policies",
    "satisfaction_average",
]
Line = Literal["life", "health", "accident", "property", "liability", "credit"]
Level = Annotated[int, Field(ge=1, le=5)]
#: A threshold, 0 to 1,000,000, at most 2 decimals.
Threshold = Annotated[
    Decimal, AfterValidator(money_check(Decimal(1_000_000), allow_zero=True)), _money_schema(Decimal(1_000_000), True)
]


class RiskIn(On):
    """风险识别: a business risk with its assessment (likelihood × impact), owner, controls and next review."""

    category: Category
    title: Text200
    description: Text2000
    likelihood: Level
    impact: Level
    owner_id: Text100
    controls: list[Text500] = Field(default_factory=list, max_length=MAX_LIST)
    review_on: date = Field(description="the next review (after `on`)")


class AssessIn(On):
    likelihood: Level
    impact: Level
    note: Text2000


class ControlIn(On):
    control: Text500


class ReviewIn(On):
    note: Text2000
    next_review_on: date = Field(description="the next review (after `on`)")


class CloseRiskIn(On):
    reason: Text2000


class IndicatorIn(On):
    """A key risk indicator: a report's figure over the twelve months to the end of each month, for one line (where
    the metric is kept by line) or the whole book, alerting beyond `threshold`."""

    metric: Metric
    line: Line | None = None
    threshold: Threshold
    owner_id: Text100
    risk_id: Text100 | None = Field(default=None, description="the risk of the register it watches")


class ThresholdIn(On):
    threshold: Threshold
    reason: Text2000


class AcknowledgeIn(On):
    note: Text2000


class RetireIn(On):
    reason: Text2000
