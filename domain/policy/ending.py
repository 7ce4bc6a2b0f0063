"""How a policy ends other than by time (SPEC §5; Insurance Law Art. 16, 47): surrender, rescission,
and claim payments that exhaust a cover. Mixed into domain.policy.aggregate.Policy.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from typing import Any
from uuid import UUID

from domain.errors import DomainError, InvalidTransition, InvalidValue
from domain.policy import events as ev
from domain.policy.command_steps import PolicySteps
from domain.policy.cover import MAIN, is_death
from domain.policy.rules import DAY, ZERO, rescission_refusal, unearned
from domain.values import check_choice, check_date, check_id, check_positive, check_text, money

GROUNDS = ("intentional", "gross_negligence")


class PolicyEnding(PolicySteps):
    """The commands that surrender or rescind a policy, and record the claims paid under it."""

    def surrender(self, on: date) -> None:
        """Surrender (退保): the cash value for life cover (or a product with a cash value table),
        otherwise the unearned part of the premium paid, day by day. Cover ends the day before."""
        day = self._day(on)
        self._require(("in_force", "lapsed"), "policy-not-in-force")
        if self.uses_cash_value:
            refund, basis = self._cash_value(day), "cash_value"
        else:
            refund, basis = min(unearned(self.paid_cover, day), self.net_premium_paid), "pro_rata"
        self._close(ev.Surrendered, day, "surrender", refund, basis=basis)

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
        self._close(ev.Rescinded, day, "rescission", refund, ground=ground, learned_on=learned, no_liability_before=day)

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
            ev.ClaimPaymentRecorded,
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
                ev.CoverEnded,
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
                ev.EndedByClaim,
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
        ratio = max(ZERO, self.agreed_annual_premium - rider_annual) / self.agreed_annual_premium
        later = [
            i for i in self.schedule if i["paid_on"] is None and i["due_date"] > last_day and i["kind"] == "premium"
        ]
        new = [{k: v for k, v in dict(i, amount=money(i["amount"] * ratio)).items() if k != "paid_on"} for i in later]
        return {
            "annual_premium": money(self.agreed_annual_premium * ratio),
            "installment": money(self.agreed_installment * ratio),
            "schedule": new,
            "replaced_installments": [i["no"] for i in later],
        }
