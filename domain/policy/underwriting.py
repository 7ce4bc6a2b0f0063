"""Automatic underwriting (核保; SPEC §5, guide 6.1–6.2): five checks, exactly one finding each.

Pure functions over plain values: the application layer builds an `UnderwritingCase` (see
`domain.policy.underwriting_case`) and records what `assess` returns.

A finding **declines** only on a hard rule break that no underwriter may override, because the law
voids the contract or the product does not cover the subject (`HARD_DECLINES`); the remedy is a new
application. Everything that needs judgement **refers** the case to a human underwriter (6.3).
When one check finds several issues, its finding carries the worst (declines first, then in rule
order) and lists the others' codes under `data["other_issues"]`.

Death cover (life, accident lines) on anyone but oneself needs the insured's consent (Art. 34),
except a parent insuring a minor child, which is limited to `MINOR_DEATH_COVER_LIMIT` in all (this
and the insured's other same-line cover; a simplified stand-in for the CBIRC limits); nobody else may
buy death cover on a minor (Art. 33, simplified).
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import Any, Literal

from domain.errors import DomainError
from domain.policy.underwriting_case import (
    ADULT_AGE,
    PERSON_RELATIONSHIPS,
    RELATIONSHIPS,
    SUBJECT_INTERESTS,
    History,
    Party,
    UnderwritingCase,
    age_on,
)
from domain.policy.underwriting_findings import (
    CHECKS,
    DEATH_COVER_LINES,
    DECLINE_EXPLANATIONS,
    HARD_DECLINES,
    INSURED_KINDS,
    MAX_CLAIMS_3Y,
    MINOR_DEATH_COVER_LIMIT,
    PASS_CODES,
    PRODUCT_DECLINES,
    REFER_CODES,
    REVENUE_SHARE_LIMIT,
    Check,
    Finding,
    FindingOutcome,
    Issue,
    Outcome,
    QuoteFn,
    QuoteLike,
    UnderwritingResult,
)
from domain.product.model import PERSONAL_LINES, Product

__all__ = [
    "ADULT_AGE",
    "CHECKS",
    "DEATH_COVER_LINES",
    "DECLINE_EXPLANATIONS",
    "HARD_DECLINES",
    "INSURED_KINDS",
    "MAX_CLAIMS_3Y",
    "MINOR_DEATH_COVER_LIMIT",
    "PASS_CODES",
    "PERSON_RELATIONSHIPS",
    "PRODUCT_DECLINES",
    "REFER_CODES",
    "RELATIONSHIPS",
    "REVENUE_SHARE_LIMIT",
    "SUBJECT_INTERESTS",
    "Check",
    "Finding",
    "FindingOutcome",
    "History",
    "Outcome",
    "Party",
    "QuoteFn",
    "QuoteLike",
    "UnderwritingCase",
    "UnderwritingResult",
    "age_on",
    "assess",
    "check_eligibility",
    "check_moral_hazard",
    "check_rate",
    "check_subject",
    "check_sum_insured",
    "decline_notice",
    "suggest_products",
]


def _finding(check: Check, issues: list[Issue], data: dict[str, Any]) -> Finding:
    if not issues:
        return Finding(check, "pass", PASS_CODES[check], "no adverse finding", data)
    declines = [i for i in issues if i[0] in HARD_DECLINES]
    code, detail = (declines or issues)[0]
    others = [c for c, _ in issues if c != code]
    return Finding(
        check, "decline" if declines else "refer", code, detail, {**data, "other_issues": others} if others else data
    )


def check_eligibility(case: UnderwritingCase) -> Finding:
    """6.2.1 the applicant may apply and has an insurable interest in the insured or the subject."""
    a, i, rel, line = case.applicant, case.insured, case.relationship, case.product.line
    issues: list[Issue] = []
    if not a.registered:
        issues.append(("applicant-not-registered", "the applicant is not a registered customer"))
    if line in PERSONAL_LINES:
        needs = {"employee": "enterprise", "other_with_consent": a.kind}.get(rel, "individual")
        unconsented = rel == "other_with_consent" and not case.insured_consent
        if rel not in PERSON_RELATIONSHIPS or a.kind != needs or unconsented:
            issues.append(
                (
                    "no-insurable-interest",
                    f"'{rel}' gives an {a.kind} applicant no insurable interest in the insured (Art. 31)",
                )
            )
        if line in DEATH_COVER_LINES and i.minor and rel not in ("self", "child"):
            issues.append(("death-cover-on-minor", "only a parent may buy death cover on a minor (Art. 33)"))
        elif (
            line in DEATH_COVER_LINES
            and rel != "self"
            and not (rel == "child" and i.minor)
            and not case.insured_consent
        ):
            issues.append(("consent-required", "death cover on another person needs the insured's consent (Art. 34)"))
        total = case.total_sum_insured
        if line in DEATH_COVER_LINES and rel == "child" and i.minor and total > MINOR_DEATH_COVER_LIMIT:
            issues.append(
                (
                    "minor-death-cover-limit",
                    f"death cover on a minor of {total} in all exceeds {MINOR_DEATH_COVER_LIMIT}",
                )
            )
    elif rel not in SUBJECT_INTERESTS[line] or (rel == "enterprise" and i.kind != "enterprise"):
        issues.append(("no-insurable-interest", f"'{rel}' is not an insurable interest for {line} cover"))
    if a.minor:
        issues.append(("applicant-minor", "the applicant is a minor: the guardian's ratification is needed"))
    return _finding(
        "6.2.1-eligibility",
        issues,
        {
            "relationship": rel,
            "applicant_kind": a.kind,
            "applicant_age": a.age,
            "insured_consent": case.insured_consent,
            "death_cover": line in DEATH_COVER_LINES,
        },
    )


def check_subject(case: UnderwritingCase) -> Finding:
    """6.2.2 the insured is a subject the product covers: kind, age (also at expiry), occupation class."""
    p, i = case.product, case.insured
    issues: list[Issue] = []
    if i.kind not in INSURED_KINDS.get(p.line, ("individual",)):
        issues.append(("insured-kind-not-allowed", f"{p.line} cover does not take an {i.kind} insured"))
    if i.age is not None and not p.insured_age_min <= i.age <= p.insured_age_max:
        issues.append(("age-out-of-range", f"age {i.age} outside {p.insured_age_min}–{p.insured_age_max}"))
    elif i.age is not None and p.max_expiry_age is not None and i.age + case.term_months // 12 > p.max_expiry_age:
        issues.append(("age-at-expiry-out-of-range", f"the insured would be older than {p.max_expiry_age} at expiry"))
    if i.kind == "individual" and (i.occupation_class is None or p.occupation_loading(i.occupation_class) is None):
        issues.append(("occupation-not-insurable", f"occupation class {i.occupation_class} is not insurable"))
    return _finding(
        "6.2.2-subject",
        issues,
        {
            "insured_kind": i.kind,
            "insured_age": i.age,
            "age_min": p.insured_age_min,
            "age_max": p.insured_age_max,
            "max_expiry_age": p.max_expiry_age,
            "occupation_class": i.occupation_class,
        },
    )


def check_sum_insured(case: UnderwritingCase) -> Finding:
    """6.2.3 the sum insured is within the product's limits and justified by income, value or revenue."""
    p, si, total = case.product, case.sum_insured, case.total_sum_insured
    data: dict[str, Any] = {
        "sum_insured": si,
        "existing_same_line": case.history.existing_sum_insured_same_line,
        "min": p.sum_insured_min,
        "max": p.sum_insured_max,
    }
    issues: list[Issue] = []
    if not p.sum_insured_min <= si <= p.sum_insured_max:
        issues.append(("sum-insured-out-of-range", f"{si} outside {p.sum_insured_min}–{p.sum_insured_max}"))
    if p.line in PERSONAL_LINES and p.max_income_multiple is not None:
        # a minor child has no income of their own: the parent's income justifies the cover
        earner = case.applicant if case.relationship == "child" and case.insured.minor else case.insured
        income = earner.annual_income
        data.update(income=income, income_multiple=p.max_income_multiple)
        if not income:
            issues.append(("income-unknown", "no income to justify the sum insured"))
        elif total > income * p.max_income_multiple:
            issues.append(
                (
                    "sum-insured-exceeds-income-multiple",
                    f"{total} in all exceeds {p.max_income_multiple} × income {income}",
                )
            )
    elif p.line == "property":
        value = data["declared_property_value"] = case.declared_property_value
        if not value:
            issues.append(("property-value-unknown", "no declared property value"))
        elif total > value:  # over-insurance and double insurance (Art. 55, 56)
            issues.append(("sum-insured-exceeds-property-value", f"{total} in all exceeds the value {value}"))
    elif p.line in ("liability", "credit"):
        revenue = data["annual_revenue"] = case.insured.annual_revenue
        if not revenue:
            issues.append(("revenue-unknown", "no annual revenue to justify the sum insured"))
        elif total > revenue * REVENUE_SHARE_LIMIT:
            issues.append(
                (
                    "sum-insured-exceeds-revenue-share",
                    f"{total} in all exceeds {REVENUE_SHARE_LIMIT} × revenue {revenue}",
                )
            )
    if case.beyond_capacity > 0:  # 6.1.1 (6): what no treaty holds needs a facultative placement
        data["beyond_capacity"] = case.beyond_capacity
        issues.append(
            (
                "beyond-reinsurance-capacity",
                f"{case.beyond_capacity} of the sum insured is beyond the retention and every treaty's capacity",
            )
        )
    return _finding("6.2.3-sum-insured", issues, data)


