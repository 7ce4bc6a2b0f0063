"""Automatic underwriting's cases as the unit tests build them (domain.policy.underwriting): a product of any line,
a person or a company, a case of any line with its fields overridden, and a quote function of fixed prices."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from domain.errors import DomainError
from domain.policy.underwriting import CHECKS, Party, UnderwritingCase, UnderwritingResult, assess
from domain.product.model import DisclosureQuestion, Product, RateBand

D = Decimal
TODAY = date(2025, 6, 1)


@dataclass(frozen=True)
class FakeQuote:
    annual_premium: Decimal
    installment_amount: Decimal


def fake_quote(
    product: Product,
    *,
    age: int,
    gender: str,
    sum_insured: Decimal,
    term_months: int,
    premium_mode: str,
    occupation_class: int,
    health_loading_pct: Decimal = D(0),
    extra_loading_pct: Decimal = D(0),
    riders: tuple[Any, ...] = (),
) -> FakeQuote:
    """Rate per 1,000 × (1 + occupation loading) × (1 + health %): a stand-in for the catalogue's quote."""
    if product.rating == "flat":
        rate = product.flat_rate or D(0)
    else:
        band = next((b for b in product.rate_bands if b.age_from <= age <= b.age_to), None)
        if band is None:
            raise DomainError(f"no rate for age {age}", code="no-rate")
        rate = band.male if gender == "male" else band.female
    loading = (1 + product.occupation_loadings.get(occupation_class, D(0))) * (1 + health_loading_pct / 100)
    annual = (sum_insured / 1000 * rate * loading).quantize(D("0.01"))
    return FakeQuote(
        annual, annual if premium_mode != "monthly" else (annual * product.monthly_factor).quantize(D("0.01"))
    )


def a_product(line: str = "life", **overrides: Any) -> Product:
    personal = line in ("life", "health", "accident")
    fields: dict[str, Any] = dict(
        code=f"T-{line}",
        version=1,
        name_zh="测试",
        name_en="Test",
        line=line,
        kind="main",
        terms_months=(12, 120),
        premium_modes=("annual", "monthly"),
        cooling_off_days=15,
        cancellation_fee=D(10),
        waiting_period_days=0,
        grace_days=60,
        insured_age_min=0,
        insured_age_max=60,
        sum_insured_min=D(10000),
        sum_insured_max=D(5000000),
        deductible=D(0),
        payout_ratio=D(1),
        rating="age_gender" if personal else "flat",
        flat_rate=None if personal else D("1.5"),
        rate_bands=(RateBand(0, 60, D("1.2"), D("1.0")),) if personal else (),
        occupation_loadings={1: D(0), 2: D(0), 3: D("0.25"), 4: D("0.5")}
        if personal
        else {c: D(0) for c in range(1, 6)},
        disclosure_questions=(
            DisclosureQuestion("smoker", "吸烟", "Do you smoke?", adverse=True, health_loading_pct=D(25)),
            DisclosureQuestion("hospital", "住院", "Hospitalised in 5 years?", adverse=True, health_loading_pct=D(50)),
            DisclosureQuestion("fit", "健康", "Are you in good health?", adverse=False, health_loading_pct=D(30)),
        )
        if personal
        else (),
        max_income_multiple=D(10) if personal else None,
    )
    return Product(**{**fields, **overrides})


CLEAN = {"smoker": False, "hospital": False, "fit": True}


def person(age: int = 35, **overrides: Any) -> Party:
    return Party(
        **{
            "kind": "individual",
            "age": age,
            "gender": "male",
            "occupation_class": 1,
            "annual_income": D(200000),
            **overrides,
        }
    )


def company(**overrides: Any) -> Party:
    return Party(**{"kind": "enterprise", "annual_revenue": D(10000000), **overrides})


def a_case(line: str = "life", **overrides: Any) -> UnderwritingCase:
    fields: dict[str, Any] = dict(
        applicant=person(),
        insured=person(),
        relationship="self",
        product=a_product(line),
        sum_insured=D(1000000),
        term_months=120,
        premium_mode="annual",
        application_date=TODAY,
        disclosures=CLEAN if line in ("life", "health", "accident") else {},
    )
    if line not in ("life", "health", "accident"):
        fields.update(
            applicant=company(),
            insured=company(),
            relationship="enterprise",
            sum_insured=D(500000),
            declared_property_value=D(800000),
            term_months=12,
        )
    return UnderwritingCase(**{**fields, **overrides})


def assessed(case: UnderwritingCase) -> UnderwritingResult:
    result = assess(case, fake_quote)
    assert [f.check for f in result.findings] == list(CHECKS)
    return result


def finding_of(case: UnderwritingCase, check: str) -> tuple[str, str]:
    found = assessed(case).finding(check)  # type: ignore[arg-type]
    return found.outcome, found.code
