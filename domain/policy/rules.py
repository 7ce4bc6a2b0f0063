"""Pure date and money rules of a policy (SPEC §5; Insurance Law Art. 16, 36, 37): no state, no clock.

Periods are counted as the Civil Code (Art. 201) counts them: the day of the event is not counted,
the period ends at the end of its last day. So "within 30 days of D" means through D + 30, and a
right that is lost "after" a period is lost on the day after its last day. A period's last day that
is a rest day (a weekend or public holiday) moves to the next working day (Art. 203;
domain.calendar): grace, cooling-off, the 30 days of Art. 16 and Art. 37, and the two years of
Art. 16 and Art. 37 alike. Every amount is rounded to the cent, half up.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, timedelta
from decimal import Decimal
from typing import Any, Literal

from domain.calendar import PeriodEnd, last_day, period_end
from domain.errors import InvalidValue
from domain.values import money

CENT = Decimal("0.01")
ZERO = Decimal("0.00")
DAY = timedelta(days=1)

SHORT_TERM_MONTHS = 12  # a term of at most one year is short-term (renewable, no cooling-off)
STATUTORY_GRACE_LINES = ("life", "health", "accident")  # Art. 36: every 人身保险 paid in installments
STATUTORY_GRACE_DAYS = 60  # Art. 36: 60 days after the due date ...
DEMAND_GRACE_DAYS = 30  # ... or 30 days after the insurer's demand, whichever ends first
MIN_COOLING_OFF_DAYS = 15  # 犹豫期 of at least 15 days
MAX_CANCELLATION_FEE = Decimal("10.00")  # at most 10 yuan kept on a cooling-off cancellation
REINSTATEMENT_YEARS = 2  # Art. 37: two years from lapse to agree on reinstatement
REINSTATEMENT_DECISION_DAYS = 30  # SPC Interpretation III Art. 8: silence for 30 days is consent
RESCISSION_NOTICE_DAYS = 30  # Art. 16: 30 days from learning the cause
RESCISSION_YEARS = 2  # Art. 16: never more than 2 years after formation
RISK_INCREASED = "risk-increased-markedly"  # the only ground to refuse a reinstatement


# -- calendar ----------------------------------------------------------------------------------


def add_months(day: date, months: int) -> date:
    """The same day `months` later; the 31st becomes the last day of a shorter month."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(day.day, last))


def add_years(day: date, years: int) -> date:
    return add_months(day, 12 * years)


def term_end(start: date, months: int) -> date:
    """The last day of cover of a term of `months` starting on `start`."""
    return add_months(start, months) - DAY


def completed_years(start: date, on: date) -> int:
    """Whole policy years completed from `start` to `on`."""
    years = 0
    while add_years(start, years + 1) <= on:
        years += 1
    return years


def days_between(first: date, last: date) -> int:
    """Days from `first` to `last`, both included (0 when last is before first)."""
    return max(0, (last - first).days + 1)


# -- premium schedule --------------------------------------------------------------------------


def premium_schedule(
    start: date, term_months: int, mode: str, installment: Decimal, first_no: int = 1
) -> list[dict[str, Any]]:
    """The installments of a term: single (one), annual (each policy year) or monthly.

    Each installment covers from its due date to the day before the next one (the last: to the
    term's end). An annual term that ends part way through a year pays that year pro rata by months.
    """
    end = term_end(start, term_months)
    if mode == "single":
        steps = [(0, Decimal(1))]
    elif mode == "annual":
        steps = [(m, min(Decimal(1), Decimal(term_months - m) / 12)) for m in range(0, term_months, 12)]
    elif mode == "monthly":
        steps = [(m, Decimal(1)) for m in range(term_months)]
    else:
        raise ValueError(f"unknown premium mode {mode!r}")
    items: list[dict[str, Any]] = []
    for i, (offset, fraction) in enumerate(steps):
        next_offset = steps[i + 1][0] if i + 1 < len(steps) else None
        due = add_months(start, offset)
        cover_to = end if next_offset is None else add_months(start, next_offset) - DAY
        items.append(
            {
                "no": first_no + i,
                "due_date": due,
                "amount": money(installment * fraction),
                "cover_from": due,
                "cover_to": cover_to,
                "kind": "premium",
            }
        )
    return items


