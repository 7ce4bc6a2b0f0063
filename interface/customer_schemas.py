"""Request and response models of the customer API (pydantic; the domain checks the rules)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, RootModel

from interface.product_schemas import PremiumMode, RiderIn
from interface.value_schemas import (
    MAX_LIST,
    Money,
    MoneyOrZero,
    Text100,
    Text200,
    Text500,
    Text500OrEmpty,
    Text2000,
    Text2000OrEmpty,
)


class Contacts(BaseModel):
    model_config = ConfigDict(extra="forbid")
    phone: Text500OrEmpty | None = None  # blank: not given
    email: Text500OrEmpty | None = None
    address: Text500OrEmpty | None = None

    def plain(self) -> dict[str, str]:
        return {k: v for k, v in self.model_dump().items() if v is not None}


class IndividualIn(BaseModel):
    """Register an individual: the resident ID gives the birth date and gender."""

    model_config = ConfigDict(extra="forbid")
    kind: Literal["individual"]
    name: Text200 = Field(examples=["张伟"])
    id_number: Text100 = Field(examples=["11010519491231002X"])
    occupation: Text100 = Field(examples=["teacher"])
    occupation_class: int = Field(ge=1, le=6, examples=[1])
    family_status: Literal["single", "married", "divorced", "widowed"]
    dependants: int = Field(default=0, ge=0)
    annual_income: MoneyOrZero = Field(examples=["180000.00"])
    contacts: Contacts = Field(default_factory=Contacts)


class EnterpriseIn(BaseModel):
    """Register an enterprise by its unified social credit code."""

    model_config = ConfigDict(extra="forbid")
    kind: Literal["enterprise"]
    name: Text200
    credit_code: Text100 = Field(examples=["91350100M000100Y43"])
    industry: Text100
    size: Literal["micro", "small", "medium", "large"]
    headcount: int = Field(ge=0)
    annual_revenue: MoneyOrZero
    contact_person: Text100
    contacts: Contacts = Field(default_factory=Contacts)


class RegisterCustomer(RootModel[Annotated[IndividualIn | EnterpriseIn, Field(discriminator="kind")]]):
    """An individual or an enterprise, told apart by `kind`."""


class ContactsIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    contacts: Contacts


class ProfileIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    changes: dict[str, Any] = Field(examples=[{"occupation": "engineer", "occupation_class": 2}])


class SegmentIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    segment: Text100 = Field(examples=["mass_affluent"])
    basis: Text500 = Field(examples=["income and family status"])


class LifecycleStageIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    stage: Literal["prospect", "active", "dormant", "churned"]
    reason: Text500


class InteractionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    kind: Literal["care_call", "visit", "marketing", "service", "other"]
    summary: Text2000
    occurred_at: datetime


class ConsentIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    purpose: Literal["marketing", "data_processing", "third_party_sharing", "health_data"]


class NeedsIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    concerns: list[Text200] = Field(default_factory=list, max_length=MAX_LIST)
    potential_needs: list[Text200] = Field(default_factory=list, max_length=MAX_LIST)
    budget: MoneyOrZero


class RiskIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    description: Text500
    category: Literal["personal", "property", "liability", "credit"]
    likelihood: int = Field(ge=1, le=5)
    severity: int = Field(ge=1, le=5)


class RisksIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    risks: list[RiskIn] = Field(min_length=1, max_length=MAX_LIST)


class SurveyIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    attitude: int = Field(ge=1, le=5)
    speed: int = Field(ge=1, le=5)
    quality: int = Field(ge=1, le=5)
    claims_convenience: int = Field(ge=1, le=5)
    comment: Text2000OrEmpty = ""
    related_id: Text100 | None = None


class PlanItemIn(BaseModel):
    """One product of a proposed plan; its premium is estimated from the catalogue for this customer."""

    model_config = ConfigDict(extra="forbid")
    product_code: Text100 = Field(examples=["term_life"])
    product_version: int | None = Field(default=None, ge=1, description="default: the latest")
    sum_insured: Money = Field(examples=["500000"])
    term_months: int = Field(examples=[240])
    premium_mode: PremiumMode = Field(examples=["annual"])
    riders: list[RiderIn] = Field(default_factory=list, max_length=10)


class PlanIn(BaseModel):
    """A proposed insurance plan (4.3 保险方案制定): products, sums insured and why they fit the customer."""

    model_config = ConfigDict(extra="forbid")
    items: list[PlanItemIn] = Field(min_length=1, max_length=20)
    rationale: Text2000 = Field(examples=["sole earner with two children"])


class CustomerView(BaseModel):
    """A row of the customers register, as of the position it was read at."""

    id: str
    version: int
    kind: str
    name: str
    identity_number: str
    birth_date: date | None
    gender: str | None
    occupation: str | None
    occupation_class: int | None
    industry: str | None
    size: str | None
    segment: str | None
    lifecycle_stage: str
    registered_at: datetime
    updated_at: datetime
    contacts: dict[str, Any]
    consents: list[str]
    profile: dict[str, Any]
    needs: dict[str, Any] | None
    risk: dict[str, Any] | None
    plan: dict[str, Any] | None = Field(
        default=None, description="the latest proposed plan: items, total_annual_premium, rationale, budget_fit"
    )
    interactions: int
    surveys: int
    satisfaction_average: str | None
    personal_data: str = Field(description="available, restricted (a deletion request while retention runs) or erased")
    masked: bool = Field(default=True, description="ID number and contacts masked (ask ?unmasked=true&reason=…)")
    valid_from: int = Field(description="log position from which this version is current")
    valid_to: int | None = Field(description="log position at which it was superseded (null: current)")


class CustomerPage(BaseModel):
    items: list[CustomerView]
    total: int
    page: int
    page_size: int = Field(description="the page size asked for (`page_size`)")
    position: int = Field(description="the log position the page was read at")


class ErasureIn(BaseModel):
    """A deletion request (PIPL Art. 47) or an erasure: why, in the customer's or the company's words."""

    model_config = ConfigDict(extra="forbid")
    reason: Text500 = Field(examples=["the customer asked for deletion by letter"])


class PolicyRetentionView(BaseModel):
    policy_id: str
    role: str = Field(description="the customer's role: applicant, insured or applicant+insured")
    status: str
    contract_end: date | None
    years: int | None = Field(description="5 after a contract of one year or less, 10 after a longer one")
    retention_end: date | None = Field(description="the last day the records must be kept")
    basis: str = Field(description="retention, application-pending (kept until decided) or no-contract")
    running: bool


class CustomerRetentionView(BaseModel):
    """Insurance Law Art. 87: until when the customer's and each policy's records must be kept."""

    customer_id: str
    retention_end: date | None = Field(description="the latest of the policies' (null: none, or open)")
    open: bool = Field(description="an application under way: kept until it is decided")
    running: bool = Field(description="a retention period runs today: a deletion request only restricts")
    policies: list[PolicyRetentionView]
