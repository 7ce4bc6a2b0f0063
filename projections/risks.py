"""The risk register (风险登记, guide ch. 9): one versioned row per business risk; the key risk indicators, one
row per indicator with its latest measurement; and their alerts, one row each.

Every row is a function of the aggregate as it stands after the event (`AggregateCache` applies each event
exactly as a replay would), so a rebuild writes exactly the rows the live projection wrote. Whether a review
is overdue depends on the day it is asked on: `review_overdue` is derived for `today` when a page is read.
"""

from __future__ import annotations

from datetime import date
from typing import Any, cast

from eventsourcing.domain import DomainEventProtocol
from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    Connection,
    Date,
    Index,
    Integer,
    Numeric,
    String,
    Text,
    or_,
    select,
)

from domain.identifiers import china_today
from domain.risk.aggregate import Indicator, Risk
from domain.risk.rules import METRICS, rating
from projections.aggregates import AggregateCache
from projections.base import Batch, Projection
from projections.policies import ID
from projections.register import Register
from projections.versioned import versioned_table

VALUE = Numeric(18, 2)

risks = versioned_table(
    "risks",
    "risk_id",
    Column("version", Integer, nullable=False),
    Column("status", String(10), nullable=False),  # open | closed
    Column("category", String(20), nullable=False),
    Column("title", String(200), nullable=False),
    Column("description", Text, nullable=False),
    Column("likelihood", Integer, nullable=False),
    Column("impact", Integer, nullable=False),
    Column("score", Integer, nullable=False),  # likelihood × impact
    Column("rating", String(10), nullable=False),  # low | medium | high | critical
    Column("owner_id", ID, nullable=False),
    Column("controls", JSON(none_as_null=True), nullable=False),
    Column("identified_on", Date, nullable=False),
    Column("assessed_on", Date, nullable=True),
    Column("reviewed_on", Date, nullable=True),
    Column("review_on", Date, nullable=False),  # the next review
    Column("closed_on", Date, nullable=True),
    Column("close_reason", Text, nullable=True),
    Column("last_event_on", Date, nullable=False),
)
Index("ix_risks_owner", risks.c.owner_id, risks.c.valid_to)

risk_indicators = versioned_table(
    "risk_indicators",
    "indicator_id",
    Column("version", Integer, nullable=False),
    Column("status", String(10), nullable=False),  # active | retired
    Column("metric", String(50), nullable=False),
    Column("direction", String(10), nullable=False),  # above | below: which side of the threshold alerts
    Column("line", String(20), nullable=True),  # None: the whole book
    Column("threshold", VALUE, nullable=False),
    Column("owner_id", ID, nullable=False),
    Column("risk_id", ID, nullable=True),
    Column("defined_on", Date, nullable=False),
    Column("last_period_to", Date, nullable=True),  # the last month measured (its last day)
    Column("last_value", VALUE, nullable=True),
    Column("in_breach", Boolean, nullable=False),
    Column("measurements", Integer, nullable=False),
    Column("alerts", Integer, nullable=False),
    Column("alerts_open", Integer, nullable=False),  # not acknowledged
    Column("retired_on", Date, nullable=True),
    Column("last_event_on", Date, nullable=False),
)

risk_alerts = versioned_table(
    "risk_alerts",
    "alert_id",  # <indicator id>/<alert number>
    Column("indicator_id", String(36), nullable=False),
    Column("no", Integer, nullable=False),
    Column("metric", String(50), nullable=False),
    Column("line", String(20), nullable=True),
    Column("owner_id", ID, nullable=False),
    Column("period_from", Date, nullable=False),
    Column("period_to", Date, nullable=False),
    Column("value", VALUE, nullable=True),
    Column("threshold", VALUE, nullable=False),
    Column("position", BigInteger, nullable=False),  # where the report gave the value
    Column("raised_on", Date, nullable=False),
    Column("acknowledged_on", Date, nullable=True),
    Column("note", Text, nullable=True),
    Column("last_event_on", Date, nullable=False),
    key_length=50,
)


