"""Claims built directly for the claim unit tests: a report, then each stage of its handling on a day
counted from the report, the cover it is decided against, and a refusal that must leave no event."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal
from typing import Any, TypeVar

import pytest

from domain.claim.aggregate import Claim
from domain.errors import DomainError
from domain.policy.state import CoverSnapshot

E = TypeVar("E", bound=DomainError)
# reported (first receipt): day 0. Chosen so that the clocks' due dates in these tests (days 10, 13, 15, 30,
# 37, 60, …) fall on working days: a last day on a weekend or public holiday moves to the next working day
# (Civil Code Art. 203; tests/unit/test_calendar.py). (Was 2024-03-01, whose day 30 is a Sunday.)
R = date(2024, 9, 14)
LOSS = date(2024, 2, 20)
DOCS = ["claim_form", "id_proof", "loss_list"]
DAYS = timedelta(days=1)


def day(n: int) -> date:
    """Day n after the report (the report is day 0)."""
    return R + n * DAYS


def details(**overrides: Any) -> dict[str, Any]:
    given: dict[str, Any] = dict(
        policy_id="pol-1",
        policy_number="P2024ABC",
        claimant_id="cust-1",
        claimant_role="insured",
        loss_date=LOSS,
        cause="fire",
        description="kitchen fire",
        estimated_amount="20000",
        initial_reserve="20000",
        reported_on=R,
        line="property",
        required_documents=DOCS,
    )
    return {**given, **overrides}


def cover(**overrides: Any) -> CoverSnapshot:
    given: dict[str, Any] = dict(
        on=LOSS,
        status="in_force",
        in_force=True,
        in_grace=False,
        premium_owed=Decimal("0.00"),
        policy_number="P2024ABC",
        product_code="HOME",
        product_version=1,
        line="property",
        riders=(),
        period_start=date(2024, 1, 1),
        period_end=date(2024, 12, 31),
        waiting_period_end=date(2024, 1, 1),
        in_waiting_period=False,
        sum_insured=Decimal("100000.00"),
        remaining_sum_insured=Decimal("100000.00"),
        deductible=Decimal("500.00"),
        payout_ratio=Decimal("1"),
        covered_causes=("fire", "flood"),
        exclusions=("war", "wear_and_tear"),
        rescinded=False,
        rescission_ground=None,
        no_liability_before=None,
    )
    return CoverSnapshot(**{**given, **overrides})


def items(assessed: str = "15000", claimed: str = "20000") -> list[dict[str, Any]]:
    return [{"description": "kitchen", "claimed": claimed, "assessed": assessed}]


def reported(**overrides: Any) -> Claim:
    claim = Claim.report(**details(**overrides))
    claim.collect_events()
    return claim


def accepted(on: int = 1) -> Claim:
    claim = reported()
    for code in DOCS:
        claim.receive_document(code, day(on))
    claim.accept(day(on))
    claim.collect_events()
    return claim


def assessed(amount: str = "15000", on: int = 3) -> Claim:
    claim = accepted()
    claim.record_investigation("site_survey", "inv-1", "fire started at the stove", day(2))
    claim.assess(items(amount, max(amount, "20000", key=Decimal)), "assessor-1", day(on))
    claim.notify_assessment(day(on))
    claim.collect_events()
    return claim


def agreed(amount: str = "15000", on: int = 5) -> Claim:
    claim = assessed(amount)
    claim.agree_assessment(day(on))
    claim.collect_events()
    return claim


def approved(amount: str = "15000", on: int = 6, **cover_changes: Any) -> Claim:
    claim = agreed(amount)
    claim.approve(cover=cover(**cover_changes), deciding_role="claims_manager", decided_by="mgr-1", on=day(on))
    claim.collect_events()
    return claim


def rejected(on: int = 10) -> Claim:
    claim = accepted()
    claim.reject(["cause not covered"], "mgr-1", day(on))
    claim.collect_events()
    return claim


def refused(claim: Claim, command: Callable[[], object], error: type[E], code: str | None = None) -> E:
    """Run a command that must be refused; check it left no pending event."""
    version = claim.version
    with pytest.raises(error) as raised:
        command()
    assert claim.pending_events == []
    assert claim.version == version
    if code is not None:
        assert raised.value.code == code, raised.value
    return raised.value


def names(claim: Claim) -> list[str]:
    return [type(e).__name__ for e in claim.collect_events()]


def last(claim: Claim) -> Any:
    return list(claim.collect_events())[-1]
