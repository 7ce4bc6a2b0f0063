"""The claim's events from the decision on (SPEC §6; guide 7.3): approval, rejection, money, closing,
reopening and clock breaches. Re-exported by domain.claim.events, the module the aggregate binds from.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from domain.claim.clocks import ClaimRound
from domain.claim.event_base import ClaimEvent, StatusEvent, update_round
from domain.claim.rules import ZERO
from domain.claim.state import ClaimState


class Approved(StatusEvent):
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
        update_round(
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


class Rejected(StatusEvent):
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
        update_round(
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
        update_round(claim, rejection_notice_on=self.on)


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
            update_round(claim, first_payment_on=self.on)
        if self.kind == "advance":
            claim.advance_total += self.amount
            claim.move_to("advance_paid", self.on)
            return
        claim.outstanding = self.outstanding_after
        if self.outstanding_after == 0:
            update_round(claim, settled_on=self.on)
            claim.move_to("paid", self.on)


class ReceiptConfirmed(ClaimEvent):
    """The claimant confirms receipt of the payment (7.3 (3))."""

    TOPIC = "inscribe.claim.ReceiptConfirmed.v1"
    on: date

    def effect(self, claim: ClaimState) -> None:
        claim.receipt_confirmed_on = self.on


class Closed(StatusEvent):
    TOPIC = "inscribe.claim.Closed.v1"
    STATUS = "closed"
    reserve_released: Decimal

    def change(self, claim: ClaimState) -> None:
        claim.reserve = ZERO
        claim.closed_on = self.on


class Reopened(StatusEvent):
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
        update_round(claim, breaches=(*claim.rounds[-1].breaches, self.clock))