def check_rate(
    case: UnderwritingCase, quote_fn: QuoteFn, *, unrated_because: str | None = None
) -> tuple[Finding, QuoteLike | None]:
    """6.2.4 the premium from the rate table with age, gender, occupation and health loadings.

    Enterprises have no age, gender or occupation: they are quoted without age and gender, at class 1
    (every product insures class 1). `unrated_because` skips the quote (the cover breaks a hard rule).
    """
    p, i = case.product, case.insured
    adverse = list(case.adverse_answers)
    health_pct = p.health_loading_for(case.disclosures)
    occupation = i.occupation_class if i.kind == "individual" else 1
    data: dict[str, Any] = {
        "occupation_class": i.occupation_class,
        "occupation_loading": (p.occupation_loading(occupation) if occupation is not None else None) or Decimal(0),
        "health_loading_pct": health_pct,
        "adverse_answers": adverse,
    }
    issues: list[Issue] = []
    quote: QuoteLike | None = None
    try:
        if unrated_because is not None:
            raise DomainError(f"the cover is outside the product's rules ({unrated_because})")
        quote = quote_fn(
            p,
            age=i.age,
            gender=i.gender,
            sum_insured=case.sum_insured,
            term_months=case.term_months,
            premium_mode=case.premium_mode,
            occupation_class=occupation,
            health_loading_pct=health_pct,
            extra_loading_pct=Decimal(0),
            riders=case.riders,
        )
        data.update(annual_premium=quote.annual_premium, installment_amount=getattr(quote, "installment_amount", None))
    except (DomainError, LookupError) as e:  # the catalogue refuses with InvalidValue; a missing band is a KeyError
        issues.append(("rate-unavailable", f"no premium from the rate table: {e}"))
    if adverse:
        issues.append(("adverse-disclosure", f"adverse answers to {', '.join(adverse)}; health loading {health_pct}%"))
    return _finding("6.2.4-rate", issues, data), quote


