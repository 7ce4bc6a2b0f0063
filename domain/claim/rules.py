"""Pure rules of a claim (SPEC §6; guide ch. 7; Insurance Law Art. 22–26; SPC Interpretation II Art. 15):
no state, no clock, no events.

Days are counted as the Civil Code (Art. 201) counts them: the day a period starts from is not
counted, so "within 30 days of D" ends at the end of D + 30; an act on that day is on time and the
clock is breached on the day after.

- Decision (Art. 23; SPC II Art. 15): 30 days from the first receipt of the claim and its documents
  (the report) to the decision (核定: approval with its amount, or rejection), which is notified to
  the claimant the day it is made. The claimant's agreement is not awaited: a dispute of a decided
  amount leads to reassessment and a new decision, but the first decision met the clock. The days from the missing-documents notice (Art. 22) to the arrival of the last
  missing document are not counted: a notice on N and the last document on L move the due date by
  L − N days (the days N + 1 … L), and while documents are missing the clock stands still. Only the
  first notice pauses: a second one (itself an Art. 22 breach) lists no document the first did not.
- Rejection notice (Art. 24): 3 days from the decision to reject.
- Payment (Art. 23): 10 days from agreeing the amount; met when the final payment clears what is
  payable (or the approval leaves nothing to pay, or the claim is rejected).
- Advance (Art. 25): 60 days from receipt, counted as the decision clock counts them; met by any
  payment, or ended when the amount is agreed or the claim is decided before then.
- A clock is read "as of" a day: only pauses and acts dated on or before that day count, so the
  reading for a past day never changes as later events are recorded.
- Limitation (Art. 26): 2 years from the day the claimant knew of the loss, 5 for life insurance.
- Every due date, the limitation's last day included, moves off a rest day to the next working day
  (Civil Code Art. 203; domain.calendar): the count (pauses included) gives the nominal last day,
  then the calendar moves it; a reading shows why (`moved_because`) and whether the year's holiday
  calendar is known. A clock is breached, or met late, only after its (moved) due date.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any, Protocol

from domain.calendar import PeriodEnd, last_day
from domain.errors import InvalidValue
from domain.policy.rules import add_years
from domain.values import check_amount, check_text, money

CENT = Decimal("0.01")
ZERO = Decimal("0.00")
DAY = timedelta(days=1)

DECISION_DAYS = 30  # Art. 23
REJECTION_NOTICE_DAYS = 3  # Art. 24
PAYMENT_DAYS = 10  # Art. 23
ADVANCE_DAYS = 60  # Art. 25
CLOCK_DAYS: dict[str, int] = {
    "decision": DECISION_DAYS,
    "rejection_notice": REJECTION_NOTICE_DAYS,
    "payment": PAYMENT_DAYS,
    "advance": ADVANCE_DAYS,
}
CLOCKS = tuple(CLOCK_DAYS)
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


# -- clocks ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Pause:
    """Documents missing: from the notice (`from_on`) to the arrival of the last one (`to_on`)."""

    from_on: date
    to_on: date | None = None

    def days_through(self, day: date) -> int:
        """Paused days up to and including `day`: those in from_on + 1 … min(day, to_on)."""
        end = day if self.to_on is None else min(day, self.to_on)
        return max(0, (end - self.from_on).days)

    def open_on(self, day: date) -> bool:
        """Whether documents are still missing at the end of `day`."""
        return self.from_on <= day and (self.to_on is None or day < self.to_on)


@dataclass(frozen=True)
class ClockReading:
    """One clock at the end of `on`. `due_on` moves day by day while the clock is paused."""

    clock: str  # decision | rejection_notice | payment | advance
    on: date
    started_on: date
    days_allowed: int
    due_on: date
    days_used: int
    paused_days: int
    paused: bool
    met_on: date | None  # the day the obligation was met (or ended), if by `on`
    breached: bool
    on_time: bool | None  # None until met
    nominal_due_on: date | None = None  # the count's last day, before moving off a rest day (Art. 203)
    moved_because: str | None = None  # why due_on is after nominal_due_on
    calendar_known: bool = True  # False: no (or a provisional) holiday calendar for the due date's year
    calendar_warning: str | None = None

    @property
    def remaining_days(self) -> int:
        """Days left to the due date (negative once past it): the days allowed less the days used,
        plus the days the due date moved off a rest day."""
        moved = 0 if self.nominal_due_on is None else (self.due_on - self.nominal_due_on).days
        return self.days_allowed - self.days_used + moved


def read_clock(
    clock: str, started_on: date, day: date, *, pauses: tuple[Pause, ...] = (), met_on: date | None = None
) -> ClockReading:
    """The clock at the end of `day`: it stops at `met_on` and does not count paused days."""
    allowed = CLOCK_DAYS[clock]
    met = met_on if met_on is not None and met_on <= day else None
    read = met or day
    paused = sum(p.days_through(read) for p in pauses)
    used = max(0, (read - started_on).days - paused)
    end = due_date(started_on, allowed, paused)
    return ClockReading(
        clock=clock,
        on=day,
        started_on=started_on,
        days_allowed=allowed,
        due_on=end.due,
        days_used=used,
        paused_days=paused,
        paused=met is None and any(p.open_on(day) for p in pauses),
        met_on=met,
        breached=read > end.due,
        on_time=None if met is None else met <= end.due,
        nominal_due_on=end.nominal,
        moved_because=end.moved_because,
        calendar_known=end.calendar_known,
        calendar_warning=end.warning,
    )


def due_date(started_on: date, days_allowed: int, paused_days: int = 0) -> PeriodEnd:
    """A clock's end: `days_allowed` counted from the day after `started_on` (Art. 201), paused days
    not counted, then moved off a rest day (Art. 203)."""
    return last_day(started_on + (days_allowed + paused_days) * DAY)


def breach_due_on(
    clock: str, started_on: date, *, pauses: tuple[Pause, ...] = (), met_on: date | None = None
) -> date | None:
    """The day a breach is due (the day after the due date), unless met or still paused."""
    if met_on is not None or any(p.to_on is None for p in pauses):
        return None
    paused = sum(p.days_through(date.max) for p in pauses)
    return due_date(started_on, CLOCK_DAYS[clock], paused).due + DAY


@dataclass(frozen=True)
class ClaimRound:
    """What a round of handling (the claim, or a reopening) has done that its clocks need."""

    number: int
    started_on: date  # the report (first receipt) or the reopening
    pauses: tuple[Pause, ...] = ()
    decided_on: date | None = None  # the latest decision (a disputed approval is decided again)
    decision: str | None = None  # approved | rejected
    first_decided_on: date | None = None  # the first decision (核定) notified: it stops the decision clock
    rejection_notice_on: date | None = None
    agreed_on: date | None = None
    settled_on: date | None = None  # nothing left to pay on the approval
    first_payment_on: date | None = None
    breaches: tuple[str, ...] = ()  # clocks whose breach is recorded

    def _started(self, clock: str) -> tuple[date, tuple[Pause, ...], date | None] | None:
        """(start, pauses, met or ended on) of a clock, or None while it has not started."""
        decided, rejected = self.decided_on, self.decision == "rejected"
        first = self.first_decided_on or decided
        if clock == "decision":
            return self.started_on, self.pauses, first
        if clock == "rejection_notice":
            return None if not rejected or decided is None else (decided, (), self.rejection_notice_on)
        if clock == "payment":
            if self.agreed_on is None:
                return None
            return self.agreed_on, (), decided if rejected else self.settled_on
        ends = [d for d in (self.first_payment_on, self.agreed_on, first) if d is not None]
        return self.started_on, self.pauses, min(ends, default=None)

    def reading(self, clock: str, day: date) -> ClockReading | None:
        """The clock at the end of `day`, or None if it had not started by then."""
        started = self._started(clock)
        if started is None or started[0] > day:
            return None
        start, pauses, met = started
        return read_clock(clock, start, day, pauses=pauses, met_on=met)

    def breach_steps(self) -> list[tuple[date, str]]:
        """(day due, clock) of each breach due and not yet recorded."""
        steps = []
        for clock in CLOCKS:
            started = self._started(clock)
            if started is None or clock in self.breaches:
                continue
            due = breach_due_on(clock, started[0], pauses=started[1], met_on=started[2])
            if due is not None:
                steps.append((due, clock))
        return sorted(steps)


@dataclass(frozen=True)
class ClaimClocks:
    """A claim's clocks at the end of `on` (those of the round running that day)."""

    on: date
    round: int
    decision: ClockReading
    rejection_notice: ClockReading | None
    payment: ClockReading | None
    advance: ClockReading

    @property
    def breaches(self) -> tuple[str, ...]:
        readings = (self.decision, self.rejection_notice, self.payment, self.advance)
        return tuple(r.clock for r in readings if r is not None and r.breached)


def claim_clocks(round_: ClaimRound, day: date) -> ClaimClocks:
    decision, advance = round_.reading("decision", day), round_.reading("advance", day)
    assert decision is not None and advance is not None
    return ClaimClocks(
        on=day,
        round=round_.number,
        decision=decision,
        rejection_notice=round_.reading("rejection_notice", day),
        payment=round_.reading("payment", day),
        advance=advance,
    )


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
