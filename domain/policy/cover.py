"""Cover is main cover plus riders (SPEC §5 "Cover is main cover plus riders", "Ended by a claim";
§6 Adjudication). Pure rules: no state, no clock, no events.

Each cover (the main product's, then each rider's) has its own causes, sum insured, deductible, payout
ratio, waiting period and exclusions, and keeps its own remaining sum insured. A claim is judged against
every cover that *responds* to its cause: the cause is one of the cover's causes, or a narrower cause of
one of them (an accidental death is a death; a suicide is a death). A benefit paid for the insured's death
ends every cover on the insured's life (保险责任终止); a cover whose product `ends_on_exhaustion` also ends
once its sum insured is used up.

Covers are named by key: "main" for the main product, the rider's product code for a rider.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

MAIN = "main"
ZERO = Decimal("0.00")

#: A narrower cause → the broader cause it also is (a cover of the broader cause responds to it).
BROADER_CAUSE: dict[str, str] = {
    "accidental_death": "death",
    "illness_death": "death",
    "suicide": "death",
    "accidental_disability": "disability",
}
#: The causes that are the insured's death: a benefit paid for one ends the cover (保险责任终止).
DEATH_CAUSES: tuple[str, ...] = ("death", "accidental_death", "illness_death", "suicide")
SUICIDE = "suicide"
SUICIDE_EXCLUSION = "suicide_within_2_years"  # Art. 44: 2 years from formation or reinstatement
SUICIDE_YEARS = 2


def responds(covered_causes: Sequence[str], cause: str) -> bool:
    """Whether a cover of `covered_causes` responds to a loss of `cause` (itself or a narrower one)."""
    while True:
        if cause in covered_causes:
            return True
        broader = BROADER_CAUSE.get(cause)
        if broader is None:
            return False
        cause = broader


def is_death(cause: str) -> bool:
    return cause in DEATH_CAUSES


@dataclass(frozen=True)
class CoverPart:
    """One cover of a policy (the main cover or a rider) as it stood on a date."""

    key: str  # "main" or the rider's product code
    product_code: str
    kind: str  # main | rider
    sum_insured: Decimal
    remaining_sum_insured: Decimal  # what is known now, for a loss on the date
    deductible: Decimal
    payout_ratio: Decimal
    covered_causes: tuple[str, ...]
    exclusions: tuple[str, ...]
    waiting_period_end: date | None  # the first day past the waiting period
    in_waiting_period: bool
    ends_on_exhaustion: bool
    ended_on: date | None  # the cover ended by a claim: no cover for losses after this date
    ended_by_claim: str | None  # the claim whose payment ended it
    ended_reason: str | None  # death | exhausted

    def responds(self, cause: str) -> bool:
        return responds(self.covered_causes, cause)


def part_refusal(part: CoverPart, loss_date: date, cause: str, claim_id: str | None) -> tuple[str, str] | None:
    """(reason, explanation) why this cover does not pay the loss, or None."""
    if not part.responds(cause):
        return "cause-not-covered", f"{part.product_code} does not cover {cause}"
    if part.ended_on is not None and claim_id != part.ended_by_claim and loss_date >= part.ended_on:
        return "cover-ended", f"{part.product_code} ended on {part.ended_on} by a claim ({part.ended_reason})"
    if part.in_waiting_period:
        return "waiting-period", f"{loss_date} is in the waiting period of {part.product_code}"
    return None


def allocate(amount: Decimal, caps: Mapping[str, Decimal]) -> dict[str, Decimal]:
    """Split `amount` across covers in order, each up to its cap (e.g. its approved payable)."""
    result: dict[str, Decimal] = {}
    left = amount
    for key, cap in caps.items():
        take = min(left, max(ZERO, cap))
        if take > 0:
            result[key] = take
            left -= take
    if left > 0:  # more than the caps: the rest on the first cover (the caller refuses if it is too much)
        first = next(iter(caps), MAIN)
        result[first] = result.get(first, ZERO) + left
    return result


def plain_parts(parts: Sequence[CoverPart]) -> list[dict[str, Any]]:
    return [
        {"key": p.key, "product_code": p.product_code, "remaining_sum_insured": p.remaining_sum_insured} for p in parts
    ]


def paying_parts(
    parts: Sequence[CoverPart],
    loss_date: date,
    cause: str,
    claim_id: str | None,
    exclusion_applies: str | None,
    suicide_excluded_to: date | None,
) -> tuple[list[CoverPart], list[tuple[str, str]]]:
    """The covers that pay a loss, and (reason, explanation) for each responding one that does not."""
    paying: list[CoverPart] = []
    refusals: list[tuple[str, str]] = []
    for part in parts:
        refusal = part_refusal(part, loss_date, cause, claim_id)
        if (
            refusal is None
            and cause == SUICIDE
            and suicide_excluded_to is not None
            and loss_date <= suicide_excluded_to
        ):
            refusal = (
                "suicide-within-2-years",
                (
                    f"a suicide on or before {suicide_excluded_to} is within 2 years of formation or "
                    "reinstatement (Art. 44)"
                ),
            )
        if refusal is None and exclusion_applies is not None and exclusion_applies in part.exclusions:
            refusal = ("excluded", f"the exclusion {exclusion_applies} applies to {part.product_code}")
        if refusal is None:
            paying.append(part)
        elif refusal[0] != "cause-not-covered" or not refusals:
            refusals.append(refusal)
    return paying, refusals


def settle(
    parts: Sequence[CoverPart],
    *,
    assessed: Decimal,
    already_paid: Decimal,
    premium_owed: Decimal,
    own_paid: Mapping[str, Decimal] | None = None,
) -> dict[str, Decimal]:
    """Payable across the paying covers: each cover min(assessed − its deductible, its remaining sum
    insured) × its payout ratio; the claim's earlier payments and any premium owed (Art. 36) come off the
    total, cover by cover in order. `own_paid`: what this claim already took from each cover (added back
    to its remaining sum insured). The totals keep the keys of domain.claim.rules.payable; each cover adds
    `cover.<key>.covered` and `cover.<key>.payable` (its part of what is payable now)."""
    from domain.claim.rules import payable as one_cover

    own = dict(own_paid or {})
    steps = [
        one_cover(
            assessed=assessed,
            deductible=p.deductible,
            remaining_sum_insured=p.remaining_sum_insured + own.get(p.key, ZERO),
            payout_ratio=p.payout_ratio,
            already_paid=ZERO,
        )
        for p in parts
    ]
    covered = {p.key: s["covered"] for p, s in zip(parts, steps)}
    off = allocate(already_paid + premium_owed, covered) if already_paid + premium_owed > 0 else {}
    first = steps[0]
    total_covered = sum(covered.values(), ZERO)
    result: dict[str, Decimal] = {
        "assessed": first["assessed"],
        "deductible": first["deductible"],
        "after_deductible": first["after_deductible"],
        "remaining_sum_insured": sum((s["remaining_sum_insured"] for s in steps), ZERO),
        "capped": sum((s["capped"] for s in steps), ZERO),
        "payout_ratio": first["payout_ratio"],
        "covered": total_covered,
        "already_paid": first["already_paid"] + already_paid,
        "premium_owed": premium_owed,
        "payable": max(ZERO, total_covered - already_paid - premium_owed),
    }
    for part in parts:
        result[f"cover.{part.key}.covered"] = covered[part.key]
        result[f"cover.{part.key}.payable"] = max(ZERO, covered[part.key] - off.get(part.key, ZERO))
    return result


def approved_by_cover(computation: Mapping[str, Decimal]) -> dict[str, Decimal]:
    """From an approval's computation: cover key → its part of the payable (empty: an approval
    recorded before covers were judged one by one, all on the main cover)."""
    return {
        key[len("cover.") : -len(".payable")]: value
        for key, value in computation.items()
        if key.startswith("cover.") and key.endswith(".payable")
    }


@dataclass(frozen=True)
class CoverSnapshot:
    """The policy as it stood on a date, for judging a claim (SPEC §6 adjudication).

    `rescinded` and `remaining_sum_insured` are what is known now: a rescission takes away liability
    for losses before `no_liability_before`; claims paid later for the same period reduce what remains.
    """

    on: date
    status: str | None
    in_force: bool  # True also in the grace period
    in_grace: bool  # in force with premium owed: a loss is paid less `premium_owed` (Art. 36)
    premium_owed: Decimal
    policy_number: str | None
    product_code: str
    product_version: int
    line: str
    riders: tuple[str, ...]
    period_start: date | None
    period_end: date | None
    waiting_period_end: date | None  # losses on or after this date are past the waiting period
    in_waiting_period: bool
    sum_insured: Decimal
    remaining_sum_insured: Decimal
    deductible: Decimal
    payout_ratio: Decimal
    covered_causes: tuple[str, ...]
    exclusions: tuple[str, ...]  # the product's and the underwriter's
    rescinded: bool
    rescission_ground: str | None
    no_liability_before: date | None
    # every cover: the main cover first, then each rider (SPEC §5 "Cover is main cover plus riders")
    covers: tuple[CoverPart, ...] = ()
    # Art. 44: a suicide on or before this day (2 years from formation or reinstatement) is not paid
    suicide_excluded_to: date | None = None
    ended_by_claim: bool = False  # the policy ended by a claim (the insured's death) after the date