def check_moral_hazard(case: UnderwritingCase, party: Literal["insured", "applicant"] = "insured") -> Finding:
    """6.2.5 reputation and moral hazard of one party (the insured's record, or the applicant's when the
    applicant is another customer): fraud, rescissions, declines, frequent claims."""
    h = case.history if party == "insured" else (case.applicant_history or History())
    who = "" if party == "insured" else "the applicant: "
    issues: list[Issue] = []
    if h.fraud_flags:
        issues.append(("fraud-flag", f"{who}{h.fraud_flags} fraud flag(s)"))
    if h.rescissions:
        issues.append(("earlier-rescission", f"{who}{h.rescissions} earlier rescission(s)"))
    if h.earlier_declines:
        issues.append(("earlier-decline", f"{who}{h.earlier_declines} earlier decline(s)"))
    if h.claims_last_3_years > MAX_CLAIMS_3Y:
        issues.append(
            ("frequent-claims", f"{who}{h.claims_last_3_years} claims in 3 years (more than {MAX_CLAIMS_3Y})")
        )
    return _finding(
        "6.2.5-moral-hazard",
        issues,
        {
            "party": party,
            "earlier_declines": h.earlier_declines,
            "rescissions": h.rescissions,
            "claims_last_3_years": h.claims_last_3_years,
            "fraud_flags": h.fraud_flags,
        },
    )


