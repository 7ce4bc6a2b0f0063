"""How a claim reads the policy's cover on the loss date (SPEC §6; 7.3 (1)): is the loss covered, by which
covers, and what they pay. Read only: `ClaimCover` records nothing; the deciding and paying commands
(domain.claim.decision, domain.claim.payment) ask it.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from domain.base import AggregateCommands
from domain.claim.rules import ZERO, CoverLike, cover_refusal, rescission_reaches
from domain.claim.state import ClaimState
from domain.errors import DomainError, InvalidValue
from domain.policy.cover import CoverPart, allocate, paying_parts, settle


class ClaimCover(ClaimState, AggregateCommands):
    """The claim's questions to the policy as it stood on the loss date (`cover`)."""

    def _paying(self, cover: CoverLike, exclusion_applies: str | None) -> tuple[list[CoverPart], list[Any]]:
        return paying_parts(
            getattr(cover, "covers", ()),
            self.loss_date,
            self.cause,
            str(self.id),
            exclusion_applies,
            getattr(cover, "suicide_excluded_to", None),
        )

    def _covers_refusal(self, cover: CoverLike, exclusion_applies: str | None) -> tuple[str, str] | None:
        """None when some cover pays the loss; else why not (the first responding cover's reason)."""
        paying, refusals = self._paying(cover, exclusion_applies)
        if paying:
            return None
        return refusals[0] if refusals else ("cause-not-covered", f"the cause {self.cause} is not covered")

    def _settle_covers(self, cover: CoverLike, exclusion_applies: str | None, owed: Decimal) -> dict[str, Decimal]:
        """Payable across the covers that pay the loss (domain.policy.cover.settle); this claim's earlier payments
        are taken from those covers in order, as application.commands.claim_payments.pay records them."""
        assert self.assessment is not None
        paying, _ = self._paying(cover, exclusion_applies)
        assessed = self.assessment["total_assessed"]
        caps = {
            p.key: settle(
                [p], assessed=assessed, already_paid=ZERO, premium_owed=ZERO, own_paid={p.key: self.paid_total}
            )["covered"]
            for p in paying
        }
        own = allocate(self.paid_total, caps) if self.paid_total > 0 else {}
        return settle(paying, assessed=assessed, already_paid=self.paid_total, premium_owed=owed, own_paid=own)

    def _check_cover(self, cover: CoverLike, exclusion_applies: str | None) -> None:
        if getattr(cover, "on", None) != self.loss_date:
            raise InvalidValue("cover", f"must be the policy as it stood on the loss date {self.loss_date}")
        number = getattr(cover, "policy_number", None)
        if number is not None and number != self.policy_number:
            raise InvalidValue("cover", f"is for policy {number}, not {self.policy_number}")
        parts = getattr(cover, "covers", ())
        exclusions = {e for p in parts for e in p.exclusions} | set(cover.exclusions)
        if exclusion_applies is not None and exclusion_applies not in exclusions:
            raise InvalidValue("exclusion_applies", "is not an exclusion of this policy")
        finding = None if self.rescission_finding is None else self.rescission_finding["seriously_affected"]
        if (
            finding is None
            and rescission_reaches(cover, self.loss_date)
            and cover.rescission_ground == "gross_negligence"
        ):
            raise DomainError(
                "the policy was rescinded for gross negligence after this loss: record whether "
                "the fact not disclosed seriously affected it (Art. 16(5))",
                code="rescission-finding-required",
            )
        refusal = cover_refusal(cover, self.loss_date, self.cause, exclusion_applies, seriously_affected=finding)
        if parts and (refusal is None or refusal[0] in ("waiting-period", "cause-not-covered", "excluded")):
            refusal = self._covers_refusal(cover, exclusion_applies)  # judged cover by cover
        if refusal is not None:
            reason, explanation = refusal
            if reason == "cover-ended":
                raise DomainError(f"not covered on the loss date: {explanation}", code="cover-ended", reason=reason)
            raise DomainError(
                f"not covered on the loss date: {explanation}", code="not-covered-on-loss-date", reason=reason
            )
