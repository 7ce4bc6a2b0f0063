"""Request and response models of the product catalogue and quotation API (pydantic; the domain checks the rules)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any, Literal
from uuid import UUID

from pydantic import BaseModel, ConfigDict, Field

from domain.product.catalogue import Catalogue
from domain.product.model import Product
from domain.product.quotation import Quote
from interface.value_schemas import Money, Text100

PremiumMode = Literal["single", "annual", "monthly"]


# -- the catalogue -------------------------------------------------------------------------------


class ProductSummary(BaseModel):
    """One version of a product: what it covers, for whom, on which terms."""

    code: str
    version: int
    name_zh: str
    name_en: str
    line: str
    kind: str
    rating: str = Field(description="age_gender (rate table by age band and gender) or flat (one rate)")
    terms_months: list[int]
    premium_modes: list[str]
    insured_age_min: int
    insured_age_max: int
    sum_insured_min: Decimal
    sum_insured_max: Decimal
    cooling_off_days: int
    waiting_period_days: int
    grace_days: int
    deductible: Decimal
    payout_ratio: Decimal
    attaches_to: list[str] = Field(description="riders: the main products they may attach to")

    @classmethod
    def of(cls, p: Product) -> ProductSummary:
        return cls(
            code=p.code,
            version=p.version,
            name_zh=p.name_zh,
            name_en=p.name_en,
            line=p.line,
            kind=p.kind,
            rating=p.rating,
            terms_months=list(p.terms_months),
            premium_modes=list(p.premium_modes),
            insured_age_min=p.insured_age_min,
            insured_age_max=p.insured_age_max,
            sum_insured_min=p.sum_insured_min,
            sum_insured_max=p.sum_insured_max,
            cooling_off_days=p.cooling_off_days,
            waiting_period_days=p.waiting_period_days,
            grace_days=p.grace_days,
            deductible=p.deductible,
            payout_ratio=p.payout_ratio,
            attaches_to=list(p.attaches_to),
        )


class ProductList(BaseModel):
    items: list[ProductSummary]
    total: int


class RateBandView(BaseModel):
    age_from: int
    age_to: int
    male: Decimal
    female: Decimal


class DisclosureQuestionView(BaseModel):
    id: str
    text_zh: str
    text_en: str
    adverse: bool = Field(description="the answer that needs an underwriter")
    health_loading_pct: Decimal = Field(description="suggested loading (%) when answered adversely")


class ClaimDocumentView(BaseModel):
    code: str
    name_zh: str
    name_en: str


class RiderRef(BaseModel):
    code: str
    version: int
    name_zh: str
    name_en: str


class ProductDetail(ProductSummary):
    """Everything the catalogue says about one product version."""

    cancellation_fee: Decimal
    rate_bands: list[RateBandView] = Field(description="annual premium per 1,000 of sum insured (age_gender)")
    flat_rate: Decimal | None = Field(description="annual premium per 1,000 of sum insured (flat)")
    occupation_loadings: dict[str, Decimal | None] = Field(
        description="occupation class 1–6 → loading fraction (0.25 = +25 %); null: not insurable"
    )
    disclosure_questions: list[DisclosureQuestionView]
    claim_documents: list[ClaimDocumentView]
    covered_causes: list[str]
    exclusions: list[str]
    cash_value_by_year: list[Decimal] = Field(description="cash value ÷ premiums paid, by completed policy year")
    max_income_multiple: Decimal | None
    max_expiry_age: int | None
    renewable: bool
    renewal_offer_days: int
    ends_on_exhaustion: bool = Field(
        description="the cover ends once a claim uses up its sum insured (a death benefit always ends it)"
    )
    waiting_period_restarts_on_reinstatement: bool = Field(
        description="the waiting period counts again from a reinstatement after a lapse"
    )
    monthly_factor: Decimal = Field(description="monthly installment = annual premium × this factor")
    single_discount: Decimal = Field(description="single premium = annual × years × (1 − discount)")
    riders: list[RiderRef] = Field(description="main products: the riders that may attach (latest versions)")
    versions: list[int] = Field(description="every version of this product, oldest first")

    @classmethod
    def detail(cls, p: Product, catalogue: Catalogue) -> ProductDetail:
        riders = catalogue.riders_for(p.code) if p.kind == "main" else ()
        return cls(
            **ProductSummary.of(p).model_dump(),
            cancellation_fee=p.cancellation_fee,
            rate_bands=[
                RateBandView(age_from=b.age_from, age_to=b.age_to, male=b.male, female=b.female) for b in p.rate_bands
            ],
            flat_rate=p.flat_rate,
            occupation_loadings={str(c): p.occupation_loading(c) for c in range(1, 7)},
            disclosure_questions=[
                DisclosureQuestionView(
                    id=q.id,
                    text_zh=q.text_zh,
                    text_en=q.text_en,
                    adverse=q.adverse,
                    health_loading_pct=q.health_loading_pct,
                )
                for q in p.disclosure_questions
            ],
            claim_documents=[
                ClaimDocumentView(code=d.code, name_zh=d.name_zh, name_en=d.name_en) for d in p.claim_documents
            ],
            covered_causes=list(p.covered_causes),
            exclusions=list(p.exclusions),
            cash_value_by_year=list(p.cash_value_by_year),
            max_income_multiple=p.max_income_multiple,
            max_expiry_age=p.max_expiry_age,
            renewable=p.renewable,
            renewal_offer_days=p.renewal_offer_days,
            ends_on_exhaustion=p.ends_on_exhaustion,
            waiting_period_restarts_on_reinstatement=p.waiting_period_restarts_on_reinstatement,
            monthly_factor=p.monthly_factor,
            single_discount=p.single_discount,
            riders=[RiderRef(code=r.code, version=r.version, name_zh=r.name_zh, name_en=r.name_en) for r in riders],
            versions=list(catalogue.versions(p.code)),
        )


class ProductVersions(BaseModel):
    code: str
    latest: int
    versions: list[ProductSummary] = Field(description="oldest first")


# -- quotation -----------------------------------------------------------------------------------


class RiderIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    product_code: Text100 = Field(examples=["accidental_death_rider"])
    product_version: int | None = Field(default=None, ge=1, description="default: the latest")
    sum_insured: Money = Field(examples=["200000"])


class QuoteIn(BaseModel):
    """A cover to price. Give the insured as age (or birth_date), gender and occupation class, or as a
    registered customer_id (its birth date, gender and occupation class are read from the register)."""

    model_config = ConfigDict(extra="forbid")
    product_code: Text100 = Field(examples=["term_life"])
    product_version: int | None = Field(default=None, ge=1, description="default: the latest")
    customer_id: UUID | None = None
    age: int | None = Field(default=None, ge=0, le=150, examples=[35])
    birth_date: date | None = Field(default=None, description="instead of age: the age on the quote date")
    gender: Literal["male", "female"] | None = None
    occupation_class: int | None = Field(
        default=None, ge=1, le=6, examples=[1], description="required for life, health and accident products"
    )
    sum_insured: Money = Field(examples=["500000"])
    term_months: int = Field(examples=[240])
    premium_mode: PremiumMode = Field(examples=["annual"])
    disclosures: dict[str, bool] | None = Field(
        default=None, description="answers to the product's disclosure questions; adverse answers load the premium"
    )
    riders: list[RiderIn] = Field(default_factory=list, max_length=10)


class RiderPremiumView(BaseModel):
    code: str
    version: int
    sum_insured: Decimal
    rate: Decimal
    occupation_loading_rate: Decimal
    annual_premium: Decimal


class BreakdownView(BaseModel):
    rate: Decimal = Field(description="per 1,000 of sum insured")
    occupation_loading_rate: Decimal
    base_premium: Decimal
    occupation_loading: Decimal
    health_loading: Decimal
    extra_loading: Decimal
    main_premium: Decimal
    riders: list[RiderPremiumView]


class QuoteView(BaseModel):
    """A priced cover. Nothing is recorded: a quote is a calculation from the catalogue."""

    product_code: str
    product_version: int
    product_name_zh: str
    product_name_en: str
    quote_date: date
    age: int | None
    gender: str | None
    occupation_class: int
    health_loading_pct: Decimal = Field(description="from the adverse disclosure answers")
    adverse_disclosures: list[str] = Field(description="questions answered adversely: an underwriter will look")
    sum_insured: Decimal
    term_months: int
    premium_mode: str
    annual_premium: Decimal = Field(description="main cover plus riders, per year of cover")
    installment_amount: Decimal
    installments_per_year: int
    number_of_installments: int
    total_premium: Decimal
    breakdown: BreakdownView

    @classmethod
    def of(cls, q: Quote, product: Product, **insured: Any) -> QuoteView:
        data = q.as_dict()
        return cls(**data, product_name_zh=product.name_zh, product_name_en=product.name_en, **insured)