def assess(case: UnderwritingCase, quote_fn: QuoteFn) -> UnderwritingResult:
    """Run the five checks (6.2.1–6.2.5): accepted if all pass, declined on any hard break, else referred."""
    eligibility, subject, sum_insured = check_eligibility(case), check_subject(case), check_sum_insured(case)
    breaks = [f.code for f in (subject, sum_insured) if f.outcome == "decline"]
    rated, quote = check_rate(case, quote_fn, unrated_because=", ".join(breaks) or None)
    findings: tuple[Finding, ...] = (eligibility, subject, sum_insured, rated, check_moral_hazard(case))
    if case.applicant_history is not None:  # the applicant is another customer: their own 6.2.5 finding
        findings += (check_moral_hazard(case, "applicant"),)
    outcomes = {f.outcome for f in findings}
    outcome: Outcome = "declined" if "decline" in outcomes else "referred" if "refer" in outcomes else "accepted"
    return UnderwritingResult(outcome, findings, quote)


def _fits(product: Product, case: UnderwritingCase) -> bool:
    """Whether the insured and the sum insured meet `product`'s own rules (6.2.2, 6.2.3 limits), for at
    least one of its terms."""
    i = case.insured
    if i.kind not in INSURED_KINDS.get(product.line, ("individual",)):
        return False
    if i.age is not None:
        if not product.insured_age_min <= i.age <= product.insured_age_max:
            return False
        shortest = min(product.terms_months, default=0) // 12
        if product.max_expiry_age is not None and i.age + shortest > product.max_expiry_age:
            return False
    if i.kind == "individual" and (
        i.occupation_class is None or product.occupation_loading(i.occupation_class) is None
    ):
        return False
    return product.sum_insured_min <= case.sum_insured <= product.sum_insured_max


def suggest_products(
    case: UnderwritingCase, result: UnderwritingResult, products: Iterable[Product]
) -> tuple[str, ...]:
    """6.3.3: on a decline by the product's own rules only (`PRODUCT_DECLINES`), the other main products of
    the same line whose rules the insured and the sum insured meet (codes, sorted). None otherwise: a
    decline for the applicant's interest or the insured's consent would follow the case to any product."""
    if result.outcome != "declined" or any(f.code not in PRODUCT_DECLINES for f in result.reasons):
        return ()
    line, code = case.product.line, case.product.code
    return tuple(
        sorted(p.code for p in products if p.kind == "main" and p.line == line and p.code != code and _fits(p, case))
    )


def decline_notice(result: UnderwritingResult, suggested: Iterable[str] = ()) -> str:
    """The written notice of an automatic decline with its reasons (6.3.2 (1)) and the products suggested
    instead (6.3.3): one line per declining finding, its check and code, and what the rule is."""
    reasons = []
    for f in result.reasons:
        template = DECLINE_EXPLANATIONS.get(f.code, f.code)
        try:
            explained = template.format(**f.data)
        except (KeyError, IndexError):
            explained = template
        reasons.append(f"{f.check} {f.code}: {explained}")
    text = "Declined by automatic underwriting (6.3.2): " + "; ".join(reasons) + "."
    others = list(suggested)
    if others:
        text += " Other products to apply for (6.3.3): " + ", ".join(others) + "."
    return text
