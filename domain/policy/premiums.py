"""The policy's premium commands (SPEC §5; guide 5.2 (3)–(5); Insurance Law Art. 36, 37): payment and
issue, payment demands, reinstatement, arrears, and the grace-period premium a claim deducts.
Mixed into domain.policy.aggregate.Policy.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any
from uuid import UUID

from domain.errors import DomainError, InvalidValue
from domain.policy import events as ev
from domain.policy.command_steps import PolicySteps
from domain.policy.rules import (
    RISK_INCREASED,
    ZERO,
    deemed_consent_date,
    grace_deduction,
    grace_end,
    reinstatement_decision_last_day,
    reinstatement_last_day,
)
from domain.values import check_date, check_id, check_positive, check_text

PRE_ACCEPTANCE = ("applied", "underwriting", "referred")


class PolicyPremiums(PolicySteps):
    """The commands that move premiums and reinstate a lapsed policy."""

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
            due, no = self.agreed_installment, 1
        else:
            item = self.first_unpaid()
            if item is None:
                raise DomainError("no installment is unpaid", code="nothing-due")
            due, no = item["amount"], item["no"]
        if paid != due:
            raise DomainError(f"the amount due is {due}, not {paid}", code="wrong-amount", due=str(due))
        self.trigger_event(ev.PremiumPaid, on=day, installment_no=no, amount=paid, reference=ref)
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
        self.trigger_event(ev.PaymentDemanded, on=day, installment_no=installment_no, grace_end=end)

    def request_reinstatement(self, on: date) -> None:
        day = self._day(on)
        self._require(("lapsed",), "policy-not-lapsed")
        assert self.lapsed_on is not None
        if self.reinstatement and self.reinstatement["state"] in ("pending", "agreed"):
            raise DomainError("reinstatement is already requested", code="reinstatement-already-requested")
        if day > reinstatement_last_day(self.lapsed_on):
            raise DomainError("two years have passed since the lapse", code="reinstatement-time-barred")
        self.trigger_event(
            ev.ReinstatementRequested,
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
        self.trigger_event(ev.ReinstatementDecided, on=day, agreed=agree, reason=why)

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
            self.trigger_event(ev.PremiumPaid, on=day, installment_no=item["no"], amount=item["amount"], reference=ref)
        self.trigger_event(ev.Reinstated, on=day, arrears=due, installment_nos=[i["no"] for i in items])

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
                ev.InstallmentPaidByClaimDeduction,
                on=day,
                installment_no=item["no"],
                amount=item["amount"],
                claim_id=claim,
            )
