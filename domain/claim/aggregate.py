"""The claim aggregate (SPEC §6; guide ch. 7; Insurance Law Art. 22–26; SPC Interpretation II Art. 15).

States: reported → documents_pending → accepted → investigating → assessed → approved | rejected →
paid → closed; reopened (from closed, with a reason, starting a new round with its own clocks);
advance_paid (an advance under Art. 25 while the amount is undetermined) returns to the flow through
investigation or assessment.

The decision (核定, Art. 23) is the approval (or the rejection): liability and amount, notified to the
claimant the day it is made. It stops the 30-day decision clock without waiting for the claimant, who
agrees the amount before or after it (the agreement starts the 10-day payment clock; a final payment
needs it) or disputes it (the decision is set aside: reassessment and a new decision, the first one
having met the clock). Claims recorded by the earlier flow (agreement, then approval) replay as they
were: that order is still allowed. An advance needs the authority an approval of the claim's
payments would. A loss in the grace period is paid less the premium owed on the loss date and still
owed at approval; the payment pays that installment on the policy (application.commands.claim_payments.pay).

Every command validates first and then triggers its events, so a refused command records nothing.
Business dates are explicit; the clock only stamps events. A dated command refuses a date before the
last recorded one (`date-before-last-event`) and refuses to run while a clock breach is due by then
but not recorded (`time-not-advanced`): the caller runs `advance_time(on)` first. So `status_on(d)`
and `clocks_on(d)` never change for any d before `business_date`. Money moves only in Paid events;
the application layer reports each payment to the policy (Policy.record_claim_payment).
State and queries: domain.claim.state; events: domain.claim.events; rules: domain.claim.rules; the
commands that decide (domain.claim.decision) and pay (domain.claim.payment) are mixed in.
"""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID, uuid4

from domain.base import InscribeAggregate
from domain.claim import events as ev
from domain.claim.clocks import DAY
from domain.claim.decision import ClaimDecision
from domain.claim.payment import PAYMENT_KINDS, ClaimPayment
from domain.claim.rules import check_codes, check_loss_items, limitation_last_day
from domain.claim.state import HANDLING, PRE_ACCEPTANCE, STATUSES, ClaimState
from domain.errors import DomainError, InvalidTransition, InvalidValue
from domain.product.model import LINES
from domain.values import check_amount, check_choice, check_date, check_id, check_text

__all__ = ["ACTIVITIES", "CLAIMANT_ROLES", "PAYMENT_KINDS", "STATUSES", "Claim"]

CLAIMANT_ROLES = ("insured", "beneficiary", "applicant")
ACTIVITIES = ("site_survey", "interview", "cause_and_liability", "records_review")  # guide 7.2 (1) a–d


