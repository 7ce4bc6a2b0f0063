"""The business risk and the key risk indicator (SPEC §13; guide ch. 9 风险识别, 评估与控制).

A **risk** is identified with its category, likelihood and impact (1–5 each; their product is its score and
rating), owner, controls and the day of its next review; it is assessed again, given controls, reviewed (the
next review after the day of the review) and closed. A closed risk refuses every command.

An **indicator** is a report's figure (`rules.METRICS`) over the twelve months to the end of a month, for one
line or all, with a threshold and an owner. It is measured once for each month, after the month has ended:
the scheduler (`inscribe tick`) does it for the month before, from the read side's reports, and the event
keeps the value and the log position it was computed at. A measurement beyond the threshold when the one
before was not is an alert; the owner acknowledges it with a note. A retired indicator refuses every command.

Every command validates first and then triggers its event, so a refused command records nothing. Business
dates never go back (`date-before-last-event`).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any
from uuid import UUID

from domain.base import InscribeAggregate, business_day
from domain.errors import DomainError, InvalidValue, NotFound
from domain.risk import events as ev
from domain.risk.rules import (
    CATEGORIES,
    CONTROL,
    HIGH,
    LINES,
    LOW,
    MAX_CONTROLS,
    METRICS,
    TEXT,
    TITLE,
    month_end,
    rating,
    window,
)
from domain.values import check_choice, check_date, check_id, check_int, check_text, check_texts, parse_decimal

__all__ = ["Indicator", "Risk"]

MAX_THRESHOLD = Decimal("1000000")


class Risk(InscribeAggregate):
    """A business risk of the risk register (风险登记)."""

    TOPIC = "inscribe.risk.Risk"

    Event = ev.RiskEvent
    Created = ev.RiskCreated
    Identified = ev.Identified
    Assessed = ev.Assessed
    ControlAdded = ev.ControlAdded
    Reviewed = ev.Reviewed
    Closed = ev.RiskClosed

    def __init__(self) -> None:
        self.category = ""
        self.title = ""
        self.description = ""
        self.likelihood = 0
        self.impact = 0
        self.owner_id = ""
        self.controls: list[str] = []
        self.review_on = date.min
        self.identified_on = date.min
        self.assessed_on: date | None = None
        self.reviewed_on: date | None = None
        self.status = ""
        self.business_date = date.min
        self.closed_on: date | None = None
        self.close_reason: str | None = None

    @classmethod
    def identify(
        cls,
        *,
        category: str,
        title: str,
        description: str,
        likelihood: int,
        impact: int,
        owner_id: str | UUID,
        controls: list[str],
        review_on: date,
        on: date,
        risk_id: UUID | None = None,
    ) -> Risk:
        """风险识别: enter a risk with its assessment, owner, controls and next review (after `on`)."""
        kind = check_choice(category, "category", CATEGORIES)
        text, about = check_text(title, "title", TITLE), check_text(description, "description", TEXT)
        chance, harm = check_int(likelihood, "likelihood", LOW, HIGH), check_int(impact, "impact", LOW, HIGH)
        owner = check_id(owner_id, "owner_id")
        checked = check_texts(controls, "controls", CONTROL, max_items=MAX_CONTROLS)
        day, review = check_date(on, "on"), check_date(review_on, "review_on")
        if review <= day:
            raise InvalidValue("review_on", f"must be after {day}")
        return cls._create(
            cls.Identified,
            id=risk_id,
            on=day,
            category=kind,
            title=text,
            description=about,
            likelihood=chance,
            impact=harm,
            owner_id=owner,
            controls=checked,
            review_on=review,
        )

    def assess(self, likelihood: int, impact: int, note: str, on: date) -> None:
        """风险评估: likelihood and impact again, with why."""
        chance, harm = check_int(likelihood, "likelihood", LOW, HIGH), check_int(impact, "impact", LOW, HIGH)
        text = check_text(note, "note", TEXT)
        day = self._day(on)
        self.trigger_event(self.Assessed, on=day, likelihood=chance, impact=harm, note=text)

    def add_control(self, control: str, on: date) -> None:
        text = check_text(control, "control", CONTROL)
        day = self._day(on)
        if len(self.controls) >= MAX_CONTROLS:
            raise DomainError(f"a risk holds at most {MAX_CONTROLS} controls", code="too-many-controls")
        self.trigger_event(self.ControlAdded, on=day, control=text)

    def review(self, note: str, next_review_on: date, on: date) -> None:
        text, following = check_text(note, "note", TEXT), check_date(next_review_on, "next_review_on")
        day = self._day(on)
        if following <= day:
            raise InvalidValue("next_review_on", f"must be after {day}")
        self.trigger_event(self.Reviewed, on=day, note=text, next_review_on=following)

    def close(self, reason: str, on: date) -> None:
        text = check_text(reason, "reason", TEXT)
        day = self._day(on)
        self.trigger_event(self.Closed, on=day, reason=text)

    @property
    def score(self) -> int:
        return self.likelihood * self.impact

    @property
    def rating(self) -> str:
        return rating(self.score)

    def review_overdue(self, today: date) -> bool:
        """An open risk whose review date has passed (due today is not overdue)."""
        return self.status == "open" and self.review_on < today

    def _day(self, value: date) -> date:
        day: date = business_day(self, value, "closed", "invalid-risk-transition")
        return day


class Indicator(InscribeAggregate):
    """A key risk indicator (关键风险指标) with its threshold, measurements and alerts."""

    TOPIC = "inscribe.risk_indicator.Indicator"

    Event = ev.IndicatorEvent
    Created = ev.IndicatorCreated
    Defined = ev.Defined
    ThresholdChanged = ev.ThresholdChanged
    Measured = ev.Measured
    AlertAcknowledged = ev.AlertAcknowledged
    Retired = ev.Retired

    def __init__(self) -> None:
        self.metric = ""
        self.line: str | None = None
        self.threshold = Decimal(0)
        self.owner_id = ""
        self.risk_id: str | None = None
        self.defined_on = date.min
        self.status = ""
        self.business_date = date.min
        self.in_breach = False
        self.last_period_to: date | None = None
        self.measurements: list[dict[str, Any]] = []
        self.alerts: list[dict[str, Any]] = []
        self.retired_on: date | None = None

    @classmethod
    def define(
        cls,
        *,
        metric: str,
        line: str | None,
        threshold: Decimal | str,
        owner_id: str | UUID,
        on: date,
        risk_id: str | UUID | None = None,
        indicator_id: UUID | None = None,
    ) -> Indicator:
        """An indicator of `metric` (for `line`, or the whole book) alerting beyond `threshold`."""
        name = check_choice(metric, "metric", tuple(METRICS))
        scope = None if line is None else check_choice(line, "line", LINES)
        if scope is not None and not METRICS[name].by_line:
            raise InvalidValue("line", f"{name} is kept for the whole book only")
        limit, owner = _threshold(threshold), check_id(owner_id, "owner_id")
        risk = None if risk_id is None else check_id(risk_id, "risk_id")
        day = check_date(on, "on")
        return cls._create(
            cls.Defined, id=indicator_id, on=day, metric=name, line=scope, threshold=limit, owner_id=owner, risk_id=risk
        )

    def change_threshold(self, threshold: Decimal | str, reason: str, on: date) -> None:
        limit, why = _threshold(threshold), check_text(reason, "reason", TEXT)
        day = self._day(on)
        if limit == self.threshold:
            raise InvalidValue("threshold", f"is already {limit}")
        self.trigger_event(self.ThresholdChanged, on=day, threshold=limit, reason=why)

    def due_month(self, today: date) -> date | None:
        """The month (its last day) to measure on `today`: the month before today's, unless measured."""
        last = date(today.year, today.month, 1).toordinal() - 1
        month = date.fromordinal(last)
        if month < self.defined_on.replace(day=1) or (self.last_period_to is not None and self.last_period_to >= month):
            return None
        return month

    def measure(self, period_to: date, value: Decimal | None, position: int, on: date) -> None:
        """The value over the twelve months to `period_to` (the last day of a month from the one the indicator was
        defined in, ended before `on`), once per month."""
        end = check_date(period_to, "period_to")
        day = self._day(on)
        if end != month_end(end):
            raise InvalidValue("period_to", "must be the last day of a month")
        if end >= day:
            raise InvalidValue("period_to", f"the month must have ended before it is measured ({day})")
        if end < month_end(self.defined_on):
            raise InvalidValue(
                "period_to", f"the indicator is measured from {self.defined_on:%Y-%m}, the month it was defined"
            )
        if self.last_period_to is not None and end <= self.last_period_to:
            raise DomainError(f"{end:%Y-%m} is already measured", code="indicator-month-measured")
        breached = value is not None and (
            value > self.threshold if METRICS[self.metric].direction == "above" else value < self.threshold
        )
        crossing = breached and not self.in_breach
        start, _ = window(end)
        self.trigger_event(
            self.Measured,
            on=day,
            period_from=start,
            period_to=end,
            value=value,
            threshold=self.threshold,
            position=position,
            breached=breached,
            alert_no=len(self.alerts) + 1 if crossing else None,
        )

    def acknowledge(self, alert_no: int, note: str, on: date) -> None:
        """The owner acknowledges alert `alert_no` with a note of what is being done."""
        text = check_text(note, "note", TEXT)
        day = self._day(on)
        alert = self.alert(alert_no)
        if alert["acknowledged_on"] is not None:
            raise DomainError(
                f"alert {alert_no} was acknowledged on {alert['acknowledged_on']}", code="alert-acknowledged"
            )
        self.trigger_event(self.AlertAcknowledged, on=day, alert_no=alert_no, note=text)

    def retire(self, reason: str, on: date) -> None:
        why = check_text(reason, "reason", TEXT)
        day = self._day(on)
        self.trigger_event(self.Retired, on=day, reason=why)

    def alert(self, no: int) -> dict[str, Any]:
        if isinstance(no, bool) or not isinstance(no, int) or not 1 <= no <= len(self.alerts):
            raise NotFound(f"the indicator has no alert {no}", code="indicator-alert-not-found")
        return self.alerts[no - 1]

    def _day(self, value: date) -> date:
        day: date = business_day(self, value, "retired", "invalid-indicator-transition")
        return day


def _threshold(value: Any) -> Decimal:
    """A threshold: 0 … 1,000,000 with at most 2 decimals."""
    limit = parse_decimal(value, "threshold")
    if not Decimal(0) <= limit <= MAX_THRESHOLD:
        raise InvalidValue("threshold", f"must be between 0 and {MAX_THRESHOLD}")
    if limit != limit.quantize(Decimal("0.01")):
        raise InvalidValue("threshold", "must have at most 2 decimal places")
    return limit.quantize(Decimal("0.01"))
