"""The policy aggregate (SPEC §5; guide ch. 5, 6, 8.1; Insurance Law Art. 16, 36, 37).

Every command validates first and then triggers its events, so a refused command records nothing.
Business dates are explicit; the clock only stamps events. A dated command refuses a date before the
last recorded one (`date-before-last-event`) and refuses to run while something the passing of time
causes (lapse, deemed consent, termination, expiry) is due by then but not recorded
(`time-not-advanced`): the caller runs `advance_time(on)` first. So `status_on(d)` (the status at
the end of d) never changes for any d before `business_date`. Money moves only in PremiumPaid and
PremiumRefunded events.
State and queries: domain.policy.state; events: domain.policy.events; changes: domain.policy.changes.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date
from decimal import Decimal
from typing import Any
from uuid import UUID

from domain.base import InscribeAggregate
from domain.errors import DomainError, InvalidTransition, InvalidValue
from domain.policy import events as ev
from domain.policy.changes import CHANGE_KINDS, check_effective, plan_change, plan_sum_insured
from domain.policy.cover import MAIN, is_death
from domain.policy.rules import (
    DAY,
    RISK_INCREASED,
    SHORT_TERM_MONTHS,
    ZERO,
    cancellation_fee,
    check_percent,
    cooling_off_last_day,
    deemed_consent_date,
    grace_deduction,
    grace_end,
    premium_owed,
    premium_schedule,
    reinstatement_decision_last_day,
    reinstatement_last_day,
    renewal_offer_from,
    rescission_refusal,
    term_end,
    unearned,
    waiting_period_end,
)
from domain.policy.state import STATUSES, TERMINAL, CoverSnapshot, PolicyState
from domain.policy.terms import check_application, check_findings, contract_terms
from domain.product.model import Product
from domain.product.quotation import renewal_refusal_reason
from domain.values import check_choice, check_date, check_id, check_positive, check_text, check_texts, money

__all__ = ["CHANGE_KINDS", "DECISIONS", "STATUSES", "TERMINAL", "CoverSnapshot", "Policy"]

DECISIONS = ("accept", "offer_with_conditions", "postpone", "decline")
GROUNDS = ("intentional", "gross_negligence")
PRE_ACCEPTANCE = ("applied", "underwriting", "referred")


class Policy(PolicyState, InscribeAggregate):
    """An application that becomes, once accepted and paid, an insurance contract."""

    TOPIC = "inscribe.policy.Policy"
    Event = ev.PolicyEvent
    Created = ev.PolicyCreated
    Applied = ev.Applied
    UnderwritingStarted = ev.UnderwritingStarted
    AutomaticUnderwritingCompleted = ev.AutomaticUnderwritingCompleted
    Accepted = ev.Accepted
    Referred = ev.Referred
    UnderwritingDecided = ev.UnderwritingDecided
    OfferedWithConditions = ev.OfferedWithConditions
    ConditionsAccepted = ev.ConditionsAccepted
    Declined = ev.Declined
    Postponed = ev.Postponed
    ConditionsRefused = ev.ConditionsRefused
    PremiumPaid = ev.PremiumPaid
    PremiumRefunded = ev.PremiumRefunded
    Issued = ev.Issued
    PaymentDemanded = ev.PaymentDemanded
    Lapsed = ev.Lapsed
    ReinstatementRequested = ev.ReinstatementRequested
    ReinstatementDecided = ev.ReinstatementDecided
    ReinstatementDeemedAgreed = ev.ReinstatementDeemedAgreed
    Reinstated = ev.Reinstated
    Terminated = ev.Terminated
    ContractReceiptSigned = ev.ContractReceiptSigned
    CancelledInCoolingOff = ev.CancelledInCoolingOff
    PolicyChanged = ev.PolicyChanged
    SumInsuredIncreaseRequested = ev.SumInsuredIncreaseRequested
    SumInsuredIncreaseDecided = ev.SumInsuredIncreaseDecided
    RenewalOffered = ev.RenewalOffered
    RenewalNotOffered = ev.RenewalNotOffered
    Renewed = ev.Renewed
    Expired = ev.Expired
    Surrendered = ev.Surrendered
    Rescinded = ev.Rescinded
    ClaimPaymentRecorded = ev.ClaimPaymentRecorded
    InstallmentPaidByClaimDeduction = ev.InstallmentPaidByClaimDeduction
    CoverEnded = ev.CoverEnded
    EndedByClaim = ev.EndedByClaim

    # -- application and underwriting (5.2 (1)–(2); 6.1–6.3) ---------------------------------

    @classmethod
    def apply(
        cls,
        *,
        applicant_id: str | UUID,
        insured_id: str | UUID,
        relationship: str,
        beneficiaries: list[dict[str, Any]],
        product: Product,
        riders: list[tuple[Product, Any]],
        sum_insured: Any,
        term_months: int,
        premium_mode: str,
        disclosures: Mapping[str, bool],
        agent_id: str | UUID,
        channel: str,
        applied_on: date,
        quoted_annual_premium: Any,
        quoted_installment: Any,
        policy_id: UUID | None = None,
    ) -> Policy:
        """Record an application (投保), checked against the product and riders it is for."""
        fields = check_application(
            applicant_id=applicant_id,
            insured_id=insured_id,
            relationship=relationship,
            beneficiaries=beneficiaries,
            product=product,
            riders=riders,
            sum_insured=sum_insured,
            term_months=term_months,
            premium_mode=premium_mode,
            disclosures=disclosures,
            agent_id=agent_id,
            channel=channel,
            applied_on=applied_on,
            quoted_annual_premium=quoted_annual_premium,
            quoted_installment=quoted_installment,
        )
        return cls._create(cls.Applied, id=policy_id, **fields)

    def start_underwriting(self, *, on: date | None = None) -> None:
        day = self._day(on)
        self._require(("applied",))
        self.trigger_event(self.UnderwritingStarted, on=day)

    def record_automatic_underwriting(
        self,
        findings: list[Any],
        outcome: str,
        annual_premium: Any = None,
        installment: Any = None,
        *,
        on: date | None = None,
        notice: str = "",
        suggested_products: list[str] | tuple[str, ...] = (),
    ) -> None:
        """Record the automatic checks (6.2), one finding each; accept, refer or decline by them.

        A decline records `notice`, the written notice with its reasons (6.3.2 (1); by default the codes of
        the declining findings), and `suggested_products`, other products to propose (6.3.3)."""
        outcome = check_choice(outcome, "outcome", ("accepted", "referred", "declined"))
        recorded = check_findings(findings, outcome)
        written = check_text(notice, "notice", 1000, allow_empty=True)
        suggested = check_texts(suggested_products, "suggested_products")
        if outcome != "declined" and (written or suggested):
            raise InvalidValue(
                "notice" if written else "suggested_products", "only a declined case has a decline notice"
            )
        annual = None if annual_premium is None else check_positive(annual_premium, "annual_premium")
        each = None if installment is None else check_positive(installment, "installment")
        if outcome == "accepted" and (annual is None or each is None):
            raise InvalidValue("annual_premium", "an accepted case needs its premium and installment")
        day = self._day(on)
        self._require(("underwriting",))
        self.trigger_event(
            self.AutomaticUnderwritingCompleted,
            on=day,
            findings=recorded,
            outcome=outcome,
            annual_premium=annual,
            installment=each,
        )
        if outcome == "accepted":
            assert annual is not None and each is not None
            self._accept(day, annual, each)
        elif outcome == "referred":
            reasons = [f["code"] for f in recorded if f["outcome"] == "refer"]
            self.trigger_event(self.Referred, on=day, reasons=reasons)
        else:
            reason = written or ", ".join(f["code"] for f in recorded if f["outcome"] == "decline")
            self._close(self.Declined, day, "declined", reason=reason, suggested_products=suggested)

    def decide(
        self,
        decision: str,
        *,
        underwriter_id: str | UUID,
        role: str,
        reason: str = "",
        loading_pct: Any = 0,
        exclusions: list[str] | tuple[str, ...] = (),
        suggested_products: list[str] | tuple[str, ...] = (),
        annual_premium: Any = None,
        installment: Any = None,
        decided_on: date,
    ) -> None:
        """An underwriter's decision on a referred case (6.3). The caller checks the authority."""
        decision = check_choice(decision, "decision", DECISIONS)
        who, role = check_id(underwriter_id, "underwriter_id"), check_text(role, "role", 50)
        why = check_text(reason, "reason", 1000, allow_empty=decision not in ("postpone", "decline"))
        loading = check_percent(loading_pct, "loading_pct")
        excluded = check_texts(exclusions, "exclusions")
        suggested = check_texts(suggested_products, "suggested_products")
        annual = each = None
        if decision in ("accept", "offer_with_conditions"):
            annual = check_positive(annual_premium, "annual_premium")
            each = check_positive(installment, "installment")
        if decision == "accept" and (loading or excluded):
            raise InvalidValue("loading_pct", "accept is at standard terms; use offer_with_conditions")
        if decision == "offer_with_conditions" and not (loading or excluded):
            raise InvalidValue("loading_pct", "conditions need a loading above 0 or an exclusion")
        day = self._day(decided_on, "decided_on")
        self._require(("referred",))
        self.trigger_event(
            self.UnderwritingDecided,
            on=day,
            decision=decision,
            underwriter_id=who,
            role=role,
            reason=why,
            loading_pct=loading,
            exclusions=excluded,
            suggested_products=suggested,
            annual_premium=annual,
            installment=each,
        )
        if decision == "accept":
            assert annual is not None and each is not None
            self._accept(day, annual, each)
        elif decision == "offer_with_conditions":
            self.trigger_event(
                self.OfferedWithConditions,
                on=day,
                annual_premium=annual,
                installment=each,
                loading_pct=loading,
                exclusions=excluded,
            )
        elif decision == "postpone":
            self._close(self.Postponed, day, "postponed", reason=why)
        else:
            self._close(self.Declined, day, "declined", reason=why, suggested_products=suggested)

    def accept_conditions(self, on: date) -> None:
        day = self._day(on)
        self._require(("offered_with_conditions",))
        self.trigger_event(self.ConditionsAccepted, on=day)
        self._after_acceptance(day)

    def refuse_conditions(self, on: date) -> None:
        """The applicant refuses the conditions: the application is withdrawn (not a decline)."""
        day = self._day(on)
        self._require(("offered_with_conditions",))
        self._close(self.ConditionsRefused, day, "conditions-refused")

    # -- premium, issue, grace, lapse, reinstatement (5.2 (3)–(5); Art. 36, 37) ----------------

    def pay_premium(self, amount: Any, paid_on: date, reference: str) -> None:
        """Exactly the amount due: a first premium paid with the application, the first premium once
        accepted (which forms and issues the contract), or the next unpaid installment."""
        paid, ref = check_positive(amount, "amount"), check_text(reference, "reference", 100)
        day = self._day(paid_on, "paid_on")
        self._require((*PRE_ACCEPTANCE, "accepted", "in_force"), "policy-not-in-force")
        if self.status in PRE_ACCEPTANCE:
            if self.premium_held:
                raise DomainError("the first premium is already paid", code="premium-already-paid")
            if self.quoted_installment is None:
                raise DomainError("there is no quote to pay before acceptance", code="nothing-due")
            due, no = self.quoted_installment, 1
        elif self.status == "accepted":
            due, no = self._installment, 1
        else:
            item = self.first_unpaid()
            if item is None:
                raise DomainError("no installment is unpaid", code="nothing-due")
            due, no = item["amount"], item["no"]
        if paid != due:
            raise DomainError(f"the amount due is {due}, not {paid}", code="wrong-amount", due=str(due))
        self.trigger_event(self.PremiumPaid, on=day, installment_no=no, amount=paid, reference=ref)
        if self.status == "accepted":
            self._issue(day)

    def demand_payment(self, installment_no: int, on: date) -> None:
        """Demand (催告) an overdue installment; for life and health this may shorten the grace."""
        day = self._day(on)
        self._require(("in_force",), "policy-not-in-force")
        item = self.schedule_item(installment_no) if isinstance(installment_no, int) else None
        if item is None or item["paid_on"] is not None:
            raise InvalidValue("installment_no", "is not an unpaid installment of this policy")
        if day <= item["due_date"]:
            raise DomainError("the installment is not overdue", code="installment-not-overdue")
        if str(installment_no) in self.demands:
            raise DomainError("payment was already demanded", code="payment-already-demanded")
        end = grace_end(
            item["due_date"],
            statutory=self._statutory_grace,
            grace_days=self.product_terms["grace_days"],
            demanded_on=day,
        )
        self.trigger_event(self.PaymentDemanded, on=day, installment_no=installment_no, grace_end=end)

    def request_reinstatement(self, on: date) -> None:
        day = self._day(on)
        self._require(("lapsed",), "policy-not-lapsed")
        assert self.lapsed_on is not None
        if self.reinstatement and self.reinstatement["state"] in ("pending", "agreed"):
            raise DomainError("reinstatement is already requested", code="reinstatement-already-requested")
        if day > reinstatement_last_day(self.lapsed_on):
            raise DomainError("two years have passed since the lapse", code="reinstatement-time-barred")
        self.trigger_event(
            self.ReinstatementRequested,
            on=day,
            decision_last_day=reinstatement_decision_last_day(day),
            deemed_consent_on=deemed_consent_date(day),
        )

    def decide_reinstatement(self, agree: bool, on: date, reason: str = "") -> None:
        """Agree, or refuse because the risk rose markedly (the only ground), within 30 days."""
        if not isinstance(agree, bool):
            raise InvalidValue("agree", "must be true or false")
        why = check_text(reason, "reason", 500, allow_empty=agree)
        if not agree and why != RISK_INCREASED:
            raise InvalidValue(
                "reason",
                f"a refusal needs the reason {RISK_INCREASED} (Art. 37)",
                code="reinstatement-refusal-not-allowed",
            )
        day = self._day(on)
        self._require(("lapsed",), "policy-not-lapsed")
        request = self.reinstatement
        if request is None or request["state"] == "refused":
            raise DomainError("no reinstatement request is open", code="no-reinstatement-request")
        if request["state"] != "pending":
            raise DomainError("the request is already agreed", code="reinstatement-already-decided")
        if day > reinstatement_decision_last_day(request["requested_on"]):
            raise DomainError("more than 30 days after the request", code="reinstatement-decision-too-late")
        self.trigger_event(self.ReinstatementDecided, on=day, agreed=agree, reason=why)

    def pay_arrears(self, amount: Any, paid_on: date, reference: str = "arrears") -> None:
        """Once reinstatement is agreed, pay every installment due: cover resumes on `paid_on`."""
        paid, ref = check_positive(amount, "amount"), check_text(reference, "reference", 100)
        day = self._day(paid_on, "paid_on")
        self._require(("lapsed",), "policy-not-lapsed")
        if not self.reinstatement or self.reinstatement["state"] != "agreed":
            raise DomainError("reinstatement is not agreed", code="reinstatement-not-agreed")
        items = [i for i in self.schedule if i["paid_on"] is None and i["due_date"] <= day]
        due = sum((i["amount"] for i in items), ZERO)
        if paid != due:
            raise DomainError(f"the arrears are {due}, not {paid}", code="wrong-amount", due=str(due))
        for item in items:
            self.trigger_event(
                self.PremiumPaid, on=day, installment_no=item["no"], amount=item["amount"], reference=ref
            )
        self.trigger_event(self.Reinstated, on=day, arrears=due, installment_nos=[i["no"] for i in items])

    # -- after-sales (5.3, 8.1): receipt, cooling-off, changes, renewal, surrender, Art. 16 -----

    def sign_receipt(self, on: date) -> None:
        day = self._day(on)
        self._require(("in_force",), "policy-not-in-force")
        if self.receipt_signed_on is not None:
            raise DomainError("the receipt is already signed", code="receipt-already-signed")
        long_term = self.term_months > SHORT_TERM_MONTHS
        last = cooling_off_last_day(day, self.product_terms["cooling_off_days"]) if long_term else None
        self.trigger_event(self.ContractReceiptSigned, on=day, cooling_off_last_day=last)

    def cancel_in_cooling_off(self, on: date) -> None:
        day = self._day(on)
        self._require(("in_force",), "policy-not-in-force")
        if self.term_months <= SHORT_TERM_MONTHS:
            raise DomainError("cooling-off applies to terms over one year", code="no-cooling-off")
        if self.receipt_signed_on is None:
            raise DomainError("the contract receipt is not signed", code="receipt-not-signed")
        if day > cooling_off_last_day(self.receipt_signed_on, self.product_terms["cooling_off_days"]):
            raise DomainError("the cooling-off period has ended", code="cooling-off-ended")
        fee = cancellation_fee(self.product_terms["cancellation_fee"])
        self._close(self.CancelledInCoolingOff, day, "cooling-off", max(ZERO, self.net_premium_paid - fee), fee=fee)

    def change(
        self,
        kind: str,
        details: Mapping[str, Any],
        document_ref: str,
        effective_on: date,
        *,
        on: date | None = None,
        insured_consent_document: str | None = None,
    ) -> None:
        """A written change by agreement (5.3): beneficiary, contacts, premium mode, a lower sum
        insured. `on`, the day it is agreed (default `effective_on`), may precede `effective_on`.
        A beneficiary change by an applicant who is not the insured needs the insured's written
        consent (Art. 41): `insured_consent_document`, the signed consent's reference."""
        kind = check_choice(kind, "kind", CHANGE_KINDS)
        if not isinstance(details, Mapping):
            raise InvalidValue("details", "must be an object")
        consent = self._insured_consent(kind, insured_consent_document)
        ref, day, effective = self._written(document_ref, effective_on, on)
        self._require(
            ("in_force", "lapsed") if kind in ("beneficiary", "contacts") else ("in_force",), "policy-not-in-force"
        )
        check_effective(self, effective)
        self._record_change(day, ref, effective, plan_change(self, kind, details, effective), consent)

    def _insured_consent(self, kind: str, document: str | None) -> str | None:
        """Art. 41: the applicant changes the beneficiaries only with the insured's written consent."""
        if kind != "beneficiary":
            if document is not None:
                raise InvalidValue("insured_consent_document", "only a beneficiary change takes the insured's consent")
            return None
        if document is None and self.applicant_id != self.insured_id:
            raise InvalidValue(
                "insured_consent_document",
                "the insured's written consent is required: the applicant is not the insured (Art. 41)",
                code="insured-consent-required",
            )
        return None if document is None else check_text(document, "insured_consent_document", 200)

    def request_sum_insured_increase(
        self, new_sum_insured: Any, document_ref: str, effective_on: date, *, on: date | None = None
    ) -> None:
        """Ask for a higher sum insured: it is underwritten again before it takes effect."""
        si = check_positive(new_sum_insured, "new_sum_insured")
        ref, day, effective = self._written(document_ref, effective_on, on)
        self._require(("in_force",), "policy-not-in-force")
        check_effective(self, effective)
        if si <= self.sum_insured:
            raise InvalidValue("new_sum_insured", f"must be more than {self.sum_insured}")
        if si > self.product_terms["sum_insured_max"]:
            raise InvalidValue("new_sum_insured", f"must be at most {self.product_terms['sum_insured_max']}")
        if self.pending_increase is not None:
            raise DomainError("an increase is already being underwritten", code="increase-already-pending")
        self.trigger_event(
            self.SumInsuredIncreaseRequested, on=day, new_sum_insured=si, document_ref=ref, effective_on=effective
        )

    def decide_sum_insured_increase(
        self,
        approved: bool,
        *,
        underwriter_id: str | UUID,
        role: str,
        reason: str = "",
        annual_premium: Any = None,
        decided_on: date | None = None,
    ) -> None:
        """Decide a requested increase; approved, it takes effect on the later of the requested date
        and the decision, the premium difference pro rata."""
        if not isinstance(approved, bool):
            raise InvalidValue("approved", "must be true or false")
        who, role = check_id(underwriter_id, "underwriter_id"), check_text(role, "role", 50)
        why = check_text(reason, "reason", 1000, allow_empty=approved)
        annual = check_positive(annual_premium, "annual_premium") if approved else None
        day = self._day(decided_on, "decided_on")
        self._require(("in_force",), "policy-not-in-force")
        request = self.pending_increase
        if request is None:
            raise DomainError("no increase is being underwritten", code="no-pending-increase")
        effective = max(request["effective_on"], day)
        plan = None
        if annual is not None:
            check_effective(self, effective)
            plan = plan_sum_insured(self, request["new_sum_insured"], annual, effective)
        self.trigger_event(
            self.SumInsuredIncreaseDecided,
            on=day,
            approved=approved,
            underwriter_id=who,
            role=role,
            reason=why,
            annual_premium=annual,
        )
        if plan is not None:
            self._record_change(day, request["document_ref"], effective, plan)

    def offer_renewal(self, on: date, annual_premium: Any, installment: Any = None) -> None:
        """Offer to renew (8.1.1 (4)) a renewable short-term policy, from `renewal_offer_days`
        before its last day. `installment` defaults from the premium mode."""
        annual = check_positive(annual_premium, "annual_premium")
        each = None if installment is None else check_positive(installment, "installment")
        day = self._day(on)
        self._require(("in_force",), "policy-not-in-force")
        if not self.renewable:
            raise DomainError("the policy is not renewable", code="not-renewable")
        if self.renewal_offer is not None:
            raise DomainError("renewal is already offered", code="renewal-already-offered")
        assert self.end_date is not None
        if day < renewal_offer_from(self.end_date, self.product_terms["renewal_offer_days"]):
            raise DomainError("too early to offer renewal", code="renewal-not-yet-open")
        self._offer_renewal(day, annual, each)

    def renew(self, paid_on: date, amount: Any, reference: str = "renewal") -> None:
        """Pay the offered renewal's first premium by the last day: a new period follows."""
        paid, ref = check_positive(amount, "amount"), check_text(reference, "reference", 100)
        day = self._day(paid_on, "paid_on")
        self._require(("in_force",), "policy-not-in-force")
        offer = self.renewal_offer
        if offer is None:
            raise DomainError("no renewal is offered", code="no-renewal-offer")
        if premium_owed(self.schedule, day) > 0:
            raise DomainError("premium of the current period is unpaid", code="premium-outstanding")
        schedule = premium_schedule(
            offer["start_date"], self.term_months, self.premium_mode, offer["installment"], self.last_installment_no + 1
        )
        if paid != schedule[0]["amount"]:
            raise DomainError(f"the renewal premium is {schedule[0]['amount']}", code="wrong-amount")
        self.trigger_event(self.PremiumPaid, on=day, installment_no=schedule[0]["no"], amount=paid, reference=ref)
        self.trigger_event(
            self.Renewed,
            on=day,
            period=len(self.periods) + 1,
            start_date=offer["start_date"],
            end_date=offer["end_date"],
            annual_premium=offer["annual_premium"],
            installment=offer["installment"],
            schedule=schedule,
        )

    def surrender(self, on: date) -> None:
        """Surrender (退保): the cash value for life cover (or a product with a cash value table),
        otherwise the unearned part of the premium paid, day by day. Cover ends the day before."""
        day = self._day(on)
        self._require(("in_force", "lapsed"), "policy-not-in-force")
        if self.uses_cash_value:
            refund, basis = self._cash_value(day), "cash_value"
        else:
            refund, basis = min(unearned(self.paid_cover, day), self.net_premium_paid), "pro_rata"
        self._close(self.Surrendered, day, "surrender", refund, basis=basis)

    def rescind(self, on: date, ground: str, learned_on: date, insurer_knew_at_contracting: bool) -> None:
        """Rescind for non-disclosure (Art. 16): within 30 days of learning the cause and 2 years of
        formation, never if the insurer knew, nor once it collected premium after learning the cause
        (`rescission-waived`, SPC Interpretation II Art. 7). Intentional: no refund, no liability for
        losses before the rescission. Gross negligence refunds the premium; a loss before the rescission
        is refused only where the fact seriously affected it, a finding recorded on its claim
        (Art. 16(5); domain.claim.aggregate.Claim.record_rescission_finding)."""
        ground = check_choice(ground, "ground", GROUNDS)
        learned = check_date(learned_on, "learned_on")
        if not isinstance(insurer_knew_at_contracting, bool):
            raise InvalidValue("insurer_knew_at_contracting", "must be true or false")
        day = self._day(on)
        if learned > day:
            raise InvalidValue("learned_on", "must not be after the rescission")
        self._require(("in_force", "lapsed"), "policy-not-in-force")
        assert self.start_date is not None
        code = rescission_refusal(
            day,
            learned_on=learned,
            formed_on=self.start_date,
            insurer_knew=insurer_knew_at_contracting,
            premium_collected_on=[i["paid_on"] for i in self.schedule if i["paid_on"]],
        )
        if code is not None:
            raise DomainError(f"rescission is not possible ({code})", code=code)
        refund = self.net_premium_paid if ground == "gross_negligence" else ZERO
        self._close(
            self.Rescinded, day, "rescission", refund, ground=ground, learned_on=learned, no_liability_before=day
        )

    def record_claim_payment(
        self,
        claim_id: str | UUID,
        amount: Any,
        paid_on: date,
        *,
        loss_on: date | None = None,
        by_cover: Mapping[str, Any] | None = None,
        cause: str | None = None,
        rider_premiums: Mapping[str, Any] | None = None,
    ) -> None:
        """A claim payment reduces the remaining sum insured of each cover that pays it (`by_cover`:
        "main" or a rider's code → its part; default: all on the main cover) in the period of the loss
        (default: the period of the payment, or the last). A benefit for the insured's death (`cause`)
        ends every cover on the insured's life, and so the policy, refunding the premium paid for the
        time after the death; a cover whose product ends on exhaustion ends when used up, and a rider
        ended so is no longer charged (`rider_premiums`: each rider's annual premium)."""
        claim, paid = check_id(claim_id, "claim_id"), check_positive(amount, "amount")
        loss = None if loss_on is None else check_date(loss_on, "loss_on")
        why = None if cause is None else check_text(cause, "cause", 100)
        parts = self._payment_split(paid, by_cover)
        day = self._day(paid_on, "paid_on")
        if self.start_date is None:
            raise InvalidTransition("the policy was never issued", code="policy-not-issued")
        if self.rescission is not None and (
            loss is None
            or loss >= self.rescission["no_liability_before"]
            or self.rescission["ground"] != "gross_negligence"
        ):
            raise DomainError("the policy is rescinded", code="policy-rescinded")
        period = self.period_index(loss or day)
        if loss is not None and (period is None or loss > day):
            raise InvalidValue("loss_on", "must fall in a period of cover, not after the payment")
        period = len(self.periods) - 1 if period is None else period
        when = loss or self.periods[period]["start"]
        remaining = self._remaining(period, when)
        left: dict[str, Decimal] = {}
        for key, part in parts.items():
            ended = self.ended_covers.get(key) or self.ended_covers.get(MAIN)
            if ended is not None and ended["claim_id"] != claim and when >= ended["on"]:
                raise DomainError(
                    f"the cover {key} ended on {ended['on']} by a claim ({ended['reason']})",
                    code="cover-ended",
                    cover=key,
                )
            rider = next((r for r in self.riders if r["code"] == key), None)
            room = remaining if key == MAIN else (rider or {})["sum_insured"] - self._rider_paid_in(key, period)
            if part > room:
                raise DomainError(
                    f"only {room} of the sum insured of {key} remains", code="exceeds-remaining-sum-insured", cover=key
                )
            left[key] = room - part
        self.trigger_event(
            self.ClaimPaymentRecorded,
            on=day,
            claim_id=claim,
            amount=paid,
            period=period,
            loss_on=loss,
            remaining_sum_insured=remaining - parts.get(MAIN, ZERO),
            by_cover=parts,
            remaining_by_cover=left,
        )
        if why is not None and is_death(why):
            self._end_by_claim(day, claim, when, "death", [MAIN, *(r["code"] for r in self.riders)])
        else:
            exhausted = [key for key, rest in left.items() if rest <= 0 and self._ends_on_exhaustion(key)]
            self._end_by_claim(day, claim, when, "exhausted", exhausted, rider_premiums)

    def _payment_split(self, paid: Decimal, by_cover: Mapping[str, Any] | None) -> dict[str, Decimal]:
        if by_cover is None:
            return {MAIN: paid}
        if not isinstance(by_cover, Mapping) or not by_cover:
            raise InvalidValue("by_cover", "must map each paying cover to its part")
        keys = [MAIN, *(r["code"] for r in self.riders if r.get("terms") is not None)]
        parts: dict[str, Decimal] = {}
        for key, value in by_cover.items():
            if key not in keys:
                raise InvalidValue(f"by_cover.{key}", "is not a cover of this policy")
            parts[key] = check_positive(value, f"by_cover.{key}")
        if sum(parts.values(), ZERO) != paid:
            raise InvalidValue("by_cover", f"the parts must sum to the amount {paid}")
        return parts

    def _ends_on_exhaustion(self, key: str) -> bool:
        if key == MAIN:
            return bool(self.product_terms.get("ends_on_exhaustion"))
        rider = next((r for r in self.riders if r["code"] == key), None)
        return bool(rider and (rider.get("terms") or {}).get("ends_on_exhaustion"))

    def _end_by_claim(
        self,
        day: date,
        claim: str,
        last_day: date,
        reason: str,
        keys: list[str],
        rider_premiums: Mapping[str, Any] | None = None,
    ) -> None:
        """End the covers `keys` (保险责任终止). The main cover ending ends the policy: the premium paid
        for the time after a death is refunded. A rider ending alone stops its charge from the next
        installment due after `last_day`."""
        keys = [k for k in keys if k not in self.ended_covers]
        if not keys:
            return
        ended_already = self.is_terminal  # e.g. surrendered after the loss: its own refund was made then
        ends_policy = MAIN in keys
        for key in keys:
            code = self.product_code if key == MAIN else key
            fields: dict[str, Any] = {
                "annual_premium": None,
                "installment": None,
                "schedule": None,
                "replaced_installments": [],
            }
            if not ends_policy:
                fields = self._without_rider(key, last_day, rider_premiums)
            self.trigger_event(
                self.CoverEnded,
                on=day,
                cover=key,
                product_code=code,
                claim_id=claim,
                reason=reason,
                last_day=last_day,
                **fields,
            )
        if ends_policy and not ended_already:
            refund = ZERO
            if reason == "death":
                refund = min(unearned(self.paid_cover, last_day + DAY), self.net_premium_paid)
            self._close(
                self.EndedByClaim,
                day,
                "ended-by-claim",
                refund,
                claim_id=claim,
                last_day=last_day,
                reason=f"cover ended by claim: {'death of the insured' if reason == 'death' else 'sum insured used up'}"
                f" on {last_day}",
            )

    def _without_rider(self, code: str, last_day: date, rider_premiums: Mapping[str, Any] | None) -> dict[str, Any]:
        """The premium without an ended rider: its annual premium off each installment due after `last_day`."""
        premium = (rider_premiums or {}).get(code)
        unchanged: dict[str, Any] = {
            "annual_premium": None,
            "installment": None,
            "schedule": None,
            "replaced_installments": [],
        }
        if premium is None or self.annual_premium is None or not self.annual_premium:
            return unchanged
        rider_annual = check_positive(premium, f"rider_premiums.{code}")
        ratio = max(ZERO, self._annual - rider_annual) / self._annual
        later = [
            i for i in self.schedule if i["paid_on"] is None and i["due_date"] > last_day and i["kind"] == "premium"
        ]
        new = [{k: v for k, v in dict(i, amount=money(i["amount"] * ratio)).items() if k != "paid_on"} for i in later]
        return {
            "annual_premium": money(self._annual * ratio),
            "installment": money(self._installment * ratio),
            "schedule": new,
            "replaced_installments": [i["no"] for i in later],
        }

    def grace_deduction(self, loss_on: date) -> tuple[Decimal, list[int]]:
        """(amount, installment numbers) a loss on `loss_on` in the grace period is paid less (Art. 36):
        the installments owed at the end of the loss date and still owed now. Nothing for a loss while
        the policy was not in force, nor once the policy is no longer in force (a lapsed or ended
        policy's arrears are not set off)."""
        loss = check_date(loss_on, "loss_on")
        if self.status_on(loss) != "in_force" or self.status != "in_force":
            return ZERO, []
        items = grace_deduction(self.schedule, loss)
        return sum((i["amount"] for i in items), ZERO), [i["no"] for i in items]

    def pay_by_claim_deduction(self, claim_id: str | UUID, installment_nos: list[int], on: date) -> None:
        """The claim payment for a loss in the grace period pays these installments by deduction
        (Art. 36): each is recorded paid, method "claim deduction"; the policy no longer lapses for it."""
        claim = check_id(claim_id, "claim_id")
        day = self._day(on)
        self._require(("in_force",), "policy-not-in-force")
        items = []
        for no in installment_nos:
            item = self.schedule_item(no) if isinstance(no, int) else None
            if item is None or item["paid_on"] is not None:
                raise InvalidValue("installment_nos", f"{no} is not an unpaid installment of this policy")
            items.append(item)
        for item in items:
            self.trigger_event(
                self.InstallmentPaidByClaimDeduction,
                on=day,
                installment_no=item["no"],
                amount=item["amount"],
                claim_id=claim,
            )

    # -- the passing of time ----------------------------------------------------------------------

    def advance_time(self, today: date, renewal_premium: Callable[[], tuple[Any, Any]] | None = None) -> None:
        """Record in date order all that the passing of time causes up to `today`: lapse, deemed consent
        to reinstatement, termination, expiry, and, given `renewal_premium` → (annual, installment or
        None), the renewal offer. When `renewal_premium` raises InvalidValue (the product's rules refuse
        the insured now: aged out, product withdrawn), the policy records RenewalNotOffered with the
        reason instead, and then expires at the end of its term; any other error is raised. Calling it
        again with the same date records nothing."""
        today = check_date(today, "today")
        while (step := self._next_step(offers=renewal_premium is not None)) and step[0] <= today:
            when, _, what = step
            if what == "expire":
                self.trigger_event(self.Expired, on=when)
            elif what == "terminate":
                refund = self._cash_value(when) if self.uses_cash_value else ZERO
                self._close(
                    self.Terminated,
                    when,
                    "termination-cash-value",
                    refund,
                    reason="not reinstated within two years of the lapse (Art. 37)",
                )
            elif what == "lapse":
                item = self._lapsing_item()
                assert item is not None
                self.trigger_event(
                    self.Lapsed,
                    on=when,
                    installment_no=item["no"],
                    grace_end=when - DAY,
                    premium_owed=premium_owed(self.schedule, when - DAY),
                )
            elif what == "deem":
                assert self.reinstatement is not None
                self.trigger_event(
                    self.ReinstatementDeemedAgreed, on=when, requested_on=self.reinstatement["requested_on"]
                )
            else:
                assert renewal_premium is not None
                try:
                    annual, each = renewal_premium()
                except InvalidValue as refusal:
                    self.trigger_event(
                        self.RenewalNotOffered, on=when, field=refusal.field, reason=renewal_refusal_reason(refusal)
                    )
                    continue
                self._offer_renewal(
                    when,
                    check_positive(annual, "annual_premium"),
                    None if each is None else check_positive(each, "installment"),
                )

    # -- helpers ------------------------------------------------------------------------------------

    def _day(self, value: date | None, field: str = "on") -> date:
        """A command's business date: not before the last recorded one, nothing due unrecorded by it."""
        day = self.business_date if value is None else check_date(value, field)
        if day < self.business_date:
            raise DomainError(
                f"{field} {day} is before the last recorded date {self.business_date}", code="date-before-last-event"
            )
        step = self._next_step(offers=False)
        if step is not None and step[0] <= day:
            raise DomainError(f"{step[2]} is due on {step[0]}: advance time first", code="time-not-advanced")
        return day

    def _written(self, document_ref: str, effective_on: date, on: date | None) -> tuple[str, date, date]:
        ref = check_text(document_ref, "document_ref", 200)
        effective = check_date(effective_on, "effective_on")
        day = self._day(effective if on is None else on)
        if effective < day:
            raise InvalidValue("effective_on", "must not be before the day the change is agreed")
        return ref, day, effective

    def _require(self, statuses: tuple[str, ...], code: str = "invalid-policy-transition") -> None:
        if self.status in TERMINAL:
            raise InvalidTransition(f"the policy is {self.status}", code="invalid-policy-transition")
        if self.status not in statuses:
            raise InvalidTransition(f"not allowed while the policy is {self.status}", code=code)

    def _accept(self, day: date, annual: Decimal, each: Decimal) -> None:
        self.trigger_event(
            self.Accepted, on=day, annual_premium=annual, installment=each, loading_pct=ZERO, exclusions=[]
        )
        self._after_acceptance(day)

    def _after_acceptance(self, day: date) -> None:
        """Issue at once if the first premium came with the application; refund it if it differs."""
        if self.premium_held and self.premium_held == self.installment:
            self._issue(day)
        elif self.premium_held:
            self.trigger_event(self.PremiumRefunded, on=day, amount=self.premium_held, reason="premium-differs")

    def _close(self, event: Any, day: date, refund_reason: str, refund: Decimal | None = None, **fields: Any) -> None:
        """A terminal event, then the refund it makes (default: a first premium held)."""
        if refund is None:
            refund = self.premium_held
        else:
            fields["refund"] = refund
        self.trigger_event(event, on=day, **fields)
        if refund > 0:
            self.trigger_event(self.PremiumRefunded, on=day, amount=refund, reason=refund_reason)

    def _issue(self, day: date) -> None:
        end = term_end(day, self.term_months)
        number = f"P{day.year}{self.id.hex[:10].upper()}"
        self.trigger_event(
            self.Issued,
            on=day,
            policy_number=number,
            start_date=day,
            end_date=end,
            waiting_period_end=waiting_period_end(day, self.product_terms["waiting_period_days"]) or day,
            schedule=premium_schedule(day, self.term_months, self.premium_mode, self._installment),
            contract=contract_terms(self, number, day, end),
        )

    def _offer_renewal(self, day: date, annual: Decimal, each: Decimal | None) -> None:
        assert self.end_date is not None
        start = self.end_date + DAY
        if each is None:
            monthly = self.premium_mode == "monthly"
            each = money(annual * self.product_terms["monthly_factor"]) if monthly else annual
        self.trigger_event(
            self.RenewalOffered,
            on=day,
            annual_premium=annual,
            installment=each,
            start_date=start,
            end_date=term_end(start, self.term_months),
        )

    def _record_change(
        self, day: date, ref: str, effective: date, plan: dict[str, Any], insured_consent_document: str | None = None
    ) -> None:
        self.trigger_event(
            self.PolicyChanged,
            on=day,
            document_ref=ref,
            effective_on=effective,
            insured_consent_document=insured_consent_document,
            **plan,
        )
        if plan["settled_now"] < 0:
            self.trigger_event(self.PremiumRefunded, on=day, amount=-plan["settled_now"], reason="sum-insured-decrease")
