"""The policy's events (SPEC §5). Stored names are a contract: each has an explicit, versioned topic.

Each event carries `on`, the business date it is recorded for (Applied: `applied_on`), and its
`apply` only changes state. The classes are assigned on `domain.policy.aggregate.Policy` (e.g.
`Policy.Issued`), which registers their topics. Amounts are Decimal, dates are `date`, and
collections are lists and string-keyed dicts, so a stored event reads back exactly as recorded.
"""

from __future__ import annotations

from copy import deepcopy
from datetime import date
from decimal import Decimal
from typing import Any

from domain.base import InscribeAggregate
from domain.policy.rules import ZERO, split_cover
from domain.policy.state import PolicyState


class PolicyEvent(InscribeAggregate.Event):
    TOPIC = "inscribe.policy.Event"

    def apply(self, aggregate: PolicyState) -> None:
        day = self.__dict__.get("on") or self.__dict__.get("applied_on")
        if isinstance(day, date) and day > aggregate.business_date:
            aggregate.business_date = day
        self.effect(aggregate)

    def effect(self, policy: PolicyState) -> None:
        """How the event changes the policy."""


class PolicyCreated(PolicyEvent, InscribeAggregate.Created):
    """Never triggered; declared so that it does not inherit the topic of `PolicyEvent`."""

    TOPIC = "inscribe.policy.Created"


class _Status(PolicyEvent):
    """An event that moves the policy to `STATUS` on its date."""

    STATUS = ""
    on: date

    def effect(self, policy: PolicyState) -> None:
        self.change(policy)
        policy.move_to(self.STATUS, self.on)

    def change(self, policy: PolicyState) -> None:
        """What else the event changes."""


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


class UnderwritingStarted(_Status):
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


class _Terms(_Status):
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


class Referred(_Status):
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


class ConditionsAccepted(_Status):
    TOPIC = "inscribe.policy.ConditionsAccepted.v1"
    STATUS = "accepted"


class _Closed(_Status):
    """Ends the application or the contract; `closing_reason` says why."""

    def change(self, policy: PolicyState) -> None:
        policy.closing_reason = self.__dict__.get("reason") or self.STATUS


class Declined(_Closed):
    TOPIC = "inscribe.policy.Declined.v1"
    STATUS = "declined"
    reason: str
    suggested_products: list[str]  # other products to propose (6.3.3)

    def change(self, policy: PolicyState) -> None:
        super().change(policy)
        policy.suggested_products = list(self.suggested_products)


class Postponed(_Closed):
    TOPIC = "inscribe.policy.Postponed.v1"
    STATUS = "postponed"
    reason: str


class ConditionsRefused(_Closed):
    """The applicant refused the conditions offered: the application is withdrawn."""

    TOPIC = "inscribe.policy.ConditionsRefused.v1"
    STATUS = "withdrawn"


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


def _attach_held(policy: PolicyState, schedule: list[dict[str, Any]]) -> None:
    """Add installments to the schedule; the first is paid by the premium held for it."""
    policy.schedule.extend(dict(item, paid_on=None) for item in schedule)
    policy.last_installment_no = max(policy.last_installment_no, *(i["no"] for i in schedule))
    assert policy.held_on is not None
    policy.mark_paid(policy.schedule[-len(schedule)], policy.held_on)
    policy.premium_held, policy.held_on = ZERO, None


class Issued(_Status):
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
        _attach_held(policy, self.schedule)


class PaymentDemanded(PolicyEvent):
    TOPIC = "inscribe.policy.PaymentDemanded.v1"
    on: date
    installment_no: int
    grace_end: date  # the last day of cover unless paid

    def effect(self, policy: PolicyState) -> None:
        policy.demands[str(self.installment_no)] = self.on


class Lapsed(_Status):
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


class Reinstated(_Status):
    """The arrears are paid: cover resumes on `on`, the payment date."""

    TOPIC = "inscribe.policy.Reinstated.v1"
    STATUS = "in_force"
    arrears: Decimal
    installment_nos: list[int]

    def change(self, policy: PolicyState) -> None:
        policy.lapsed_on, policy.reinstatement = None, None


class Terminated(_Closed):
    TOPIC = "inscribe.policy.Terminated.v1"
    STATUS = "terminated"
    reason: str
    refund: Decimal  # the cash value (life), else 0


class ContractReceiptSigned(PolicyEvent):
    TOPIC = "inscribe.policy.ContractReceiptSigned.v1"
    on: date
    cooling_off_last_day: date | None  # None: a term of one year or less has no cooling-off

    def effect(self, policy: PolicyState) -> None:
        policy.receipt_signed_on = self.on


class CancelledInCoolingOff(_Closed):
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
                ratio = details["annual_premium"] / policy._annual
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
        _attach_held(policy, self.schedule)


class Expired(_Status):
    TOPIC = "inscribe.policy.Expired.v1"
    STATUS = "expired"

    def change(self, policy: PolicyState) -> None:
        if policy.renewal_refusal is not None:
            policy.closing_reason = f"not renewable: {policy.renewal_refusal['reason']}"


class Surrendered(_Closed):
    TOPIC = "inscribe.policy.Surrendered.v1"
    STATUS = "surrendered"
    refund: Decimal
    basis: str  # cash_value | pro_rata


class Rescinded(_Closed):
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


class EndedByClaim(_Closed):
    """The main cover ended by a claim (the insured's death): the whole policy ends, status `terminated`
    with this reason; no later lapse, termination, cash value or renewal. `refund`: the premium paid for
    the time after `last_day` (PremiumRefunded, reason ended-by-claim)."""

    TOPIC = "inscribe.policy.EndedByClaim.v1"
    STATUS = "terminated"
    reason: str
    claim_id: str
    last_day: date
    refund: Decimal


EVENTS: tuple[type[PolicyEvent], ...] = (
    Applied,
    UnderwritingStarted,
    AutomaticUnderwritingCompleted,
    Accepted,
    Referred,
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
