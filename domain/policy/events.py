"""The policy's events (SPEC §5). Stored names are a contract: each has an explicit, versioned topic.

Each event carries `on`, the business date it is recorded for (Applied: `applied_on`), and its
`apply` only changes state. The classes are assigned on `domain.policy.aggregate.Policy` (e.g.
`Policy.Issued`), which registers their topics. Amounts are Decimal, dates are `date`, and
collections are lists and string-keyed dicts, so a stored event reads back exactly as recorded.

The application and underwriting events are here; the premium events (domain.policy.premium_events) and
those after issue (domain.policy.contract_events) are importable from here; the bases are in
domain.policy.event_base.
"""

from __future__ import annotations

from copy import deepcopy
from datetime import date
from decimal import Decimal
from typing import Any

from domain.base import InscribeAggregate
from domain.policy.contract_events import (
    CancelledInCoolingOff,
    ClaimPaymentRecorded,
    ContractReceiptSigned,
    CoverEnded,
    EndedByClaim,
    Expired,
    PolicyChanged,
    RenewalNotOffered,
    RenewalOffered,
    Renewed,
    Rescinded,
    SumInsuredIncreaseDecided,
    SumInsuredIncreaseRequested,
    Surrendered,
)
from domain.policy.event_base import ClosingEvent, PolicyCreated, PolicyEvent, StatusEvent
from domain.policy.examination_events import ExaminationOrdered, ExaminationReported
from domain.policy.facultative_events import FacultativePlaced
from domain.policy.premium_events import (
    InstallmentPaidByClaimDeduction,
    Issued,
    Lapsed,
    PaymentDemanded,
    PremiumPaid,
    PremiumRefunded,
    Reinstated,
    ReinstatementDecided,
    ReinstatementDeemedAgreed,
    ReinstatementRequested,
    Terminated,
)
from domain.policy.state import PolicyState

__all__ = [
    "EVENTS",
    "Accepted",
    "Applied",
    "AutomaticUnderwritingCompleted",
    "CancelledInCoolingOff",
    "ClaimPaymentRecorded",
    "ConditionsAccepted",
    "ConditionsRefused",
    "ContractReceiptSigned",
    "CoverEnded",
    "Declined",
    "EndedByClaim",
    "ExaminationOrdered",
    "ExaminationReported",
    "Expired",
    "FacultativePlaced",
    "InstallmentPaidByClaimDeduction",
    "Issued",
    "Lapsed",
    "OfferedWithConditions",
    "PaymentDemanded",
    "PolicyChanged",
    "PolicyCreated",
    "PolicyEvent",
    "Postponed",
    "PremiumPaid",
    "PremiumRefunded",
    "Referred",
    "Reinstated",
    "ReinstatementDecided",
    "ReinstatementDeemedAgreed",
    "ReinstatementRequested",
    "RenewalNotOffered",
    "RenewalOffered",
    "Renewed",
    "Rescinded",
    "SumInsuredIncreaseDecided",
    "SumInsuredIncreaseRequested",
    "Surrendered",
    "Terminated",
    "UnderwritingDecided",
    "UnderwritingStarted",
]


class Applied(PolicyEvent, InscribeAggregate.Created):
    TOPIC = "inscribe.policy.Applied.v1"
    applicant_id: str
    insured_id: str
    relationship: str
    beneficiaries: list[dict[str, Any]]  # customer_id (str|None), name (str|None), share (Decimal %)
    product_code: str
    product_version: int
    product_terms: dict[str, Any]  # the product terms the policy's rules use (policy_terms.product_terms)
    riders: list[dict[str, Any]]  # code, version, sum_insured
    sum_insured: Decimal
    term_months: int
    premium_mode: str
    disclosures: dict[str, bool]
    agent_id: str
    channel: str
    applied_on: date
    quoted_annual_premium: Decimal | None
    quoted_installment: Decimal | None

    def effect(self, policy: PolicyState) -> None:
        for key in (
            "applicant_id",
            "insured_id",
            "relationship",
            "product_code",
            "product_version",
            "sum_insured",
            "term_months",
            "premium_mode",
            "agent_id",
            "channel",
            "applied_on",
            "quoted_annual_premium",
            "quoted_installment",
        ):
            setattr(policy, key, getattr(self, key))
        for key in ("beneficiaries", "product_terms", "riders", "disclosures"):
            setattr(policy, key, deepcopy(getattr(self, key)))
        policy.sum_insured_history = [(self.applied_on, self.sum_insured)]
        policy.move_to("applied", self.applied_on)


