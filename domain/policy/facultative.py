"""Facultative placement (临时分保; guide 6.1.1 (6) 有效利用再保险支持): a risk whose sum insured is beyond its
retention plus every treaty's capacity is referred at underwriting (finding `beyond-reinsurance-capacity`, with
the amount: domain.policy.underwriting.check_sum_insured); while it is referred, the part beyond is placed with
reinsurers one placement at a time (reinsurer, sum insured, premium), and an acceptance or offer waits until the
placements hold all of it. Mixed into domain.policy.aggregate.Policy.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any
from uuid import UUID

from domain.errors import DomainError, InvalidValue
from domain.policy import events as ev
from domain.policy.command_steps import PolicySteps
from domain.values import check_money, check_text

#: The referral's code, and the figure its finding carries.
BEYOND_CAPACITY = "beyond-reinsurance-capacity"
MAX_PLACEMENTS = 20


class PolicyFacultative(PolicySteps):
    """The command that places part of a referred risk facultatively, and the check a decision makes."""

    def place_facultative(
        self, *, reinsurer: str, sum_insured: Any, premium: Any, placed_by: str | UUID, on: date
    ) -> int:
        """Place `sum_insured` of a referred risk with `reinsurer` for `premium`; its number is answered."""
        who = check_text(reinsurer, "reinsurer", 200)
        placed = check_money(sum_insured, "sum_insured")
        price = check_money(premium, "premium", allow_zero=True)
        by = check_text(str(placed_by), "placed_by", 200)
        day = self._day(on)
        self._require(("referred",))
        if len(self.facultative) >= MAX_PLACEMENTS:
            raise InvalidValue("reinsurer", f"a risk takes at most {MAX_PLACEMENTS} placements")
        if self.placed_facultative() + placed > self.sum_insured:
            raise InvalidValue("sum_insured", f"the placements would exceed the sum insured {self.sum_insured}")
        no = len(self.facultative) + 1
        self.trigger_event(
            ev.FacultativePlaced, on=day, no=no, reinsurer=who, sum_insured=placed, premium=price, placed_by=by
        )
        return no

    def placed_facultative(self) -> Decimal:
        return sum((Decimal(p["sum_insured"]) for p in self.facultative), Decimal(0))

    def beyond_capacity(self) -> Decimal:
        """What the automatic underwriting found beyond every treaty's capacity (0: nothing)."""
        for finding in self.findings:
            if finding.get("code") == BEYOND_CAPACITY or BEYOND_CAPACITY in finding.get("data", {}).get(
                "other_issues", ()
            ):
                return Decimal(str(finding.get("data", {}).get("beyond_capacity", 0)))
        return Decimal(0)

    def _check_facultative(self, decision: str) -> None:
        """An acceptance or offer of a risk beyond the treaties' capacity waits for its placement."""
        if decision not in ("accept", "offer_with_conditions"):
            return
        beyond, placed = self.beyond_capacity(), self.placed_facultative()
        if placed < beyond:
            raise DomainError(
                f"{beyond} of the sum insured is beyond every treaty's capacity and {placed} is placed: place the "
                "rest facultatively first",
                code="facultative-placement-required",
            )
