"""Request models of the claim API (the domain checks the rules and names each bad field)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class On(Strict):
    on: date | None = Field(default=None, description="business date; default today (China)")


class ClaimIn(Strict):
    """报案 (7.1): the first receipt of a claim. The claimant must be the policy's insured, a beneficiary
    named by customer id, or its applicant."""

    policy_id: str
    claimant_id: str
    claimant_role: Literal["insured", "beneficiary", "applicant"]
    loss_date: date
    known_on: date | None = Field(default=None, description="when the claimant knew of the loss (default: the loss "
                                  "date); the Art. 26 limitation runs from it")
    cause: str = Field(min_length=1, examples=["fire"], description="one of the policy's covered causes, or another")
    description: str = Field(min_length=1)
    estimated_amount: Decimal = Field(ge=0)
    initial_reserve: Decimal = Field(ge=0)
    reported_on: date | None = Field(default=None, description="default today (China)")


class DocumentIn(On):
    code: str = Field(min_length=1, examples=["claim_form"])


class MissingNoticeIn(On):
    breach_reason: str | None = Field(default=None, description="a second notice is an Art. 22 breach: say why")


class InvestigationIn(On):
    activity: Literal["site_survey", "interview", "cause_and_liability", "records_review"]
    investigator_id: str | None = Field(default=None, description="default: the caller")
    findings: str = Field(min_length=1)


class FlagIn(On):
    indicator: str = Field(min_length=1)
    detail: str = Field(min_length=1)


class LossItem(Strict):
    description: str = Field(min_length=1)
    claimed: Decimal = Field(ge=0)
    assessed: Decimal = Field(ge=0)


class AssessmentIn(On):
    items: list[LossItem] = Field(min_length=1)


class ReasonIn(On):
    reason: str = Field(min_length=1)


class ApprovalIn(On):
    exclusion_applies: str | None = Field(default=None, description="an exclusion of the policy that applies "
                                          "(refuses approval as not covered)")


class RejectionIn(On):
    reasons: list[str] = Field(min_length=1)


class ReserveIn(On):
    amount: Decimal = Field(ge=0)
    reason: str = Field(min_length=1)


class PaymentIn(On):
    amount: Decimal = Field(gt=0)
    reference: str = Field(min_length=1)
    kind: Literal["final", "advance"] = "final"
    determinable_amount: Decimal | None = Field(default=None, gt=0, description="an advance (Art. 25): the part of "
                                                "the loss determinable so far")
