"""The claim's decision (核定, SPEC §6; guide 7.3; Insurance Law Art. 16(5), 23, 24): settlement,
approval, the rescission finding, rejection and its notice. Mixed into domain.claim.aggregate.Claim.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any
from uuid import UUID

from domain.authority import check_claims_authority
from domain.claim import events as ev
from domain.claim.clocks import REJECTION_NOTICE_DAYS, due_date
from domain.claim.cover import ClaimCover
from domain.claim.rules import ZERO, CoverLike, rescission_reaches
from domain.claim.rules import payable as compute_payable
from domain.claim.state import UNDECIDED
from domain.errors import DomainError, InvalidValue
from domain.values import check_amount, check_id, check_text, check_texts


class ClaimDecision(ClaimCover):
    """The commands that decide a claim: approve (with its settlement) or reject."""

    def settlement(
        self, cover: CoverLike, exclusion_applies: str | None = None, premium_owed: Decimal | None = None
    ) -> dict[str, Decimal]:
        """The computation `approve` would record (7.3 (1)), for the caller to check its authority;
        DomainError `not-covered-on-loss-date` if the policy did not cover the loss.

        `premium_owed`: for a loss in the grace period (Art. 36), the premium owed on the loss date
        that is still owed at settlement (domain.policy.aggregate.Policy.grace_deduction); premium paid since
        is not deducted. None: what `cover` says was owed at the end of the loss date."""
        self._check_cover(cover, exclusion_applies)
        if self.assessment is None:
            raise DomainError("the loss is not assessed", code="not-assessed")
        owed = (cover.premium_owed if cover.in_grace else ZERO) if premium_owed is None else premium_owed
        if getattr(cover, "covers", ()):  # every cover that responds to the cause (main cover plus riders)
            return self._settle_covers(cover, exclusion_applies, owed)
        return compute_payable(
            assessed=self.assessment["total_assessed"],
            deductible=cover.deductible,
            # the cover's remaining sum insured already counts this claim's payments: add them back
            remaining_sum_insured=cover.remaining_sum_insured + self.paid_total,
            payout_ratio=cover.payout_ratio,
            already_paid=self.paid_total,
            premium_owed=owed,
        )

    def approve(
        self,
        *,
        cover: CoverLike,
        deciding_role: str,
        decided_by: str | UUID,
        on: date,
        exclusion_applies: str | None = None,
        premium_owed: Any = None,
    ) -> None:
        """The decision (核定, Art. 23): approve against the policy as it stood on the loss date (in force
        or in grace, past the waiting period, cause covered, not excluded, not rescinded), with the
        amount, notified to the claimant the same day. It stops the 30-day decision clock without
        waiting for the claimant: the claimant then agrees (the 10-day payment clock starts) or disputes
        (reassessment, a new decision). The role needs authority for the claim's total (payable plus
        already paid). `premium_owed`: see `settlement`."""
        role, who = check_text(deciding_role, "deciding_role", 50), check_id(decided_by, "decided_by")
        excluded = None if exclusion_applies is None else check_text(exclusion_applies, "exclusion_applies", 200)
        owed = None if premium_owed is None else check_amount(premium_owed, "premium_owed")
        day = self._day(on)
        self._require(("assessed", "advance_paid"))
        if self.assessment is not None and self.assessment["disputed"] is not None:
            raise DomainError("the assessment is disputed: assess again", code="assessment-disputed")
        computation = self.settlement(cover, excluded, owed)
        check_claims_authority(role, computation["payable"] + computation["already_paid"])
        self.trigger_event(
            ev.Approved,
            on=day,
            payable=computation["payable"],
            computation=computation,
            deciding_role=role,
            decided_by=who,
        )

    def record_rescission_finding(self, seriously_affected: bool, reason: str, *, cover: CoverLike, on: date) -> None:
        """Art. 16(5): the policy was rescinded for gross negligence after this loss; record whether the
        fact not disclosed seriously affected the loss, with the reason. Not seriously affected, the
        loss is judged as if there were no rescission; seriously affected, it is refused."""
        if not isinstance(seriously_affected, bool):
            raise InvalidValue("seriously_affected", "must be true or false")
        why = check_text(reason, "reason", 2000)
        day = self._day(on)
        self._require(UNDECIDED)
        if getattr(cover, "on", None) != self.loss_date:
            raise InvalidValue("cover", f"must be the policy as it stood on the loss date {self.loss_date}")
        if not rescission_reaches(cover, self.loss_date) or cover.rescission_ground != "gross_negligence":
            raise DomainError(
                "no rescission for gross negligence reaches this loss", code="no-rescission-for-gross-negligence"
            )
        if self.rescission_finding is not None:
            raise DomainError("the finding is already recorded", code="rescission-finding-already-recorded")
        self.trigger_event(ev.RescissionFindingRecorded, on=day, seriously_affected=seriously_affected, reason=why)

    def reject(self, reasons: list[str], decided_by: str | UUID, on: date) -> None:
        """Reject with reasons; the written notice is due within 3 days (Art. 24)."""
        why, who = check_texts(reasons, "reasons"), check_id(decided_by, "decided_by")
        if not why:
            raise InvalidValue("reasons", "give at least one reason")
        day = self._day(on)
        self._require(UNDECIDED)
        self.trigger_event(ev.Rejected, on=day, reasons=why, decided_by=who, paid_to_date=self.paid_total)

    def send_rejection_notice(self, on: date) -> None:
        day = self._day(on)
        self._require(("rejected",))
        assert self.rejection is not None
        if self.rejection["notice_on"] is not None:
            raise DomainError("the rejection notice is already sent", code="rejection-notice-already-sent")
        days = (day - self.rejection["on"]).days
        self.trigger_event(
            ev.RejectionNoticeSent,
            on=day,
            reasons=list(self.rejection["reasons"]),
            days_after_decision=days,
            on_time=day <= due_date(self.rejection["on"], REJECTION_NOTICE_DAYS).due,
        )
