"""Request models of the policy API (pydantic shapes; the domain checks the rules)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from interface.value_schemas import (
    MAX_LIST,
    LoadingPct,
    Money,
    Share,
    Text50,
    Text100,
    Text200,
    Text500OrEmpty,
    Text1000,
    Text1000OrEmpty,
    Text2000,
)

Relationship = Literal[
    "self", "spouse", "child", "parent", "employee", "other_with_consent", "owner", "lessee", "mortgagee", "enterprise"
]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Beneficiary(Strict):
    customer_id: Text100 | None = None
    name: Text100 | None = None
    share: Share = Field(description="percent; shares sum to 100")


class RiderIn(Strict):
    product_code: Text100
    product_version: int | None = Field(default=None, ge=1)
    sum_insured: Money


class ApplicationIn(Strict):
    """投保 (5.2 (1)): who applies, who is insured, what cover, and the answers to the disclosure questions."""

    applicant_id: Text100
    insured_id: Text100
    relationship: Relationship
    product_code: Text100 = Field(examples=["term_life"])
    product_version: int | None = Field(default=None, ge=1, description="default: the latest")
    sum_insured: Money = Field(examples=["500000"])
    term_months: int = Field(gt=0, examples=[240])
    premium_mode: Literal["single", "annual", "monthly"]
    beneficiaries: list[Beneficiary] = Field(default_factory=list, max_length=20)
    riders: list[RiderIn] = Field(default_factory=list, max_length=10)
    disclosures: dict[str, bool] = Field(default_factory=dict, description="question id → answer (true = yes)")
    channel: Text50 = "agent"
    agent_id: Text100 | None = Field(default=None, description="default: the caller")
    applied_on: date | None = Field(default=None, description="business date; default today (China)")
    insured_consent: bool = False
    declared_property_value: Money | None = None


class DecisionIn(Strict):
    decision: Literal["accept", "offer_with_conditions", "postpone", "decline"]
    reason: Text1000OrEmpty = ""
    loading_pct: LoadingPct = Decimal(0)
    exclusions: list[Text200] = Field(default_factory=list, max_length=MAX_LIST)
    suggested_products: list[Text200] = Field(default_factory=list, max_length=MAX_LIST)
    decided_on: date | None = None


class ExaminationOrderIn(Strict):
    kind: Literal["medical", "property_survey"] = Field(
        description="medical: of the insured (life, health, accident); property_survey: of the property or "
        "premises (property, liability)"
    )
    reason: Text1000 = Field(description="what the examination is to establish")
    on: date | None = Field(default=None, description="business date of the order; default today (China)")


class ExaminationReportIn(Strict):
    examiner: Text200 = Field(description="who examined: the doctor, surveyor or clinic")
    examined_on: date = Field(description="the day of the examination: from the order to the report")
    result: Literal["standard", "conditions", "decline"] = Field(
        description="what the findings call for: standard terms, conditions (a loading, exclusions) or a decline"
    )
    summary: Text2000
    loading_pct: LoadingPct = Decimal(0)
    exclusions: list[Text200] = Field(default_factory=list, max_length=MAX_LIST)
    on: date | None = Field(default=None, description="business date of the report; default today (China)")


class OnIn(Strict):
    on: date | None = Field(default=None, description="business date; default today (China)")


class PaymentIn(Strict):
    amount: Money
    paid_on: date | None = None
    reference: Text100 = Field(examples=["bank-20250112-0001"])


class DemandIn(Strict):
    installment_no: int = Field(ge=1)
    on: date | None = None


class ReinstatementDecisionIn(Strict):
    agree: bool
    reason: Text500OrEmpty = ""
    on: date | None = None


class ChangeIn(Strict):
    """A change in writing (5.3): the signed document's reference and the effective date are required."""

    kind: Literal["beneficiary", "contacts", "premium_mode", "sum_insured"]
    details: dict[str, Any]
    document_ref: Text200
    effective_on: date
    on: date | None = None
    # a beneficiary change by an applicant who is not the insured: the insured's written consent (Art. 41)
    insured_consent_document: Text200 | None = None


class IncreaseIn(Strict):
    new_sum_insured: Money
    document_ref: Text200
    effective_on: date
    on: date | None = None


class IncreaseDecisionIn(Strict):
    approved: bool
    reason: Text1000OrEmpty = ""
    decided_on: date | None = None


class RescissionIn(Strict):
    """Art. 16: within 30 days of learning the cause and 2 years of formation; not if the insurer knew."""

    ground: Literal["intentional", "gross_negligence"]
    learned_on: date
    insurer_knew_at_contracting: bool = False
    reason: Text1000
    on: date | None = None
