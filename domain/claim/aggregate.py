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
owed at approval; the payment pays that installment on the policy (application.commands.claims.pay).

Every command validates first and then triggers its events, so a refused command records nothing.
Business dates are explicit; the clock only stamps events. A dated command refuses a date before the
last recorded one (`date-before-last-event`) and refuses to run while a clock breach is due by then
but not recorded (`time-not-advanced`): the caller runs `advance_time(on)` first. So `status_on(d)`
and `clocks_on(d)` never change for any d before `business_date`. Money moves only in Paid events;
the application layer reports each payment to the policy (Policy.record_claim_payment).
State and queries: domain.claim.state; events: domain.claim.events; rules: domain.claim.rules.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any
from uuid import UUID, uuid4

from domain.authority import check_claims_authority
from domain.base import InscribeAggregate
from domain.claim import events as ev
from domain.claim.rules import (
    DAY,
    REJECTION_NOTICE_DAYS,
    ZERO,
    CoverLike,
    check_codes,
    check_loss_items,
    cover_refusal,
    due_date,
    limitation_last_day,
    rescission_reaches,
)
from domain.claim.rules import payable as compute_payable
from domain.claim.state import HANDLING, PRE_ACCEPTANCE, STATUSES, UNDECIDED, ClaimState
from domain.errors import DomainError, InvalidTransition, InvalidValue
from domain.policy.cover import CoverPart, allocate, paying_parts, settle
from domain.product.model import LINES
from domain.values import check_amount, check_choice, check_date, check_id, check_positive, check_text, check_texts

__all__ = ["ACTIVITIES", "CLAIMANT_ROLES", "PAYMENT_KINDS", "STATUSES", "Claim"]

CLAIMANT_ROLES = ("insured", "beneficiary", "applicant")
ACTIVITIES = ("site_survey", "interview", "cause_and_liability", "records_review")  # guide 7.2 (1) a–d
PAYMENT_KINDS = ("final", "advance")


