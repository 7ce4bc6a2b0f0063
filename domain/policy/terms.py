"""What a policy records of its product and its application (SPEC §5; guide 5.2): input checks.

A policy stores the product code and version it was sold under, and a snapshot of the product terms
its own rules use (`product_terms`), so that replaying a policy never needs the catalogue and never
changes meaning when a product is revised. Each check raises InvalidValue naming the input field.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict, is_dataclass
from decimal import Decimal
from typing import Any

from domain.errors import InvalidValue
from domain.policy.underwriting_case import RELATIONSHIPS
from domain.product.model import PERSONAL_LINES, Product
from domain.values import check_amount, check_choice, check_date, check_id, check_positive, check_text

HUNDRED = Decimal(100)
FINDING_OUTCOMES = ("pass", "refer", "decline")
INSURER = "Inscribe Insurance Co., Ltd."
CLAIM_PAYMENT_METHOD = "bank transfer"


def product_terms(product: Product) -> dict[str, Any]:
    """The product terms a policy's own rules need, as plain JSON-able values."""
    return {
        "name_zh": product.name_zh,
        "name_en": product.name_en,
        "line": product.line,
        "premium_modes": list(product.premium_modes),
        "cooling_off_days": product.cooling_off_days,
        "cancellation_fee": product.cancellation_fee,
        "waiting_period_days": product.waiting_period_days,
        "grace_days": product.grace_days,
        "sum_insured_min": product.sum_insured_min,
        "sum_insured_max": product.sum_insured_max,
        "deductible": product.deductible,
        "payout_ratio": product.payout_ratio,
        "covered_causes": list(product.covered_causes),
        "exclusions": list(product.exclusions),
        "cash_value_by_year": [Decimal(v) for v in product.cash_value_by_year],
        "renewable": product.renewable,
        "renewal_offer_days": product.renewal_offer_days,
        "monthly_factor": product.monthly_factor,
        "ends_on_exhaustion": product.ends_on_exhaustion,
        "waiting_period_restarts_on_reinstatement": product.waiting_period_restarts_on_reinstatement,
    }


def check_application(
    *,
    applicant_id: Any,
    insured_id: Any,
    relationship: Any,
    beneficiaries: Any,
    product: Any,
    riders: Any,
    sum_insured: Any,
    term_months: Any,
    premium_mode: Any,
    disclosures: Any,
    agent_id: Any,
    channel: Any,
    applied_on: Any,
    quoted_annual_premium: Any,
    quoted_installment: Any,
) -> dict[str, Any]:
    """Check an application against its product (terms, modes, sum insured, riders, every disclosure
    question answered); return the fields of the Applied event."""
    if not isinstance(product, Product) or product.kind != "main":
        raise InvalidValue("product", "must be a main product of the catalogue")
    si = check_positive(sum_insured, "sum_insured")
    if not product.sum_insured_min <= si <= product.sum_insured_max:
        raise InvalidValue("sum_insured", f"must be between {product.sum_insured_min} and {product.sum_insured_max}")
    if isinstance(term_months, bool) or term_months not in product.terms_months:
        raise InvalidValue("term_months", f"{product.code} offers {list(product.terms_months)}")
    attached = check_riders(riders, product)
    return {
        "applicant_id": check_id(applicant_id, "applicant_id"),
        "insured_id": check_id(insured_id, "insured_id"),
        "relationship": check_choice(relationship, "relationship", RELATIONSHIPS),
        "beneficiaries": check_beneficiaries(beneficiaries, product.line),
        "product_code": product.code,
        "product_version": product.version,
        "product_terms": product_terms(product),
        # each rider with the terms of its own cover (older events hold code, version, sum_insured only)
        "riders": [
            {"code": r.code, "version": r.version, "sum_insured": s, "terms": product_terms(r)} for r, s in attached
        ],
        "sum_insured": si,
        "term_months": term_months,
        "premium_mode": check_choice(premium_mode, "premium_mode", tuple(product.premium_modes)),
        "disclosures": check_disclosures(disclosures, [product, *(r for r, _ in attached)]),
        "agent_id": check_id(agent_id, "agent_id"),
        "channel": check_text(channel, "channel", 50),
        "applied_on": check_date(applied_on, "applied_on"),
        # No quote is possible when the product cannot cover the insured at all (a hard decline).
        "quoted_annual_premium": None
        if quoted_annual_premium is None
        else check_positive(quoted_annual_premium, "quoted_annual_premium"),
        "quoted_installment": None
        if quoted_installment is None
        else check_positive(quoted_installment, "quoted_installment"),
    }


