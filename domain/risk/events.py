"""The business risk's and the key risk indicator's events (guide ch. 9). Stored names are a contract: each has
an explicit, versioned topic. Each carries `on`, the business date it is recorded for. The classes are assigned
on `domain.risk.aggregate.Risk` and `domain.risk.aggregate.Indicator`, which register their topics."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from domain.base import DatedEvent, InscribeAggregate

if TYPE_CHECKING:
    from domain.risk.aggregate import Indicator, Risk


class RiskEvent(DatedEvent):
    """The base of a risk's events: each moves its business date."""

    TOPIC = "inscribe.risk.Event"


class RiskCreated(RiskEvent, InscribeAggregate.Created):
    """Never triggered; declared so that it does not inherit the topic of `RiskEvent`."""

    TOPIC = "inscribe.risk.Created"


class Identified(RiskEvent, InscribeAggregate.Created):
    """风险识别: a business risk entered in the register with its owner, controls and next review."""

    TOPIC = "inscribe.risk.Identified.v1"
    on: date
    category: str
    title: str
    description: str
    likelihood: int
    impact: int
    owner_id: str
    controls: list[str]
    review_on: date

    def effect(self, risk: Risk) -> None:
        for key in ("category", "title", "description", "likelihood", "impact", "owner_id", "review_on"):
            setattr(risk, key, getattr(self, key))
        risk.controls = list(self.controls)
        risk.identified_on = self.on
        risk.status = "open"


class Assessed(RiskEvent):
    """风险评估: likelihood and impact assessed again."""

    TOPIC = "inscribe.risk.Assessed.v1"
    on: date
    likelihood: int
    impact: int
    note: str

    def effect(self, risk: Risk) -> None:
        risk.likelihood, risk.impact = self.likelihood, self.impact
        risk.assessed_on = self.on


class ControlAdded(RiskEvent):
    """风险控制: a control that reduces the risk."""

    TOPIC = "inscribe.risk.ControlAdded.v1"
    on: date
    control: str

    def effect(self, risk: Risk) -> None:
        risk.controls.append(self.control)


class Reviewed(RiskEvent):
    """The owner reviewed the risk; the next review is due on `next_review_on`."""

    TOPIC = "inscribe.risk.Reviewed.v1"
    on: date
    note: str
    next_review_on: date

    def effect(self, risk: Risk) -> None:
        risk.reviewed_on = self.on
        risk.review_on = self.next_review_on


class RiskClosed(RiskEvent):
    TOPIC = "inscribe.risk.Closed.v1"
    on: date
    reason: str

    def effect(self, risk: Risk) -> None:
        risk.status = "closed"
        risk.closed_on = self.on
        risk.close_reason = self.reason


class IndicatorEvent(DatedEvent):
    """The base of an indicator's events: each moves its business date."""

    TOPIC = "inscribe.risk_indicator.Event"


class IndicatorCreated(IndicatorEvent, InscribeAggregate.Created):
    """Never triggered; declared so that it does not inherit the topic of `IndicatorEvent`."""

    TOPIC = "inscribe.risk_indicator.Created"


class Defined(IndicatorEvent, InscribeAggregate.Created):
    """A key risk indicator: a report's figure (for one line or all), its threshold and its owner."""

    TOPIC = "inscribe.risk_indicator.Defined.v1"
    on: date
    metric: str
    line: str | None
    threshold: Decimal
    owner_id: str
    risk_id: str | None

    def effect(self, indicator: Indicator) -> None:
        for key in ("metric", "line", "threshold", "owner_id", "risk_id"):
            setattr(indicator, key, getattr(self, key))
        indicator.defined_on = self.on
        indicator.status = "active"


class ThresholdChanged(IndicatorEvent):
    TOPIC = "inscribe.risk_indicator.ThresholdChanged.v1"
    on: date
    threshold: Decimal
    reason: str

    def effect(self, indicator: Indicator) -> None:
        indicator.threshold = self.threshold


class Measured(IndicatorEvent):
    """The indicator's value over the twelve months to `period_to` (a month's last day), as the report gave it at
    log `position`; `alert_no` when this measurement crossed the threshold (an alert)."""

    TOPIC = "inscribe.risk_indicator.Measured.v1"
    on: date
    period_from: date
    period_to: date
    value: Decimal | None  # None: nothing to compute it from (a denominator of 0)
    threshold: Decimal
    position: int
    breached: bool
    alert_no: int | None

    def effect(self, indicator: Indicator) -> None:
        indicator.measurements.append(
            {"period_to": self.period_to, "value": self.value, "breached": self.breached, "alert_no": self.alert_no}
        )
        indicator.last_period_to = self.period_to
        if self.value is not None:
            indicator.in_breach = self.breached
        if self.alert_no is not None:
            alert: dict[str, Any] = {
                "no": self.alert_no,
                "period_from": self.period_from,
                "period_to": self.period_to,
                "value": self.value,
                "threshold": self.threshold,
                "position": self.position,
                "raised_on": self.on,
                "acknowledged_on": None,
                "note": None,
            }
            indicator.alerts.append(alert)


class AlertAcknowledged(IndicatorEvent):
    """The owner acknowledged an alert, with a note of what is being done."""

    TOPIC = "inscribe.risk_indicator.AlertAcknowledged.v1"
    on: date
    alert_no: int
    note: str

    def effect(self, indicator: Indicator) -> None:
        alert = indicator.alerts[self.alert_no - 1]
        alert["acknowledged_on"] = self.on
        alert["note"] = self.note


class Retired(IndicatorEvent):
    TOPIC = "inscribe.risk_indicator.Retired.v1"
    on: date
    reason: str

    def effect(self, indicator: Indicator) -> None:
        indicator.status = "retired"
        indicator.retired_on = self.on
