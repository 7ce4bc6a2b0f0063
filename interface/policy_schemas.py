"""Request models of the policy API (pydantic shapes; the domain checks the rules)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

Relationship = Literal[
    "self", "spouse", "child", "parent", "employee", "other_with_consent", "owner", "lessee", "mortgagee", "enterprise",
]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Beneficiary(Strict):
    customer_id: str | None = None
    name: str | None = None
    share: Decimal = Field(description="percent; shares sum to 100")


class RiderIn(Strict):
    product_code: str
    product_version: int | None = None
    sum_insured: Decimal = Field(gt=0)


class ApplicationIn(Strict):
    """投保 (5.2 (1)): who applies, who is insured, what cover, and the answers to the disclosure questions."""

    applicant_id: str
    insured_id: str
    relationship: Relationship
    product_code: str = Field(examples=["term_life"])
    product_version: int | None = Field(default=None, description="default: the latest")
    sum_insured: Decimal = Field(gt=0, examples=["500000"])
    term_months: int = Field(gt=0, examples=[240])
    premium_mode: Literal["single", "annual", "monthly"]
    beneficiaries: list[Beneficiary] = Field(default_factory=list)
    riders: list[RiderIn] = Field(default_factory=list)
    disclosures: dict[str, bool] = Field(default_factory=dict, description="question id → answer (true = yes)")
    channel: str = "agent"
    agent_id: str | None = Field(default=None, description="default: the caller")
    applied_on: date | None = Field(default=None, description="business date; default today (China)")
    insured_consent: bool = False
    declared_property_value: Decimal | None = None


class DecisionIn(Strict):
    decision: Literal["accept", "offer_with_conditions", "postpone", "decline"]
    reason: str = ""
    loading_pct: Decimal = Decimal(0)
    exclusions: list[str] = Field(default_factory=list)
    suggested_products: list[str] = Field(default_factory=list)
    decided_on: date | None = None


class OnIn(Strict):
    on: date | None = Field(default=None, description="business date; default today (China)")


class PaymentIn(Strict):
    amount: Decimal = Field(gt=0)
    paid_on: date | None = None
    reference: str = Field(min_length=1, max_length=100, examples=["bank-20250112-0001"])


class DemandIn(Strict):
    installment_no: int = Field(ge=1)
    on: date | None = None


class ReinstatementDecisionIn(Strict):
    agree: bool
    reason: str = ""
    on: date | None = None


class ChangeIn(Strict):
    """A change in writing (5.3): the signed document's reference and the effective date are required."""

    kind: Literal["beneficiary", "contacts", "premium_mode", "sum_insured"]
    details: dict[str, Any]
    document_ref: str = Field(min_length=1)
    effective_on: date
    on: date | None = None


class IncreaseIn(Strict):
    new_sum_insured: Decimal = Field(gt=0)
    document_ref: str = Field(min_length=1)
    effective_on: date
    on: date | None = None


class IncreaseDecisionIn(Strict):
    approved: bool
    reason: str = ""
    decided_on: date | None = None


class RescissionIn(Strict):
    """Art. 16: within 30 days of learning the cause and 2 years of formation; not if the insurer knew."""

    ground: Literal["intentional", "gross_negligence"]
    learned_on: date
    insurer_knew_at_contracting: bool = False
    reason: str = Field(min_length=1)
    on: date | None = None
