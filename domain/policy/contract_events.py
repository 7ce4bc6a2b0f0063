"""The policy's events after issue (SPEC §5; guide 5.3, 8.1): receipt, cooling-off, changes, renewal,
expiry, surrender, rescission and the claims paid under it. Re-exported by domain.policy.events.
"""

from __future__ import annotations

from copy import deepcopy
from datetime import date
from decimal import Decimal
from typing import Any

from domain.policy.event_base import ClosingEvent, PolicyEvent, StatusEvent, attach_held
from domain.policy.rules import ZERO, split_cover
from domain.policy.state import PolicyState


class ContractReceiptSigned(PolicyEvent):
    TOPIC = "inscribe.policy.ContractReceiptSigned.v1"
    on: date
    cooling_off_last_day: date | None  # None: a term of one year or less has no cooling-off

    def effect(self, policy: PolicyState) -> None:
        policy.receipt_signed_on = self.on


class CancelledInCoolingOff(ClosingEvent):
    TOPIC = "inscribe.policy.CancelledInCoolingOff.v1"
    STATUS = "cancelled"
    refund: Decimal
    fee: Decimal


class PolicyChanged(PolicyEvent):
    """A written change by agreement (5.3), effective on `effective_on` (on or after `on`).

    `premium_difference`: the change in premium from `effective_on` to the period's end (settled now
    plus the change in the unpaid installments). `settled_now`: the pro rata part for cover already
    paid, refunded (negative, see PremiumRefunded) or charged as an "adjustment" installment due on
    `effective_on` (positive). `schedule`, when given, replaces the unpaid installments numbered in
    `replaced_installments`. A lower sum insured on a cash-value product settles the cash value of the
    part given up instead (`details.refund_basis` "cash_value"; domain.policy.changes).

    Class version 2: `insured_consent_document`, the insured's written consent to a beneficiary change
    by an applicant who is not the insured (Art. 41); None otherwise, and for a version 1 event (stored
    before the consent was asked for).
    """

    TOPIC = "inscribe.policy.PolicyChanged.v1"
    class_version = 2
    on: date
    kind: str  # beneficiary | contacts | premium_mode | sum_insured
    details: dict[str, Any]
    document_ref: str
    insured_consent_document: str | None
    effective_on: date
    premium_difference: Decimal
    settled_now: Decimal
    annual_premium: Decimal | None
    installment: Decimal | None
    schedule: list[dict[str, Any]] | None
    replaced_installments: list[int]

    @staticmethod
    def upcast_v1_v2(state: dict[str, Any]) -> None:
        state["insured_consent_document"] = None

    def effect(self, policy: PolicyState) -> None:
        details = deepcopy(self.details)
        if self.kind == "beneficiary":
            policy.beneficiaries = details["beneficiaries"]
        elif self.kind == "contacts":
            policy.contacts = details["contacts"]
        elif self.kind == "premium_mode":
            policy.premium_mode = details["premium_mode"]
        else:
            by_cash_value = details.get("refund_basis") == "cash_value"
            if self.settled_now < 0 or by_cash_value:
                ratio = details["annual_premium"] / policy.agreed_annual_premium
                policy.paid_cover = split_cover(policy.paid_cover, self.effective_on, ratio)[0]
            if by_cash_value:  # the part given up was surrendered: its premium leaves the cash value basis
                policy.cash_value_excluded += details["premium_released"] + self.settled_now
            policy.sum_insured = details["sum_insured"]
            policy.sum_insured_history.append((self.effective_on, details["sum_insured"]))
        if self.annual_premium is not None:
            policy.annual_premium = self.annual_premium
        if self.installment is not None:
            policy.installment = self.installment
        if self.schedule is not None:
            kept = [i for i in policy.schedule if i["no"] not in self.replaced_installments]
            new = [dict(i, paid_on=None) for i in self.schedule]
            policy.schedule = sorted(kept + new, key=lambda i: (i["due_date"], i["no"]))
            policy.last_installment_no = max([policy.last_installment_no, *(i["no"] for i in new)])


class SumInsuredIncreaseRequested(PolicyEvent):
    TOPIC = "inscribe.policy.SumInsuredIncreaseRequested.v1"
    on: date
    new_sum_insured: Decimal
    document_ref: str
    effective_on: date

    def effect(self, policy: PolicyState) -> None:
        policy.pending_increase = {
            "new_sum_insured": self.new_sum_insured,
            "document_ref": self.document_ref,
            "effective_on": self.effective_on,
            "requested_on": self.on,
        }


class SumInsuredIncreaseDecided(PolicyEvent):
    TOPIC = "inscribe.policy.SumInsuredIncreaseDecided.v1"
    on: date
    approved: bool
    underwriter_id: str
    role: str
    reason: str
    annual_premium: Decimal | None  # approved: the new annual premium

    def effect(self, policy: PolicyState) -> None:
        policy.pending_increase = None


class RenewalOffered(PolicyEvent):
    TOPIC = "inscribe.policy.RenewalOffered.v1"
    on: date
    annual_premium: Decimal
    installment: Decimal
    start_date: date  # of the new period
    end_date: date

    def effect(self, policy: PolicyState) -> None:
        policy.renewal_offer = {
            "on": self.on,
            "annual_premium": self.annual_premium,
            "installment": self.installment,
            "start_date": self.start_date,
            "end_date": self.end_date,
        }


