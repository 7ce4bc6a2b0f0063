"""The installment whose grace ends first (PolicyState._lapsing_item), found by trying installments in the
order their grace can end and stopping early, is the one the plain minimum over every unpaid installment
gives: any schedule, any demands, any line, around public holidays."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from domain.policy.state import PolicyState

START = date(2025, 9, 20)  # the National Day holidays fall in the grace periods of some


@st.composite
def states(draw: st.DrawFn) -> Any:
    count = draw(st.integers(0, 40))
    schedule: list[dict[str, Any]] = []
    for no in range(1, count + 1):
        due = START + timedelta(days=draw(st.integers(0, 400)))
        paid = draw(st.booleans())
        schedule.append({"no": no, "due_date": due, "paid_on": due if paid else None})
    demands = {
        str(item["no"]): item["due_date"] + timedelta(days=draw(st.integers(-60, 90)))
        for item in schedule
        if draw(st.booleans())
    }
    state: Any = object.__new__(PolicyState)
    vars(state).update(
        schedule=schedule,
        demands=demands,
        product_terms={
            "line": draw(st.sampled_from(["life", "health", "property", "accident"])),
            "grace_days": draw(st.integers(0, 90)),
        },
    )
    return state


@given(states())
def test_the_first_grace_to_end_is_the_plain_minimum(state: Any) -> None:
    unpaid = [i for i in state.schedule if i["paid_on"] is None]
    expected = min(unpaid, key=lambda i: (state._grace_end(i), i["no"])) if unpaid else None
    assert state._lapsing_item() is expected
