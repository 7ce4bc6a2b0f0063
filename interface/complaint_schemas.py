"""Request models of the complaint and service request APIs (the domain checks the rules)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Complainant(Strict):
    customer_id: str | None = None
    name: str = Field(min_length=1)
    contact: str = Field(min_length=1)


class ComplaintIn(Strict):
    """A complaint as received (8.2.1 (1)–(2)), with the reference to the recording of its reception."""

    channel: Literal["phone", "online", "letter", "visit", "regulator_transfer"]
    complainant: Complainant
    content: str = Field(min_length=1)
    category: Literal["sales", "underwriting", "premium", "claims", "service", "other"]
    received_at: datetime | None = Field(default=None, description="default: now")
    recording_ref: str = Field(min_length=1, examples=["REC-20251125-0012"])
    related_policy_id: str | None = None
    related_claim_id: str | None = None
    repeat_of: str | None = Field(default=None, description="the earlier complaint this repeats")
    new_facts: bool | None = Field(default=None, description="with repeat_of: new facts start a new clock")


class On(Strict):
    on: date | None = Field(default=None, description="business date; default today (China)")


class AssignIn(On):
    responsible_id: str = Field(min_length=1)


class NoteIn(On):
    note: str = Field(min_length=1)


class EscalateIn(On):
    to: str = Field(min_length=1)
    reason: str = Field(min_length=1)


class ExtendIn(On):
    """15 → 30 days for a complex case; → 60 for an especially complex one with a manager's approval
    and notice to the complainant."""

    kind: Literal["complex", "especially_complex"]
    reason: str = Field(min_length=1)
    approved_by: str | None = None
    complainant_notified_on: date | None = None


class AppraisalIn(On):
    complainant_told_on: date


class ResolveIn(Strict):
    outcome: Literal["upheld", "partly_upheld", "not_upheld"]
    measures: list[str] = Field(default_factory=list)
    compensation: Decimal = Decimal(0)
    apology: bool = False
    decided_on: date | None = None


class FeedbackIn(On):
    channel: Literal["phone", "sms", "email", "letter", "visit", "online"]
    summary: str = Field(min_length=1)


class ResponseIn(On):
    satisfied: bool
    comment: str = ""


class ActionIn(On):
    description: str = Field(min_length=1)
    owner_id: str = Field(min_length=1)
    due_on: date


class ActionDoneIn(Strict):
    result: str = Field(min_length=1)
    completed_on: date | None = None


class ReasonIn(On):
    reason: str = Field(min_length=1)


class ServiceRequestIn(Strict):
    customer_id: str
    kind: Literal["consultation", "contract_change", "renewal_help", "claim_help", "other"]
    description: str = Field(min_length=1)
    channel: Literal["phone", "online", "app", "counter", "visit", "letter"]
    policy_id: str | None = None
    requested_at: datetime | None = None


class StaffIn(On):
    staff_id: str = Field(min_length=1)


class UpdateIn(On):
    note: str = Field(min_length=1)


class CompleteIn(On):
    resolution: str = Field(min_length=1)
