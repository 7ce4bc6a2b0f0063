"""Request and answer models of the bundles API (guide 3.3; the domain checks the rules)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, Field

from interface.policy_schemas import Beneficiary, Relationship, RiderIn, Strict
from interface.value_schemas import Money, Text50, Text100


class BundleItemIn(Strict):
    """One application of the bundle: who is insured and what cover (the applicant, channel and day are the
    bundle's)."""

    insured_id: Text100
    relationship: Relationship
    product_code: Text100 = Field(examples=["term_life"])
    product_version: int | None = Field(default=None, ge=1, description="default: the latest on sale that day")
    sum_insured: Money = Field(examples=["500000"])
    term_months: int = Field(gt=0, examples=[240])
    premium_mode: Literal["single", "annual", "monthly"]
    beneficiaries: list[Beneficiary] = Field(default_factory=list, max_length=20)
    riders: list[RiderIn] = Field(default_factory=list, max_length=10)
    disclosures: dict[str, bool] = Field(default_factory=dict, description="question id → answer (true = yes)")
    insured_consent: bool = False
    declared_property_value: Money | None = None


class BundleIn(Strict):
    """组合投保 (3.3): 2 to 10 applications of one applicant, made and priced together in one command."""

    applicant_id: Text100
    items: list[BundleItemIn] = Field(min_length=2, max_length=10)
    channel: Text50 = "agent"
    agent_id: Text100 | None = Field(default=None, description="default: the caller")
    applied_on: date | None = Field(default=None, description="business date; default today (China)")


class BundlePolicy(BaseModel):
    """An item's policy as the policies register shows it (None: not there yet)."""

    policy_id: str
    product_code: str
    policy_number: str | None
    status: str | None
    annual_premium: Decimal | None


class BundlePolicies(BaseModel):
    bundle_id: str
    items: list[BundlePolicy]
    issued: int = Field(description="how many of its policies have been issued (in force or after)")