def months_from(start: date, day: date, limit: int) -> int | None:
    """k such that add_months(start, k) == day (0 <= k <= limit), or None."""
    for k in range(limit + 1):
        if add_months(start, k) == day:
            return k
    return None


# -- grace and lapse (Art. 36) -----------------------------------------------------------------


def grace_end(due: date, *, statutory: bool, grace_days: int, demanded_on: date | None) -> date:
    """The last day of cover for an unpaid installment.

    Statutory (life and health installments): 60 days after the due date or 30 days after the
    payment demand, whichever comes first. Other lines: the product's grace days after the due date.
    A last day on a rest day moves to the next working day (Art. 203).
    """
    return grace_period_end(due, statutory=statutory, grace_days=grace_days, demanded_on=demanded_on).due


def grace_period_end(due: date, *, statutory: bool, grace_days: int, demanded_on: date | None) -> PeriodEnd:
    """grace_end with its nominal last day and why it moved (moving never reorders two ends, so the
    earlier of the two statutory ends is the earlier once moved)."""
    if not statutory:
        return period_end(due, grace_days)
    end = period_end(due, STATUTORY_GRACE_DAYS)
    if demanded_on is not None:
        end = min(end, period_end(demanded_on, DEMAND_GRACE_DAYS), key=lambda e: e.due)
    return end


def premium_owed(schedule: Iterable[Mapping[str, Any]], on: date) -> Decimal:
    """Installments due on or before `on` and not paid by the end of that day."""
    return sum(
        (
            item["amount"]
            for item in schedule
            if item["due_date"] <= on and (item.get("paid_on") is None or item["paid_on"] > on)
        ),
        ZERO,
    )


def grace_deduction(schedule: Iterable[Mapping[str, Any]], loss_on: date) -> list[Mapping[str, Any]]:
    """The installments a loss on `loss_on` in the grace period is paid less (Art. 36): owed at the end
    of the loss date and still unpaid now (premium paid since is not deducted)."""
    return [item for item in schedule if item["due_date"] <= loss_on and item.get("paid_on") is None]


# -- waiting period (Civil Code Art. 201) ------------------------------------------------------


def waiting_period_end(start: date, days: int) -> date | None:
    """The first day past a waiting period of `days` counted from the day after `start` (None: no
    waiting period). 90 days from 2025-01-10 run 01-11 … 04-10; a loss on 04-11 is past it."""
    return None if days <= 0 else start + timedelta(days=days + 1)


# -- reinstatement (Art. 37; SPC Interpretation III Art. 8) -----------------------------------


def reinstatement_last_day(lapsed_on: date) -> date:
    """The last day on which reinstatement can be agreed: two years from the lapse, off a rest day."""
    return last_day(add_years(lapsed_on, REINSTATEMENT_YEARS)).due


def termination_date(lapsed_on: date) -> date:
    """Not reinstated within two years: the contract terminates the next day."""
    return reinstatement_last_day(lapsed_on) + DAY


def reinstatement_decision_last_day(requested_on: date) -> date:
    """The insurer may answer a reinstatement request through the 30th day after it (off a rest day)."""
    return period_end(requested_on, REINSTATEMENT_DECISION_DAYS).due


def deemed_consent_date(requested_on: date) -> date:
    """Thirty full days of silence: consent is deemed given on the 31st day."""
    return reinstatement_decision_last_day(requested_on) + DAY


# -- cooling-off, renewal, rescission ----------------------------------------------------------


def cooling_off_last_day(receipt_on: date, cooling_off_days: int) -> date:
    """The last day to cancel: the product's days (at least 15) counted from the day after receipt,
    moved off a rest day."""
    return cooling_off_end(receipt_on, cooling_off_days).due