class RenewalNotOffered(PolicyEvent):
    """The renewal offer fell due but the renewal cannot be quoted: the product's rules refuse the
    insured now (aged out, the product withdrawn or no longer renewable). The policy is not renewable
    and expires at the end of its term."""

    TOPIC = "inscribe.policy.RenewalNotOffered.v1"
    on: date
    field: str  # what the rules refused (age, product_code, term_months, ...)
    reason: str  # e.g. "age must be between 18 and 65"

    def effect(self, policy: PolicyState) -> None:
        policy.renewal_refusal = {"on": self.on, "field": self.field, "reason": self.reason}


class Renewed(PolicyEvent):
    """The renewal premium is paid: a new period follows the current one; the status stays in force."""

    TOPIC = "inscribe.policy.Renewed.v1"
    on: date
    period: int  # 2 for the first renewal
    start_date: date
    end_date: date
    annual_premium: Decimal
    installment: Decimal
    schedule: list[dict[str, Any]]

    def effect(self, policy: PolicyState) -> None:
        policy.periods.append({"start": self.start_date, "end": self.end_date})
        policy.end_date, policy.renewal_offer = self.end_date, None
        policy.annual_premium, policy.installment = self.annual_premium, self.installment
        attach_held(policy, self.schedule)


class Expired(StatusEvent):
    TOPIC = "inscribe.policy.Expired.v1"
    STATUS = "expired"

    def change(self, policy: PolicyState) -> None:
        if policy.renewal_refusal is not None:
            policy.closing_reason = f"not renewable: {policy.renewal_refusal['reason']}"


class Surrendered(ClosingEvent):
    TOPIC = "inscribe.policy.Surrendered.v1"
    STATUS = "surrendered"
    refund: Decimal
    basis: str  # cash_value | pro_rata


class Rescinded(ClosingEvent):
    TOPIC = "inscribe.policy.Rescinded.v1"
    STATUS = "rescinded"
    ground: str  # intentional | gross_negligence
    learned_on: date
    no_liability_before: date
    refund: Decimal

    def change(self, policy: PolicyState) -> None:
        policy.closing_reason = f"rescinded for non-disclosure ({self.ground})"
        policy.rescission = {
            "ground": self.ground,
            "on": self.on,
            "learned_on": self.learned_on,
            "no_liability_before": self.no_liability_before,
        }


class ClaimPaymentRecorded(PolicyEvent):
    """A claim payment, split by the covers that pay it (class version 2: `by_cover`). A version 1
    event (stored before riders could be claimed) reads as all on the main cover."""

    TOPIC = "inscribe.policy.ClaimPaymentRecorded.v1"
    class_version = 2
    on: date
    claim_id: str
    amount: Decimal
    period: int  # index into the periods (0: the first)
    loss_on: date | None
    remaining_sum_insured: Decimal  # of the main cover in that period, after this payment
    by_cover: dict[str, Decimal]  # "main" or a rider's code → the part of `amount` it pays
    remaining_by_cover: dict[str, Decimal]  # each paying cover's remaining sum insured after this payment

    @staticmethod
    def upcast_v1_v2(state: dict[str, Any]) -> None:
        state["by_cover"] = {"main": state["amount"]}
        state["remaining_by_cover"] = {"main": state["remaining_sum_insured"]}

    def effect(self, policy: PolicyState) -> None:
        period = str(self.period)
        for key, amount in self.by_cover.items():
            if key == "main":
                policy.claims_paid[period] = policy.paid_in(self.period) + amount
            else:
                paid = policy.rider_claims_paid.setdefault(key, {})
                paid[period] = paid.get(period, ZERO) + amount


class CoverEnded(PolicyEvent):
    """A claim ended a cover (保险责任终止, SPEC §5 "Ended by a claim"): the insured's death, or a cover
    whose product ends on exhaustion used up. No cover after `last_day`; a rider is no longer charged:
    the unpaid installments are replaced by `schedule` (None: unchanged)."""

    TOPIC = "inscribe.policy.CoverEnded.v1"
    on: date
    cover: str  # "main" or the rider's code
    product_code: str
    claim_id: str
    reason: str  # death | exhausted
    last_day: date  # the loss date: the day of death
    annual_premium: Decimal | None  # without the ended rider (None: unchanged)
    installment: Decimal | None
    schedule: list[dict[str, Any]] | None
    replaced_installments: list[int]

    def effect(self, policy: PolicyState) -> None:
        policy.ended_covers[self.cover] = {
            "on": self.last_day,
            "claim_id": self.claim_id,
            "reason": self.reason,
            "recorded_on": self.on,
        }
        if self.annual_premium is not None:
            policy.annual_premium = self.annual_premium
        if self.installment is not None:
            policy.installment = self.installment
        if self.schedule is not None:
            kept = [i for i in policy.schedule if i["no"] not in self.replaced_installments]
            new = [dict(i, paid_on=None) for i in self.schedule]
            policy.schedule = sorted(kept + new, key=lambda i: (i["due_date"], i["no"]))
            if new:
                policy.last_installment_no = max([policy.last_installment_no, *(i["no"] for i in new)])


class EndedByClaim(ClosingEvent):
    """The main cover ended by a claim (the insured's death): the whole policy ends, status `terminated`
    with this reason; no later lapse, termination, cash value or renewal. `refund`: the premium paid for
    the time after `last_day` (PremiumRefunded, reason ended-by-claim)."""

    TOPIC = "inscribe.policy.EndedByClaim.v1"
    STATUS = "terminated"
    reason: str
    claim_id: str
    last_day: date
    refund: Decimal
