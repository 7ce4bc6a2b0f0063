"""Quotation (SPEC §3, §5; guide 6.2.4): the premium of a proposed cover, as a pure calculation.

Every amount is rounded to the cent, half up. Each refusal is an InvalidValue naming the input field,
so the HTTP layer can answer 422 with the field, and the underwriting check can record it as a finding.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from domain.errors import InvalidValue
from domain.product.model import GENDERS, OCCUPATION_CLASSES, THOUSAND, Product
from domain.values import money

MAX_LOADING_PCT = Decimal(500)


@dataclass(frozen=True)
class RiderPremium:
    """The annual premium of one rider: its own rate and occupation loading."""

    code: str
    version: int
    sum_insured: Decimal
    rate: Decimal
    occupation_loading_rate: Decimal
    annual_premium: Decimal


@dataclass(frozen=True)
class QuoteBreakdown:
    """How the annual premium was built; the amounts add up to the main premium."""

    rate: Decimal  # per 1,000 of sum insured
    occupation_loading_rate: Decimal  # fraction
    base_premium: Decimal
    occupation_loading: Decimal
    health_loading: Decimal
    extra_loading: Decimal
    main_premium: Decimal
    riders: tuple[RiderPremium, ...] = ()


@dataclass(frozen=True)
class Quote:
    """The premium of a proposed cover: annual figure and payment schedule."""

    product_code: str
    product_version: int
    sum_insured: Decimal
    term_months: int
    premium_mode: str
    annual_premium: Decimal  # main + riders, per year of cover
    installment_amount: Decimal
    installments_per_year: int  # 12 monthly; 1 annual; 1 single (one installment in all)
    number_of_installments: int
    total_premium: Decimal  # installment_amount × number_of_installments
    breakdown: QuoteBreakdown

    def due_offsets_months(self) -> tuple[int, ...]:
        """Months after the start date at which each installment falls due."""
        step = 12 // self.installments_per_year
        return tuple(i * step for i in range(self.number_of_installments))

    def as_dict(self) -> dict[str, Any]:
        """The quote as plain nested dicts (Decimals kept), e.g. for an event or a response."""
        return asdict(self)


def quote(
    product: Product,
    *,
    age: int | None = None,
    gender: str | None = None,
    sum_insured: Decimal | int | str,
    term_months: int,
    premium_mode: str,
    occupation_class: int,
    health_loading_pct: Decimal | int | str = Decimal(0),
    extra_loading_pct: Decimal | int | str = Decimal(0),
    riders: Sequence[tuple[Product, Decimal | int | str]] = (),
) -> Quote:
    """Price a cover (guide 6.2.4). Each refusal is an InvalidValue naming the input field.

    Annual premium = SI/1000 × rate × (1 + occupation loading) × (1 + health%) × (1 + extra%), plus
    each rider's SI/1000 × rate × (1 + its occupation loading). Age is required for personal lines and
    gender for age/gender-rated products; flat-rated property, liability and credit need neither.
    """
    if product.kind != "main":
        raise InvalidValue("product_code", f"{product.code} is a rider and cannot be quoted on its own")
    si = _amount(sum_insured, "sum_insured")
    health = _percent(health_loading_pct, "health_loading_pct")
    extra = _percent(extra_loading_pct, "extra_loading_pct")
    rate, occupation = _cover_terms(product, age, gender, si, term_months, premium_mode, occupation_class)
    base = si / THOUSAND * rate
    steps = [base, base * (1 + occupation)]
    steps.append(steps[-1] * (1 + health / 100))
    steps.append(steps[-1] * (1 + extra / 100))
    b0, b1, b2, b3 = (money(step) for step in steps)
    rider_premiums: list[RiderPremium] = []
    for i, entry in enumerate(riders):
        if not (isinstance(entry, (tuple, list)) and len(entry) == 2 and isinstance(entry[0], Product)):
            raise InvalidValue(f"riders[{i}]", "must be a (rider product, sum insured) pair")
        rider, rider_si = entry
        if any(r.code == rider.code for r in rider_premiums):
            raise InvalidValue(f"riders[{i}]", "the same rider may be attached only once")
        rider_premiums.append(
            _rider_premium(product, i, rider, rider_si, si, age, gender, term_months, premium_mode, occupation_class)
        )
    annual = b3 + sum((r.annual_premium for r in rider_premiums), Decimal(0))
    if premium_mode == "monthly":
        per_year, count, installment = 12, term_months, money(annual * product.monthly_factor)
    elif premium_mode == "annual":
        per_year, count, installment = 1, term_months // 12, annual
    else:
        years = Decimal(term_months) / 12
        per_year, count, installment = 1, 1, money(annual * years * (1 - product.single_discount))
    breakdown = QuoteBreakdown(rate, occupation, b0, b1 - b0, b2 - b1, b3 - b2, b3, tuple(rider_premiums))
    return Quote(
        product.code,
        product.version,
        si,
        term_months,
        premium_mode,
        annual,
        installment,
        per_year,
        count,
        installment * count,
        breakdown,
    )


def renewal_refusal_reason(refusal: InvalidValue) -> str:
    """Why a renewal cannot be quoted, in words: the refused field and the rule (e.g. "age must be
    between 18 and 65"), at most 500 characters."""
    return f"{refusal.field} {refusal.message}"[:500]


def _cover_terms(
    product: Product, age: int | None, gender: str | None, si: Decimal, term: int, mode: str, occupation_class: int
) -> tuple[Decimal, Decimal]:
    """Check the cover against the product's rules; return its rate and occupation loading."""
    if mode not in product.premium_modes:
        raise InvalidValue("premium_mode", f"must be one of: {', '.join(product.premium_modes)}")
    if isinstance(term, bool) or not isinstance(term, int) or term not in product.terms_months:
        offered = ", ".join(str(t) for t in product.terms_months)
        raise InvalidValue("term_months", f"must be one of the terms offered: {offered}")
    if gender is not None and gender not in GENDERS:
        raise InvalidValue("gender", "must be male or female")
    if age is not None and (isinstance(age, bool) or not isinstance(age, int)):
        raise InvalidValue("age", "must be a whole number")
    if age is None and (product.is_personal or product.rating == "age_gender"):
        raise InvalidValue("age", f"is required for {product.code}")
    if age is not None and not product.insured_age_min <= age <= product.insured_age_max:
        raise InvalidValue("age", f"must be between {product.insured_age_min} and {product.insured_age_max}")
    if age is not None and product.max_expiry_age is not None and age + term // 12 > product.max_expiry_age:
        raise InvalidValue("term_months", f"the insured would be older than {product.max_expiry_age} at expiry")
    if gender is None and product.rating == "age_gender":
        raise InvalidValue("gender", f"is required for {product.code}")
    if not product.sum_insured_min <= si <= product.sum_insured_max:
        raise InvalidValue("sum_insured", f"must be between {product.sum_insured_min} and {product.sum_insured_max}")
    if isinstance(occupation_class, bool) or occupation_class not in OCCUPATION_CLASSES:
        raise InvalidValue("occupation_class", "must be a whole number between 1 and 6")
    loading = product.occupation_loading(occupation_class)
    if loading is None:
        raise InvalidValue("occupation_class", f"class {occupation_class} is not insurable under {product.code}")
    return product.rate_for(age, gender), loading


def _rider_premium(
    main: Product,
    index: int,
    rider: Product,
    rider_si: Decimal | int | str,
    main_si: Decimal,
    age: int | None,
    gender: str | None,
    term: int,
    mode: str,
    occupation_class: int,
) -> RiderPremium:
    field_name = f"riders[{index}]"
    if rider.kind != "rider" or main.code not in rider.attaches_to:
        raise InvalidValue(field_name, f"{rider.code} cannot be attached to {main.code}")
    si = _amount(rider_si, field_name)
    if si > main_si:
        raise InvalidValue(field_name, "the rider's sum insured may not exceed the main sum insured")
    try:
        rate, loading = _cover_terms(rider, age, gender, si, term, mode, occupation_class)
    except InvalidValue as refusal:
        raise InvalidValue(field_name, f"{rider.code}: {refusal.field} {refusal.message}") from None
    premium = money(si / THOUSAND * rate * (1 + loading))
    return RiderPremium(rider.code, rider.version, si, rate, loading, premium)


def _decimal(value: Any, field_name: str) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, (Decimal, int, str, float)):
        raise InvalidValue(field_name, "must be a number")
    try:
        number = value if isinstance(value, Decimal) else Decimal(str(value).strip())
    except InvalidOperation:
        raise InvalidValue(field_name, "must be a number") from None
    if not number.is_finite():
        raise InvalidValue(field_name, "must be a finite number")
    return number


def _amount(value: Any, field_name: str) -> Decimal:
    amount = _decimal(value, field_name)
    if amount <= 0 or amount >= Decimal("1e15"):
        raise InvalidValue(field_name, "must be a positive amount")
    return money(amount)


def _percent(value: Any, field_name: str) -> Decimal:
    pct = _decimal(value, field_name)
    if not 0 <= pct <= MAX_LOADING_PCT:
        raise InvalidValue(field_name, f"must be between 0 and {MAX_LOADING_PCT}")
    return pct
