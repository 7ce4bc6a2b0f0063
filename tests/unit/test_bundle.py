"""The bundle (guide 3.3 保险产品组合策略): from 2 to 10 applications, their combined premium exact to the cent (an item
declined at once adds nothing), and the strategies of 3.3 read from the items."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any
from uuid import uuid4

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.bundle.aggregate import MAX_ITEMS, Bundle, strategies_of
from domain.errors import InvalidValue

ON = date(2025, 1, 10)


def item(
    line: str = "life", term: int = 120, riders: tuple[str, ...] = (), premium: str | None = "100.00"
) -> dict[str, Any]:
    return {
        "policy_id": str(uuid4()),
        "product_code": "p",
        "product_version": 1,
        "line": line,
        "insured_id": "c",
        "sum_insured": "1000",
        "term_months": term,
        "premium_mode": "annual",
        "riders": list(riders),
        "annual_premium": premium,
        "outcome": "accepted" if premium else "declined",
    }


def propose(items: list[dict[str, Any]]) -> Bundle:
    return Bundle.propose(applicant_id="c", channel="agent", agent_id="a", items=items, on=ON, bundle_id=uuid4())


@pytest.mark.parametrize("count", [0, 1, MAX_ITEMS + 1])
def test_a_bundle_combines_two_to_ten_applications(count: int) -> None:
    with pytest.raises(InvalidValue) as refused:
        propose([item() for _ in range(count)])
    assert refused.value.field == "items"


@pytest.mark.parametrize("count", [2, MAX_ITEMS])
def test_two_and_ten_are_accepted(count: int) -> None:
    assert len(propose([item() for _ in range(count)]).items) == count


@given(st.lists(st.one_of(st.none(), st.decimals("0.01", "99999999.99", places=2)), min_size=2, max_size=MAX_ITEMS))
def test_the_combined_premium_is_the_sum_of_the_items_quotes_to_the_cent(premiums: list[Decimal | None]) -> None:
    bundle = propose([item(premium=None if p is None else str(p)) for p in premiums])
    assert bundle.combined_annual_premium == sum((p for p in premiums if p is not None), Decimal(0))


@pytest.mark.parametrize(
    ("items", "expected"),
    [
        ([item("life"), item("property", 12)], ["personal_with_property", "long_with_short"]),
        ([item("health", 12), item("property", 12)], ["personal_with_property"]),
        ([item("life", riders=("accidental_death_rider",)), item("life")], ["main_with_riders"]),
        ([item("life", 120), item("accident", 12)], ["long_with_short"]),
        ([item("property", 12), item("liability", 12)], []),
        ([item("life", 13), item("life", 12)], ["long_with_short"]),  # over one year is long-term
    ],
)
def test_the_strategies_of_3_3_are_read_from_the_items(items: list[dict[str, Any]], expected: list[str]) -> None:
    assert strategies_of(items) == expected
    assert propose(items).strategies == expected