def check_beneficiaries(value: Any, line: str, field: str = "beneficiaries") -> list[dict[str, Any]]:
    """Beneficiaries by customer id or name, shares in percent summing to exactly 100.

    Required for personal lines; property, liability and credit may name none (the insured).
    """
    if not isinstance(value, (list, tuple)):
        raise InvalidValue(field, "must be a list")
    if not value:
        if line in PERSONAL_LINES:
            raise InvalidValue(field, f"name at least one beneficiary for {line} cover")
        return []
    if len(value) > 20:
        raise InvalidValue(field, "at most 20 beneficiaries")
    result: list[dict[str, Any]] = []
    for i, raw in enumerate(value):
        where = f"{field}[{i}]"
        if not isinstance(raw, Mapping):
            raise InvalidValue(where, "must be an object with customer_id or name, and share")
        unknown = set(raw) - {"customer_id", "name", "share"}
        if unknown:
            raise InvalidValue(f"{where}.{sorted(unknown)[0]}", "unknown field")
        customer_id = raw.get("customer_id")
        name = raw.get("name")
        if customer_id is None and name is None:
            raise InvalidValue(where, "give customer_id or name")
        share = check_amount(raw.get("share"), f"{where}.share")
        if share <= 0:
            raise InvalidValue(f"{where}.share", "must be more than 0")
        result.append(
            {
                "customer_id": None if customer_id is None else check_id(customer_id, f"{where}.customer_id"),
                "name": None if name is None else check_text(name, f"{where}.name", 100),
                "share": share,
            }
        )
    if sum(b["share"] for b in result) != HUNDRED:
        raise InvalidValue(f"{field}.share", "the shares must sum to exactly 100")
    return result


def check_disclosures(value: Any, products: Sequence[Product]) -> dict[str, bool]:
    """A true/false answer to every disclosure question of the product and its riders."""
    if not isinstance(value, Mapping):
        raise InvalidValue("disclosures", "must be an object of question id to true/false")
    questions = [q.id for product in products for q in product.disclosure_questions]
    for key in value:
        if key not in questions:
            raise InvalidValue(f"disclosures.{key}", "is not a question of this product")
    for qid in questions:
        if not isinstance(value.get(qid), bool):
            raise InvalidValue(f"disclosures.{qid}", "must be answered true or false")
    return {qid: value[qid] for qid in questions}


def check_riders(value: Any, main: Product) -> list[tuple[Product, Decimal]]:
    if not isinstance(value, (list, tuple)):
        raise InvalidValue("riders", "must be a list of (rider product, sum insured)")
    result: list[tuple[Product, Decimal]] = []
    for i, raw in enumerate(value):
        where = f"riders[{i}]"
        if not isinstance(raw, (list, tuple)) or len(raw) != 2 or not isinstance(raw[0], Product):
            raise InvalidValue(where, "must be a (rider product, sum insured) pair")
        rider, si = raw[0], check_positive(raw[1], f"{where}.sum_insured")
        if rider.kind != "rider" or main.code not in rider.attaches_to:
            raise InvalidValue(where, f"{rider.code} is not a rider of {main.code}")
        if any(r.code == rider.code for r, _ in result):
            raise InvalidValue(where, "the same rider may be attached only once")
        if not rider.sum_insured_min <= si <= rider.sum_insured_max:
            raise InvalidValue(
                f"{where}.sum_insured", f"must be between {rider.sum_insured_min} and {rider.sum_insured_max}"
            )
        result.append((rider, si))
    return result


