"""Reinsurance rules and the treaty (guide 6.1.1 (6); domain.reinsurance): what each form cedes of a risk, to the
cent; the reinsurers' shares summing exactly; recoveries that add up over payments; a treaty's period and its early
end on their last day and the day after; refusals naming the field."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.errors import DomainError, InvalidValue
from domain.reinsurance.aggregate import Treaty
from domain.reinsurance.rules import TreatyTerms, cede, recoverable, shares_of, split

D = date
ONE = [{"reinsurer": "R", "share_pct": Decimal(100)}]


def terms(kind: str, treaty_id: str = "t", **values: Any) -> TreatyTerms:
    return TreatyTerms(
        treaty_id, treaty_id, kind, {k: Decimal(v) if k != "lines" else v for k, v in values.items()}, ONE
    )


def treaty(**overrides: Any) -> Treaty:
    args: dict[str, Any] = {
        "name": "QS",
        "kind": "quota_share",
        "lines": ["property"],
        "product_codes": [],
        "terms": {"ceded_pct": "25"},
        "reinsurers": [{"reinsurer": "A", "share_pct": "50"}, {"reinsurer": "B", "share_pct": "50"}],
        "effective_from": D(2026, 1, 1),
        "effective_to": D(2026, 12, 31),
        "by": "re-1",
        "on": D(2025, 12, 20),
    }
    args.update(overrides)
    return Treaty.conclude(**args)


def test_a_quota_share_cedes_its_percentage_up_to_its_capacity() -> None:
    (ceded,) = cede([terms("quota_share", ceded_pct="30")], Decimal("1000000"), Decimal("9999.99")).ceded
    assert (ceded.sum_insured, ceded.premium) == (Decimal("300000.00"), Decimal("3000.00"))  # 2999.997 to the cent
    capped = cede([terms("quota_share", ceded_pct="30", capacity="250000")], Decimal("1000000"), Decimal("1000"))
    assert (capped.ceded[0].sum_insured, capped.ceded[0].premium, capped.retained) == (
        Decimal("250000"),
        Decimal("250.00"),
        Decimal("750000"),
    )


@pytest.mark.parametrize(
    ("sum_insured", "ceded", "kept", "beyond"),
    [
        ("100000", "0", "100000", "0"),  # at the retention: nothing ceded
        ("100000.01", "0.01", "100000", "0"),
        ("400000", "300000", "100000", "0"),  # retention + 3 lines: the last amount the treaty holds whole
        ("400000.01", "300000", "100000.01", "0.01"),  # a cent beyond its capacity
    ],
)
def test_a_surplus_cedes_what_is_above_the_retention_up_to_its_lines(
    sum_insured: str, ceded: str, kept: str, beyond: str
) -> None:
    found = cede([terms("surplus", retention="100000", lines=3)], Decimal(sum_insured), Decimal("1000"))
    assert (found.ceded[0].sum_insured, found.retained, found.beyond_capacity) == tuple(
        Decimal(v) for v in (ceded, kept, beyond)
    )


def test_the_forms_apply_in_order_and_the_excess_of_loss_layers_the_net_risk() -> None:
    treaties = [
        terms("excess_of_loss", "x", retention="50000", limit="200000", rate_pct="2.5"),
        terms("surplus", "s", retention="100000", lines=4),
        terms("quota_share", "q", ceded_pct="30"),
    ]
    found = cede(treaties, Decimal("1000000"), Decimal("12345.67"))
    assert [(c.treaty_id, c.sum_insured) for c in found.ceded] == [
        ("q", Decimal("300000.00")),  # 30% of the whole
        ("s", Decimal("400000")),  # of 700,000 left: above 100,000, up to 4 lines
        ("x", Decimal("200000")),  # the layer of the 300,000 kept above 50,000, up to 200,000
    ]
    assert (found.retained, found.beyond_capacity) == (Decimal("300000.00"), Decimal("200000.00"))
    assert found.ceded[2].premium == Decimal("308.64")  # 2.5% of the premium


@given(
    amount=st.decimals(min_value=0, max_value=10**12, places=2),
    shares=st.lists(st.integers(1, 100), min_size=1, max_size=6).filter(lambda s: sum(s) <= 100),
)
def test_the_reinsurers_shares_sum_exactly_to_the_treatys(amount: Decimal, shares: list[int]) -> None:
    reinsurers: list[dict[str, Any]] = [{"reinsurer": str(i), "share_pct": Decimal(s)} for i, s in enumerate(shares)]
    reinsurers[-1]["share_pct"] += 100 - sum(shares)
    parts = shares_of(reinsurers, amount)
    assert sum(parts, Decimal(0)) == amount
    assert all(
        abs(p - amount * r["share_pct"] / 100) < Decimal("0.01") * len(shares) for p, r in zip(parts, reinsurers)
    )
    assert [s["premium"] for s in split(reinsurers, amount, amount)] == parts


@given(payments=st.lists(st.decimals(min_value="0.01", max_value=200000, places=2), min_size=1, max_size=8))
def test_recoveries_over_several_payments_add_up_to_those_on_the_whole(payments: list[Decimal]) -> None:
    cession = cede(
        [
            terms("quota_share", "q", ceded_pct="33.33"),
            terms("excess_of_loss", "x", retention="20000", limit="100000", rate_pct="1"),
        ],
        Decimal("500000"),
        Decimal("5000"),
    )
    ceded = [
        {"treaty_id": c.treaty_id, "kind": c.kind, "terms": c.terms, "sum_insured": c.sum_insured}
        for c in cession.ceded
    ]
    owed: dict[str, Decimal] = {"q": Decimal(0), "x": Decimal(0)}
    paid = Decimal(0)
    for amount in payments:
        before = recoverable(ceded, Decimal("500000"), paid)
        paid += amount
        after = recoverable(ceded, Decimal("500000"), paid)
        for key in owed:
            owed[key] += after[key] - before[key]
    assert owed == recoverable(ceded, Decimal("500000"), paid)
    assert owed["x"] <= Decimal("100000") and owed["q"] <= paid


def test_a_treaty_covers_risks_starting_from_its_first_day_to_its_last() -> None:
    t = treaty()
    assert [
        t.covers("property", "home", d) for d in (D(2025, 12, 31), D(2026, 1, 1), D(2026, 12, 31), D(2027, 1, 1))
    ] == [False, True, True, False]
    assert not t.covers("life", "home", D(2026, 6, 1))
    by_product = treaty(lines=[], product_codes=["home_property"])
    assert by_product.covers("life", "home_property", D(2026, 6, 1)) and not by_product.covers(
        "property", "x", D(2026, 6, 1)
    )


def test_a_treaty_ended_early_covers_risks_starting_up_to_its_new_last_day() -> None:
    t = treaty()
    with pytest.raises(InvalidValue) as before:
        t.end(ends_on=D(2026, 6, 29), reason="r", on=D(2026, 6, 30))  # the day before it is ended
    assert before.value.field == "ends_on"
    with pytest.raises(InvalidValue) as last:
        t.end(ends_on=D(2026, 12, 31), reason="r", on=D(2026, 6, 30))  # its own last day: not early
    assert last.value.field == "ends_on"
    t.end(ends_on=D(2026, 6, 30), reason="replaced", on=D(2026, 6, 30))
    assert (t.covers("property", "home", D(2026, 6, 30)), t.covers("property", "home", D(2026, 7, 1))) == (True, False)
    with pytest.raises(DomainError) as again:
        t.end(ends_on=D(2026, 7, 31), reason="r", on=D(2026, 7, 1))
    assert again.value.code == "invalid-treaty-transition"
    t.receive_recovery(reinsurer="A", amount=Decimal("10.50"), reference="S-1", on=D(2026, 7, 1))  # still settles
    assert t.received == {"A": Decimal("10.50")}


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"kind": "stop_loss"}, "kind"),
        ({"lines": ["marine"]}, "lines[0]"),
        ({"terms": {}}, "ceded_pct"),
        ({"terms": {"ceded_pct": "0"}}, "ceded_pct"),
        ({"terms": {"ceded_pct": "25", "lines": 2}}, "lines"),
        ({"kind": "surplus", "terms": {"retention": "100000", "lines": 51}}, "lines"),
        ({"kind": "excess_of_loss", "terms": {"retention": "1", "limit": "2"}}, "rate_pct"),
        ({"reinsurers": []}, "reinsurers"),
        ({"reinsurers": [{"reinsurer": "A", "share_pct": "50"}, {"reinsurer": "A", "share_pct": "50"}]}, "reinsurers"),
        ({"reinsurers": [{"reinsurer": "A", "share_pct": "100.01"}]}, "reinsurers[0].share_pct"),
        ({"effective_to": D(2031, 1, 2)}, "effective_to"),  # 1,828 days: one more than five years hold
    ],
)
def test_a_treaty_refuses_bad_terms_naming_the_field(change: dict[str, Any], field: str) -> None:
    with pytest.raises(InvalidValue) as refused:
        treaty(**change)
    assert refused.value.field == field


def test_a_treaty_runs_five_years_at_most_counting_two_leap_days() -> None:
    longest = treaty(effective_from=D(2027, 3, 1), effective_to=D(2032, 2, 29))  # 2028-02-29 and 2032-02-29 within
    assert (longest.effective_to - longest.effective_from).days + 1 == 1827
    assert treaty(effective_to=D(2031, 1, 1)).effective_to == D(2031, 1, 1)  # 1,827 days from 2026-01-01


def test_a_settlement_names_one_of_the_treatys_reinsurers_and_never_goes_back_in_time() -> None:
    t = treaty()
    with pytest.raises(InvalidValue):
        t.receive_recovery(reinsurer="C", amount=Decimal(1), reference="S", on=D(2026, 2, 1))
    t.receive_recovery(reinsurer="B", amount=Decimal(1), reference="S", on=D(2026, 2, 1))
    with pytest.raises(DomainError) as back:
        t.receive_recovery(reinsurer="B", amount=Decimal(1), reference="S", on=D(2026, 1, 31))
    assert back.value.code == "date-before-last-event"
