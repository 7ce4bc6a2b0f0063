"""The claim's events (SPEC §6). Stored names are a contract: each has an explicit, versioned topic.

Each event carries `on`, the business date it is recorded for (Reported: `reported_on`), and its
`apply` only changes state. The classes are assigned on `domain.claim.aggregate.Claim` (e.g. `Claim.Approved`),
which registers their topics. Amounts are Decimal, dates are `date`, and collections are lists and
string-keyed dicts, so a stored event reads back exactly as recorded.
"""

from __future__ import annotations

from copy import deepcopy
from dataclasses import replace
from datetime import date
from decimal import Decimal
from typing import Any

from domain.base import InscribeAggregate
from domain.claim.rules import ZERO, ClaimRound, Pause
from domain.claim.state import ClaimState


class ClaimEvent(InscribeAggregate.Event):
    TOPIC = "inscribe.claim.Event"

    def apply(self, aggregate: ClaimState) -> None:
        day = self.__dict__.get("on") or self.__dict__.get("reported_on")
        if isinstance(day, date) and day > aggregate.business_date:
            aggregate.business_date = day
        self.effect(aggregate)

    def effect(self, claim: ClaimState) -> None:
        """How the event changes the claim."""


class ClaimCreated(ClaimEvent, InscribeAggregate.Created):
    """Never triggered; declared so that it does not inherit the topic of `ClaimEvent`."""

    TOPIC = "inscribe.claim.Created"


class _Status(ClaimEvent):
    """An event that moves the claim to `STATUS` on its date."""

    STATUS = ""
    on: date

    def effect(self, claim: ClaimState) -> None:
        self.change(claim)
        claim.move_to(self.STATUS, self.on)

    def change(self, claim: ClaimState) -> None:
        """What else the event changes."""


def _update_round(claim: ClaimState, **changes: Any) -> None:
    claim.rounds[-1] = replace(claim.rounds[-1], **changes)


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
            _update_round(claim, pauses=(*pauses[:-1], replace(pauses[-1], to_on=self.on)))


class MissingDocumentsNotified(_Status):
    """The one notice of all missing documents (Art. 22); the first pauses the decision clock."""

    TOPIC = "inscribe.claim.MissingDocumentsNotified.v1"
    STATUS = "documents_pending"
    missing: list[str]
    notice_no: int

    def change(self, claim: ClaimState) -> None:
        claim.missing_notices.append({"on": self.on, "missing": list(self.missing), "notice_no": self.notice_no})
        if self.notice_no == 1:
            _update_round(claim, pauses=(Pause(from_on=self.on),))


class SecondMissingDocumentsNoticeBreach(ClaimEvent):
    """A further missing-documents notice breaks Art. 22 (one notice of all): a compliance breach."""

    TOPIC = "inscribe.claim.SecondMissingDocumentsNoticeBreach.v1"
    on: date
    notice_no: int
    breach_reason: str

    def effect(self, claim: ClaimState) -> None:
        claim.notice_breaches.append({"on": self.on, "notice_no": self.notice_no, "breach_reason": self.breach_reason})


class Accepted(_Status):
    """受理 (7.1 (3)): every required document is in."""

    TOPIC = "inscribe.claim.Accepted.v1"
    STATUS = "accepted"

    def change(self, claim: ClaimState) -> None:
        claim.accepted_on = self.on


class InvestigationRecorded(_Status):
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


class Assessed(_Status):
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
        _update_round(claim, agreed_on=self.on)


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
            _update_round(claim, decided_on=None, decision=None, settled_on=None)
            claim.move_to("assessed", self.on)


class Approved(_Status):
    """Cover confirmed on the loss date; the payable amount and how it was computed (7.3 (1))."""

    TOPIC = "inscribe.claim.Approved.v1"
    STATUS = "approved"
    payable: Decimal
    computation: dict[str, Decimal]  # the steps of domain.claim.rules.payable
    deciding_role: str
    decided_by: str

    def change(self, claim: ClaimState) -> None:
        claim.approval = {
            "on": self.on,
            "payable": self.payable,
            "computation": dict(self.computation),
            "deciding_role": self.deciding_role,
            "decided_by": self.decided_by,
        }
        claim.outstanding = self.payable
        if claim.assessment is not None and claim.assessment["notified_on"] is None:
            claim.assessment["notified_on"] = self.on  # the decision notice tells the claimant the amount
        _update_round(
            claim,
            decided_on=self.on,
            decision="approved",
            settled_on=self.on if self.payable == 0 else None,
            first_decided_on=claim.rounds[-1].first_decided_on or self.on,
        )


class PremiumDeductionReleased(ClaimEvent):
    """Premium the approval deducted for a loss in the grace period was paid (or stopped being set off)
    before the claim was paid: it is no longer deducted, so the amount payable rises by it."""

    TOPIC = "inscribe.claim.PremiumDeductionReleased.v1"
    on: date
    amount: Decimal
    payable: Decimal  # after the release

    def effect(self, claim: ClaimState) -> None:
        assert claim.approval is not None
        computation = dict(claim.approval["computation"])
        computation["premium_owed"] = computation.get("premium_owed", ZERO) - self.amount
        computation["payable"] = self.payable
        claim.approval = {**claim.approval, "payable": self.payable, "computation": computation}
        claim.outstanding += self.amount


