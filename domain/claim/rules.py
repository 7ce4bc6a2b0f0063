"""Pure rules of a claim (SPEC §6; guide ch. 7; Insurance Law Art. 22–26; SPC Interpretation II Art. 15):
no state, no clock, no events. The statutory clocks are in domain.claim.clocks (their names are
importable from here too).

- Limitation (Art. 26): 2 years from the day the claimant knew of the loss, 5 for life insurance, moved
  off a rest day (Civil Code Art. 203; domain.calendar).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any, Protocol

from domain.calendar import last_day
from domain.claim.clocks import (
    ADVANCE_DAYS,
    CLOCK_DAYS,
    CLOCKS,
    DAY,
    DECISION_DAYS,
    PAYMENT_DAYS,
    REJECTION_NOTICE_DAYS,
    ClaimClocks,
    ClaimRound,
    ClockReading,
    Pause,
    breach_due_on,
    claim_clocks,
    due_date,
    read_clock,
)
from domain.errors import InvalidValue
from domain.policy.rules import add_years
from domain.values import check_amount, check_text, money

__all__ = [
    "ADVANCE_DAYS",
    "BASIC_CLAIM_DOCUMENTS",
    "CENT",
    "CLOCKS",
    "CLOCK_DAYS",
    "DAY",
    "DECISION_DAYS",
    "EARLY_LOSS_DAYS",
    "FRAUD_INDICATORS",
    "FREQUENT_CLAIMS",
    "LIFE_LIMITATION_YEARS",
    "LIMITATION_YEARS",
    "NEAR_SUM_INSURED",
    "PAYMENT_DAYS",
    "REJECTION_NOTICE_DAYS",
    "ZERO",
    "ClaimClocks",
    "ClaimRound",
    "ClockReading",
    "CoverLike",
    "LossItems",
    "Pause",
    "RemainingLike",
    "breach_due_on",
    "check_codes",
    "check_loss_items",
    "claim_clocks",
    "cover_refusal",
    "due_date",
    "fraud_indicators",
    "limitation_last_day",
    "payable",
    "read_clock",
    "required_claim_documents",
    "rescission_reaches",
]

CENT = Decimal("0.01")
ZERO = Decimal("0.00")

LIMITATION_YEARS = 2  # Art. 26
LIFE_LIMITATION_YEARS = 5  # Art. 26, life insurance

#: Guide 7.1 (1) a–c: 保险合同正本, 保险证明, 身份证明. d (expense documents and proofs) and e (other
#: materials) are the product's own list (domain.product.model.Product.claim_documents).
BASIC_CLAIM_DOCUMENTS: tuple[str, ...] = ("policy_contract", "insurance_certificate", "id_proof")

#: The automatic fraud indicators (guide ch. 9) the application layer raises as flags.
EARLY_LOSS_DAYS = 30  # a loss within 30 days of inception or reinstatement
FREQUENT_CLAIMS = 2  # this many other claims on the policy within the year before
NEAR_SUM_INSURED = Decimal("0.9")  # a claimed amount of at least 90 % of the remaining sum insured
FRAUD_INDICATORS = (
    "loss-before-inception",
    "loss-soon-after-inception",
    "loss-soon-after-reinstatement",
    "frequent-claims",
    "claim-near-sum-insured",
)


# -- documents and limitation ------------------------------------------------------------------


def required_claim_documents(product_codes: tuple[str, ...] | list[str]) -> list[str]:
    """The documents a claim needs: the guide's basics (7.1 (1) a–c), then the product's list."""
    return list(dict.fromkeys([*BASIC_CLAIM_DOCUMENTS, *product_codes]))


def limitation_last_day(known_on: date, line: str) -> date:
    """The last day a claim may be made (Art. 26): 2 years from knowing of the loss, 5 for life, moved
    off a rest day (Civil Code Art. 203)."""
    return last_day(add_years(known_on, LIFE_LIMITATION_YEARS if line == "life" else LIMITATION_YEARS)).due


# -- adjudication --------------------------------------------------------------------------------


class CoverLike(Protocol):
    """What adjudication needs of domain.policy.state.CoverSnapshot."""

    @property
    def on(self) -> date: ...
    @property
    def in_force(self) -> bool: ...
    @property
    def in_grace(self) -> bool: ...
    @property
    def premium_owed(self) -> Decimal: ...
    @property
    def in_waiting_period(self) -> bool: ...
    @property
    def remaining_sum_insured(self) -> Decimal: ...
    @property
    def deductible(self) -> Decimal: ...
    @property
    def payout_ratio(self) -> Decimal: ...
    @property
    def covered_causes(self) -> tuple[str, ...]: ...
    @property
    def exclusions(self) -> tuple[str, ...]: ...
    @property
    def rescinded(self) -> bool: ...
    @property
    def rescission_ground(self) -> str | None: ...
    @property
    def no_liability_before(self) -> date | None: ...


def rescission_reaches(cover: CoverLike, loss_date: date) -> bool:
    """Whether a rescission of the policy (Art. 16) reaches a loss on `loss_date` (one before it)."""
    return cover.rescinded and (cover.no_liability_before is None or loss_date < cover.no_liability_before)


def cover_refusal(
    cover: CoverLike,
    loss_date: date,
    cause: str,
    exclusion_applies: str | None = None,
    *,
    seriously_affected: bool | None = None,
) -> tuple[str, str] | None:
    """(reason, explanation) why the policy did not cover the loss on its date, or None.

    A rescission reaches the losses before it (Art. 16): for intentional non-disclosure none of them
    is paid; for gross negligence only those the undisclosed fact seriously affected are refused
    (Art. 16(5)), `seriously_affected` being the finding recorded on the claim (None: not found,
    refused)."""
    if rescission_reaches(cover, loss_date) and not (
        cover.rescission_ground == "gross_negligence" and seriously_affected is False
    ):
        return "rescinded", "the policy was rescinded with no liability for this loss (Art. 16)"
    if not cover.in_force:
        return "not-in-force", f"the policy was not in force on {loss_date}"
    if cover.in_waiting_period:
        return "waiting-period", f"{loss_date} is in the waiting period"
    if cause not in cover.covered_causes:
        return "cause-not-covered", f"the cause {cause} is not covered"
    if exclusion_applies is not None:
        return "excluded", f"the exclusion {exclusion_applies} applies"
    return None


def payable(
    *,
    assessed: Decimal,
    deductible: Decimal,
    remaining_sum_insured: Decimal,
    payout_ratio: Decimal,
    already_paid: Decimal,
    premium_owed: Decimal = ZERO,
) -> dict[str, Decimal]:
    """payable = min(assessed − deductible, remaining SI) × payout ratio − already paid − premium owed
    (in grace, Art. 36), never below 0 and never more than the remaining sum insured for the loss.
    `remaining_sum_insured` is what remained for this loss before anything was paid on the claim.
    Every step is returned (the computation of 7.3 (1))."""
    assessed, deductible, already_paid, premium_owed = (
        money(assessed),
        money(deductible),
        money(already_paid),
        money(premium_owed),
    )
    remaining_sum_insured = money(remaining_sum_insured)
    after_deductible = max(ZERO, assessed - deductible)
    capped = min(after_deductible, max(ZERO, remaining_sum_insured))
    covered = min(money(capped * payout_ratio), max(ZERO, remaining_sum_insured))
    amount = max(ZERO, covered - already_paid - premium_owed)
    return {
        "assessed": assessed,
        "deductible": deductible,
        "after_deductible": after_deductible,
        "remaining_sum_insured": remaining_sum_insured,
        "capped": capped,
        "payout_ratio": payout_ratio,
        "covered": covered,
        "already_paid": already_paid,
        "premium_owed": premium_owed,
        "payable": amount,
    }


# -- fraud indicators (guide ch. 9) ---------------------------------------------------------------


class RemainingLike(Protocol):
    @property
    def remaining_sum_insured(self) -> Decimal: ...


def fraud_indicators(
    loss_date: date,
    claimed: Decimal,
    cover: RemainingLike,
    policy_start: date | None,
    reinstated_on: date | None,
    claims_in_last_year: int,
) -> list[tuple[str, str]]:
    """The automatic indicators a new claim shows, as (indicator, detail): a loss before inception
    or within 30 days of inception or reinstatement, `FREQUENT_CLAIMS` or more other claims on the
    policy within the year, a claimed amount of at least 90 % of the remaining sum insured."""
    found: list[tuple[str, str]] = []
    if policy_start is not None and loss_date < policy_start:
        found.append(("loss-before-inception", f"loss on {loss_date}, cover began on {policy_start}"))
    elif policy_start is not None and loss_date <= policy_start + EARLY_LOSS_DAYS * DAY:
        found.append(
            (
                "loss-soon-after-inception",
                f"loss {(loss_date - policy_start).days} days after inception on {policy_start}",
            )
        )
    if reinstated_on is not None and reinstated_on <= loss_date <= reinstated_on + EARLY_LOSS_DAYS * DAY:
        found.append(
            (
                "loss-soon-after-reinstatement",
                f"loss {(loss_date - reinstated_on).days} days after reinstatement on {reinstated_on}",
            )
        )
    if claims_in_last_year >= FREQUENT_CLAIMS:
        found.append(("frequent-claims", f"{claims_in_last_year} other claims on the policy within a year"))
    remaining = cover.remaining_sum_insured
    if remaining > 0 and claimed >= money(remaining * NEAR_SUM_INSURED):
        found.append(("claim-near-sum-insured", f"claimed {claimed} of {remaining} remaining sum insured"))
    return found


# -- input checks ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class LossItems:
    """Checked loss items with their totals."""

    items: list[dict[str, Any]] = field(default_factory=list)
    total_claimed: Decimal = ZERO
    total_assessed: Decimal = ZERO


def check_loss_items(value: Any, field_name: str = "items") -> LossItems:
    """Loss items {description, claimed, assessed}: at least one, each assessed ≤ claimed."""
    if not isinstance(value, (list, tuple)) or not value:
        raise InvalidValue(field_name, "give at least one loss item")
    if len(value) > 200:
        raise InvalidValue(field_name, "at most 200 loss items")
    items: list[dict[str, Any]] = []
    total_claimed = total_assessed = ZERO
    for i, raw in enumerate(value):
        where = f"{field_name}[{i}]"
        if not isinstance(raw, dict):
            raise InvalidValue(where, "must be an object with description, claimed and assessed")
        for key in raw:
            if key not in ("description", "claimed", "assessed"):
                raise InvalidValue(f"{where}.{key}", "unknown field")
        claimed = check_amount(raw.get("claimed"), f"{where}.claimed")
        assessed = check_amount(raw.get("assessed"), f"{where}.assessed")
        if assessed > claimed:
            raise InvalidValue(f"{where}.assessed", "must not be more than the amount claimed")
        items.append(
            {
                "description": check_text(raw.get("description"), f"{where}.description", 500),
                "claimed": claimed,
                "assessed": assessed,
            }
        )
        total_claimed += claimed
        total_assessed += assessed
    return LossItems(items, total_claimed, total_assessed)


def check_codes(value: Any, field_name: str) -> list[str]:
    """A non-empty list of document codes; repeats are dropped, the order kept."""
    if not isinstance(value, (list, tuple)) or not value:
        raise InvalidValue(field_name, "give at least one document code")
    if len(value) > 100:
        raise InvalidValue(field_name, "at most 100 documents")
    return list(dict.fromkeys(check_text(code, f"{field_name}[{i}]", 100) for i, code in enumerate(value)))
