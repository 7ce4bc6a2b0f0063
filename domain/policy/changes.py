"""Contract changes by written agreement (SPEC §5; guide 5.3), worked out from a policy's state.

Each `plan_*` function checks a change and returns the fields of the PolicyChanged event that records
it (all but `on`, `document_ref`, `effective_on`); it records nothing itself.

- beneficiary, contacts: no premium effect.
- premium mode (annual ⇄ monthly): takes effect on the next due date; the unpaid installments of the
  period are replaced by the new mode's; `premium_difference` is the new total less the old.
- sum insured: paid cover from the effective date is re-priced pro rata (`settled_now`: refunded when
  negative, an "adjustment" installment due on the effective date when positive) and the unpaid
  installments are scaled; an increase is underwritten first (request/decide on the aggregate).
  A decrease on a cash-value product (life, or a cash value table) refunds instead the cash value of
  the part given up: the cash value at the old sum insured less the cash value at the new one, on the
  effective date (`details.refund_basis` "cash_value", with `cash_value_before`, `cash_value_after`
  and `premium_released`, the premium that leaves the cash value basis).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from typing import Any

from domain.customer.rules import validate_contacts
from domain.errors import DomainError, InvalidValue
from domain.policy.rules import (
    DAY,
    ZERO,
    cash_value,
    completed_years,
    months_from,
    premium_owed,
    premium_schedule,
    split_cover,
)
from domain.policy.state import PolicyState
from domain.policy.terms import check_beneficiaries
from domain.values import check_choice, check_positive, money

CHANGE_KINDS = ("beneficiary", "contacts", "premium_mode", "sum_insured")
DETAILS: dict[str, tuple[str, ...]] = {
    "beneficiary": ("beneficiaries",),
    "contacts": ("contacts",),
    "premium_mode": ("premium_mode",),
    "sum_insured": ("sum_insured", "annual_premium"),
}


def check_effective(policy: PolicyState, effective: date) -> None:
    """A change takes effect within the policy period and not before a change already recorded."""
    assert policy.end_date is not None
    if effective > policy.end_date:
        raise InvalidValue("effective_on", f"must be within the policy period (to {policy.end_date})")
    if effective < policy.sum_insured_history[-1][0]:
        raise InvalidValue("effective_on", "must not precede a change already recorded")


def plan_change(policy: PolicyState, kind: str, details: Mapping[str, Any], effective: date) -> dict[str, Any]:
    """Check a change of `kind` (not a sum insured increase) and return its event fields."""
    for key in details:
        if key not in DETAILS[kind]:
            raise InvalidValue(f"details.{key}", f"is not a detail of a {kind} change")
    if kind == "beneficiary":
        line = policy.product_terms["line"]
        new = check_beneficiaries(details.get("beneficiaries"), line, "details.beneficiaries")
        return _plain(kind, {"beneficiaries": new}, unchanged=new == policy.beneficiaries)
    if kind == "contacts":
        contacts = validate_contacts(details.get("contacts"), required=True)
        return _plain(kind, {"contacts": contacts}, unchanged=contacts == policy.contacts)
    if kind == "premium_mode":
        return plan_premium_mode(policy, details.get("premium_mode"), effective)
    si = check_positive(details.get("sum_insured"), "details.sum_insured")
    if si > policy.sum_insured:
        raise DomainError(
            "an increase is underwritten again: request_sum_insured_increase",
            code="sum-insured-increase-needs-underwriting",
        )
    if si == policy.sum_insured:
        raise DomainError("the sum insured is unchanged", code="nothing-to-change")
    if si < policy.product_terms["sum_insured_min"]:
        lowest = policy.product_terms["sum_insured_min"]
        raise InvalidValue("details.sum_insured", f"must be at least {lowest}")
    annual = details.get("annual_premium")
    annual = (
        money(policy.agreed_annual_premium * si / policy.sum_insured)
        if annual is None
        else check_positive(annual, "details.annual_premium")
    )
    return plan_sum_insured(policy, si, annual, effective)


def plan_premium_mode(policy: PolicyState, mode: Any, effective: date) -> dict[str, Any]:
    mode = check_choice(mode, "details.premium_mode", tuple(policy.product_terms["premium_modes"]))
    if "single" in (mode, policy.premium_mode):
        raise InvalidValue("details.premium_mode", "a change to or from a single premium is not offered")
    if mode == policy.premium_mode:
        raise DomainError("the premium mode is unchanged", code="nothing-to-change")
    item, index = policy.first_unpaid(), policy.period_index(effective)
    if item is None or index is None:
        raise DomainError("no premium is left to pay", code="nothing-due")
    offset = months_from(policy.periods[index]["start"], item["due_date"], policy.term_months)
    if item["kind"] != "premium" or offset is None or item["due_date"] != effective:
        raise InvalidValue("effective_on", f"a mode change takes effect on the next due date, {item['due_date']}")
    annual = policy.agreed_annual_premium
    each = money(annual * policy.product_terms["monthly_factor"]) if mode == "monthly" else annual
    new = premium_schedule(effective, policy.term_months - offset, mode, each, policy.last_installment_no + 1)
    old = _unpaid_in_period(policy, index)
    details = {"premium_mode": mode, "previous_premium_mode": policy.premium_mode}
    return _fields(
        "premium_mode", details, difference=_total(new) - _total(old), installment=each, schedule=new, replaced=old
    )


def plan_sum_insured(policy: PolicyState, si: Decimal, annual: Decimal, effective: date) -> dict[str, Any]:
    """Re-price the cover from `effective` for a new sum insured and annual premium."""
    index = policy.period_index(effective)
    assert index is not None
    if si < policy.paid_in(index):
        raise DomainError("claims already paid exceed the new sum insured", code="sum-insured-below-paid-claims")
    if premium_owed(policy.schedule, effective - DAY) > 0:
        raise DomainError("pay the installments due before the change first", code="premium-outstanding")
    ratio = annual / policy.agreed_annual_premium
    surrendered: dict[str, Any] = {}
    if ratio < 1 and policy.uses_cash_value:
        surrendered = _cash_value_given_up(policy, ratio, effective)
        settled = surrendered["cash_value_after"] - surrendered["cash_value_before"]
    else:
        settled = split_cover(policy.paid_cover, effective, ratio)[1]
    old = _unpaid_in_period(policy, index)
    new = [_strip(dict(i, amount=money(i["amount"] * ratio)) if i["kind"] == "premium" else i) for i in old]
    if settled > 0:
        paid_to = max(s["cover_to"] for s in policy.paid_cover)
        new.append(
            {
                "no": policy.last_installment_no + 1,
                "due_date": effective,
                "amount": settled,
                "cover_from": effective,
                "cover_to": paid_to,
                "kind": "adjustment",
            }
        )
    premiums = [i for i in new if i["kind"] == "premium"]
    difference = settled + _total(premiums) - _total([i for i in old if i["kind"] == "premium"])
    details = {"sum_insured": si, "previous_sum_insured": policy.sum_insured, "annual_premium": annual, **surrendered}
    return _fields(
        "sum_insured",
        details,
        difference=difference,
        settled=settled,
        annual=annual,
        installment=money(policy.agreed_installment * ratio),
        schedule=new,
        replaced=old,
    )


def _cash_value_given_up(policy: PolicyState, ratio: Decimal, effective: date) -> dict[str, Any]:
    """A lower sum insured on a cash-value product (SPEC §5 Changes, Surrender): the part given up is
    surrendered. The cash value on `effective` at the old sum insured (of the premium paid for it) less
    the cash value at the new one (of that premium × `ratio`, the new annual premium over the old)."""
    assert policy.start_date is not None
    table = policy.product_terms["cash_value_by_year"]
    years = completed_years(policy.start_date, effective)
    basis = policy.cash_value_basis
    kept = money(basis * ratio)
    return {
        "refund_basis": "cash_value",
        "cash_value_before": cash_value(table, years, basis),
        "cash_value_after": cash_value(table, years, kept),
        "premium_released": basis - kept,
    }


def _plain(kind: str, details: dict[str, Any], *, unchanged: bool) -> dict[str, Any]:
    if unchanged:
        raise DomainError(f"the {kind} is unchanged", code="nothing-to-change")
    return _fields(kind, details)


def _fields(
    kind: str,
    details: dict[str, Any],
    *,
    difference: Decimal = ZERO,
    settled: Decimal = ZERO,
    annual: Decimal | None = None,
    installment: Decimal | None = None,
    schedule: list[dict[str, Any]] | None = None,
    replaced: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    return {
        "kind": kind,
        "details": details,
        "premium_difference": difference,
        "settled_now": settled,
        "annual_premium": annual,
        "installment": installment,
        "schedule": schedule,
        "replaced_installments": [i["no"] for i in replaced or []],
    }


def _unpaid_in_period(policy: PolicyState, index: int) -> list[dict[str, Any]]:
    end = policy.periods[index]["end"]
    return [i for i in policy.schedule if i["paid_on"] is None and i["due_date"] <= end]


def _strip(item: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in item.items() if k != "paid_on"}


def _total(items: list[dict[str, Any]]) -> Decimal:
    return sum((i["amount"] for i in items), ZERO)