def plain(value: Any) -> Any:
    """Dataclasses to dicts and tuples to lists, recursively: what a stored event reads back as."""
    if is_dataclass(value) and not isinstance(value, type):
        return plain(asdict(value))
    if isinstance(value, Mapping):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    return value


def check_findings(value: Any, outcome: str) -> list[dict[str, Any]]:
    """One finding per check (check, outcome pass|refer|decline, code) that together give `outcome`;
    a check made of two parties (6.2.5: the insured and the applicant) once per party (`data.party`)."""
    if not isinstance(value, (list, tuple)) or not value:
        raise InvalidValue("findings", "give one finding per check")
    findings = [plain(f) for f in value]
    seen: set[str] = set()
    for i, finding in enumerate(findings):
        if not isinstance(finding, dict):
            raise InvalidValue(f"findings[{i}]", "must be an object")
        check = check_text(finding.get("check"), f"findings[{i}].check", 100)
        # 6.2.5 looks at the insured and, when another customer, the applicant: one finding per party
        party = (finding.get("data") or {}).get("party") if isinstance(finding.get("data"), dict) else None
        key = check if party in (None, "insured") else f"{check}:{party}"
        if key in seen:
            raise InvalidValue(f"findings[{i}].check", "one finding per check")
        seen.add(key)
        if finding.get("outcome") not in FINDING_OUTCOMES:
            raise InvalidValue(f"findings[{i}].outcome", "must be pass, refer or decline")
        check_text(finding.get("code"), f"findings[{i}].code", 100)
    outcomes = {f["outcome"] for f in findings}
    implied = "declined" if "decline" in outcomes else "referred" if "refer" in outcomes else "accepted"
    if outcome != implied:
        raise InvalidValue("outcome", f"the findings give {implied}, not {outcome}")
    return findings


def contract_terms(policy: Any, policy_number: str, start: Any, end: Any) -> dict[str, Any]:
    """The terms of the contract, clause by clause as guide 5.2 (3) a–f lists them."""
    terms = policy.product_terms
    return {
        "a_parties": {
            "insurer": INSURER,
            "applicant_id": policy.applicant_id,
            "insured_id": policy.insured_id,
            "relationship": policy.relationship,
            "beneficiaries": [dict(b) for b in policy.beneficiaries],
        },
        "b_subject_and_cover": {
            "product_code": policy.product_code,
            "product_version": policy.product_version,
            "product_name_zh": terms["name_zh"],
            "product_name_en": terms["name_en"],
            "line": terms["line"],
            "riders": [dict(r) for r in policy.riders],
            "sum_insured": policy.sum_insured,
            "covered_causes": list(terms["covered_causes"]),
            "exclusions": list(terms["exclusions"]) + list(policy.exclusions),
            "loading_pct": policy.loading_pct,
            "waiting_period_days": terms["waiting_period_days"],
            "start_date": start,
            "end_date": end,
            "term_months": policy.term_months,
        },
        "c_premium": {
            "premium_mode": policy.premium_mode,
            "annual_premium": policy.annual_premium,
            "installment": policy.installment,
            "payment": "to the insurer's account by the due date",
        },
        "d_claim_payment": {
            "method": CLAIM_PAYMENT_METHOD,
            "deductible": terms["deductible"],
            "payout_ratio": terms["payout_ratio"],
        },
        "e_breach_and_disputes": {
            "late_premium": "cover continues through the grace period, then is suspended (Art. 36, 37)",
            "non_disclosure": "the insurer may rescind within the limits of Art. 16",
            "disputes": "negotiation; failing that, arbitration or the people's court",
        },
        "f_other": {
            "policy_number": policy_number,
            "cooling_off_days": terms["cooling_off_days"],
            "cancellation_fee": terms["cancellation_fee"],
            "renewable": terms["renewable"],
        },
    }