class Claim(ClaimState, InscribeAggregate):
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

    # -- adjudication (7.3) ----------------------------------------------------------------------------

    def settlement(
        self, cover: CoverLike, exclusion_applies: str | None = None, premium_owed: Decimal | None = None
    ) -> dict[str, Decimal]:
        """The computation `approve` would record (7.3 (1)), for the caller to check its authority;
        DomainError `not-covered-on-loss-date` if the policy did not cover the loss.

        `premium_owed`: for a loss in the grace period (Art. 36), the premium owed on the loss date
        that is still owed at settlement (domain.policy.aggregate.Policy.grace_deduction); premium paid since
        is not deducted. None: what `cover` says was owed at the end of the loss date."""
        self._check_cover(cover, exclusion_applies)
        if self.assessment is None:
            raise DomainError("the loss is not assessed", code="not-assessed")
        owed = (cover.premium_owed if cover.in_grace else ZERO) if premium_owed is None else premium_owed
        if getattr(cover, "covers", ()):  # every cover that responds to the cause (main cover plus riders)
            return self._settle_covers(cover, exclusion_applies, owed)
        return compute_payable(
            assessed=self.assessment["total_assessed"],
            deductible=cover.deductible,
            # the cover's remaining sum insured already counts this claim's payments: add them back
            remaining_sum_insured=cover.remaining_sum_insured + self.paid_total,
            payout_ratio=cover.payout_ratio,
            already_paid=self.paid_total,
            premium_owed=owed,
        )

    def approve(
        self,
        *,
        cover: CoverLike,
        deciding_role: str,
        decided_by: str | UUID,
        on: date,
        exclusion_applies: str | None = None,
        premium_owed: Any = None,
    ) -> None:
        """The decision (核定, Art. 23): approve against the policy as it stood on the loss date (in force
        or in grace, past the waiting period, cause covered, not excluded, not rescinded), with the
        amount, notified to the claimant the same day. It stops the 30-day decision clock without
        waiting for the claimant: the claimant then agrees (the 10-day payment clock starts) or disputes
        (reassessment, a new decision). The role needs authority for the claim's total (payable plus
        already paid). `premium_owed`: see `settlement`."""
        role, who = check_text(deciding_role, "deciding_role", 50), check_id(decided_by, "decided_by")
        excluded = None if exclusion_applies is None else check_text(exclusion_applies, "exclusion_applies", 200)
        owed = None if premium_owed is None else check_amount(premium_owed, "premium_owed")
        day = self._day(on)
        self._require(("assessed", "advance_paid"))
        if self.assessment is not None and self.assessment["disputed"] is not None:
            raise DomainError("the assessment is disputed: assess again", code="assessment-disputed")
        computation = self.settlement(cover, excluded, owed)
        check_claims_authority(role, computation["payable"] + computation["already_paid"])
        self.trigger_event(
            self.Approved,
            on=day,
            payable=computation["payable"],
            computation=computation,
            deciding_role=role,
            decided_by=who,
        )

    def record_rescission_finding(self, seriously_affected: bool, reason: str, *, cover: CoverLike, on: date) -> None:
        """Art. 16(5): the policy was rescinded for gross negligence after this loss; record whether the
        fact not disclosed seriously affected the loss, with the reason. Not seriously affected, the
        loss is judged as if there were no rescission; seriously affected, it is refused."""
        if not isinstance(seriously_affected, bool):
            raise InvalidValue("seriously_affected", "must be true or false")
        why = check_text(reason, "reason", 2000)
        day = self._day(on)
        self._require(UNDECIDED)
        if getattr(cover, "on", None) != self.loss_date:
            raise InvalidValue("cover", f"must be the policy as it stood on the loss date {self.loss_date}")
        if not rescission_reaches(cover, self.loss_date) or cover.rescission_ground != "gross_negligence":
            raise DomainError(
                "no rescission for gross negligence reaches this loss", code="no-rescission-for-gross-negligence"
            )
        if self.rescission_finding is not None:
            raise DomainError("the finding is already recorded", code="rescission-finding-already-recorded")
        self.trigger_event(self.RescissionFindingRecorded, on=day, seriously_affected=seriously_affected, reason=why)

    def reject(self, reasons: list[str], decided_by: str | UUID, on: date) -> None:
        """Reject with reasons; the written notice is due within 3 days (Art. 24)."""
        why, who = check_texts(reasons, "reasons"), check_id(decided_by, "decided_by")
        if not why:
            raise InvalidValue("reasons", "give at least one reason")
        day = self._day(on)
        self._require(UNDECIDED)
        self.trigger_event(self.Rejected, on=day, reasons=why, decided_by=who, paid_to_date=self.paid_total)

    def send_rejection_notice(self, on: date) -> None:
        day = self._day(on)
        self._require(("rejected",))
        assert self.rejection is not None
        if self.rejection["notice_on"] is not None:
            raise DomainError("the rejection notice is already sent", code="rejection-notice-already-sent")
        days = (day - self.rejection["on"]).days
        self.trigger_event(
            self.RejectionNoticeSent,
            on=day,
            reasons=list(self.rejection["reasons"]),
            days_after_decision=days,
            on_time=day <= due_date(self.rejection["on"], REJECTION_NOTICE_DAYS).due,
        )

    # -- money (7.3 (2)–(3); Art. 25) ----------------------------------------------------------------------

    def set_reserve(self, amount: Any, reason: str, on: date) -> None:
        reserve, why = check_amount(amount, "amount"), check_text(reason, "reason", 1000)
        day = self._day(on)
        if self.status == "closed":
            raise InvalidTransition("the claim is closed", code="invalid-claim-transition")
        if reserve == self.reserve:
            raise DomainError(f"the reserve is already {reserve}", code="reserve-unchanged")
        self.trigger_event(self.ReserveAdjusted, on=day, amount=reserve, previous=self.reserve, reason=why)

    def pay(
        self,
        amount: Any,
        on: date,
        reference: str,
        kind: str = "final",
        *,
        determinable_amount: Any = None,
        cover: CoverLike | None = None,
        paying_role: str | None = None,
    ) -> None:
        """Pay. A final payment: after approval and the claimant's agreement, at most what is approved
        and unpaid. An advance (Art. 25): after acceptance while the amount is undetermined, with the
        policy on the loss date (`cover`) and the part of the loss determinable so far, which it must not
        take the claim's payments beyond; `paying_role` needs the authority an approval of the claim's
        payments with this advance would need (claims handler ≤ 50,000)."""
        paid, ref = check_positive(amount, "amount"), check_text(reference, "reference", 100)
        kind = check_choice(kind, "kind", PAYMENT_KINDS)
        determinable = None
        role = None
        if kind == "advance":
            if cover is None:
                raise InvalidValue("cover", "an advance needs the policy as it stood on the loss date")
            determinable = check_positive(determinable_amount, "determinable_amount")
            role = check_text(paying_role, "paying_role", 50)
        elif determinable_amount is not None:
            raise InvalidValue("determinable_amount", "only an advance has a determinable amount")
        day = self._day(on)
        if kind == "final":
            self._require(("approved",), "not-approved")
            if not self.amount_agreed:
                raise DomainError("the claimant has not agreed the amount (Art. 23)", code="amount-not-agreed")
            if paid > self.outstanding:
                raise DomainError(
                    f"only {self.outstanding} is approved and unpaid",
                    code="exceeds-payable",
                    outstanding=str(self.outstanding),
                )
            outstanding = self.outstanding - paid
        else:
            assert cover is not None and determinable is not None
            self._require(HANDLING)
            if self.amount_agreed:
                raise DomainError("the amount is agreed: pay it after approval", code="amount-determined")
            self._check_cover(cover, None)
            cap = cover.remaining_sum_insured + self.paid_total
            if determinable > cap:
                raise InvalidValue("determinable_amount", f"must not be more than the remaining sum insured {cap}")
            if self.paid_total + paid > determinable:
                raise DomainError(
                    f"only {max(ZERO, determinable - self.paid_total)} of the determinable amount is unpaid",
                    code="exceeds-determinable-amount",
                )
            assert role is not None
            check_claims_authority(role, self.paid_total + paid)
            outstanding = self.outstanding
        self.trigger_event(
            self.Paid,
            on=day,
            amount=paid,
            kind=kind,
            reference=ref,
            determinable_amount=determinable,
            reserve_after=max(ZERO, self.reserve - paid),
            paid_total=self.paid_total + paid,
            outstanding_after=outstanding,
        )

    @property
    def premium_deducted(self) -> Decimal:
        """The premium the approval deducts from this claim for a loss in the grace period (Art. 36)."""
        return ZERO if self.approval is None else self.approval["computation"].get("premium_owed", ZERO)

    def release_premium_deduction(self, still_owed: Any, on: date) -> None:
        """At the payment: of the premium the approval deducted, only `still_owed` is still owed (the
        rest was paid since, or is no longer set off): the rest is released and becomes payable."""
        owed = check_amount(still_owed, "still_owed")
        day = self._day(on)
        self._require(("approved",), "not-approved")
        released = self.premium_deducted - owed
        if owed > self.premium_deducted or released <= 0:
            raise InvalidValue("still_owed", f"must be less than the premium deducted {self.premium_deducted}")
        assert self.payable is not None
        self.trigger_event(self.PremiumDeductionReleased, on=day, amount=released, payable=self.payable + released)

    def confirm_receipt(self, on: date) -> None:
        """The claimant confirms receipt of the payment (7.3 (3))."""
        day = self._day(on)
        self._require(("paid",))
        if self.receipt_confirmed_on is not None:
            raise DomainError("receipt is already confirmed", code="receipt-already-confirmed")
        self.trigger_event(self.ReceiptConfirmed, on=day)

    def close(self, on: date) -> None:
        """结案: paid and receipt confirmed, rejected and notified, or approved with nothing to pay.
        The reserve is released."""
        day = self._day(on)
        self._require(("paid", "rejected", "approved"))
        if self.status == "paid" and self.receipt_confirmed_on is None:
            raise DomainError("the claimant has not confirmed receipt", code="receipt-not-confirmed")
        if self.status == "rejected" and (self.rejection or {}).get("notice_on") is None:
            raise DomainError("the rejection notice is not sent", code="rejection-notice-not-sent")
        if self.status == "approved" and self.outstanding > 0:
            raise DomainError(f"{self.outstanding} is approved and unpaid", code="payment-outstanding")
        self.trigger_event(self.Closed, on=day, reserve_released=self.reserve)

    def reopen(self, reason: str, on: date) -> None:
        """Reopen a closed claim: a new round, its decision due within 30 days."""
        why = check_text(reason, "reason", 1000)
        day = self._day(on)
        self._require(("closed",))
        self.trigger_event(self.Reopened, on=day, reason=why, round=self.round + 1)

    # -- the passing of time ---------------------------------------------------------------------------

    def advance_time(self, today: date) -> None:
        """Record each clock breach due by `today` (once, on the day after the due date), in date order.
        Calling it again with the same date records nothing."""
        today = check_date(today, "today")
        while (due := self.next_due_date()) is not None and due <= today:
            _, clock = self.rounds[-1].breach_steps()[0]
            self.trigger_event(self.ClockBreached, on=due, clock=clock, due_on=due - DAY, round=self.round)

    # -- helpers ---------------------------------------------------------------------------------------

    def _day(self, value: date, field: str = "on") -> date:
        """A command's business date: not before the last recorded one, no breach due unrecorded by it."""
        day = check_date(value, field)
        if day < self.business_date:
            raise DomainError(
                f"{field} {day} is before the last recorded date {self.business_date}", code="date-before-last-event"
            )
        due = self.next_due_date()
        if due is not None and due <= day:
            raise DomainError(f"a clock was breached on {due}: advance time first", code="time-not-advanced")
        return day

    def _require(self, statuses: tuple[str, ...], code: str = "invalid-claim-transition") -> None:
        if self.status not in statuses:
            raise InvalidTransition(f"not allowed while the claim is {self.status}", code=code)

    def _require_amount_open(self) -> None:
        if self.amount_agreed:
            raise DomainError("the assessed amount is agreed", code="assessment-already-agreed")

    def _open_assessment(self, on: date, decided: bool = False) -> dict[str, Any]:
        """The assessment the claimant may still agree or dispute (`decided`: also once decided on)."""
        self._day(on)
        self._require(("assessed", "advance_paid", "approved") if decided else ("assessed", "advance_paid"))
        if self.assessment is None:
            raise DomainError("the loss is not assessed", code="not-assessed")
        self._require_amount_open()
        return self.assessment

    def _notified_assessment(self, on: date) -> dict[str, Any]:
        assessment = self._open_assessment(on, decided=True)
        if assessment["notified_on"] is None:
            raise DomainError("the claimant has not been told the assessment", code="assessment-not-notified")
        if assessment["disputed"] is not None:
            raise DomainError("the assessment is disputed: assess again", code="assessment-disputed")
        return assessment

    def _paying(self, cover: CoverLike, exclusion_applies: str | None) -> tuple[list[CoverPart], list[Any]]:
        return paying_parts(
            getattr(cover, "covers", ()),
            self.loss_date,
            self.cause,
            str(self.id),
            exclusion_applies,
            getattr(cover, "suicide_excluded_to", None),
        )

    def _covers_refusal(self, cover: CoverLike, exclusion_applies: str | None) -> tuple[str, str] | None:
        """None when some cover pays the loss; else why not (the first responding cover's reason)."""
        paying, refusals = self._paying(cover, exclusion_applies)
        if paying:
            return None
        return refusals[0] if refusals else ("cause-not-covered", f"the cause {self.cause} is not covered")

    def _settle_covers(self, cover: CoverLike, exclusion_applies: str | None, owed: Decimal) -> dict[str, Decimal]:
        """Payable across the covers that pay the loss (domain.policy.cover.settle); this claim's earlier payments
        are taken from those covers in order, as application.commands.claims.pay records them."""
        assert self.assessment is not None
        paying, _ = self._paying(cover, exclusion_applies)
        assessed = self.assessment["total_assessed"]
        caps = {
            p.key: settle(
                [p], assessed=assessed, already_paid=ZERO, premium_owed=ZERO, own_paid={p.key: self.paid_total}
            )["covered"]
            for p in paying
        }
        own = allocate(self.paid_total, caps) if self.paid_total > 0 else {}
        return settle(paying, assessed=assessed, already_paid=self.paid_total, premium_owed=owed, own_paid=own)

    def _check_cover(self, cover: CoverLike, exclusion_applies: str | None) -> None:
        if getattr(cover, "on", None) != self.loss_date:
            raise InvalidValue("cover", f"must be the policy as it stood on the loss date {self.loss_date}")
        number = getattr(cover, "policy_number", None)
        if number is not None and number != self.policy_number:
            raise InvalidValue("cover", f"is for policy {number}, not {self.policy_number}")
        parts = getattr(cover, "covers", ())
        exclusions = {e for p in parts for e in p.exclusions} | set(cover.exclusions)
        if exclusion_applies is not None and exclusion_applies not in exclusions:
            raise InvalidValue("exclusion_applies", "is not an exclusion of this policy")
        finding = None if self.rescission_finding is None else self.rescission_finding["seriously_affected"]
        if (
            finding is None
            and rescission_reaches(cover, self.loss_date)
            and cover.rescission_ground == "gross_negligence"
        ):
            raise DomainError(
                "the policy was rescinded for gross negligence after this loss: record whether "
                "the fact not disclosed seriously affected it (Art. 16(5))",
                code="rescission-finding-required",
            )
        refusal = cover_refusal(cover, self.loss_date, self.cause, exclusion_applies, seriously_affected=finding)
        if parts and (refusal is None or refusal[0] in ("waiting-period", "cause-not-covered", "excluded")):
            refusal = self._covers_refusal(cover, exclusion_applies)  # judged cover by cover
        if refusal is not None:
            reason, explanation = refusal
            if reason == "cover-ended":
                raise DomainError(f"not covered on the loss date: {explanation}", code="cover-ended", reason=reason)
            raise DomainError(
                f"not covered on the loss date: {explanation}", code="not-covered-on-loss-date", reason=reason
            )
