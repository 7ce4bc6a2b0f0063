"""The customer aggregate (SPEC §4; guide ch. 2, 4, 8.3): individuals and enterprises.

Every command validates its input first and only then triggers its event, so a refused
command records nothing. Event `apply` methods only change state.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timezone
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any, Callable
from uuid import UUID

from domain import clock
from domain.base import InscribeAggregate
from domain.errors import DomainError, InvalidTransition, InvalidValue
from domain.identifiers import parse_credit_code, parse_resident_id

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

MAX_AMOUNT = Decimal("1e15")  # refuse absurd amounts (and Decimal overflow on quantize)
CENT = Decimal("0.01")
_MOBILE = re.compile(r"1[3-9]\d{9}")
_LANDLINE = re.compile(r"(?!1\d{10}$)\d[\d-]{5,18}\d")  # 11 digits from 1: must be a mobile
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")


# -- validation helpers: each raises InvalidValue naming the input field -------------------


def _text(value: Any, field: str, max_len: int = 200, *, allow_empty: bool = False) -> str:
    if value is None and not allow_empty:
        raise InvalidValue(field, "is required")
    if not isinstance(value, str):
        raise InvalidValue(field, "must be a string")
    text = value.strip()
    if not text and not allow_empty:
        raise InvalidValue(field, "must not be empty")
    if len(text) > max_len:
        raise InvalidValue(field, f"must be at most {max_len} characters")
    return text


def _choice(value: Any, field: str, options: tuple[str, ...]) -> str:
    if not isinstance(value, str) or value not in options:
        raise InvalidValue(field, f"must be one of: {', '.join(options)}")
    return value


def _int(value: Any, field: str, low: int, high: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidValue(field, "must be a whole number")
    if not low <= value <= high:
        raise InvalidValue(field, f"must be between {low} and {high}")
    return value


def _money(value: Any, field: str) -> Decimal:
    """A non-negative amount (Decimal, int, str or float), quantized to 0.01."""
    if isinstance(value, bool) or not isinstance(value, (Decimal, int, str, float)):
        raise InvalidValue(field, "must be a number")
    try:
        amount = value if isinstance(value, Decimal) else Decimal(str(value).strip())
    except InvalidOperation:
        raise InvalidValue(field, "must be a number") from None
    if not amount.is_finite():
        raise InvalidValue(field, "must be a finite number")
    if amount < 0:
        raise InvalidValue(field, "must not be negative")
    if amount >= MAX_AMOUNT:
        raise InvalidValue(field, "is too large")
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


def _texts(value: Any, field: str) -> list[str]:
    if not isinstance(value, (list, tuple)):
        raise InvalidValue(field, "must be a list of strings")
    if len(value) > 50:
        raise InvalidValue(field, "at most 50 entries")
    return [_text(item, f"{field}[{i}]") for i, item in enumerate(value)]


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
        text = _text(raw, field, 500, allow_empty=True) if raw is not None else ""
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


def _risk(raw: Any, field: str) -> dict[str, Any]:
    if not isinstance(raw, dict):
        raise InvalidValue(field, "must be an object")
    for key in raw:
        if key not in ("description", "category", "likelihood", "severity"):
            raise InvalidValue(f"{field}.{key}", "unknown field")
    likelihood = _int(raw.get("likelihood"), f"{field}.likelihood", 1, 5)
    severity = _int(raw.get("severity"), f"{field}.severity", 1, 5)
    score = likelihood * severity
    return {
        "description": _text(raw.get("description"), f"{field}.description", 500),
        "category": _choice(raw.get("category"), f"{field}.category", RISK_CATEGORIES),
        "likelihood": likelihood,
        "severity": severity,
        "score": score,
        "priority": risk_priority(score),
    }


def risk_priority(score: int) -> str:
    """Guide 4.2: a score of 15 or more is high, 8 or more medium, else low."""
    return "high" if score >= 15 else "medium" if score >= 8 else "low"


_Validator = Callable[[Any, str], Any]
_PROFILE_VALIDATORS: dict[str, dict[str, _Validator]] = {
    "individual": {
        "name": lambda v, f: _text(v, f),
        "occupation": lambda v, f: _text(v, f, 100),
        "occupation_class": lambda v, f: _int(v, f, 1, 6),
        "family_status": lambda v, f: _choice(v, f, FAMILY_STATUSES),
        "dependants": lambda v, f: _int(v, f, 0, 99),
        "annual_income": _money,
    },
    "enterprise": {
        "name": lambda v, f: _text(v, f),
        "industry": lambda v, f: _text(v, f, 100),
        "size": lambda v, f: _choice(v, f, ENTERPRISE_SIZES),
        "headcount": lambda v, f: _int(v, f, 0, 10_000_000),
        "annual_revenue": _money,
        "contact_person": lambda v, f: _text(v, f, 100),
    },
}

#: The profile fields of each kind: set at registration, changeable through update_profile.
PROFILE_FIELDS: dict[str, tuple[str, ...]] = {
    kind: tuple(validators) for kind, validators in _PROFILE_VALIDATORS.items()
}


def individual_identity_key(id_number: str) -> str:
    """The identity key a new individual with this resident ID would have."""
    return f"resident-id:{parse_resident_id(id_number).number}"


def enterprise_identity_key(credit_code: str) -> str:
    """The identity key a new enterprise with this credit code would have."""
    return f"credit-code:{parse_credit_code(credit_code)}"


def _profile(kind: str, given: dict[str, Any]) -> dict[str, Any]:
    """Validate every profile field of `kind`, taken from `given` by name."""
    return {key: check(given[key], key) for key, check in _PROFILE_VALIDATORS[kind].items()}


class Customer(InscribeAggregate):
    """A customer: an individual (resident ID) or an enterprise (credit code)."""

    TOPIC = "inscribe.customer.Customer"

    class Event(InscribeAggregate.Event):
        TOPIC = "inscribe.customer.Event"

    class Created(Event, InscribeAggregate.Created):
        """Never triggered; declared so that it does not inherit the topic of `Event`."""

        TOPIC = "inscribe.customer.Created"

    class IndividualRegistered(Event, InscribeAggregate.Created):
        TOPIC = "inscribe.customer.IndividualRegistered.v1"
        name: str
        id_number: str
        birth_date: date
        gender: str
        occupation: str
        occupation_class: int
        family_status: str
        dependants: int
        annual_income: Decimal
        contacts: dict[str, Any]

        def apply(self, aggregate: Customer) -> None:
            aggregate.kind = "individual"
            for key in PROFILE_FIELDS["individual"]:
                setattr(aggregate, key, getattr(self, key))
            aggregate.id_number = self.id_number
            aggregate.birth_date = self.birth_date
            aggregate.gender = self.gender
            aggregate.contacts = dict(self.contacts)

    class EnterpriseRegistered(Event, InscribeAggregate.Created):
        TOPIC = "inscribe.customer.EnterpriseRegistered.v1"
        name: str
        credit_code: str
        industry: str
        size: str
        headcount: int
        annual_revenue: Decimal
        contact_person: str
        contacts: dict[str, Any]

        def apply(self, aggregate: Customer) -> None:
            aggregate.kind = "enterprise"
            for key in PROFILE_FIELDS["enterprise"]:
                setattr(aggregate, key, getattr(self, key))
            aggregate.credit_code = self.credit_code
            aggregate.contacts = dict(self.contacts)

    class ContactsChanged(Event):
        TOPIC = "inscribe.customer.ContactsChanged.v1"
        contacts: dict[str, Any]

        def apply(self, aggregate: Customer) -> None:
            aggregate.contacts = dict(self.contacts)

    class ProfileUpdated(Event):
        TOPIC = "inscribe.customer.ProfileUpdated.v1"
        changes: dict[str, Any]

        def apply(self, aggregate: Customer) -> None:
            for key, value in self.changes.items():
                setattr(aggregate, key, value)

    class SegmentAssigned(Event):
        TOPIC = "inscribe.customer.SegmentAssigned.v1"
        segment: str
        basis: str

        def apply(self, aggregate: Customer) -> None:
            aggregate.segment = self.segment

    class LifecycleStageChanged(Event):
        TOPIC = "inscribe.customer.LifecycleStageChanged.v1"
        stage: str
        previous: str
        reason: str

        def apply(self, aggregate: Customer) -> None:
            aggregate.lifecycle_stage = self.stage

    class InteractionRecorded(Event):
        TOPIC = "inscribe.customer.InteractionRecorded.v1"
        kind: str
        summary: str
        occurred_at: datetime
        staff_id: str

        def apply(self, aggregate: Customer) -> None:
            aggregate.interactions_count += 1

    class ConsentGiven(Event):
        TOPIC = "inscribe.customer.ConsentGiven.v1"
        purpose: str

        def apply(self, aggregate: Customer) -> None:
            aggregate.consents.add(self.purpose)

    class ConsentWithdrawn(Event):
        TOPIC = "inscribe.customer.ConsentWithdrawn.v1"
        purpose: str

        def apply(self, aggregate: Customer) -> None:
            aggregate.consents.discard(self.purpose)

    class NeedsAnalysed(Event):
        TOPIC = "inscribe.customer.NeedsAnalysed.v1"
        concerns: list[str]
        potential_needs: list[str]
        budget: Decimal

        def apply(self, aggregate: Customer) -> None:
            aggregate.last_needs = {
                "concerns": list(self.concerns),
                "potential_needs": list(self.potential_needs),
                "budget": self.budget,
            }

    class RisksAssessed(Event):
        TOPIC = "inscribe.customer.RisksAssessed.v1"
        risks: list[dict[str, Any]]
        overall_score: int
        priority: str

        def apply(self, aggregate: Customer) -> None:
            aggregate.last_risk = {
                "risks": [dict(risk) for risk in self.risks],
                "overall_score": self.overall_score,
                "priority": self.priority,
            }

    class SatisfactionSurveyed(Event):
        TOPIC = "inscribe.customer.SatisfactionSurveyed.v1"
        attitude: int
        speed: int
        quality: int
        claims_convenience: int
        comment: str
        related_id: str | None
        average: Decimal

        def apply(self, aggregate: Customer) -> None:
            aggregate.surveys_count += 1

    def __init__(self) -> None:
        """Blank state; the "registered" event's `apply` fills it in."""
        self.kind: str = ""
        self.name: str = ""
        self.id_number: str | None = None
        self.birth_date: date | None = None
        self.gender: str | None = None
        self.occupation: str | None = None
        self.occupation_class: int | None = None
        self.family_status: str | None = None
        self.dependants: int | None = None
        self.annual_income: Decimal | None = None
        self.credit_code: str | None = None
        self.industry: str | None = None
        self.size: str | None = None
        self.headcount: int | None = None
        self.annual_revenue: Decimal | None = None
        self.contact_person: str | None = None
        self.contacts: dict[str, str] = {}
        self.segment: str | None = None
        self.lifecycle_stage: str = "prospect"
        self.consents: set[str] = set()
        self.interactions_count: int = 0
        self.last_needs: dict[str, Any] | None = None
        self.last_risk: dict[str, Any] | None = None
        self.surveys_count: int = 0

    # -- registration ------------------------------------------------------------------------

    @classmethod
    def register_individual(
        cls,
        *,
        name: str,
        id_number: str,
        occupation: str,
        occupation_class: int,
        family_status: str,
        annual_income: Decimal | int | str,
        dependants: int = 0,
        contacts: dict[str, Any] | None = None,
        customer_id: UUID | None = None,
    ) -> Customer:
        """Register an individual; birth date and gender come from the resident ID."""
        given = dict(name=name, occupation=occupation, occupation_class=occupation_class)
        given.update(family_status=family_status, dependants=dependants)
        profile = _profile("individual", dict(given, annual_income=annual_income))
        resident = parse_resident_id(id_number, "id_number")
        return cls._create(
            cls.IndividualRegistered,
            id=customer_id,
            id_number=resident.number,
            birth_date=resident.birth_date,
            gender=resident.gender,
            contacts=validate_contacts(contacts, required=False),
            **profile,
        )

    @classmethod
    def register_enterprise(
        cls,
        *,
        name: str,
        credit_code: str,
        industry: str,
        size: str,
        headcount: int,
        annual_revenue: Decimal | int | str,
        contact_person: str,
        contacts: dict[str, Any] | None = None,
        customer_id: UUID | None = None,
    ) -> Customer:
        """Register an enterprise identified by its unified social credit code."""
        given = dict(name=name, industry=industry, size=size, headcount=headcount)
        given.update(annual_revenue=annual_revenue, contact_person=contact_person)
        profile = _profile("enterprise", given)
        return cls._create(
            cls.EnterpriseRegistered,
            id=customer_id,
            credit_code=parse_credit_code(credit_code, "credit_code"),
            contacts=validate_contacts(contacts, required=False),
            **profile,
        )

    @property
    def identity_key(self) -> str:
        """The natural key that must be unique among customers."""
        if self.kind == "individual":
            return f"resident-id:{self.id_number}"
        return f"credit-code:{self.credit_code}"

    # -- commands ----------------------------------------------------------------------------

    def change_contacts(self, contacts: dict[str, Any]) -> None:
        """Replace the contacts as a whole (at least one of phone, email, address)."""
        new = validate_contacts(contacts, required=True)
        if new == self.contacts:
            raise DomainError("the contacts are unchanged", code="contacts-unchanged")
        self.trigger_event(self.ContactsChanged, contacts=new)

    def update_profile(self, changes: dict[str, Any]) -> None:
        """Change profile fields of this kind of customer; unchanged values are dropped."""
        if not isinstance(changes, dict) or not changes:
            raise InvalidValue("changes", "give at least one field to change")
        allowed = _PROFILE_VALIDATORS[self.kind]
        effective: dict[str, Any] = {}
        for key, raw in changes.items():
            if key not in allowed:
                raise InvalidValue(str(key), f"cannot be changed on an {self.kind} customer")
            value = allowed[key](raw, key)
            if value != getattr(self, key):
                effective[key] = value
        if not effective:
            raise DomainError("the profile is unchanged", code="profile-unchanged")
        self.trigger_event(self.ProfileUpdated, changes=effective)

    def assign_segment(self, segment: str, basis: str) -> None:
        """Put the customer in a segment of its kind (guide 2.2)."""
        all_segments = SEGMENTS["individual"] + SEGMENTS["enterprise"]
        segment = _choice(segment, "segment", all_segments)
        if segment not in SEGMENTS[self.kind]:
            raise InvalidValue("segment", f"is not a segment for {self.kind} customers")
        basis = _text(basis, "basis", 500)
        if segment == self.segment:
            raise DomainError(f"already in segment {segment}", code="segment-unchanged")
        self.trigger_event(self.SegmentAssigned, segment=segment, basis=basis)

    def change_lifecycle_stage(self, stage: str, reason: str) -> None:
        """Move to another lifecycle stage along an allowed transition (guide 2.2)."""
        stage = _choice(stage, "stage", LIFECYCLE_STAGES)
        reason = _text(reason, "reason", 500)
        if stage not in LIFECYCLE_TRANSITIONS[self.lifecycle_stage]:
            raise InvalidTransition(
                f"cannot move from {self.lifecycle_stage} to {stage}",
                code="invalid-lifecycle-transition",
            )
        self.trigger_event(
            self.LifecycleStageChanged, stage=stage, previous=self.lifecycle_stage, reason=reason
        )

    def record_interaction(
        self, kind: str, summary: str, occurred_at: datetime, staff_id: str
    ) -> None:
        """Record a care call, visit, marketing contact or other interaction (guide 2.2 (6))."""
        kind = _choice(kind, "kind", INTERACTION_KINDS)
        summary = _text(summary, "summary", 2000)
        if not isinstance(occurred_at, datetime) or occurred_at.utcoffset() is None:
            raise InvalidValue("occurred_at", "must be a date and time with a time zone")
        if occurred_at > clock.now():
            raise InvalidValue("occurred_at", "must not be in the future")
        staff_id = _text(staff_id, "staff_id", 100)
        if kind == "marketing" and "marketing" not in self.consents:
            raise DomainError(
                "the customer has not consented to marketing", code="no-marketing-consent"
            )
        self.trigger_event(
            self.InteractionRecorded,
            kind=kind,
            summary=summary,
            occurred_at=occurred_at.astimezone(timezone.utc),
            staff_id=staff_id,
        )

    def give_consent(self, purpose: str) -> None:
        """Record a consent the customer gave (PIPL)."""
        purpose = _choice(purpose, "purpose", CONSENT_PURPOSES)
        if purpose in self.consents:
            raise DomainError(f"consent to {purpose} is already held", code="consent-unchanged")
        self.trigger_event(self.ConsentGiven, purpose=purpose)

    def withdraw_consent(self, purpose: str) -> None:
        """Record that the customer withdrew a consent."""
        purpose = _choice(purpose, "purpose", CONSENT_PURPOSES)
        if purpose not in self.consents:
            raise DomainError(f"consent to {purpose} is not held", code="consent-unchanged")
        self.trigger_event(self.ConsentWithdrawn, purpose=purpose)

    def analyse_needs(
        self, concerns: list[str], potential_needs: list[str], budget: Decimal | int | str
    ) -> None:
        """Record a needs analysis (guide 4.1)."""
        concern_list = _texts(concerns, "concerns")
        need_list = _texts(potential_needs, "potential_needs")
        amount = _money(budget, "budget")
        if not concern_list and not need_list:
            raise InvalidValue("concerns", "give at least one concern or potential need")
        self.trigger_event(
            self.NeedsAnalysed, concerns=concern_list, potential_needs=need_list, budget=amount
        )

    def assess_risks(self, risks: list[dict[str, Any]]) -> None:
        """Record a risk assessment (guide 4.2): score = likelihood × severity."""
        if not isinstance(risks, (list, tuple)) or not risks:
            raise InvalidValue("risks", "give at least one risk")
        if len(risks) > 100:
            raise InvalidValue("risks", "at most 100 risks")
        assessed = [_risk(raw, f"risks[{i}]") for i, raw in enumerate(risks)]
        overall = max(risk["score"] for risk in assessed)
        self.trigger_event(
            self.RisksAssessed,
            risks=assessed,
            overall_score=overall,
            priority=risk_priority(overall),
        )

    def record_satisfaction_survey(
        self,
        attitude: int,
        speed: int,
        quality: int,
        claims_convenience: int,
        comment: str = "",
        related_id: str | None = None,
    ) -> None:
        """Record a satisfaction survey (guide 8.3.1), each score 1–5."""
        given = {"attitude": attitude, "speed": speed, "quality": quality}
        given["claims_convenience"] = claims_convenience
        scores = {key: _int(given[key], key, 1, 5) for key in SURVEY_SCORES}
        text = _text(comment if comment is not None else "", "comment", 2000, allow_empty=True)
        related = None if related_id is None else _text(related_id, "related_id", 100)
        average = (Decimal(sum(scores.values())) / len(scores)).quantize(CENT, ROUND_HALF_UP)
        self.trigger_event(
            self.SatisfactionSurveyed, comment=text, related_id=related, average=average, **scores
        )
