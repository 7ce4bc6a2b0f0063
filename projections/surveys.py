"""The satisfaction surveys (guide 8.3.1): one row per survey, its four scores as recorded, for the analysis
by dimension, product, channel and period (8.3.2 (1); projections.reports.survey_analysis).

A survey never changes: its row has one version, written at the survey's log position, so "as of position p"
is `valid_from <= p`. The customers projection writes it beside the customer's row (it handles the event).
The comment is personal (sealed in the log, erased with the customer) and is not kept here; `related_id`
names what the survey was about (a policy or claim id, as given), through which the analysis finds its
product and sales channel.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Column, Date, DateTime, Index, Integer, String

from domain.complaint.rules import china_date
from domain.customer import events as cev
from projections.base import Batch
from projections.db import utc
from projections.policies import ID
from projections.versioned import versioned_table

satisfaction_surveys = versioned_table(
    "satisfaction_surveys",
    "survey_id",  # <customer id>/<the customer's version the survey was recorded at>
    Column("customer_id", ID, nullable=False),
    Column("customer_kind", String(20), nullable=False),  # individual | enterprise
    Column("surveyed_at", DateTime, nullable=False),  # naive UTC
    Column("surveyed_on", Date, nullable=False),  # the date in China
    Column("attitude", Integer, nullable=False),
    Column("speed", Integer, nullable=False),
    Column("quality", Integer, nullable=False),
    Column("claims_convenience", Integer, nullable=False),
    Column("related_id", String(100), nullable=True),
    key_length=60,
    ranges=False,  # a survey never changes (projections.versioned)
)
Index("ix_satisfaction_surveys_on", satisfaction_surveys.c.surveyed_on, satisfaction_surveys.c.valid_from)


def record_survey(event: cev.SatisfactionSurveyed, customer_kind: str, position: int, batch: Batch) -> None:
    """Write the survey's row (it is new: no query for a current row)."""
    key = f"{event.originator_id}/{event.originator_version}"
    row: dict[str, Any] = {
        "customer_id": str(event.originator_id),
        "customer_kind": customer_kind,
        "surveyed_at": utc(event.timestamp),
        "surveyed_on": china_date(event.timestamp),
        "attitude": event.attitude,
        "speed": event.speed,
        "quality": event.quality,
        "claims_convenience": event.claims_convenience,
        "related_id": event.related_id,
    }
    writer = batch.versioned(satisfaction_surveys)
    writer.seed(key, None)
    writer.put(key, row, position)
