"""The policy's after-sales commands (SPEC §5; guide 5.3, 8.1; Insurance Law Art. 15, 20): receipt,
cooling-off, contract changes (worked out by domain.policy.changes), sum insured increases, renewal.
Mixed into domain.policy.aggregate.Policy.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any
from uuid import UUID

from domain.errors import DomainError, InvalidValue
from domain.policy import events as ev
from domain.policy.changes import CHANGE_KINDS, check_effective, plan_change, plan_sum_insured
from domain.policy.command_steps import PolicySteps
from domain.policy.rules import (
    SHORT_TERM_MONTHS,
    ZERO,
    cancellation_fee,
    cooling_off_last_day,
    premium_owed,
    premium_schedule,
    renewal_offer_from,
)
from domain.values import check_choice, check_id, check_positive, check_text


class PolicyAfterSales(PolicySteps):
    """The commands that change, renew or cancel a policy in force by agreement."""

    def sign_receipt(self, on: date) -> None:
        day = self._day(on)
        self._require(("in_force",), "policy-not-in-force")
        if self.receipt_signed_on is not None:
            raise DomainError("the receipt is already signed", code="receipt-already-signed")
        long_term = self.term_months > SHORT_TERM_MONTHS
        last = cooling_off_last_day(day, self.product_terms["cooling_off_days"]) if long_term else None
        self.trigger_event(ev.ContractReceiptSigned, on=day, cooling_off_last_day=last)

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
        self._close(ev.CancelledInCoolingOff, day, "cooling-off", max(ZERO, self.net_premium_paid - fee), fee=fee)

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
            ev.SumInsuredIncreaseRequested, on=day, new_sum_insured=si, document_ref=ref, effective_on=effective
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
            ev.SumInsuredIncreaseDecided,
            on=day,
            approved=approved,
            underwriter_id=who,
            role=role,
            reason=why,
            annual_premium=annual,
        )
        if plan is not None:
            self._record_change(day, request["document_ref"], effective, plan)

    def _record_change(
        self, day: date, ref: str, effective: date, plan: dict[str, Any], insured_consent_document: str | None = None
    ) -> None:
        self.trigger_event(
            ev.PolicyChanged,
            on=day,
            document_ref=ref,
            effective_on=effective,
            insured_consent_document=insured_consent_document,
            **plan,
        )
        if plan["settled_now"] < 0:
            self.trigger_event(ev.PremiumRefunded, on=day, amount=-plan["settled_now"], reason="sum-insured-decrease")

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
        self.trigger_event(ev.PremiumPaid, on=day, installment_no=schedule[0]["no"], amount=paid, reference=ref)
        self.trigger_event(
            ev.Renewed,
            on=day,
            period=len(self.periods) + 1,
            start_date=offer["start_date"],
            end_date=offer["end_date"],
            annual_premium=offer["annual_premium"],
            installment=offer["installment"],
            schedule=schedule,
        )