def risk_row(risk: Risk) -> dict[str, Any]:
    return {
        "version": risk.version,
        "status": risk.status,
        "category": risk.category,
        "title": risk.title,
        "description": risk.description,
        "likelihood": risk.likelihood,
        "impact": risk.impact,
        "score": risk.score,
        "rating": rating(risk.score),
        "owner_id": risk.owner_id,
        "controls": list(risk.controls),
        "identified_on": risk.identified_on,
        "assessed_on": risk.assessed_on,
        "reviewed_on": risk.reviewed_on,
        "review_on": risk.review_on,
        "closed_on": risk.closed_on,
        "close_reason": risk.close_reason,
        "last_event_on": risk.business_date,
    }


def indicator_row(indicator: Indicator) -> dict[str, Any]:
    last = indicator.measurements[-1] if indicator.measurements else None
    return {
        "version": indicator.version,
        "status": indicator.status,
        "metric": indicator.metric,
        "direction": METRICS[indicator.metric].direction,
        "line": indicator.line,
        "threshold": indicator.threshold,
        "owner_id": indicator.owner_id,
        "risk_id": indicator.risk_id,
        "defined_on": indicator.defined_on,
        "last_period_to": indicator.last_period_to,
        "last_value": None if last is None else last["value"],
        "in_breach": indicator.in_breach,
        "measurements": len(indicator.measurements),
        "alerts": len(indicator.alerts),
        "alerts_open": sum(1 for a in indicator.alerts if a["acknowledged_on"] is None),
        "retired_on": indicator.retired_on,
        "last_event_on": indicator.business_date,
    }


def alert_row(indicator: Indicator, alert: dict[str, Any]) -> dict[str, Any]:
    return {
        "indicator_id": str(indicator.id),
        "no": alert["no"],
        "metric": indicator.metric,
        "line": indicator.line,
        "owner_id": indicator.owner_id,
        **{k: alert[k] for k in ("period_from", "period_to", "value", "threshold", "position", "raised_on")},
        "acknowledged_on": alert["acknowledged_on"],
        "note": alert["note"],
        "last_event_on": indicator.business_date,
    }


class RisksProjection(Projection):
    """Keeps the risk register, the key risk indicators and their alerts."""

    handles = (Risk.Event, Indicator.Event)
    aggregate = None  # two kinds of aggregate: rows follow the log's order
    name = "risks"
    tables = (risks, risk_indicators, risk_alerts)

    def bind(self, app: Any) -> None:
        super().bind(app)
        self.cache = AggregateCache(app)

    def keys(self, event: DomainEventProtocol[Any]) -> list[str]:
        return [str(event.originator_id)] if isinstance(event, (Risk.Event, Indicator.Event)) else []

    def preload(self, events: list[tuple[DomainEventProtocol[Any], int]], batch: Batch) -> None:
        """The risks' and indicators' rows; an alert's row is read when its event comes (few per batch)."""
        keys = [k for event, _ in events for k in self.keys(event)]
        batch.versioned(risks).preload(keys)
        batch.versioned(risk_indicators).preload(keys)

    def apply(self, event: DomainEventProtocol[Any], position: int, batch: Batch) -> None:
        if isinstance(event, Risk.Event):
            risk = cast(Risk, self.cache.apply(event))
            batch.versioned(risks).put(str(risk.id), risk_row(risk), position)
        elif isinstance(event, Indicator.Event):
            indicator = cast(Indicator, self.cache.apply(event))
            batch.versioned(risk_indicators).put(str(indicator.id), indicator_row(indicator), position)
            no = getattr(event, "alert_no", None)
            if no is not None:
                writer = batch.versioned(risk_alerts)
                key = f"{indicator.id}/{no}"
                if isinstance(event, Indicator.Measured):
                    writer.seed(key, None)
                writer.put(key, alert_row(indicator, indicator.alerts[no - 1]), position)


# --- queries ---------------------------------------------------------------------------------
_r, _i, _a = risks.c, risk_indicators.c, risk_alerts.c


