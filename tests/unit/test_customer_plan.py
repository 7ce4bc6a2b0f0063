"""The proposed insurance plan (SPEC §4; guide 4.3): the aggregate's rule and the pricing from the catalogue."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal
from functools import reduce
from typing import Any, cast

import pytest
from eventsourcing.utils import resolve_topic

from application.commands.customers import price_item
from domain.customer.aggregate import Customer
from domain.errors import InvalidValue
from domain.product.catalogue import default_catalogue
from tests.builders.common import collected, enterprise, individual, resident_id

CATALOGUE = default_catalogue()


def refused(customer: Customer, command: Callable[[], None]) -> InvalidValue:
    """Run a command that must be refused; check it left no pending event."""
    version = customer.version
    with pytest.raises(InvalidValue) as raised:
        command()
    assert customer.pending_events == []
    assert customer.version == version
    return raised.value


def a_man_born_1985(**overrides: Any) -> Customer:
    customer = Customer.register_individual(**individual(1, id_number=resident_id(1, "19850612", "male"), **overrides))
    customer.collect_events()
    return customer


def an_enterprise() -> Customer:
    customer = Customer.register_enterprise(**enterprise(1))
    customer.collect_events()
    return customer


def item(**overrides: Any) -> dict[str, Any]:
    """A priced plan item: term life 500,000 over 20 years, annual premium 700.00."""
    given: dict[str, Any] = {
        "product_code": "term_life",
        "product_version": 1,
        "sum_insured": Decimal(500000),
        "term_months": 240,
        "premium_mode": "annual",
        "annual_premium": Decimal("700.00"),
    }
    return {**given, **overrides}


def home(**overrides: Any) -> dict[str, Any]:
    given: dict[str, Any] = {
        "product_code": "home_property",
        "product_version": 1,
        "sum_insured": "1000000",
        "term_months": 12,
        "premium_mode": "annual",
        "annual_premium": "800",
    }
    return {**given, **overrides}


# -- the aggregate's rule ------------------------------------------------------------------------


def test_proposing_a_plan_records_the_checked_items_their_total_and_the_rationale() -> None:
    customer = a_man_born_1985()

    customer.propose_plan([item(), home()], Decimal(1500), "  sole earner with a mortgage ")

    [event] = customer.collect_events()
    assert isinstance(event, Customer.PlanProposed)
    assert event.items == [
        item(sum_insured=Decimal("500000.00"), riders=[]),
        home(sum_insured=Decimal("1000000.00"), annual_premium=Decimal("800.00"), riders=[]),
    ]
    assert (event.total_annual_premium, event.rationale) == (Decimal("1500.00"), "sole earner with a mortgage")
    assert event.budget_fit is None
    assert customer.last_plan is not None and customer.last_plan["total_annual_premium"] == Decimal("1500.00")


@pytest.mark.parametrize(("budget", "fits"), [(1500, True), ("1499.99", False), (10_000, True)])
def test_the_plan_fits_the_budget_of_the_last_needs_analysis_when_its_total_is_not_above_it(
    budget: Any, fits: bool
) -> None:
    customer = a_man_born_1985()
    customer.analyse_needs(["mortgage"], [], 1)
    customer.analyse_needs(["mortgage"], [], budget)

    customer.propose_plan([item(), home()], "1500", "fits?")

    assert collected(customer)[-1].budget_fit is fits


def test_riders_are_recorded_with_their_item() -> None:
    customer = a_man_born_1985()
    rider = {
        "product_code": "accidental_death_rider",
        "product_version": 1,
        "sum_insured": 200000,
        "annual_premium": "80",
    }

    customer.propose_plan([item(annual_premium="780", riders=[rider])], "780", "with accident cover")

    [event] = collected(customer)
    assert event.items[0]["riders"] == [
        {
            "product_code": "accidental_death_rider",
            "product_version": 1,
            "sum_insured": Decimal("200000.00"),
            "annual_premium": Decimal("80.00"),
        }
    ]


@pytest.mark.parametrize(
    ("items", "total", "rationale", "field"),
    [
        ([], "0", "r", "items"),
        ("term_life", "0", "r", "items"),
        ([item()] * 21, "14700", "r", "items"),
        (["term_life"], "700", "r", "items[0]"),
        ([item(sum_insured=0)], "700", "r", "items[0].sum_insured"),
        ([item(sum_insured="-5")], "700", "r", "items[0].sum_insured"),
        ([item(sum_insured="lots")], "700", "r", "items[0].sum_insured"),
        ([item(annual_premium=0)], "0", "r", "items[0].annual_premium"),
        ([item(product_code=" ")], "700", "r", "items[0].product_code"),
        ([item(product_version=0)], "700", "r", "items[0].product_version"),
        ([item(term_months=True)], "700", "r", "items[0].term_months"),
        ([item(premium_mode="weekly")], "700", "r", "items[0].premium_mode"),
        ([item(colour="blue")], "700", "r", "items[0].colour"),
        ([item(riders="none")], "700", "r", "items[0].riders"),
        (
            [item(riders=[{"product_code": "x", "product_version": 1, "sum_insured": 0, "annual_premium": 1}])],
            "700",
            "r",
            "items[0].riders[0].sum_insured",
        ),
        ([home(), item(), item()], "2200", "r", "items[2].product_code"),
        ([item(), home()], "1499", "r", "total_annual_premium"),
        ([item()], "-700", "r", "total_annual_premium"),
        ([item()], "700", " ", "rationale"),
        ([item()], "700", None, "rationale"),
    ],
)
def test_a_plan_with_invalid_input_is_refused_naming_the_field(
    items: Any, total: Any, rationale: Any, field: str
) -> None:
    customer = a_man_born_1985()

    error = refused(customer, lambda: customer.propose_plan(items, total, rationale))

    assert error.field == field


def test_the_plan_event_has_a_stable_versioned_topic() -> None:
    assert Customer.PlanProposed.TOPIC == "inscribe.customer.PlanProposed.v1"
    assert resolve_topic("inscribe.customer.PlanProposed.v1") is Customer.PlanProposed


def test_replaying_the_events_gives_the_live_state_with_the_latest_plan() -> None:
    customer = Customer.register_individual(**individual(1))
    customer.analyse_needs(["mortgage"], [], 1000)
    customer.propose_plan([home()], "800", "first idea")
    customer.propose_plan([item()], "700", "second idea")

    events = customer.collect_events()
    replayed = reduce(lambda state, event: event.mutate(state), events, None)

    assert vars(replayed) == vars(customer)
    assert customer.last_plan is not None and customer.last_plan["rationale"] == "second idea"


# -- pricing an item for the customer (application layer, pure) ----------------------------------


def priced(customer: Customer, raw: dict[str, Any], on: date = date(2026, 6, 11)) -> dict[str, Any]:
    return price_item(CATALOGUE, customer, raw, "items[0]", on)


TERM = {"product_code": "term_life", "sum_insured": "500000", "term_months": 240, "premium_mode": "annual"}


def test_an_individuals_item_is_priced_with_the_age_on_the_proposal_date_gender_and_occupation_class() -> None:
    man = a_man_born_1985()

    at_40 = priced(man, TERM, date(2026, 6, 11))
    at_41 = priced(man, TERM, date(2026, 6, 12))
    loaded = priced(a_man_born_1985(occupation_class=3), TERM, date(2026, 6, 11))

    # 500 thousands × 1.4 (36–40, male) = 700.00; at 41: × 2.2 = 1,100.00; class 3: × 1.1 = 770.00
    assert at_40 == {
        "product_code": "term_life",
        "product_version": 1,
        "sum_insured": Decimal("500000.00"),
        "term_months": 240,
        "premium_mode": "annual",
        "annual_premium": Decimal("700.00"),
        "riders": [],
    }
    assert at_41["annual_premium"] == Decimal("1100.00")
    assert loaded["annual_premium"] == Decimal("770.00")


def test_an_item_with_a_rider_is_priced_with_the_rider_included() -> None:
    raw = {**TERM, "riders": [{"product_code": "accidental_death_rider", "sum_insured": "200000"}]}

    result = priced(a_man_born_1985(), raw)

    assert result["annual_premium"] == Decimal("780.00")
    assert result["riders"] == [
        {
            "product_code": "accidental_death_rider",
            "product_version": 1,
            "sum_insured": Decimal("200000.00"),
            "annual_premium": Decimal("80.00"),
        }
    ]


def test_an_older_version_is_priced_from_that_version() -> None:
    raw = {
        "product_code": "critical_illness",
        "product_version": 1,
        "sum_insured": "300000",
        "term_months": 240,
        "premium_mode": "annual",
    }

    result = priced(a_man_born_1985(), raw)

    assert (result["product_code"], result["product_version"]) == ("critical_illness", 1)


def test_an_enterprise_item_is_priced_without_age_as_class_1_and_personal_products_are_refused() -> None:
    company = an_enterprise()
    raw = {"product_code": "enterprise_property", "sum_insured": "5000000", "term_months": 12, "premium_mode": "annual"}

    result = priced(company, raw)
    with pytest.raises(InvalidValue) as personal:
        priced(company, TERM)

    expected = cast(Decimal, CATALOGUE.get("enterprise_property").flat_rate) * 5000  # a flat-rated product
    assert result["annual_premium"] == expected.quantize(Decimal("0.01"))
    assert personal.value.field == "items[0].product_code"


@pytest.mark.parametrize(
    ("raw", "field", "code"),
    [
        ({**TERM, "product_code": "space_tourism"}, "items[0].product_code", "unknown-product"),
        ({**TERM, "product_version": 9}, "items[0].product_version", "unknown-product-version"),
        ({**TERM, "term_months": 60}, "items[0].term_months", "invalid-input"),
        ({**TERM, "sum_insured": "10"}, "items[0].sum_insured", "invalid-input"),
        ({**TERM, "premium_mode": "weekly"}, "items[0].premium_mode", "invalid-input"),
        ({**TERM, "discount": "10%"}, "items[0].discount", "invalid-input"),
        (
            {**TERM, "riders": [{"product_code": "pet_rider", "sum_insured": 1}]},
            "items[0].riders[0].product_code",
            "unknown-product",
        ),
        (
            {**TERM, "riders": [{"product_code": "accidental_death_rider", "sum_insured": "900000"}]},
            "items[0].riders[0]",
            "invalid-input",
        ),
        ({**TERM, "product_code": "accidental_death_rider"}, "items[0].product_code", "invalid-input"),
    ],
)
def test_an_item_that_cannot_be_priced_is_refused_naming_its_field(raw: dict[str, Any], field: str, code: str) -> None:
    with pytest.raises(InvalidValue) as refusal:
        priced(a_man_born_1985(), raw)

    assert (refusal.value.field, refusal.value.code) == (field, code)


def test_a_customer_outside_the_products_ages_is_refused_on_the_items_product() -> None:
    elder = Customer.register_individual(**individual(2, id_number=resident_id(2, "19500101", "female")))

    with pytest.raises(InvalidValue) as refusal:
        priced(elder, TERM)

    assert refusal.value.field == "items[0].product_code"
    assert "age" in refusal.value.message