class RescissionFindingRecorded(ClaimEvent):
    """Art. 16(5): whether the fact not disclosed through gross negligence seriously affected this loss
    (before the rescission), with the reason. Not seriously affected: the loss is paid."""

    TOPIC = "inscribe.claim.RescissionFindingRecorded.v1"
    on: date
    seriously_affected: bool
    reason: str

    def effect(self, claim: ClaimState) -> None:
        claim.rescission_finding = {"on": self.on, "seriously_affected": self.seriously_affected, "reason": self.reason}


class Rejected(_Status):
    TOPIC = "inscribe.claim.Rejected.v1"
    STATUS = "rejected"
    reasons: list[str]
    decided_by: str
    paid_to_date: Decimal  # advances paid before the rejection (to be recovered)

    def change(self, claim: ClaimState) -> None:
        claim.rejection = {
            "on": self.on,
            "reasons": list(self.reasons),
            "decided_by": self.decided_by,
            "notice_on": None,
        }
        _update_round(
            claim,
            decided_on=self.on,
            decision="rejected",
            first_decided_on=claim.rounds[-1].first_decided_on or self.on,
        )


class RejectionNoticeSent(ClaimEvent):
    """The written notice of rejection with reasons (Art. 24: within 3 days of the decision)."""

    TOPIC = "inscribe.claim.RejectionNoticeSent.v1"
    on: date
    reasons: list[str]
    days_after_decision: int
    on_time: bool

    def effect(self, claim: ClaimState) -> None:
        assert claim.rejection is not None
        claim.rejection["notice_on"] = self.on
        _update_round(claim, rejection_notice_on=self.on)


class ReserveAdjusted(ClaimEvent):
    TOPIC = "inscribe.claim.ReserveAdjusted.v1"
    on: date
    amount: Decimal
    previous: Decimal
    reason: str

    def effect(self, claim: ClaimState) -> None:
        claim.reserve = self.amount


class Paid(ClaimEvent):
    """A payment: final (of what is approved) or an advance (Art. 25). It reduces the reserve."""

    TOPIC = "inscribe.claim.Paid.v1"
    on: date
    amount: Decimal
    kind: str  # final | advance
    reference: str
    determinable_amount: Decimal | None  # advances: the part of the loss determinable so far
    reserve_after: Decimal
    paid_total: Decimal  # paid on the claim, this payment included
    outstanding_after: Decimal  # approved and still unpaid (0 for an advance)

    def effect(self, claim: ClaimState) -> None:
        claim.reserve = self.reserve_after
        claim.paid_total = self.paid_total
        claim.payments.append({"on": self.on, "amount": self.amount, "kind": self.kind, "reference": self.reference})
        if claim.rounds[-1].first_payment_on is None:
            _update_round(claim, first_payment_on=self.on)
        if self.kind == "advance":
            claim.advance_total += self.amount
            claim.move_to("advance_paid", self.on)
            return
        claim.outstanding = self.outstanding_after
        if self.outstanding_after == 0:
            _update_round(claim, settled_on=self.on)
            claim.move_to("paid", self.on)


class ReceiptConfirmed(ClaimEvent):
    """The claimant confirms receipt of the payment (7.3 (3))."""

    TOPIC = "inscribe.claim.ReceiptConfirmed.v1"
    on: date

    def effect(self, claim: ClaimState) -> None:
        claim.receipt_confirmed_on = self.on


class Closed(_Status):
    TOPIC = "inscribe.claim.Closed.v1"
    STATUS = "closed"
    reserve_released: Decimal

    def change(self, claim: ClaimState) -> None:
        claim.reserve = ZERO
        claim.closed_on = self.on


class Reopened(_Status):
    """A closed claim is reopened with a reason: a new round with its own clocks (30 days from now)."""

    TOPIC = "inscribe.claim.Reopened.v1"
    STATUS = "reopened"
    reason: str
    round: int

    def change(self, claim: ClaimState) -> None:
        claim.reopenings.append({"on": self.on, "reason": self.reason, "round": self.round})
        claim.rounds.append(ClaimRound(number=self.round, started_on=self.on))
        claim.assessment = claim.approval = claim.rejection = None
        claim.outstanding = ZERO
        claim.receipt_confirmed_on = claim.closed_on = None


class ClockBreached(ClaimEvent):
    """A statutory clock passed its due date unmet (recorded once, on the day after)."""

    TOPIC = "inscribe.claim.ClockBreached.v1"
    on: date
    clock: str  # decision | rejection_notice | payment | advance
    due_on: date
    round: int

    def effect(self, claim: ClaimState) -> None:
        claim.clock_breaches.append({"clock": self.clock, "due_on": self.due_on, "on": self.on, "round": self.round})
        _update_round(claim, breaches=(*claim.rounds[-1].breaches, self.clock))


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
