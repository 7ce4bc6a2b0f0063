"""The customer's events (SPEC §4). Stored names are a contract: each has an explicit, versioned topic.

Each `apply` only changes state. The classes are assigned on `domain.customer.aggregate.Customer` (e.g.
`Customer.IndividualRegistered`), which registers their topics.
"""

from __future__ import annotations

import copy
from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from domain.base import InscribeAggregate
from domain.customer.rules import ERASED, PROFILE_FIELDS

if TYPE_CHECKING:
    from domain.customer.aggregate import Customer


class Event(InscribeAggregate.Event):
    """The base of the customer's events (never stored itself)."""

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


class PolicyEnteredForce(Event):
    TOPIC = "inscribe.customer.PolicyEnteredForce.v1"
    policy_id: str

    def apply(self, aggregate: Customer) -> None:
        aggregate.policies_in_force.add(self.policy_id)


class PolicyLeftForce(Event):
    TOPIC = "inscribe.customer.PolicyLeftForce.v1"
    policy_id: str
    reason: str

    def apply(self, aggregate: Customer) -> None:
        aggregate.policies_in_force.discard(self.policy_id)


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


class PlanProposed(Event):
    """A proposed insurance plan (guide 4.3): priced items, their total and whether it fits the budget."""

    TOPIC = "inscribe.customer.PlanProposed.v1"
    items: list[dict[str, Any]]
    total_annual_premium: Decimal
    rationale: str
    budget_fit: bool | None  # None: no needs analysis (hence no budget) yet

    def apply(self, aggregate: Customer) -> None:
        aggregate.last_plan = {
            "items": copy.deepcopy(list(self.items)),
            "total_annual_premium": self.total_annual_premium,
            "rationale": self.rationale,
            "budget_fit": self.budget_fit,
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


class ProcessingRestricted(Event):
    """A deletion request while a retention period runs (PIPL Art. 47, Insurance Law Art. 87): the
    data is kept, masked for everyone, and processed no further than storing it."""

    TOPIC = "inscribe.customer.ProcessingRestricted.v1"
    reason: str
    retention_until: date | None  # None: a contract not yet ended (an application under way)

    def apply(self, aggregate: Customer) -> None:
        aggregate.personal_data = "restricted"
        aggregate.retention_until = self.retention_until


class PersonalDataErased(Event):
    """The customer's key was destroyed (crypto-shredding). Carries no personal data."""

    TOPIC = "inscribe.customer.PersonalDataErased.v1"
    reason: str

    def apply(self, aggregate: Customer) -> None:
        aggregate.personal_data = "erased"
        aggregate.name = ERASED
        aggregate.contacts = {}
        if aggregate.kind == "individual":
            aggregate.id_number, aggregate.birth_date = ERASED, None
        else:
            aggregate.credit_code, aggregate.contact_person = ERASED, ERASED