def with_review_overdue(row: dict[str, Any], today: date) -> None:
    """`review_overdue` as of `today`: an open risk whose review date has passed (due today is not)."""
    row["review_overdue"] = row.get("status") == "open" and row["review_on"] < today


#: 风险登记: each business risk with its assessment, owner, controls and next review.
RISKS = Register(
    risks,
    "risks",
    {"identified_on": _r.identified_on, "review_on": _r.review_on, "score": _r.score, "category": _r.category},
    "-score",
    view="RiskView",
    doc="A business risk (ch. 9): category, likelihood × impact = score and rating, owner, controls, the next "
    "review; `review_overdue` as of `today`.",
    page_view="RiskPage",
    extra={"review_overdue": (bool, False)},
    derive=with_review_overdue,
)
#: 关键风险指标: each indicator with its threshold and latest measurement.
INDICATORS = Register(
    risk_indicators,
    "risks",
    {"metric": _i.metric, "defined_on": _i.defined_on, "last_period_to": _i.last_period_to},
    "metric",
    view="RiskIndicatorView",
    doc="A key risk indicator: a report's figure over the twelve months to the end of the last month measured, "
    "its threshold and direction, whether it is in breach, its alerts.",
    page_view="RiskIndicatorPage",
)
#: Alerts: each crossing of an indicator's threshold, and its acknowledgement.
ALERTS = Register(
    risk_alerts,
    "risks",
    {"raised_on": _a.raised_on, "period_to": _a.period_to, "metric": _a.metric},
    "-raised_on",
    view="RiskAlertView",
    doc="An alert: the measurement that crossed an indicator's threshold (value, threshold, period, the log "
    "position the report gave it at) and the owner's acknowledgement.",
    page_view="RiskAlertPage",
)


def risk_filters(
    status: str | None = None,
    category: str | None = None,
    owner_id: str | None = None,
    rating_: str | None = None,
    review_overdue: bool | None = None,
    today: date | None = None,
) -> list[Any]:
    """`review_overdue`: True keeps the open risks whose review date is before `today` (default: today in China)."""
    conditions: list[Any] = []
    for column, value in ((_r.status, status), (_r.category, category), (_r.owner_id, owner_id), (_r.rating, rating_)):
        if value is not None:
            conditions.append(column == value)
    if review_overdue is not None:
        late = (_r.status == "open") & (_r.review_on < (today or china_today()))
        conditions.append(late if review_overdue else ~late)
    return conditions


def indicator_filters(
    status: str | None = None,
    metric: str | None = None,
    line: str | None = None,
    owner_id: str | None = None,
    in_breach: bool | None = None,
) -> list[Any]:
    conditions: list[Any] = []
    for column, value in (
        (_i.status, status),
        (_i.metric, metric),
        (_i.line, line),
        (_i.owner_id, owner_id),
        (_i.in_breach, in_breach),
    ):
        if value is not None:
            conditions.append(column == value)
    return conditions


def alert_filters(
    metric: str | None = None,
    line: str | None = None,
    owner_id: str | None = None,
    indicator_id: str | None = None,
    acknowledged: bool | None = None,
) -> list[Any]:
    conditions: list[Any] = []
    for column, value in (
        (_a.metric, metric),
        (_a.line, line),
        (_a.owner_id, owner_id),
        (_a.indicator_id, indicator_id),
    ):
        if value is not None:
            conditions.append(column == value)
    if acknowledged is not None:
        conditions.append(_a.acknowledged_on.is_not(None) if acknowledged else _a.acknowledged_on.is_(None))
    return conditions


def indicators_due(conn: Connection, today: date) -> list[str]:
    """The active indicators whose month before `today`'s is not measured yet (the scheduler measures them)."""
    month = date(today.year, today.month, 1).toordinal() - 1
    last = date.fromordinal(month)
    query = select(_i.indicator_id).where(
        _i.valid_to.is_(None),
        _i.status == "active",
        _i.defined_on <= last,
        or_(_i.last_period_to.is_(None), _i.last_period_to < last),
    )
    return [str(row[0]) for row in conn.execute(query.order_by(_i.indicator_id))]
