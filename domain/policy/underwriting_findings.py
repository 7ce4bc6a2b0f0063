"""What automatic underwriting finds (核保; SPEC §5, guide 6.2–6.3): the five checks, their finding codes
(which decline, which refer), the written reasons of a decline, and the result of a case. Plain values;
the checks themselves are in domain.policy.underwriting (these names are importable from there too).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Literal, Protocol

Check = Literal["6.2.1-eligibility", "6.2.2-subject", "6.2.3-sum-insured", "6.2.4-rate", "6.2.5-moral-hazard"]
FindingOutcome = Literal["pass", "refer", "decline"]
Outcome = Literal["accepted", "referred", "declined"]

CHECKS: tuple[Check, ...] = (
    "6.2.1-eligibility",
    "6.2.2-subject",
    "6.2.3-sum-insured",
    "6.2.4-rate",
    "6.2.5-moral-hazard",
)
DEATH_COVER_LINES = ("life", "accident")
MINOR_DEATH_COVER_LIMIT = Decimal(500000)
REVENUE_SHARE_LIMIT = Decimal("0.5")  # liability and credit: SI at most half the annual revenue
MAX_CLAIMS_3Y = 2

#: Finding codes that decline; every other non-pass code refers.
HARD_DECLINES = frozenset(
    {
        "applicant-not-registered",
        "no-insurable-interest",
        "consent-required",
        "death-cover-on-minor",
        "insured-kind-not-allowed",
        "age-out-of-range",
        "age-at-expiry-out-of-range",
        "occupation-not-insurable",
        "sum-insured-out-of-range",
    }
)
REFER_CODES = frozenset(
    {
        "applicant-minor",
        "minor-death-cover-limit",
        "income-unknown",
        "sum-insured-exceeds-income-multiple",
        "property-value-unknown",
        "sum-insured-exceeds-property-value",
        "revenue-unknown",
        "sum-insured-exceeds-revenue-share",
        "rate-unavailable",
        "adverse-disclosure",
        "fraud-flag",
        "earlier-rescission",
        "earlier-decline",
        "frequent-claims",
        "beyond-reinsurance-capacity",
    }
)
#: The kinds of insured each line takes (every other line: individuals).
INSURED_KINDS = {"property": ("individual", "enterprise"), "liability": ("enterprise",), "credit": ("enterprise",)}
#: Declines that are the product's own rules (6.2.2 the subject, 6.2.3 its limits): another product of the
#: same line may take the case, so a decline of only these suggests the products that would (6.3.3).
PRODUCT_DECLINES = frozenset(
    {
        "insured-kind-not-allowed",
        "age-out-of-range",
        "age-at-expiry-out-of-range",
        "occupation-not-insurable",
        "sum-insured-out-of-range",
    }
)
#: What the written notice of an automatic decline says for each declining finding (6.3.2 (1)): the rule,
#: and the product's figures where they help, never the applicant's or insured's own (age, gender, income).
DECLINE_EXPLANATIONS = {
    "applicant-not-registered": "the applicant is not a registered customer",
    "no-insurable-interest": "the applicant has no insurable interest in the insured or the subject (Art. 12, 31)",
    "consent-required": "death cover on another person needs the insured's written consent (Art. 34)",
    "death-cover-on-minor": "only a parent may buy death cover on a minor (Art. 33)",
    "insured-kind-not-allowed": "the product does not insure this kind of insured",
    "age-out-of-range": "the insured's age is outside the product's insured ages ({age_min}–{age_max})",
    "age-at-expiry-out-of-range": "the insured would be older than {max_expiry_age} at expiry",
    "occupation-not-insurable": "the insured's occupation class is not insurable under the product",
    "sum-insured-out-of-range": "the sum insured is outside the product's limits ({min}–{max})",
}
PASS_CODES: dict[Check, str] = {
    "6.2.1-eligibility": "eligible",
    "6.2.2-subject": "subject-acceptable",
    "6.2.3-sum-insured": "sum-insured-justified",
    "6.2.4-rate": "standard-rate",
    "6.2.5-moral-hazard": "good-standing",
}


@dataclass(frozen=True)
class Finding:
    """The result of one check: pass, refer or decline, with a stable code and the figures used."""

    check: Check
    outcome: FindingOutcome
    code: str
    detail: str
    data: dict[str, Any] = field(default_factory=dict, hash=False)

    def as_dict(self) -> dict[str, Any]:
        return {
            "check": self.check,
            "outcome": self.outcome,
            "code": self.code,
            "detail": self.detail,
            "data": dict(self.data),
        }


class QuoteLike(Protocol):
    """What underwriting needs of the catalogue's Quote."""

    @property
    def annual_premium(self) -> Decimal: ...


#: The catalogue's `quote(product, *, age, gender, sum_insured, term_months, premium_mode,
#: occupation_class, health_loading_pct, extra_loading_pct, riders)`.
QuoteFn = Callable[..., QuoteLike]


@dataclass(frozen=True)
class UnderwritingResult:
    """Five findings in `CHECKS` order (6.2.5: the insured's), a sixth 6.2.5 finding for the applicant
    when the applicant is another customer, the outcome they give, and the quote of 6.2.4 (None if unrated)."""

    outcome: Outcome
    findings: tuple[Finding, ...]
    quote: QuoteLike | None = None

    @property
    def reasons(self) -> tuple[Finding, ...]:
        """The findings behind the outcome: the declines of a declined case, the referrals of a referred one."""
        wanted = {"declined": "decline", "referred": "refer"}.get(self.outcome)
        return tuple(f for f in self.findings if f.outcome == wanted)

    @property
    def annual_premium(self) -> Decimal | None:
        return None if self.quote is None else self.quote.annual_premium

    def finding(self, check: Check) -> Finding:
        return self.findings[CHECKS.index(check)]


Issue = tuple[str, str]  # (code, detail); the outcome follows from HARD_DECLINES
