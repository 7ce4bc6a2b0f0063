"""Facultative placement (临时分保, guide 6.1.1 (6); domain.policy.facultative, domain.policy.underwriting): a risk
beyond the retention plus every treaty's capacity is referred at underwriting with the amount; while referred, its
part beyond is placed with reinsurers; an acceptance or an offer waits until the placements hold all of it, to the
cent. A refused command records nothing."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from domain.errors import DomainError, InvalidTransition, InvalidValue
from domain.policy.aggregate import Policy
from domain.policy.facultative import BEYOND_CAPACITY
from tests.builders.policies import applied, findings, new_events
from tests.builders.underwriting import a_case, assessed, finding_of

D = date
ON = D(2026, 3, 2)


def beyond(amount: str) -> Policy:
    """An application referred on ON for `amount` of its 500,000 beyond every treaty's capacity."""
    policy = applied(applied_on=ON)
    policy.start_underwriting(on=ON)
    found = findings("pass")
    found[2] = dict(found[2], outcome="refer", code=BEYOND_CAPACITY, data={"beyond_capacity": Decimal(amount)})
    policy.record_automatic_underwriting(found, "referred", on=ON)
    policy.collect_events()
    return policy


def place(policy: Policy, amount: str, premium: str = "100", on: date = ON) -> None:
    policy.place_facultative(reinsurer="Lloyd's 2987", sum_insured=amount, premium=premium, placed_by="re-1", on=on)
    assert new_events(policy) == ["FacultativePlaced"]


def accept(policy: Policy, **extra: Any) -> None:
    policy.decide(
        "accept",
        underwriter_id="uw-1",
        role="senior_underwriter",
        annual_premium=Decimal("1300"),
        installment=Decimal("1300"),
        decided_on=ON,
        **extra,
    )


@pytest.mark.parametrize(
    ("amount", "expected"), [("0", ("pass", "within-limits")), ("0.01", ("refer", BEYOND_CAPACITY))]
)
def test_a_risk_a_cent_beyond_every_treatys_capacity_is_referred(amount: str, expected: tuple[str, str]) -> None:
    case = a_case("property", beyond_capacity=Decimal(amount))
    outcome, code = finding_of(case, "6.2.3-sum-insured")
    assert (outcome, code == expected[1] or outcome == "pass") == (expected[0], True)
    if amount != "0":
        assert assessed(case).outcome == "referred"
        assert assessed(case).finding("6.2.3-sum-insured").data["beyond_capacity"] == Decimal(amount)


def test_an_acceptance_waits_until_the_placements_hold_every_cent_beyond() -> None:
    policy = beyond("260000")
    version = policy.version
    with pytest.raises(DomainError) as waiting:
        accept(policy)
    assert waiting.value.code == "facultative-placement-required" and policy.version == version
    place(policy, "200000")
    place(policy, "59999.99")
    with pytest.raises(DomainError) as short:  # a cent short
        accept(policy)
    assert short.value.code == "facultative-placement-required"
    with pytest.raises(DomainError):
        policy.decide(
            "offer_with_conditions",
            underwriter_id="uw-1",
            role="senior_underwriter",
            loading_pct=Decimal(25),
            reason="r",
            annual_premium=Decimal("1625"),
            installment=Decimal("1625"),
            decided_on=ON,
        )
    place(policy, "0.01", premium="0")
    accept(policy)
    assert policy.status == "accepted" and policy.placed_facultative() == Decimal("260000")
    assert [p["no"] for p in policy.facultative] == [1, 2, 3]


def test_a_decline_or_postponement_needs_no_placement() -> None:
    policy = beyond("1000")
    policy.decide("decline", underwriter_id="uw-1", role="underwriter", reason="too large", decided_on=ON)
    assert policy.status == "declined"


def test_placements_are_made_while_referred_and_never_beyond_the_sum_insured() -> None:
    policy = beyond("260000")
    with pytest.raises(InvalidValue) as over:
        place(policy, "500000.01")
    assert over.value.field == "sum_insured"
    place(policy, "500000")  # the whole risk: the last amount allowed
    with pytest.raises(InvalidValue):
        place(policy, "0.01")
    with pytest.raises(InvalidValue) as named:
        policy.place_facultative(reinsurer="", sum_insured="1", premium="1", placed_by="re-1", on=ON)
    assert named.value.field == "reinsurer"
    with pytest.raises(DomainError) as back:
        policy.place_facultative(reinsurer="R", sum_insured="1", premium="1", placed_by="re-1", on=D(2026, 3, 1))
    assert back.value.code == "date-before-last-event"
    accept(policy)
    policy.collect_events()
    with pytest.raises(InvalidTransition):
        place(policy, "1")  # accepted: no longer referred
    assert policy.pending_events == []
