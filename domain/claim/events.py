"""The claim's events (SPEC §6). Stored names are a contract: each has an explicit, versioned topic.

Each event carries `on`, the business date it is recorded for (Reported: `reported_on`), and its
`apply` only changes state. The classes are assigned on `domain.claim.aggregate.Claim` (e.g. `Claim.Approved`),
which registers their topics. Amounts are Decimal, dates are `date`, and collections are lists and
string-keyed dicts, so a stored event reads back exactly as recorded.

The report, documents, investigation and assessment events are here; the events from the decision on
are in domain.claim.decision_events and importable from here; the bases in domain.claim.event_base.
"""

from __future__ import annotations

from copy import deepcopy
from dataclasses import replace
from datetime import date
from decimal import Decimal
from typing import Any

from domain.base import InscribeAggregate
from domain.claim.clocks import ClaimRound, Pause
from domain.claim.decision_events import (
    Approved,
    ClockBreached,
    Closed,
    Paid,
    PremiumDeductionReleased,
    ReceiptConfirmed,
    Rejected,
    RejectionNoticeSent,
    Reopened,
    RescissionFindingRecorded,
    ReserveAdjusted,
)
from domain.claim.event_base import ClaimCreated, ClaimEvent, StatusEvent, update_round
from domain.claim.rules import ZERO
from domain.claim.state import ClaimState

__all__ = [
    "EVENTS",
    "Accepted",
    "Approved",
    "Assessed",
    "AssessmentAgreed",
    "AssessmentDisputed",
    "AssessmentNotified",
    "ClaimCreated",
    "ClaimEvent",
    "ClockBreached",
    "Closed",
    "DocumentReceived",
    "FraudFlagRaised",
    "InvestigationRecorded",
    "MissingDocumentsNotified",
    "Paid",
    "PremiumDeductionReleased",
    "ReceiptConfirmed",
    "Rejected",
    "RejectionNoticeSent",
    "Reopened",
    "Reported",
    "RescissionFindingRecorded",
    "ReserveAdjusted",
    "SecondMissingDocumentsNoticeBreach",
]


class Reported(ClaimEvent, InscribeAggregate.Created):
    """A claim is reported (7.1 (1)): its first receipt, which starts the decision clock."""

    TOPIC = "inscribe.claim.Reported.v1"
    claim_number: str
    policy_id: str
    policy_number: str
    claimant_id: str
    claimant_role: str  # insured | beneficiary | applicant
    loss_date: date
    known_on: date
    cause: str
    description: str
    estimated_amount: Decimal
    initial_reserve: Decimal
    reported_on: date
    line: str
    required_documents: list[str]
    limitation_last_day: date

    def effect(self, claim: ClaimState) -> None:
        for key in (
            "claim_number",
            "policy_id",
            "policy_number",
            "claimant_id",
            "claimant_role",
            "loss_date",
            "known_on",
            "cause",
            "description",
            "estimated_amount",
            "reported_on",
            "line",
            "limitation_last_day",
        ):
            setattr(claim, key, getattr(self, key))
        claim.required_documents = list(self.required_documents)
        claim.reserve = self.initial_reserve
        claim.rounds = [ClaimRound(number=1, started_on=self.reported_on)]
        claim.move_to("reported", self.reported_on)


class DocumentReceived(ClaimEvent):
    """A document arrived; the last one missing after a notice ends the pause of the decision clock."""

    TOPIC = "inscribe.claim.DocumentReceived.v1"
    on: date
    code: str
    required: bool
    missing_after: list[str]

    def effect(self, claim: ClaimState) -> None:
        claim.documents_received[self.code] = self.on
        pauses = claim.rounds[-1].pauses
        if pauses and pauses[-1].to_on is None and not self.missing_after:
            update_round(claim, pauses=(*pauses[:-1], replace(pauses[-1], to_on=self.on)))


class MissingDocumentsNotified(StatusEvent):
    """The one notice of all missing documents (Art. 22); the first pauses the decision clock."""

    TOPIC = "inscribe.claim.MissingDocumentsNotified.v1"
    STATUS = "documents_pending"
    missing: list[str]
    notice_no: int

    def change(self, claim: ClaimState) -> None:
        claim.missing_notices.append({"on": self.on, "missing": list(self.missing), "notice_no": self.notice_no})
        if self.notice_no == 1:
            update_round(claim, pauses=(Pause(from_on=self.on),))


