"""Request models of the claim API (the domain checks the rules and names each bad field)."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from interface.value_schemas import (
    MAX_LIST,
    Money,
    MoneyOrZero,
    Text100,
    Text200,
    Text500,
    Text1000,
    Text2000,
    Text5000,
)


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class On(Strict):
    on: date | None = Field(default=None, description="business date; default today (China)")


class ClaimIn(Strict):
    """报案 (7.1): the first receipt of a claim. The claimant must be the policy's insured, a beneficiary
    named by customer id, or its applicant."""

    policy_id: Text100
    claimant_id: Text100
    claimant_role: Literal["insured", "beneficiary", "applicant"]
    loss_date: date
    known_on: date | None = Field(
        default=None,
        description="when the claimant knew of the loss (default: the loss date); the Art. 26 limitation runs from it",
    )
    cause: Text100 = Field(examples=["fire"], description="one of the policy's covered causes, or another")
    description: Text5000
    estimated_amount: MoneyOrZero
    initial_reserve: MoneyOrZero
    reported_on: date | None = Field(default=None, description="default today (China)")


class DocumentIn(On):
    code: Text100 = Field(examples=["claim_form"])


class MissingNoticeIn(On):
    breach_reason: Text1000 | None = Field(default=None, description="a second notice is an Art. 22 breach: say why")


class InvestigationIn(On):
    activity: Literal["site_survey", "interview", "cause_and_liability", "records_review"]
    investigator_id: Text100 | None = Field(default=None, description="default: the caller")
    findings: Text5000


class FlagIn(On):
    indicator: Text100
    detail: Text2000


class LossItem(Strict):
    description: Text500
    claimed: MoneyOrZero
    assessed: MoneyOrZero


class AssessmentIn(On):
    items: list[LossItem] = Field(min_length=1, max_length=200)


class ReasonIn(On):
    reason: Text1000


class RescissionFindingIn(On):
    """Art. 16(5): the policy was rescinded for gross negligence after this loss."""

    seriously_affected: bool = Field(description="the fact not disclosed seriously affected the loss (then refused)")
    reason: Text1000


class ApprovalIn(On):
    exclusion_applies: Text200 | None = Field(
        default=None, description="an exclusion of the policy that applies (refuses approval as not covered)"
    )


class RejectionIn(On):
    reasons: list[Text200] = Field(min_length=1, max_length=MAX_LIST)


class ReserveIn(On):
    amount: MoneyOrZero
    reason: Text1000


class PaymentIn(On):
    amount: Money
    reference: Text100
    kind: Literal["final", "advance"] = "final"
    determinable_amount: Money | None = Field(
        default=None, description="an advance (Art. 25): the part of the loss determinable so far"
    )
