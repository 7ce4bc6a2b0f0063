"""The customer's reference values and input validators (SPEC §4): each raises InvalidValue naming the field."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from domain.errors import InvalidValue
from domain.identifiers import parse_credit_code, parse_resident_id
from domain.product.model import PREMIUM_MODES
from domain.values import check_amount, check_choice, check_int, check_positive
from domain.values import check_text as check_text  # the customer rules' name for it, kept (one check)

#: What erased personal data reads as (application.infrastructure.personal seals the fields; this is their placeholder).
ERASED = "[erased]"
FAMILY_STATUSES = ("single", "married", "divorced", "widowed")
ENTERPRISE_SIZES = ("micro", "small", "medium", "large")
#: Customer segments (guide 2.2 客户细分); a segment must fit the customer's kind.
SEGMENTS: dict[str, tuple[str, ...]] = {
    "individual": ("mass", "mass_affluent", "high_net_worth", "young_family", "senior"),
    "enterprise": ("micro_business", "sme", "corporate", "key_account"),
}
#: Lifecycle stages (guide 2.2 生命周期) and the moves allowed from each.
LIFECYCLE_STAGES = ("prospect", "active", "dormant", "churned")
LIFECYCLE_TRANSITIONS: dict[str, tuple[str, ...]] = {
    "prospect": ("active", "churned"),
    "active": ("dormant",),
    "dormant": ("active", "churned"),
    "churned": ("active",),
}
INTERACTION_KINDS = ("care_call", "visit", "marketing", "service", "other")
CONSENT_PURPOSES = ("marketing", "data_processing", "third_party_sharing", "health_data")
RISK_CATEGORIES = ("personal", "property", "liability", "credit")
CONTACT_KEYS = ("phone", "email", "address")
SURVEY_SCORES = ("attitude", "speed", "quality", "claims_convenience")

_MOBILE = re.compile(r"1[3-9]\d{9}")
_LANDLINE = re.compile(r"(?!1\d{10}$)\d[\d-]{5,18}\d")  # 11 digits from 1: must be a mobile
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")


# -- validation helpers: each raises InvalidValue naming the input field -------------------
# Generic checks (text, amounts, choices, whole numbers) live in domain.values.


def validate_contacts(value: Any, *, required: bool) -> dict[str, str]:
    """Normalised contacts (phone, email, address); blank or None entries are dropped."""
    if value is None and not required:
        return {}
    if not isinstance(value, dict):
        raise InvalidValue("contacts", "must be an object with phone, email or address")
    result: dict[str, str] = {}
    for key, raw in value.items():
        field = f"contacts.{key}"
        if key not in CONTACT_KEYS:
            raise InvalidValue(field, "unknown contact; use phone, email or address")
        text = check_text(raw, field, 500, allow_empty=True) if raw is not None else ""
        if not text:
            continue
        if key == "phone" and not (_MOBILE.fullmatch(text) or _LANDLINE.fullmatch(text)):
            raise InvalidValue(field, "must be a mainland mobile or a landline number")
        if key == "email" and (len(text) > 254 or not _EMAIL.fullmatch(text)):
            raise InvalidValue(field, "must be an e-mail address")
        result[key] = text
    if required and not result:
        raise InvalidValue("contacts", "give at least one of phone, email, address")
    return {key: result[key] for key in CONTACT_KEYS if key in result}


def check_risk(raw: Any, field: str) -> dict[str, Any]:
    if not isinstance(raw, dict):
        raise InvalidValue(field, "must be an object")
    for key in raw:
        if key not in ("description", "category", "likelihood", "severity"):
            raise InvalidValue(f"{field}.{key}", "unknown field")
    likelihood = check_int(raw.get("likelihood"), f"{field}.likelihood", 1, 5)
    severity = check_int(raw.get("severity"), f"{field}.severity", 1, 5)
    score = likelihood * severity
    return {
        "description": check_text(raw.get("description"), f"{field}.description", 500),
        "category": check_choice(raw.get("category"), f"{field}.category", RISK_CATEGORIES),
        "likelihood": likelihood,
        "severity": severity,
        "score": score,
        "priority": risk_priority(score),
    }


def risk_priority(score: int) -> str:
    """Guide 4.2: a score of 15 or more is high, 8 or more medium, else low."""
    return "high" if score >= 15 else "medium" if score >= 8 else "low"


_Validator = Callable[[Any, str], Any]
PROFILE_VALIDATORS: dict[str, dict[str, _Validator]] = {
    "individual": {
        "name": lambda v, f: check_text(v, f),
        "occupation": lambda v, f: check_text(v, f, 100),
        "occupation_class": lambda v, f: check_int(v, f, 1, 6),
        "family_status": lambda v, f: check_choice(v, f, FAMILY_STATUSES),
        "dependants": lambda v, f: check_int(v, f, 0, 99),
        "annual_income": check_amount,
    },
    "enterprise": {
        "name": lambda v, f: check_text(v, f),
        "industry": lambda v, f: check_text(v, f, 100),
        "size": lambda v, f: check_choice(v, f, ENTERPRISE_SIZES),
        "headcount": lambda v, f: check_int(v, f, 0, 10_000_000),
        "annual_revenue": check_amount,
        "contact_person": lambda v, f: check_text(v, f, 100),
    },
}

#: The profile fields of each kind: set at registration, changeable through update_profile.
PROFILE_FIELDS: dict[str, tuple[str, ...]] = {
    kind: tuple(validators) for kind, validators in PROFILE_VALIDATORS.items()
}


def individual_identity_key(id_number: str) -> str:
    """The identity key a new individual with this resident ID would have."""
    return f"resident-id:{parse_resident_id(id_number).number}"


def enterprise_identity_key(credit_code: str) -> str:
    """The identity key a new enterprise with this credit code would have."""
    return f"credit-code:{parse_credit_code(credit_code)}"


def check_profile(kind: str, given: dict[str, Any]) -> dict[str, Any]:
    """Validate every profile field of `kind`, taken from `given` by name."""
    return {key: check(given[key], key) for key, check in PROFILE_VALIDATORS[kind].items()}


#: The fields of one item of a proposed plan (guide 4.3), as priced from the catalogue.
PLAN_ITEM_KEYS = (
    "product_code",
    "product_version",
    "sum_insured",
    "term_months",
    "premium_mode",
    "annual_premium",
    "riders",
)
PLAN_RIDER_KEYS = ("product_code", "product_version", "sum_insured", "annual_premium")
MAX_PLAN_ITEMS = 20


def check_plan_item(raw: Any, field: str) -> dict[str, Any]:
    """One priced item of a proposed plan: a product version, its cover and its annual premium (with riders)."""
    if not isinstance(raw, dict):
        raise InvalidValue(field, "must be an object")
    for key in raw:
        if key not in PLAN_ITEM_KEYS:
            raise InvalidValue(f"{field}.{key}", "unknown field")
    riders = raw.get("riders", [])
    if not isinstance(riders, (list, tuple)) or len(riders) > 10:
        raise InvalidValue(f"{field}.riders", "must be a list of at most 10 riders")
    return {
        **_check_cover(raw, field),
        "term_months": check_int(raw.get("term_months"), f"{field}.term_months", 1, 1200),
        "premium_mode": check_choice(raw.get("premium_mode"), f"{field}.premium_mode", PREMIUM_MODES),
        "riders": [_check_plan_rider(rider, f"{field}.riders[{i}]") for i, rider in enumerate(riders)],
    }


def _check_plan_rider(raw: Any, field: str) -> dict[str, Any]:
    if not isinstance(raw, dict):
        raise InvalidValue(field, "must be an object")
    for key in raw:
        if key not in PLAN_RIDER_KEYS:
            raise InvalidValue(f"{field}.{key}", "unknown field")
    return _check_cover(raw, field)


def _check_cover(raw: dict[str, Any], field: str) -> dict[str, Any]:
    return {
        "product_code": check_text(raw.get("product_code"), f"{field}.product_code", 100),
        "product_version": check_int(raw.get("product_version"), f"{field}.product_version", 1, 10_000),
        "sum_insured": check_positive(raw.get("sum_insured"), f"{field}.sum_insured"),
        "annual_premium": check_positive(raw.get("annual_premium"), f"{field}.annual_premium"),
    }
