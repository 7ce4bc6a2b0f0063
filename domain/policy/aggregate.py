"""The policy aggregate (SPEC §5; guide ch. 5, 6, 8.1; Insurance Law Art. 16, 36, 37).

Every command validates first and then triggers its events, so a refused command records nothing.
Business dates are explicit; the clock only stamps events. A dated command refuses a date before the
last recorded one (`date-before-last-event`) and refuses to run while something the passing of time
causes (lapse, deemed consent, termination, expiry) is due by then but not recorded
(`time-not-advanced`): the caller runs `advance_time(on)` first. So `status_on(d)` (the status at
the end of d) never changes for any d before `business_date`. Money moves only in PremiumPaid and
PremiumRefunded events.
State and queries: domain.policy.state; events: domain.policy.events; changes: domain.policy.changes.
The commands are grouped by meaning: application and underwriting here, premiums (domain.policy.premiums),
after-sales (domain.policy.after_sales) and ending (domain.policy.ending), with the steps they share in
domain.policy.command_steps.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date
from decimal import Decimal
from typing import Any
from uuid import UUID

from domain.base import InscribeAggregate
from domain.errors import InvalidValue
from domain.policy import events as ev
from domain.policy.after_sales import PolicyAfterSales
from domain.policy.changes import CHANGE_KINDS
from domain.policy.command_steps import PolicySteps
from domain.policy.ending import PolicyEnding
from domain.policy.event_base import PolicySnapshot
from domain.policy.examinations import PolicyExaminations
from domain.policy.facultative import PolicyFacultative
from domain.policy.premiums import PolicyPremiums
from domain.policy.rules import DAY, ZERO, check_percent, premium_owed
from domain.policy.state import STATUSES, TERMINAL, CoverSnapshot
from domain.policy.terms import check_application, check_findings
from domain.product.model import Product
from domain.product.quotation import renewal_refusal_reason
from domain.values import check_choice, check_date, check_id, check_positive, check_text, check_texts

__all__ = ["CHANGE_KINDS", "DECISIONS", "STATUSES", "TERMINAL", "CoverSnapshot", "Policy"]

DECISIONS = ("accept", "offer_with_conditions", "postpone", "decline")


class Policy(
    PolicyPremiums,
    PolicyAfterSales,
    PolicyEnding,
    PolicyExaminations,
    PolicyFacultative,
    PolicySteps,
    InscribeAggregate,
):
    """An application that becomes, once accepted and paid, an insurance contract."""

    TOPIC = "inscribe.policy.Policy"
    Snapshot = PolicySnapshot
    Event = ev.PolicyEvent
    Created = ev.PolicyCreated
    Applied = ev.Applied
    UnderwritingStarted = ev.UnderwritingStarted
    AutomaticUnderwritingCompleted = ev.AutomaticUnderwritingCompleted
    Accepted = ev.Accepted
    Referred = ev.Referred
    ExaminationOrdered = ev.ExaminationOrdered
    ExaminationReported = ev.ExaminationReported
    FacultativePlaced = ev.FacultativePlaced
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
        self._check_examinations(decision, loading, excluded)
        self._check_facultative(decision)
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

    # premiums, issue, reinstatement: domain.policy.premiums; receipt, cooling-off, changes, renewal:
    # domain.policy.after_sales; surrender, rescission, claims paid: domain.policy.ending.

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
