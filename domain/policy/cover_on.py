"""The policy's cover on a date (SPEC §5, §6 adjudication): what a claim with that loss date is judged
against, the main cover and each rider. Read only; mixed into domain.policy.aggregate.Policy.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from domain.policy.cover import MAIN, SUICIDE_YEARS, CoverPart, CoverSnapshot
from domain.policy.rules import ZERO, add_years, premium_owed, waiting_period_end
from domain.policy.state import PolicyState

TERMINAL = ("declined", "postponed", "withdrawn", "cancelled", "surrendered", "rescinded", "expired", "terminated")
STATUSES = (
    "applied",
    "underwriting",
    "referred",
    "accepted",
    "offered_with_conditions",
    "in_force",
    "lapsed",
    *TERMINAL,
)


class PolicyCover(PolicyState):
    """The questions about the policy's cover on a day: `cover_on` (a snapshot) and `cover_parts`."""

    def cover_on(self, day: date) -> CoverSnapshot:
        status = self.status_on(day)
        owed = premium_owed(self.schedule, day) if status == "in_force" else ZERO
        index = self.period_index(day)
        period = None if index is None else self.periods[index]
        waiting = self.waiting_period_end
        rescission = self.rescission or {}
        terms = self.product_terms
        si = self._sum_insured_on(day)
        return CoverSnapshot(
            on=day,
            status=status,
            in_force=status == "in_force",
            in_grace=owed > 0,
            premium_owed=owed,
            policy_number=self.policy_number,
            product_code=self.product_code,
            product_version=self.product_version,
            line=terms["line"],
            riders=tuple(r["code"] for r in self.riders),
            period_start=None if period is None else period["start"],
            period_end=None if period is None else period["end"],
            waiting_period_end=waiting,
            in_waiting_period=waiting is not None and day < waiting,
            sum_insured=si,
            remaining_sum_insured=si if index is None else self._remaining(index, day),
            deductible=terms["deductible"],
            payout_ratio=terms["payout_ratio"],
            covered_causes=tuple(terms["covered_causes"]),
            exclusions=tuple(terms["exclusions"]) + tuple(self.exclusions),
            rescinded=bool(rescission),
            rescission_ground=rescission.get("ground"),
            no_liability_before=rescission.get("no_liability_before"),
            covers=self.cover_parts(day),
            suicide_excluded_to=self._suicide_excluded_to(day),
            ended_by_claim=MAIN in self.ended_covers,
        )

    def cover_parts(self, day: date) -> tuple[CoverPart, ...]:
        """Each cover on `day`: the main cover, then each rider whose terms the policy recorded (a rider
        applied for before riders carried their terms is charged but has no terms to judge a claim by)."""
        index = self.period_index(day)
        terms = self.product_terms
        si = self._sum_insured_on(day)
        restart = self._reinstated_on_or_before(day)
        main_wait = self.waiting_period_end
        if restart is not None and terms.get("waiting_period_restarts_on_reinstatement"):
            main_wait = waiting_period_end(restart, terms["waiting_period_days"])
        parts = [
            self._part(
                MAIN,
                self.product_code,
                "main",
                terms,
                si,
                si if index is None else self._remaining(index, day),
                main_wait,
                day,
                tuple(self.exclusions),
            )
        ]
        for rider in self.riders:
            rider_terms = rider.get("terms")
            if rider_terms is None or self.start_date is None:
                continue
            base = self.start_date
            if restart is not None and rider_terms.get("waiting_period_restarts_on_reinstatement"):
                base = restart
            rider_si = rider["sum_insured"]
            paid = ZERO if index is None else self._rider_paid_in(rider["code"], index)
            parts.append(
                self._part(
                    rider["code"],
                    rider["code"],
                    "rider",
                    rider_terms,
                    rider_si,
                    rider_si - paid,
                    waiting_period_end(base, rider_terms["waiting_period_days"]),
                    day,
                    (),
                )
            )
        return tuple(parts)

    def _part(
        self,
        key: str,
        code: str,
        kind: str,
        terms: dict[str, Any],
        si: Decimal,
        remaining: Decimal,
        wait: date | None,
        day: date,
        extra_exclusions: tuple[str, ...],
    ) -> CoverPart:
        ended = self.ended_covers.get(key) or {}
        return CoverPart(
            key=key,
            product_code=code,
            kind=kind,
            sum_insured=si,
            remaining_sum_insured=remaining,
            deductible=terms["deductible"],
            payout_ratio=terms["payout_ratio"],
            covered_causes=tuple(terms["covered_causes"]),
            exclusions=tuple(terms["exclusions"]) + extra_exclusions,
            waiting_period_end=wait,
            in_waiting_period=wait is not None and day < wait,
            ends_on_exhaustion=bool(terms.get("ends_on_exhaustion")),
            ended_on=ended.get("on"),
            ended_by_claim=ended.get("claim_id"),
            ended_reason=ended.get("reason"),
        )

    def _reinstated_on_or_before(self, day: date) -> date | None:
        """The latest day on or before `day` that the policy came back into force after a lapse."""
        latest = None
        for (_, before), (since, status) in zip(self.history, self.history[1:]):
            if before == "lapsed" and status == "in_force" and since <= day:
                latest = since
        return latest

    def _suicide_excluded_to(self, day: date) -> date | None:
        """Art. 44: the last day of the 2 years from formation (or the latest reinstatement)."""
        base = self._reinstated_on_or_before(day) or self.start_date
        return None if base is None else add_years(base, SUICIDE_YEARS)
