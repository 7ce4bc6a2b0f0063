"""The claim's money and closing (SPEC §6; guide 7.3 (2)–(3); Insurance Law Art. 25): the reserve,
final payments and advances, the grace-period premium deduction, receipt, closing and reopening.
Mixed into domain.claim.aggregate.Claim.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from domain.authority import check_claims_authority
from domain.claim import events as ev
from domain.claim.cover import ClaimCover
from domain.claim.rules import ZERO, CoverLike
from domain.claim.state import HANDLING
from domain.errors import DomainError, InvalidTransition, InvalidValue
from domain.values import check_amount, check_choice, check_positive, check_text

PAYMENT_KINDS = ("final", "advance")


class ClaimPayment(ClaimCover):
    """The commands that move a claim's money and close it."""

    def set_reserve(self, amount: Any, reason: str, on: date) -> None:
        reserve, why = check_amount(amount, "amount"), check_text(reason, "reason", 1000)
        day = self._day(on)
        if self.status == "closed":
            raise InvalidTransition("the claim is closed", code="invalid-claim-transition")
        if reserve == self.reserve:
            raise DomainError(f"the reserve is already {reserve}", code="reserve-unchanged")
        self.trigger_event(ev.ReserveAdjusted, on=day, amount=reserve, previous=self.reserve, reason=why)

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
            ev.Paid,
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
        self.trigger_event(ev.PremiumDeductionReleased, on=day, amount=released, payable=self.payable + released)

    def confirm_receipt(self, on: date) -> None:
        """The claimant confirms receipt of the payment (7.3 (3))."""
        day = self._day(on)
        self._require(("paid",))
        if self.receipt_confirmed_on is not None:
            raise DomainError("receipt is already confirmed", code="receipt-already-confirmed")
        self.trigger_event(ev.ReceiptConfirmed, on=day)

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
        self.trigger_event(ev.Closed, on=day, reserve_released=self.reserve)

    def reopen(self, reason: str, on: date) -> None:
        """Reopen a closed claim: a new round, its decision due within 30 days."""
        why = check_text(reason, "reason", 1000)
        day = self._day(on)
        self._require(("closed",))
        self.trigger_event(ev.Reopened, on=day, reason=why, round=self.round + 1)
