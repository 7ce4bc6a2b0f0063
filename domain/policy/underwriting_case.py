"""What automatic underwriting looks at (SPEC §5; guide 6.2): the parties, their history, the case.

Value objects that validate in their constructor (raising InvalidValue, HTTP 422): a case whose term
or premium mode the product does not offer, or that leaves a disclosure question unanswered, is an
input error, not an underwriting finding.

Insurable interest (`relationship`). Personal lines (life, health, accident) name the insured's
relation to the applicant (Art. 31): self, spouse, child, parent (applicant an individual), employee
(applicant an enterprise), other_with_consent (the insured's written consent). Property, liability
and credit lines name the insured's interest in the subject (Art. 12, 48): owner, lessee, mortgagee,
or enterprise (the insured enterprise's own assets, legal liability or trade receivables); liability
allows owner, lessee, enterprise; credit only enterprise.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Literal

from domain.errors import InvalidValue
from domain.product.model import PREMIUM_MODES, Product
from domain.values import check_amount

if TYPE_CHECKING:
    from domain.customer.aggregate import Customer

PERSON_RELATIONSHIPS = ("self", "spouse", "child", "parent", "employee", "other_with_consent")
#: Insurable interest in the subject, per non-personal line.
SUBJECT_INTERESTS: dict[str, tuple[str, ...]] = {
    "property": ("owner", "lessee", "mortgagee", "enterprise"),
    "liability": ("owner", "lessee", "enterprise"),
    "credit": ("enterprise",),
}
RELATIONSHIPS = (*PERSON_RELATIONSHIPS, "owner", "lessee", "mortgagee", "enterprise")
ADULT_AGE = 18


def age_on(birth_date: date, on: date) -> int:
    """Age in completed years (周岁) on a date."""
    return on.year - birth_date.year - ((on.month, on.day) < (birth_date.month, birth_date.day))


def _money(value: Any, name: str) -> Decimal | None:
    return None if value is None else check_amount(value, name)


@dataclass(frozen=True)
class Party:
    """An applicant or insured as underwriting sees them; `age` on the application date (None for enterprises)."""

    kind: Literal["individual", "enterprise"]
    age: int | None = None
    gender: str | None = None
    occupation_class: int | None = None
    annual_income: Decimal | None = None
    annual_revenue: Decimal | None = None
    registered: bool = True

    def __post_init__(self) -> None:
        if self.kind == "individual":
            if not isinstance(self.age, int) or isinstance(self.age, bool) or self.age < 0:
                raise InvalidValue("age", "an individual needs an age of 0 or more")
            if self.gender not in ("male", "female"):
                raise InvalidValue("gender", "must be male or female")
        elif self.kind == "enterprise":
            if self.age is not None or self.gender is not None:
                raise InvalidValue("age", "an enterprise has no age or gender")
        else:
            raise InvalidValue("kind", "must be individual or enterprise")
        object.__setattr__(self, "annual_income", _money(self.annual_income, "annual_income"))
        object.__setattr__(self, "annual_revenue", _money(self.annual_revenue, "annual_revenue"))

    @property
    def minor(self) -> bool:
        return self.age is not None and self.age < ADULT_AGE

    @classmethod
    def of(cls, customer: Customer, on: date) -> Party:
        """The party a registered customer is on a date (age in completed years on that date)."""
        born = customer.birth_date
        return cls(
            kind="individual" if customer.kind == "individual" else "enterprise",
            age=age_on(born, on) if born is not None else None,
            gender=customer.gender,
            occupation_class=customer.occupation_class,
            annual_income=customer.annual_income,
            annual_revenue=customer.annual_revenue,
        )


@dataclass(frozen=True)
class History:
    """Reputation of the applicant and insured (6.2.5) and the insured's other cover in the same line."""

    earlier_declines: int = 0
    rescissions: int = 0
    claims_last_3_years: int = 0
    fraud_flags: int = 0
    existing_sum_insured_same_line: Decimal = Decimal(0)

    def __post_init__(self) -> None:
        for name in ("earlier_declines", "rescissions", "claims_last_3_years", "fraud_flags"):
            value = getattr(self, name)
            if not isinstance(value, int) or isinstance(value, bool) or value < 0:
                raise InvalidValue(name, "must be a whole number of 0 or more")
        object.__setattr__(
            self,
            "existing_sum_insured_same_line",
            check_amount(self.existing_sum_insured_same_line, "existing_sum_insured_same_line"),
        )


@dataclass(frozen=True)
class UnderwritingCase:
    """One application as automatic underwriting sees it. Amounts are quantized to the cent."""

    applicant: Party
    insured: Party
    relationship: str
    product: Product
    sum_insured: Decimal
    term_months: int
    premium_mode: str
    application_date: date
    insured_consent: bool = False  # the insured's written consent to the cover and its sum (Art. 34)
    disclosures: Mapping[str, bool] = field(default_factory=dict)  # question id → answered "yes"
    declared_property_value: Decimal | None = None
    history: History = field(default_factory=History)  # the insured's record
    riders: tuple[Any, ...] = ()  # passed to the quote function unchanged
    # the applicant's record, when the applicant is another customer than the insured (6.2.5 looks at both)
    applicant_history: History | None = None
    # the part of the sum insured beyond the insurer's retention plus every treaty's capacity (6.1.1 (6);
    # domain.reinsurance.rules.cede under the treaties covering the product on the application date)
    beyond_capacity: Decimal = Decimal(0)

    def __post_init__(self) -> None:
        if self.relationship not in RELATIONSHIPS:
            raise InvalidValue("relationship", f"must be one of: {', '.join(RELATIONSHIPS)}")
        object.__setattr__(self, "sum_insured", check_amount(self.sum_insured, "sum_insured"))
        if self.sum_insured <= 0:
            raise InvalidValue("sum_insured", "must be more than 0")
        object.__setattr__(
            self, "declared_property_value", _money(self.declared_property_value, "declared_property_value")
        )
        if self.term_months not in self.product.terms_months:
            raise InvalidValue("term_months", f"{self.product.code} offers {self.product.terms_months}")
        if self.premium_mode not in PREMIUM_MODES or self.premium_mode not in self.product.premium_modes:
            raise InvalidValue("premium_mode", f"{self.product.code} offers {self.product.premium_modes}")
        self.product.check_disclosure_answers(self.disclosures)  # every question answered yes or no
        object.__setattr__(self, "disclosures", dict(self.disclosures))

    @property
    def adverse_answers(self) -> tuple[str, ...]:
        """Ids of the disclosure questions answered adversely, in the product's order."""
        return self.product.check_disclosure_answers(self.disclosures)

    @property
    def total_sum_insured(self) -> Decimal:
        """This sum insured plus the insured's other cover in the same line."""
        return self.sum_insured + self.history.existing_sum_insured_same_line
