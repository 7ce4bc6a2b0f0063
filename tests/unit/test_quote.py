"""Quotation (SPEC §3, §5; guide 6.2.4): hand-computed examples, refusals, and properties."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from domain.errors import InvalidValue
from domain.product.catalogue import Quote, default_catalogue, quote
from domain.product.model import Product

CATALOGUE = default_catalogue()
TERM_LIFE = CATALOGUE.get("term_life")
HOME = CATALOGUE.get("home_property")
RIDER = CATALOGUE.get("accidental_death_rider")
MAINS = [p for p in CATALOGUE.all() if p.kind == "main"]


def term_life(**overrides: Any) -> Quote:
    """Term life for a 35-year-old man, 500,000 over 20 years, annual premiums, office worker."""
    given: dict[str, Any] = {
        "age": 35,
        "gender": "male",
        "sum_insured": Decimal(500000),
        "term_months": 240,
        "premium_mode": "annual",
        "occupation_class": 1,
    }
    return quote(TERM_LIFE, **{**given, **overrides})


# -- examples computed by hand ------------------------------------------------------------------


def test_term_life_is_rated_by_age_band_and_gender() -> None:
    # 500 thousands × 0.95 (31–35, male) = 475.00; female 0.60 → 300.00; 30-year-old male 0.70 → 350.00
    assert term_life().annual_premium == Decimal("475.00")
    assert term_life(gender="female").annual_premium == Decimal("300.00")
    assert term_life(age=30).annual_premium == Decimal("350.00")
    assert term_life(age=31).annual_premium == Decimal("475.00")


def test_annual_premiums_are_paid_once_a_year_for_the_whole_term() -> None:
    q = term_life()

    assert (q.installment_amount, q.installments_per_year, q.number_of_installments) == (Decimal("475.00"), 1, 20)
    assert q.total_premium == Decimal("9500.00")
    assert q.due_offsets_months() == tuple(range(0, 240, 12))


def test_loadings_apply_in_turn_and_the_breakdown_adds_up() -> None:
    # 475.00 × 1.10 (class 3) = 522.50; × 1.25 (health) = 653.125 → 653.13; × 1.10 (extra) = 718.4375 → 718.44
    q = term_life(occupation_class=3, health_loading_pct=Decimal(25), extra_loading_pct=Decimal(10))

    b = q.breakdown
    assert (b.rate, b.occupation_loading_rate) == (Decimal("0.95"), Decimal("0.1"))
    assert (b.base_premium, b.occupation_loading, b.health_loading, b.extra_loading) == (
        Decimal("475.00"),
        Decimal("47.50"),
        Decimal("130.63"),
        Decimal("65.31"),
    )
    assert b.main_premium == q.annual_premium == Decimal("718.44")


def test_monthly_installments_are_the_annual_premium_times_the_monthly_factor() -> None:
    # 653.13 × 0.09 = 58.7817 → 58.78, 240 times
    q = term_life(occupation_class=3, health_loading_pct=Decimal(25), premium_mode="monthly")

    assert (q.installment_amount, q.installments_per_year, q.number_of_installments) == (Decimal("58.78"), 12, 240)
    assert q.total_premium == Decimal("14107.20")
    assert q.due_offsets_months()[:3] == (0, 1, 2)


def test_a_single_premium_pays_every_year_at_once_less_the_discount() -> None:
    # 653.13 × 20 years × (1 − 0.20) = 10,450.08, one installment
    q = term_life(occupation_class=3, health_loading_pct=Decimal(25), premium_mode="single")

    assert (q.installment_amount, q.number_of_installments, q.total_premium) == (
        Decimal("10450.08"),
        1,
        Decimal("10450.08"),
    )
    assert q.due_offsets_months() == (0,)


def test_a_rider_adds_its_own_rate_and_occupation_loading() -> None:
    # rider: 300 thousands × 0.4 × 1.5 (class 3) = 180.00; main 522.50
    q = term_life(occupation_class=3, riders=[(RIDER, Decimal(300000))])

    assert q.breakdown.main_premium == Decimal("522.50")
    assert [(r.code, r.annual_premium) for r in q.breakdown.riders] == [("accidental_death_rider", Decimal("180.00"))]
    assert q.annual_premium == Decimal("702.50")
    assert q.total_premium == Decimal("14050.00")


def test_home_property_has_a_flat_rate_and_needs_no_age_or_gender() -> None:
    # 800 thousands × 0.8‰ = 640.00, once for the year
    q = quote(HOME, sum_insured=Decimal(800000), term_months=12, premium_mode="annual", occupation_class=4)

    assert (q.annual_premium, q.installment_amount, q.number_of_installments, q.total_premium) == (
        Decimal("640.00"),
        Decimal("640.00"),
        1,
        Decimal("640.00"),
    )
    assert q.breakdown.rate == Decimal("0.8")


def test_enterprise_property_is_loaded_by_hazard_class_and_may_be_paid_monthly() -> None:
    # 2,000 thousands × 1.5‰ = 3,000.00 × 2.0 (class 4) = 6,000.00; monthly × 0.085 = 510.00 × 12
    q = quote(
        CATALOGUE.get("enterprise_property"),
        sum_insured=2_000_000,
        term_months=12,
        premium_mode="monthly",
        occupation_class=4,
    )

    assert q.annual_premium == Decimal("6000.00")
    assert (q.installment_amount, q.number_of_installments, q.total_premium) == (
        Decimal("510.00"),
        12,
        Decimal("6120.00"),
    )


def test_the_quote_converts_to_plain_data() -> None:
    data = term_life(riders=[(RIDER, 100000)]).as_dict()

    assert data["annual_premium"] == Decimal("515.00")
    assert data["breakdown"]["riders"][0]["code"] == "accidental_death_rider"


# -- refusals name the field --------------------------------------------------------------------

REFUSALS: dict[str, tuple[dict[str, Any], str]] = {
    "too young": ({"age": 17}, "age"),
    "too old": ({"age": 61}, "age"),
    "age missing": ({"age": None}, "age"),
    "age not a number": ({"age": "35"}, "age"),
    "gender unknown": ({"gender": "x"}, "gender"),
    "gender missing": ({"gender": None}, "gender"),
    "sum insured too low": ({"sum_insured": Decimal(99999)}, "sum_insured"),
    "sum insured too high": ({"sum_insured": Decimal(5000001)}, "sum_insured"),
    "sum insured not a number": ({"sum_insured": "lots"}, "sum_insured"),
    "sum insured negative": ({"sum_insured": -1}, "sum_insured"),
    "term not offered": ({"term_months": 180}, "term_months"),
    "term beyond expiry age": ({"age": 45, "term_months": 360}, "term_months"),
    "mode not offered": ({"premium_mode": "quarterly"}, "premium_mode"),
    "class not insurable": ({"occupation_class": 6}, "occupation_class"),
    "class unknown": ({"occupation_class": 7}, "occupation_class"),
    "health loading negative": ({"health_loading_pct": -1}, "health_loading_pct"),
    "extra loading absurd": ({"extra_loading_pct": 1000}, "extra_loading_pct"),
    "rider on a main product": ({"riders": [(CATALOGUE.get("medical"), 100000)]}, "riders[0]"),
    "rider sum insured above main": ({"riders": [(RIDER, 600000)]}, "riders[0]"),
    "rider sum insured below its minimum": ({"riders": [(RIDER, 1000)]}, "riders[0]"),
    "rider twice": ({"riders": [(RIDER, 100000), (RIDER, 100000)]}, "riders[1]"),
    "rider not a product version": ({"riders": [("accidental_death_rider", 100000)]}, "riders[0]"),
}


@pytest.mark.parametrize("case", REFUSALS.values(), ids=REFUSALS.keys())
def test_each_refusal_names_its_field(case: tuple[dict[str, Any], str]) -> None:
    overrides, field = case

    with pytest.raises(InvalidValue) as refused:
        term_life(**overrides)

    assert refused.value.field == field


def test_a_rider_is_refused_on_a_product_it_does_not_attach_to() -> None:
    with pytest.raises(InvalidValue) as refused:
        quote(
            HOME,
            sum_insured=800000,
            term_months=12,
            premium_mode="annual",
            occupation_class=1,
            riders=[(RIDER, 100000)],
        )

    assert refused.value.field == "riders[0]"


def test_a_rider_outside_its_own_ages_is_refused_as_that_rider() -> None:
    with pytest.raises(InvalidValue) as refused:
        quote(
            CATALOGUE.get("critical_illness"),
            age=10,
            gender="female",
            sum_insured=300000,
            term_months=240,
            premium_mode="annual",
            occupation_class=1,
            riders=[(RIDER, 100000)],
        )

    assert refused.value.field == "riders[0]"
    assert "age" in refused.value.message


def test_a_rider_cannot_be_quoted_on_its_own() -> None:
    with pytest.raises(InvalidValue) as refused:
        quote(
            RIDER, age=30, gender="male", sum_insured=100000, term_months=120, premium_mode="annual", occupation_class=1
        )

    assert refused.value.field == "product_code"


def test_accident_cover_refuses_the_most_hazardous_class_and_heavily_loads_the_next() -> None:
    accident = CATALOGUE.get("personal_accident")
    given: dict[str, Any] = {
        "age": 40,
        "gender": "male",
        "sum_insured": 500000,
        "term_months": 12,
        "premium_mode": "annual",
    }

    # 500 thousands × 0.3 = 150.00 × (1 + 2.5) = 525.00
    assert quote(accident, occupation_class=5, **given).annual_premium == Decimal("525.00")
    with pytest.raises(InvalidValue) as refused:
        quote(accident, occupation_class=6, **given)
    assert refused.value.field == "occupation_class"


# -- properties ---------------------------------------------------------------------------------


@st.composite
def covers(draw: st.DrawFn, products: list[Product] = MAINS) -> tuple[Product, dict[str, Any]]:
    """A product and inputs it accepts."""
    product = draw(st.sampled_from(products))
    term = draw(st.sampled_from(product.terms_months))
    oldest = product.insured_age_max
    if product.max_expiry_age is not None:
        oldest = min(oldest, product.max_expiry_age - term // 12)
    inputs: dict[str, Any] = {
        "age": draw(st.integers(product.insured_age_min, oldest)),
        "gender": draw(st.sampled_from(["male", "female"])),
        "sum_insured": Decimal(draw(st.integers(int(product.sum_insured_min), int(product.sum_insured_max)))),
        "term_months": term,
        "premium_mode": draw(st.sampled_from(product.premium_modes)),
        "occupation_class": draw(st.sampled_from(sorted(product.occupation_loadings))),
        "health_loading_pct": Decimal(draw(st.integers(0, 200))),
        "extra_loading_pct": Decimal(draw(st.integers(0, 100))),
    }
    return product, inputs


@given(covers(), st.integers(0, 10**7))
def test_premium_never_falls_when_the_sum_insured_rises(cover: tuple[Product, dict[str, Any]], more: int) -> None:
    product, inputs = cover
    larger = min(inputs["sum_insured"] + more, product.sum_insured_max)

    low, high = quote(product, **inputs), quote(product, **{**inputs, "sum_insured": larger})

    assert low.annual_premium <= high.annual_premium
    assert low.installment_amount <= high.installment_amount
    assert low.total_premium <= high.total_premium


@given(covers(), st.data())
def test_premium_never_falls_when_the_occupation_loading_rises(
    cover: tuple[Product, dict[str, Any]], data: st.DataObject
) -> None:
    product, inputs = cover
    other = data.draw(st.sampled_from(sorted(product.occupation_loadings)))
    classes = sorted([inputs["occupation_class"], other], key=lambda c: product.occupation_loadings[c])

    low, high = (quote(product, **{**inputs, "occupation_class": c}) for c in classes)

    assert low.annual_premium <= high.annual_premium


@given(covers())
def test_installments_times_their_number_make_the_total(cover: tuple[Product, dict[str, Any]]) -> None:
    product, inputs = cover

    q = quote(product, **inputs)

    years = Decimal(q.term_months) / 12
    assert q.installment_amount * q.number_of_installments == q.total_premium
    assert len(q.due_offsets_months()) == q.number_of_installments
    assert all(offset < q.term_months for offset in q.due_offsets_months())
    if q.premium_mode == "monthly":
        exact = q.annual_premium * product.monthly_factor * q.number_of_installments
        assert abs(q.total_premium - exact) <= Decimal("0.005") * q.number_of_installments
    elif q.premium_mode == "annual":
        assert q.total_premium == q.annual_premium * years
    else:
        assert abs(q.total_premium - q.annual_premium * years * (1 - product.single_discount)) <= Decimal("0.005")


@given(covers())
def test_the_breakdown_adds_up_and_every_amount_is_in_cents(cover: tuple[Product, dict[str, Any]]) -> None:
    product, inputs = cover

    q = quote(product, **inputs)

    b = q.breakdown
    assert b.base_premium + b.occupation_loading + b.health_loading + b.extra_loading == b.main_premium
    assert b.main_premium + sum(r.annual_premium for r in b.riders) == q.annual_premium
    for amount in (q.annual_premium, q.installment_amount, q.total_premium, b.base_premium, b.health_loading):
        assert amount == amount.quantize(Decimal("0.01"))


@given(covers([p for p in MAINS if p.rating == "age_gender"]))
def test_women_pay_no_more_than_men_where_the_table_says_so(cover: tuple[Product, dict[str, Any]]) -> None:
    product, inputs = cover
    band = next(b for b in product.rate_bands if b.age_from <= inputs["age"] <= b.age_to)
    assume(band.female <= band.male)

    female = quote(product, **{**inputs, "gender": "female"})
    male = quote(product, **{**inputs, "gender": "male"})

    assert female.annual_premium <= male.annual_premium


BAD_VALUES: dict[str, st.SearchStrategy[Any]] = {
    "age": st.one_of(st.integers(-5, -1), st.integers(121, 200), st.just("thirty")),
    "gender": st.sampled_from(["m", "unknown", ""]),
    "sum_insured": st.one_of(
        st.integers(-(10**6), 0), st.just("a lot"), st.just(Decimal("NaN")), st.integers(10**9 + 1, 10**12)
    ),
    "term_months": st.one_of(st.integers(-12, 0), st.just(7), st.just(1000), st.just("12")),
    "premium_mode": st.sampled_from(["weekly", "", "ANNUAL"]),
    "occupation_class": st.one_of(st.integers(-3, 0), st.integers(7, 20), st.just(True)),
    "health_loading_pct": st.one_of(st.integers(-100, -1), st.integers(501, 10**4), st.just("x")),
    "extra_loading_pct": st.one_of(st.integers(-100, -1), st.integers(501, 10**4), st.just(None)),
}


@given(covers(), st.data())
def test_every_refusal_names_the_input_that_was_wrong(
    cover: tuple[Product, dict[str, Any]], data: st.DataObject
) -> None:
    product, inputs = cover
    field = data.draw(st.sampled_from(sorted(BAD_VALUES)))
    bad = data.draw(BAD_VALUES[field])

    with pytest.raises(InvalidValue) as refused:
        quote(product, **{**inputs, field: bad})

    assert refused.value.field == field
