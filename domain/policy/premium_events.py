"""The policy's premium events (SPEC §5; guide 5.2 (3)–(5); Insurance Law Art. 36, 37): payment, refund,
issue, demands, lapse, reinstatement and termination. Re-exported by domain.policy.events.
"""

from __future__ import annotations

from copy import deepcopy
from datetime import date
from decimal import Decimal
from typing import Any

from domain.policy.event_base import ClosingEvent, PolicyEvent, StatusEvent, attach_held
from domain.policy.rules import ZERO
from domain.policy.state import PolicyState


class PremiumPaid(PolicyEvent):
    TOPIC = "inscribe.policy.PremiumPaid.v1"
    on: date
    installment_no: int
    amount: Decimal
    reference: str

    def effect(self, policy: PolicyState) -> None:
        policy.premiums_paid += self.amount
        item = policy.schedule_item(self.installment_no)
        if item is not None and item["paid_on"] is None:
            policy.mark_paid(item, self.on)
        else:  # paid with the application, or a renewal's first premium: attached by Issued/Renewed
            policy.premium_held += self.amount
            policy.held_on = self.on


class InstallmentPaidByClaimDeduction(PolicyEvent):
    """An installment owed for a loss in the grace period is paid by deduction from the claim payment
    (Art. 36): recorded with the claim payment, it no longer counts as owed, so no lapse follows."""

    TOPIC = "inscribe.policy.InstallmentPaidByClaimDeduction.v1"
    on: date
    installment_no: int
    amount: Decimal
    claim_id: str

    def effect(self, policy: PolicyState) -> None:
        policy.premiums_paid += self.amount
        item = policy.schedule_item(self.installment_no)
        assert item is not None and item["paid_on"] is None
        policy.mark_paid(item, self.on)
        item["method"] = "claim deduction"
        item["claim_id"] = self.claim_id


class PremiumRefunded(PolicyEvent):
    TOPIC = "inscribe.policy.PremiumRefunded.v1"
    on: date
    amount: Decimal
    reason: str  # declined | postponed | conditions-refused | premium-differs | cooling-off | surrender |
    #              rescission | termination-cash-value | sum-insured-decrease | ended-by-claim

    def effect(self, policy: PolicyState) -> None:
        policy.refunded += self.amount
        policy.premium_held = max(ZERO, policy.premium_held - self.amount)
        if not policy.premium_held:
            policy.held_on = None


class Issued(StatusEvent):
    """The contract is formed (5.2 (5)): accepted and the first premium paid."""

    TOPIC = "inscribe.policy.Issued.v1"
    STATUS = "in_force"
    policy_number: str
    start_date: date
    end_date: date
    waiting_period_end: date  # losses on or after this date are past the waiting period
    schedule: list[dict[str, Any]]  # no, due_date, amount, cover_from, cover_to, kind (premium|adjustment)
    contract: dict[str, Any]  # the terms of 5.2 (3) a–f

    def change(self, policy: PolicyState) -> None:
        policy.policy_number, policy.contract = self.policy_number, deepcopy(self.contract)
        policy.start_date, policy.end_date = self.start_date, self.end_date
        policy.waiting_period_end = self.waiting_period_end
        policy.periods = [{"start": self.start_date, "end": self.end_date}]
        attach_held(policy, self.schedule)


class PaymentDemanded(PolicyEvent):
    TOPIC = "inscribe.policy.PaymentDemanded.v1"
    on: date
    installment_no: int
    grace_end: date  # the last day of cover unless paid

    def effect(self, policy: PolicyState) -> None:
        policy.demands[str(self.installment_no)] = self.on


class Lapsed(StatusEvent):
    """Unpaid at the end of grace: the contract is suspended (中止) from `on`, the day after."""

    TOPIC = "inscribe.policy.Lapsed.v1"
    STATUS = "lapsed"
    installment_no: int
    grace_end: date
    premium_owed: Decimal

    def change(self, policy: PolicyState) -> None:
        policy.lapsed_on, policy.reinstatement = self.on, None


class ReinstatementRequested(PolicyEvent):
    TOPIC = "inscribe.policy.ReinstatementRequested.v1"
    on: date
    decision_last_day: date  # the insurer may answer through this day
    deemed_consent_on: date  # silence until then is consent

    def effect(self, policy: PolicyState) -> None:
        policy.reinstatement = {"requested_on": self.on, "state": "pending", "decided_on": None}


class ReinstatementDecided(PolicyEvent):
    TOPIC = "inscribe.policy.ReinstatementDecided.v1"
    on: date
    agreed: bool
    reason: str  # a refusal: risk-increased-markedly

    def effect(self, policy: PolicyState) -> None:
        assert policy.reinstatement is not None
        policy.reinstatement = dict(
            policy.reinstatement, state="agreed" if self.agreed else "refused", decided_on=self.on
        )


class ReinstatementDeemedAgreed(PolicyEvent):
    TOPIC = "inscribe.policy.ReinstatementDeemedAgreed.v1"
    on: date
    requested_on: date

    def effect(self, policy: PolicyState) -> None:
        policy.reinstatement = {"requested_on": self.requested_on, "state": "agreed", "decided_on": self.on}


class Reinstated(StatusEvent):
    """The arrears are paid: cover resumes on `on`, the payment date."""

    TOPIC = "inscribe.policy.Reinstated.v1"
    STATUS = "in_force"
    arrears: Decimal
    installment_nos: list[int]

    def change(self, policy: PolicyState) -> None:
        policy.lapsed_on, policy.reinstatement = None, None


class Terminated(ClosingEvent):
    TOPIC = "inscribe.policy.Terminated.v1"
    STATUS = "terminated"
    reason: str
    refund: Decimal  # the cash value (life), else 0