class SecondMissingDocumentsNoticeBreach(ClaimEvent):
    """A further missing-documents notice breaks Art. 22 (one notice of all): a compliance breach."""

    TOPIC = "inscribe.claim.SecondMissingDocumentsNoticeBreach.v1"
    on: date
    notice_no: int
    breach_reason: str

    def effect(self, claim: ClaimState) -> None:
        claim.notice_breaches.append({"on": self.on, "notice_no": self.notice_no, "breach_reason": self.breach_reason})


class Accepted(StatusEvent):
    """受理 (7.1 (3)): every required document is in."""

    TOPIC = "inscribe.claim.Accepted.v1"
    STATUS = "accepted"

    def change(self, claim: ClaimState) -> None:
        claim.accepted_on = self.on


class InvestigationRecorded(StatusEvent):
    TOPIC = "inscribe.claim.InvestigationRecorded.v1"
    STATUS = "investigating"
    activity: str  # site_survey | interview | cause_and_liability | records_review
    investigator_id: str
    findings: str

    def change(self, claim: ClaimState) -> None:
        claim.investigations.append(
            {
                "on": self.on,
                "activity": self.activity,
                "investigator_id": self.investigator_id,
                "findings": self.findings,
            }
        )


class FraudFlagRaised(ClaimEvent):
    TOPIC = "inscribe.claim.FraudFlagRaised.v1"
    on: date
    indicator: str
    detail: str

    def effect(self, claim: ClaimState) -> None:
        claim.fraud_flags.append({"on": self.on, "indicator": self.indicator, "detail": self.detail})


class Assessed(StatusEvent):
    """定损 (7.2 (2)): loss items with claimed and assessed amounts; a reassessment replaces the last."""

    TOPIC = "inscribe.claim.Assessed.v1"
    STATUS = "assessed"
    assessment_no: int
    items: list[dict[str, Any]]  # description, claimed, assessed
    assessor_id: str
    total_claimed: Decimal
    total_assessed: Decimal

    def change(self, claim: ClaimState) -> None:
        claim.assessments_count += 1
        claim.assessment = {
            "no": self.assessment_no,
            "on": self.on,
            "items": deepcopy(list(self.items)),
            "assessor_id": self.assessor_id,
            "total_claimed": self.total_claimed,
            "total_assessed": self.total_assessed,
            "notified_on": None,
            "agreed_on": None,
            "disputed": None,
        }


class AssessmentNotified(ClaimEvent):
    """The claimant is told the assessment and asked for an opinion (7.2 (3))."""

    TOPIC = "inscribe.claim.AssessmentNotified.v1"
    on: date
    assessment_no: int
    total_assessed: Decimal

    def effect(self, claim: ClaimState) -> None:
        assert claim.assessment is not None
        claim.assessment["notified_on"] = self.on


class AssessmentAgreed(ClaimEvent):
    """The claimant agrees the amount: the 10-day payment clock starts (Art. 23)."""

    TOPIC = "inscribe.claim.AssessmentAgreed.v1"
    on: date
    assessment_no: int
    amount: Decimal

    def effect(self, claim: ClaimState) -> None:
        assert claim.assessment is not None
        claim.assessment["agreed_on"] = self.on
        update_round(claim, agreed_on=self.on)


class AssessmentDisputed(ClaimEvent):
    """The claimant disputes the assessment, or the amount of the decision (核定) made on it: it is
    assessed again and decided again. A disputed decision is set aside, but it still met the decision
    clock (the claimant's time never counts against it)."""

    TOPIC = "inscribe.claim.AssessmentDisputed.v1"
    on: date
    assessment_no: int
    reason: str

    def effect(self, claim: ClaimState) -> None:
        assert claim.assessment is not None
        claim.assessment["disputed"] = self.reason
        if claim.status == "approved":
            claim.approval = None
            claim.outstanding = ZERO
            update_round(claim, decided_on=None, decision=None, settled_on=None)
            claim.move_to("assessed", self.on)


EVENTS: tuple[type[ClaimEvent], ...] = (
    Reported,
    DocumentReceived,
    MissingDocumentsNotified,
    SecondMissingDocumentsNoticeBreach,
    Accepted,
    InvestigationRecorded,
    FraudFlagRaised,
    Assessed,
    AssessmentNotified,
    AssessmentAgreed,
    AssessmentDisputed,
    Approved,
    PremiumDeductionReleased,
    RescissionFindingRecorded,
    Rejected,
    RejectionNoticeSent,
    ReserveAdjusted,
    Paid,
    ReceiptConfirmed,
    Closed,
    Reopened,
    ClockBreached,
)