class UnderwritingStarted(StatusEvent):
    TOPIC = "inscribe.policy.UnderwritingStarted.v1"
    STATUS = "underwriting"


class AutomaticUnderwritingCompleted(PolicyEvent):
    TOPIC = "inscribe.policy.AutomaticUnderwritingCompleted.v1"
    on: date
    findings: list[dict[str, Any]]  # one per check: check, outcome (pass|refer|decline), code, detail, data
    outcome: str  # accepted | referred | declined
    annual_premium: Decimal | None
    installment: Decimal | None

    def effect(self, policy: PolicyState) -> None:
        policy.findings = deepcopy(self.findings)


class _Terms(StatusEvent):
    """Sets the premium and the conditions of cover."""

    annual_premium: Decimal
    installment: Decimal  # the amount of each installment (single: the whole premium)
    loading_pct: Decimal
    exclusions: list[str]

    def change(self, policy: PolicyState) -> None:
        policy.annual_premium, policy.installment = self.annual_premium, self.installment
        policy.loading_pct, policy.exclusions = self.loading_pct, list(self.exclusions)


class Accepted(_Terms):
    TOPIC = "inscribe.policy.Accepted.v1"
    STATUS = "accepted"


class Referred(StatusEvent):
    TOPIC = "inscribe.policy.Referred.v1"
    STATUS = "referred"
    reasons: list[str]  # the codes of the findings that refer

    def change(self, policy: PolicyState) -> None:
        policy.referral_reasons = list(self.reasons)


class UnderwritingDecided(PolicyEvent):
    TOPIC = "inscribe.policy.UnderwritingDecided.v1"
    on: date
    decision: str  # accept | offer_with_conditions | postpone | decline
    underwriter_id: str
    role: str
    reason: str
    loading_pct: Decimal
    exclusions: list[str]
    suggested_products: list[str]
    annual_premium: Decimal | None
    installment: Decimal | None

    def effect(self, policy: PolicyState) -> None:
        policy.underwriting_decision = {
            "decision": self.decision,
            "underwriter_id": self.underwriter_id,
            "role": self.role,
            "reason": self.reason,
            "on": self.on,
        }


class OfferedWithConditions(_Terms):
    TOPIC = "inscribe.policy.OfferedWithConditions.v1"
    STATUS = "offered_with_conditions"


class ConditionsAccepted(StatusEvent):
    TOPIC = "inscribe.policy.ConditionsAccepted.v1"
    STATUS = "accepted"


class Declined(ClosingEvent):
    TOPIC = "inscribe.policy.Declined.v1"
    STATUS = "declined"
    reason: str
    suggested_products: list[str]  # other products to propose (6.3.3)

    def change(self, policy: PolicyState) -> None:
        super().change(policy)
        policy.suggested_products = list(self.suggested_products)


class Postponed(ClosingEvent):
    TOPIC = "inscribe.policy.Postponed.v1"
    STATUS = "postponed"
    reason: str


class ConditionsRefused(ClosingEvent):
    """The applicant refused the conditions offered: the application is withdrawn."""

    TOPIC = "inscribe.policy.ConditionsRefused.v1"
    STATUS = "withdrawn"


EVENTS: tuple[type[PolicyEvent], ...] = (
    Applied,
    UnderwritingStarted,
    AutomaticUnderwritingCompleted,
    Accepted,
    Referred,
    ExaminationOrdered,
    ExaminationReported,
    FacultativePlaced,
    UnderwritingDecided,
    OfferedWithConditions,
    ConditionsAccepted,
    Declined,
    Postponed,
    ConditionsRefused,
    PremiumPaid,
    InstallmentPaidByClaimDeduction,
    PremiumRefunded,
    Issued,
    PaymentDemanded,
    Lapsed,
    ReinstatementRequested,
    ReinstatementDecided,
    ReinstatementDeemedAgreed,
    Reinstated,
    Terminated,
    ContractReceiptSigned,
    CancelledInCoolingOff,
    PolicyChanged,
    SumInsuredIncreaseRequested,
    SumInsuredIncreaseDecided,
    RenewalOffered,
    RenewalNotOffered,
    Renewed,
    Expired,
    Surrendered,
    Rescinded,
    ClaimPaymentRecorded,
    CoverEnded,
    EndedByClaim,
)
