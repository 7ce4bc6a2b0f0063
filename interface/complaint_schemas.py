"""Request models of the complaint and service request APIs (the domain checks the rules)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from interface.value_schemas import (
    MAX_LIST,
    MoneyOrZero,
    Text100,
    Text200,
    Text500,
    Text1000,
    Text2000,
    Text2000OrEmpty,
    Text5000,
)


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Complainant(Strict):
    customer_id: Text100 | None = None
    name: Text200
    contact: Text500


class ComplaintIn(Strict):
    """A complaint as received (8.2.1 (1)–(2)), with the reference to the recording of its reception."""

    channel: Literal["phone", "online", "letter", "visit", "regulator_transfer"]
    complainant: Complainant
    content: Text5000
    category: Literal["sales", "underwriting", "premium", "claims", "service", "other"]
    received_at: datetime | None = Field(default=None, description="default: now")
    recording_ref: Text200 = Field(examples=["REC-20251125-0012"])
    related_policy_id: Text100 | None = None
    related_claim_id: Text100 | None = None
    repeat_of: Text100 | None = Field(default=None, description="the earlier complaint this repeats")
    new_facts: bool | None = Field(default=None, description="with repeat_of: new facts start a new clock")


class On(Strict):
    on: date | None = Field(default=None, description="business date; default today (China)")


class AssignIn(On):
    responsible_id: Text100


class NoteIn(On):
    note: Text5000


class EscalateIn(On):
    to: Text100
    reason: Text1000


class ExtendIn(On):
    """15 → 30 days for a complex case; → 60 for an especially complex one with a manager's approval
    and notice to the complainant."""

    kind: Literal["complex", "especially_complex"]
    reason: Text1000
    approved_by: Text100 | None = None
    complainant_notified_on: date | None = None


class AppraisalIn(On):
    complainant_told_on: date


class ResolveIn(Strict):
    outcome: Literal["upheld", "partly_upheld", "not_upheld"]
    measures: list[Text200] = Field(default_factory=list, max_length=MAX_LIST)
    compensation: MoneyOrZero = Decimal(0)
    apology: bool = False
    decided_on: date | None = None


class FeedbackIn(On):
    channel: Literal["phone", "sms", "email", "letter", "visit", "online"]
    summary: Text5000


class DecisionNoticeIn(On):
    """The complainant told of the decision (Art. 21): the day and how."""

    channel: Literal["phone", "sms", "email", "letter", "visit", "online"]


class ResponseIn(On):
    satisfied: bool
    comment: Text2000OrEmpty = ""


class ActionIn(On):
    description: Text2000
    owner_id: Text100
    due_on: date


class ActionDoneIn(Strict):
    result: Text2000
    completed_on: date | None = None


class ReasonIn(On):
    reason: Text1000


class ServiceRequestIn(Strict):
    customer_id: Text100
    kind: Literal["consultation", "contract_change", "renewal_help", "claim_help", "other"]
    description: Text5000
    channel: Literal["phone", "online", "app", "counter", "visit", "letter"]
    policy_id: Text100 | None = None
    requested_at: datetime | None = None


class StaffIn(On):
    staff_id: Text100


class UpdateIn(On):
    note: Text5000


class CompleteIn(On):
    resolution: Text5000
