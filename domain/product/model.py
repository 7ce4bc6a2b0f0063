"""Products of the catalogue (SPEC §3; guide ch. 3): versioned reference data.

A policy records the product code and version it was sold under, so replays never change meaning
when a product is revised. The data files live in domain/catalogue/, one per product version;
domain.product.catalogue loads and validates them; domain.product.quotation prices a cover.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Literal

from domain.errors import InvalidValue

Line = Literal["life", "health", "accident", "property", "liability", "credit"]
Kind = Literal["main", "rider"]
PremiumMode = Literal["single", "annual", "monthly"]
Gender = Literal["male", "female"]
Rating = Literal["age_gender", "flat"]

LINES: tuple[str, ...] = ("life", "health", "accident", "property", "liability", "credit")
PERSONAL_LINES: tuple[str, ...] = ("life", "health", "accident")
KINDS: tuple[str, ...] = ("main", "rider")
PREMIUM_MODES: tuple[str, ...] = ("single", "annual", "monthly")
GENDERS: tuple[str, ...] = ("male", "female")
RATINGS: tuple[str, ...] = ("age_gender", "flat")
OCCUPATION_CLASSES: tuple[int, ...] = (1, 2, 3, 4, 5, 6)
#: 5.2 (3) e 争议处理: a court of law, or the arbitration commission the contract names.
DISPUTE_RESOLUTIONS: tuple[str, ...] = ("litigation", "arbitration")
#: The claim documents every product asks for (guide 7.1 (1): application, contract, identity).
BASE_CLAIM_DOCUMENTS: tuple[str, ...] = ("claim_form", "policy_contract", "id_proof")

CENT = Decimal("0.01")
THOUSAND = Decimal(1000)


@dataclass(frozen=True)
class RateBand:
    """Annual premium per 1,000 of sum insured for insured ages age_from..age_to (inclusive)."""

    age_from: int
    age_to: int
    male: Decimal
    female: Decimal


@dataclass(frozen=True)
class DisclosureQuestion:
    """A question the applicant must answer truthfully (Art. 16). `adverse` is the answer that needs a human."""

    id: str
    text_zh: str
    text_en: str
    adverse: bool = True
    health_loading_pct: Decimal = Decimal(0)  # suggested loading when answered adversely


@dataclass(frozen=True)
class ClaimDocument:
    """A document a claim under this product needs (guide 7.1 (1))."""

    code: str
    name_zh: str
    name_en: str


@dataclass(frozen=True)
class Product:
    """One version of one product."""

    code: str
    version: int
    name_zh: str
    name_en: str
    line: Line
    kind: Kind
    terms_months: tuple[int, ...]
    premium_modes: tuple[PremiumMode, ...]
    cooling_off_days: int
    cancellation_fee: Decimal
    waiting_period_days: int
    grace_days: int
    insured_age_min: int
    insured_age_max: int
    sum_insured_min: Decimal
    sum_insured_max: Decimal
    deductible: Decimal
    payout_ratio: Decimal
    rating: Rating
    rate_bands: tuple[RateBand, ...] = ()
    flat_rate: Decimal | None = None  # per 1,000 of sum insured (‰)
    # occupation class (1–6) → loading fraction (0.25 = +25 %); a missing class is not insurable
    occupation_loadings: Mapping[int, Decimal] = field(default_factory=dict, hash=False)
    disclosure_questions: tuple[DisclosureQuestion, ...] = ()
    claim_documents: tuple[ClaimDocument, ...] = ()
    covered_causes: tuple[str, ...] = ()
    exclusions: tuple[str, ...] = ()
    attaches_to: tuple[str, ...] = ()  # riders: the main product codes they may attach to
    # sum insured justified by income (personal lines): at most income × this multiple
    max_income_multiple: Decimal | None = None
    # cash value as a fraction of premiums paid, by completed policy year (life; surrender, termination)
    cash_value_by_year: tuple[Decimal, ...] = ()
    renewable: bool = False
    renewal_offer_days: int = 30  # renewal offered this many days before expiry (short-term)
    monthly_factor: Decimal = Decimal("0.09")  # monthly installment = annual premium × factor
    single_discount: Decimal = Decimal(0)  # single premium = annual × years × (1 − discount)
    max_expiry_age: int | None = None  # the insured's age at expiry may not exceed this
    # the cover ends (保险责任终止) once a claim uses up its sum insured (a death benefit always ends it)
    ends_on_exhaustion: bool = False
    # the waiting period counts again from a reinstatement (cover resuming after a lapse)
    waiting_period_restarts_on_reinstatement: bool = False
    # 5.2 (3) e: how a dispute under the contract is resolved (the design check requires it)
    dispute_resolution: str | None = None

    @property
    def is_long_term(self) -> bool:
        """Whether any term offered exceeds one year (cooling-off applies, cash values exist)."""
        return max(self.terms_months, default=0) > 12

    @property
    def is_personal(self) -> bool:
        """Life, health or accident: the insured is a person whose age (and gender) rate the cover."""
        return self.line in PERSONAL_LINES

    @property
    def claim_document_codes(self) -> tuple[str, ...]:
        return tuple(doc.code for doc in self.claim_documents)

    def rate_for(self, age: int | None, gender: str | None) -> Decimal:
        """The annual rate per 1,000 of sum insured; KeyError when no band or gender applies."""
        if self.rating == "flat":
            assert self.flat_rate is not None
            return self.flat_rate
        for band in self.rate_bands:
            if age is not None and band.age_from <= age <= band.age_to:
                if gender == "male":
                    return band.male
                if gender == "female":
                    return band.female
        raise KeyError((age, gender))

    def occupation_loading(self, occupation_class: int) -> Decimal | None:
        """The loading fraction for the class, or None when the class is not insurable."""
        return self.occupation_loadings.get(occupation_class)

    def cash_value_fraction(self, completed_years: int) -> Decimal:
        """Cash value as a fraction of premiums paid after `completed_years` full policy years."""
        if not self.cash_value_by_year or completed_years < 0:
            return Decimal(0)
        return self.cash_value_by_year[min(completed_years, len(self.cash_value_by_year) - 1)]

    def check_disclosure_answers(self, answers: Mapping[str, Any]) -> tuple[str, ...]:
        """Validate yes/no answers to every question; return the ids answered adversely."""
        known = {q.id for q in self.disclosure_questions}
        for key in answers:
            if key not in known:
                raise InvalidValue(f"disclosure_answers.{key}", "is not a question of this product")
        adverse: list[str] = []
        for question in self.disclosure_questions:
            answer = answers.get(question.id)
            if not isinstance(answer, bool):
                raise InvalidValue(f"disclosure_answers.{question.id}", "must be answered true or false")
            if answer == question.adverse:
                adverse.append(question.id)
        return tuple(adverse)

    def health_loading_for(self, answers: Mapping[str, Any]) -> Decimal:
        """The sum of the suggested health loadings (%) of the adversely answered questions."""
        adverse = set(self.check_disclosure_answers(answers))
        return sum((q.health_loading_pct for q in self.disclosure_questions if q.id in adverse), Decimal(0))