class Claim(ClaimDecision, ClaimPayment, ClaimState, InscribeAggregate):
    """A claim under one policy, from report to closing, with its statutory clocks."""

    TOPIC = "inscribe.claim.Claim"
    Event = ev.ClaimEvent
    Created = ev.ClaimCreated
    Reported = ev.Reported
    DocumentReceived = ev.DocumentReceived
    MissingDocumentsNotified = ev.MissingDocumentsNotified
    SecondMissingDocumentsNoticeBreach = ev.SecondMissingDocumentsNoticeBreach
    Accepted = ev.Accepted
    InvestigationRecorded = ev.InvestigationRecorded
    FraudFlagRaised = ev.FraudFlagRaised
    Assessed = ev.Assessed
    AssessmentNotified = ev.AssessmentNotified
    AssessmentAgreed = ev.AssessmentAgreed
    AssessmentDisputed = ev.AssessmentDisputed
    Approved = ev.Approved
    RescissionFindingRecorded = ev.RescissionFindingRecorded
    PremiumDeductionReleased = ev.PremiumDeductionReleased
    Rejected = ev.Rejected
    RejectionNoticeSent = ev.RejectionNoticeSent
    ReserveAdjusted = ev.ReserveAdjusted
    Paid = ev.Paid
    ReceiptConfirmed = ev.ReceiptConfirmed
    Closed = ev.Closed
    Reopened = ev.Reopened
    ClockBreached = ev.ClockBreached

    # -- report and documents (7.1; Art. 22, 26) -------------------------------------------------------

    @classmethod
    def report(
        cls,
        *,
        policy_id: str | UUID,
        policy_number: str,
        claimant_id: str | UUID,
        claimant_role: str,
        loss_date: date,
        cause: str,
        description: str,
        estimated_amount: Any,
        initial_reserve: Any,
        reported_on: date,
        line: str,
        required_documents: list[str],
        known_on: date | None = None,
        claim_id: UUID | None = None,
    ) -> Claim:
        """Report a claim (its first receipt). Refused as time-barred more than 2 years (life: 5) after
        the claimant knew of the loss (Art. 26)."""
        loss = check_date(loss_date, "loss_date")
        known = loss if known_on is None else check_date(known_on, "known_on")
        reported = check_date(reported_on, "reported_on")
        kind = check_choice(line, "line", LINES)
        fields: dict[str, Any] = dict(
            policy_id=check_id(policy_id, "policy_id"),
            policy_number=check_text(policy_number, "policy_number", 100),
            claimant_id=check_id(claimant_id, "claimant_id"),
            claimant_role=check_choice(claimant_role, "claimant_role", CLAIMANT_ROLES),
            cause=check_text(cause, "cause", 100),
            description=check_text(description, "description", 5000),
            estimated_amount=check_amount(estimated_amount, "estimated_amount"),
            initial_reserve=check_amount(initial_reserve, "initial_reserve"),
            required_documents=check_codes(required_documents, "required_documents"),
        )
        if loss > reported:
            raise InvalidValue("loss_date", "must not be after the day the claim is reported")
        if known < loss:
            raise InvalidValue("known_on", "must not be before the loss")
        if known > reported:
            raise InvalidValue("known_on", "must not be after the day the claim is reported")
        last_day = limitation_last_day(known, kind)
        if reported > last_day:
            raise DomainError(
                f"the claim is time-barred: it could be made until {last_day} (Art. 26)",
                code="claim-time-barred",
                last_day=last_day.isoformat(),
            )
        ident = claim_id or uuid4()
        return cls._create(
            cls.Reported,
            id=ident,
            claim_number=f"C{reported.year}{ident.hex[:10].upper()}",
            loss_date=loss,
            known_on=known,
            reported_on=reported,
            limitation_last_day=last_day,
            line=kind,
            **fields,
        )

    def receive_document(self, code: str, on: date) -> None:
        """A document arrives; one required and missing after a notice may end the clock's pause."""
        code = check_text(code, "code", 100)
        day = self._day(on)
        self._require(PRE_ACCEPTANCE)
        if code in self.documents_received:
            raise DomainError(f"{code} is already received", code="document-already-received")
        missing = [c for c in self.missing_documents if c != code]
        self.trigger_event(
            self.DocumentReceived, on=day, code=code, required=code in self.required_documents, missing_after=missing
        )

    def notify_missing_documents(self, on: date, breach_reason: str | None = None) -> None:
        """Tell the claimant of ALL missing documents in one notice (Art. 22). A second notice is
        refused unless `breach_reason` says why; it is then recorded as a compliance breach."""
        why = None if breach_reason is None else check_text(breach_reason, "breach_reason", 1000)
        day = self._day(on)
        self._require(PRE_ACCEPTANCE)
        missing = self.missing_documents
        if not missing:
            raise DomainError("no required document is missing", code="no-documents-missing")
        number = len(self.missing_notices) + 1
        if number > 1 and why is None:
            raise DomainError(
                "the missing documents were already notified (Art. 22: one notice)",
                code="missing-documents-already-notified",
            )
        if number > 1:
            assert why is not None
            self.trigger_event(self.SecondMissingDocumentsNoticeBreach, on=day, notice_no=number, breach_reason=why)
        self.trigger_event(self.MissingDocumentsNotified, on=day, missing=missing, notice_no=number)

    def accept(self, on: date) -> None:
        """受理 (7.1 (3)): only with every required document in."""
        day = self._day(on)
        self._require(PRE_ACCEPTANCE)
        if not self.documents_complete:
            raise DomainError(
                f"documents missing: {', '.join(self.missing_documents)}",
                code="documents-incomplete",
                missing=self.missing_documents,
            )
        self.trigger_event(self.Accepted, on=day)

    # -- investigation and fraud flags (7.2 (1); ch. 9) ---------------------------------------------

    def record_investigation(self, activity: str, investigator_id: str | UUID, findings: str, on: date) -> None:
        activity = check_choice(activity, "activity", ACTIVITIES)
        who, text = check_id(investigator_id, "investigator_id"), check_text(findings, "findings", 5000)
        day = self._day(on)
        self._require(HANDLING)
        self._require_amount_open()
        self.trigger_event(self.InvestigationRecorded, on=day, activity=activity, investigator_id=who, findings=text)

    def raise_fraud_flag(self, indicator: str, detail: str, on: date) -> None:
        """Flag a fraud indicator (automatic ones: domain.claim.rules.fraud_indicators), once each."""
        code, text = check_text(indicator, "indicator", 100), check_text(detail, "detail", 2000)
        day = self._day(on)
        if self.status == "closed":
            raise InvalidTransition("the claim is closed", code="invalid-claim-transition")
        if any(flag["indicator"] == code for flag in self.fraud_flags):
            raise DomainError(f"{code} is already flagged", code="fraud-flag-already-raised")
        self.trigger_event(self.FraudFlagRaised, on=day, indicator=code, detail=text)

    # -- loss assessment (定损, 7.2 (2)–(3)) -------------------------------------------------------------

    def assess(self, items: list[dict[str, Any]], assessor_id: str | UUID, on: date) -> None:
        """Assess the loss item by item; again after a dispute (a reassessment replaces the last)."""
        checked = check_loss_items(items)
        who = check_id(assessor_id, "assessor_id")
        day = self._day(on)
        self._require(HANDLING)
        self._require_amount_open()
        self.trigger_event(
            self.Assessed,
            on=day,
            assessment_no=self.assessments_count + 1,
            items=checked.items,
            assessor_id=who,
            total_claimed=checked.total_claimed,
            total_assessed=checked.total_assessed,
        )

    def notify_assessment(self, on: date) -> None:
        assessment = self._open_assessment(on)
        if assessment["notified_on"] is not None:
            raise DomainError("the assessment is already notified", code="assessment-already-notified")
        self.trigger_event(
            self.AssessmentNotified, on=on, assessment_no=assessment["no"], total_assessed=assessment["total_assessed"]
        )

    def agree_assessment(self, on: date) -> None:
        """The claimant agrees the amount, before or after the decision (Art. 23: payment is due
        within 10 days of the agreement)."""
        assessment = self._notified_assessment(on)
        self.trigger_event(
            self.AssessmentAgreed, on=on, assessment_no=assessment["no"], amount=assessment["total_assessed"]
        )

    def dispute_assessment(self, reason: str, on: date) -> None:
        """The claimant disputes the assessment, or the amount decided on it (the decision is set
        aside); it must be assessed and decided again."""
        why = check_text(reason, "reason", 2000)
        assessment = self._notified_assessment(on)
        self.trigger_event(self.AssessmentDisputed, on=on, assessment_no=assessment["no"], reason=why)

    # -- the passing of time ---------------------------------------------------------------------------

    def advance_time(self, today: date) -> None:
        """Record each clock breach due by `today` (once, on the day after the due date), in date order.
        Calling it again with the same date records nothing."""
        today = check_date(today, "today")
        while (due := self.next_due_date()) is not None and due <= today:
            _, clock = self.rounds[-1].breach_steps()[0]
            self.trigger_event(self.ClockBreached, on=due, clock=clock, due_on=due - DAY, round=self.round)
