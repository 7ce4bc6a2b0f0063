"""The customer aggregate (SPEC §4; guide ch. 2, 4, 8.3): individuals and enterprises.

Every command validates its input first and only then triggers its event, so a refused
command records nothing. Event `apply` methods only change state.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any
from uuid import UUID

from domain import clock
from domain.base import InscribeAggregate
from domain.customer import events as ev
from domain.customer.rules import (
    CONSENT_PURPOSES,
    ERASED,
    INTERACTION_KINDS,
    LIFECYCLE_STAGES,
    LIFECYCLE_TRANSITIONS,
    MAX_PLAN_ITEMS,
    PROFILE_FIELDS,
    PROFILE_VALIDATORS,
    SEGMENTS,
    SURVEY_SCORES,
    check_plan_item,
    check_profile,
    check_risk,
    risk_priority,
    validate_contacts,
)
from domain.errors import DomainError, InvalidTransition, InvalidValue
from domain.identifiers import parse_credit_code, parse_resident_id
from domain.values import CENT, check_amount, check_choice, check_int, check_text, check_texts

__all__ = [
    "CONSENT_PURPOSES",
    "ERASED",
    "INTERACTION_KINDS",
    "LIFECYCLE_STAGES",
    "LIFECYCLE_TRANSITIONS",
    "PROFILE_FIELDS",
    "SEGMENTS",
    "Customer",
]


class Customer(InscribeAggregate):
    """A customer: an individual (resident ID) or an enterprise (credit code)."""

    TOPIC = "inscribe.customer.Customer"

    Event = ev.Event
    Created = ev.Created
    IndividualRegistered = ev.IndividualRegistered
    EnterpriseRegistered = ev.EnterpriseRegistered
    ContactsChanged = ev.ContactsChanged
    ProfileUpdated = ev.ProfileUpdated
    SegmentAssigned = ev.SegmentAssigned
    LifecycleStageChanged = ev.LifecycleStageChanged
    PolicyEnteredForce = ev.PolicyEnteredForce
    PolicyLeftForce = ev.PolicyLeftForce
    InteractionRecorded = ev.InteractionRecorded
    ConsentGiven = ev.ConsentGiven
    ConsentWithdrawn = ev.ConsentWithdrawn
    NeedsAnalysed = ev.NeedsAnalysed
    RisksAssessed = ev.RisksAssessed
    PlanProposed = ev.PlanProposed
    SatisfactionSurveyed = ev.SatisfactionSurveyed
    ProcessingRestricted = ev.ProcessingRestricted
    PersonalDataErased = ev.PersonalDataErased

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
        self.last_plan: dict[str, Any] | None = None
        self.surveys_count: int = 0
        self.policies_in_force: set[str] = set()
        self.personal_data: str = "available"  # restricted | erased (PIPL deletion request)
        self.retention_until: date | None = None

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
        profile = check_profile("individual", dict(given, annual_income=annual_income))
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
        profile = check_profile("enterprise", given)
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
        self.check_processing_allowed()
        new = validate_contacts(contacts, required=True)
        if new == self.contacts:
            raise DomainError("the contacts are unchanged", code="contacts-unchanged")
        self.trigger_event(self.ContactsChanged, contacts=new)

    def update_profile(self, changes: dict[str, Any]) -> None:
        """Change profile fields of this kind of customer; unchanged values are dropped."""
        self.check_processing_allowed()
        if not isinstance(changes, dict) or not changes:
            raise InvalidValue("changes", "give at least one field to change")
        allowed = PROFILE_VALIDATORS[self.kind]
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
        self.check_processing_allowed()
        all_segments = SEGMENTS["individual"] + SEGMENTS["enterprise"]
        segment = check_choice(segment, "segment", all_segments)
        if segment not in SEGMENTS[self.kind]:
            raise InvalidValue("segment", f"is not a segment for {self.kind} customers")
        basis = check_text(basis, "basis", 500)
        if segment == self.segment:
            raise DomainError(f"already in segment {segment}", code="segment-unchanged")
        self.trigger_event(self.SegmentAssigned, segment=segment, basis=basis)

    def change_lifecycle_stage(self, stage: str, reason: str) -> None:
        """Move to another lifecycle stage along an allowed transition (guide 2.2)."""
        self.check_processing_allowed()
        stage = check_choice(stage, "stage", LIFECYCLE_STAGES)
        reason = check_text(reason, "reason", 500)
        if stage not in LIFECYCLE_TRANSITIONS[self.lifecycle_stage]:
            raise InvalidTransition(
                f"cannot move from {self.lifecycle_stage} to {stage}", code="invalid-lifecycle-transition"
            )
        if self.policies_in_force:
            raise DomainError(
                f"the customer is active while {len(self.policies_in_force)} policy(ies) are in force",
                code="policies-in-force",
            )
        self.trigger_event(self.LifecycleStageChanged, stage=stage, previous=self.lifecycle_stage, reason=reason)

    # -- the lifecycle follows the policies (SPEC §4: active while any policy is in force) ---------

    def note_policy_in_force(self, policy_id: str) -> None:
        """A policy of this customer came into force (issued or reinstated): the customer is active."""
        if policy_id in self.policies_in_force:
            return
        self.trigger_event(self.PolicyEnteredForce, policy_id=policy_id)
        if self.lifecycle_stage != "active":
            self.trigger_event(
                self.LifecycleStageChanged,
                stage="active",
                previous=self.lifecycle_stage,
                reason=f"policy {policy_id} in force",
            )

    def note_policy_out_of_force(self, policy_id: str, reason: str) -> None:
        """A policy left force (lapsed, ended); with none left in force the customer becomes dormant."""
        if policy_id not in self.policies_in_force:
            return
        self.trigger_event(self.PolicyLeftForce, policy_id=policy_id, reason=reason)
        if not self.policies_in_force and self.lifecycle_stage == "active":
            self.trigger_event(
                self.LifecycleStageChanged,
                stage="dormant",
                previous="active",
                reason=f"no policy in force since policy {policy_id} {reason}",
            )

    def record_interaction(self, kind: str, summary: str, occurred_at: datetime, staff_id: str) -> None:
        """Record a care call, visit, marketing contact or other interaction (guide 2.2 (6))."""
        self.check_processing_allowed()
        kind = check_choice(kind, "kind", INTERACTION_KINDS)
        summary = check_text(summary, "summary", 2000)
        if not isinstance(occurred_at, datetime) or occurred_at.utcoffset() is None:
            raise InvalidValue("occurred_at", "must be a date and time with a time zone")
        if occurred_at > clock.now():
            raise InvalidValue("occurred_at", "must not be in the future")
        staff_id = check_text(staff_id, "staff_id", 100)
        if kind == "marketing" and "marketing" not in self.consents:
            raise DomainError("the customer has not consented to marketing", code="no-marketing-consent")
        self.trigger_event(
            self.InteractionRecorded,
            kind=kind,
            summary=summary,
            occurred_at=occurred_at.astimezone(UTC),
            staff_id=staff_id,
        )

    def give_consent(self, purpose: str) -> None:
        """Record a consent the customer gave (PIPL)."""
        self.check_processing_allowed()
        purpose = check_choice(purpose, "purpose", CONSENT_PURPOSES)
        if purpose in self.consents:
            raise DomainError(f"consent to {purpose} is already held", code="consent-unchanged")
        self.trigger_event(self.ConsentGiven, purpose=purpose)

    def withdraw_consent(self, purpose: str) -> None:
        """Record that the customer withdrew a consent."""
        purpose = check_choice(purpose, "purpose", CONSENT_PURPOSES)
        if purpose not in self.consents:
            raise DomainError(f"consent to {purpose} is not held", code="consent-unchanged")
        self.trigger_event(self.ConsentWithdrawn, purpose=purpose)

    def analyse_needs(self, concerns: list[str], potential_needs: list[str], budget: Decimal | int | str) -> None:
        """Record a needs analysis (guide 4.1)."""
        self.check_processing_allowed()
        concern_list = check_texts(concerns, "concerns")
        need_list = check_texts(potential_needs, "potential_needs")
        amount = check_amount(budget, "budget")
        if not concern_list and not need_list:
            raise InvalidValue("concerns", "give at least one concern or potential need")
        self.trigger_event(self.NeedsAnalysed, concerns=concern_list, potential_needs=need_list, budget=amount)

    def assess_risks(self, risks: list[dict[str, Any]]) -> None:
        """Record a risk assessment (guide 4.2): score = likelihood × severity."""
        self.check_processing_allowed()
        if not isinstance(risks, (list, tuple)) or not risks:
            raise InvalidValue("risks", "give at least one risk")
        if len(risks) > 100:
            raise InvalidValue("risks", "at most 100 risks")
        assessed = [check_risk(raw, f"risks[{i}]") for i, raw in enumerate(risks)]
        overall = max(risk["score"] for risk in assessed)
        self.trigger_event(self.RisksAssessed, risks=assessed, overall_score=overall, priority=risk_priority(overall))

    def propose_plan(
        self, items: list[dict[str, Any]], total_annual_premium: Decimal | int | str, rationale: str
    ) -> None:
        """Record a proposed insurance plan (guide 4.3), its items priced from the catalogue.

        The application layer prices each item (domain.product.quotation); this checks the priced items,
        that the total is their sum, and whether it fits the budget of the last needs analysis.
        """
        self.check_processing_allowed()
        if not isinstance(items, (list, tuple)) or not items:
            raise InvalidValue("items", "give at least one product")
        if len(items) > MAX_PLAN_ITEMS:
            raise InvalidValue("items", f"at most {MAX_PLAN_ITEMS} products")
        checked = [check_plan_item(raw, f"items[{i}]") for i, raw in enumerate(items)]
        codes = [item["product_code"] for item in checked]
        for i, code in enumerate(codes):
            if code in codes[:i]:
                raise InvalidValue(f"items[{i}].product_code", f"{code} is already in the plan")
        total = check_amount(total_annual_premium, "total_annual_premium")
        expected = sum((item["annual_premium"] for item in checked), Decimal(0))
        if total != expected:
            raise InvalidValue("total_annual_premium", f"must be the sum of the items' annual premiums ({expected})")
        text = check_text(rationale, "rationale", 2000)
        budget = self.last_needs["budget"] if self.last_needs is not None else None
        self.trigger_event(
            self.PlanProposed,
            items=checked,
            total_annual_premium=total,
            rationale=text,
            budget_fit=None if budget is None else total <= budget,
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
        self.check_processing_allowed()
        given = {"attitude": attitude, "speed": speed, "quality": quality}
        given["claims_convenience"] = claims_convenience
        scores = {key: check_int(given[key], key, 1, 5) for key in SURVEY_SCORES}
        text = check_text(comment if comment is not None else "", "comment", 2000, allow_empty=True)
        related = None if related_id is None else check_text(related_id, "related_id", 100)
        average = (Decimal(sum(scores.values())) / len(scores)).quantize(CENT, ROUND_HALF_UP)
        self.trigger_event(self.SatisfactionSurveyed, comment=text, related_id=related, average=average, **scores)

    # -- personal data (PIPL): restriction and erasure -----------------------------------------

    def check_processing_allowed(self) -> None:
        """Refuse processing beyond storage once a deletion request restricted or erased the data."""
        if self.personal_data == "erased":
            raise DomainError("the customer's personal data was erased", code="personal-data-erased")
        if self.personal_data == "restricted":
            raise DomainError(
                "a deletion request restricts this customer's data to storage", code="processing-restricted"
            )

    def restrict_processing(self, reason: str, retention_until: date | None) -> None:
        """A deletion request while a retention period runs: keep, mask, and withdraw every consent."""
        reason = check_text(reason, "reason", 500)
        self.check_processing_allowed()
        for purpose in sorted(self.consents):
            self.trigger_event(self.ConsentWithdrawn, purpose=purpose)
        self.trigger_event(self.ProcessingRestricted, reason=reason, retention_until=retention_until)

    def erase_personal_data(self, reason: str) -> None:
        """Record the crypto-shredding of the customer's key (the application destroys the key)."""
        reason = check_text(reason, "reason", 500)
        if self.personal_data == "erased":
            raise DomainError("the customer's personal data was erased already", code="personal-data-erased")
        for purpose in sorted(self.consents):
            self.trigger_event(self.ConsentWithdrawn, purpose=purpose)
        self.trigger_event(self.PersonalDataErased, reason=reason)