def cooling_off_end(receipt_on: date, cooling_off_days: int) -> PeriodEnd:
    return period_end(receipt_on, max(MIN_COOLING_OFF_DAYS, cooling_off_days))


def cancellation_fee(product_fee: Decimal) -> Decimal:
    return money(min(max(product_fee, ZERO), MAX_CANCELLATION_FEE))


def renewal_offer_from(end: date, offer_days: int) -> date:
    """The first day a renewal may be offered: `offer_days` before the last day of cover."""
    return end - timedelta(days=offer_days)


#: Why Art. 16 bars a rescission (the problem's code).
RescissionRefusal = Literal["rescission-not-allowed", "rescission-waived", "rescission-time-barred"]


def rescission_refusal(
    on: date, *, learned_on: date, formed_on: date, insurer_knew: bool, premium_collected_on: Iterable[date] = ()
) -> RescissionRefusal | None:
    """The error code that bars rescission on `on`, or None when Art. 16 allows it. An insurer that
    collected premium (`premium_collected_on`: the days it did) after the day it learned the cause has
    waived the right (SPC Interpretation II Art. 7): `rescission-waived`."""
    if insurer_knew:
        return "rescission-not-allowed"
    if any(learned_on < day <= on for day in premium_collected_on):
        return "rescission-waived"
    if on > period_end(learned_on, RESCISSION_NOTICE_DAYS).due:
        return "rescission-time-barred"
    if on > last_day(add_years(formed_on, RESCISSION_YEARS)).due:
        return "rescission-time-barred"
    return None


# -- refunds -----------------------------------------------------------------------------------


def pro_rata(amount: Decimal, part_days: int, whole_days: int) -> Decimal:
    if whole_days <= 0 or part_days <= 0:
        return ZERO
    return money(amount * min(part_days, whole_days) / whole_days)


def unearned(cover: Iterable[Mapping[str, Any]], from_day: date) -> Decimal:
    """The part of paid premium that buys cover on or after `from_day`, day by day."""
    total = ZERO
    for segment in cover:
        first, last = segment["cover_from"], segment["cover_to"]
        total += pro_rata(segment["amount"], days_between(max(first, from_day), last), days_between(first, last))
    return total


def split_cover(cover: Sequence[Mapping[str, Any]], at: date, ratio: Decimal) -> tuple[list[dict[str, Any]], Decimal]:
    """Re-price paid cover from `at` by `ratio`: the new segments and the change in their value."""
    result: list[dict[str, Any]] = []
    change = ZERO
    for segment in cover:
        first, last, amount = segment["cover_from"], segment["cover_to"], segment["amount"]
        if last < at:
            result.append(dict(segment))
            continue
        later = pro_rata(amount, days_between(max(first, at), last), days_between(first, last))
        if first < at:
            result.append({"amount": amount - later, "cover_from": first, "cover_to": at - DAY})
        repriced = money(later * ratio)
        change += repriced - later
        result.append({"amount": repriced, "cover_from": max(first, at), "cover_to": last})
    return result, change


def cash_value(table: Sequence[Decimal], years: int, premiums_paid: Decimal) -> Decimal:
    """Cash value: the table's fraction for the completed policy years × the premiums paid."""
    if not table or premiums_paid <= 0:
        return ZERO
    fraction = Decimal(table[min(max(years, 0), len(table) - 1)])
    return min(money(premiums_paid * fraction), premiums_paid)


# -- input checks ------------------------------------------------------------------------------


def check_percent(value: Any, field: str, *, high: Decimal = Decimal(500)) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, (Decimal, int, str)):
        raise InvalidValue(field, "must be a number")
    try:
        amount = Decimal(str(value).strip())
    except ArithmeticError:
        raise InvalidValue(field, "must be a number") from None
    if not amount.is_finite() or not 0 <= amount <= high:
        raise InvalidValue(field, f"must be between 0 and {high}")
    return money(amount)
