"""The customers register (SPEC §8): paged, filtered and sorted on the server, also as of a past position."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any
from uuid import UUID

import pytest

from application.app import CommandResult
from application.commands.customers import register_enterprise, register_individual
from domain import clock
from domain.clock import SimulatedClock
from domain.customer.aggregate import Customer
from projections.customers import SORTABLE, customer_filters, customers
from projections.queries import Page, PageResult, page_of
from tests.builders.common import ctx, enterprise, individual
from tests.builders.customers import act

CST = timezone(timedelta(hours=8))  # China Standard Time: staff enter dates in local time


@pytest.fixture
def simulated_clock() -> Iterator[SimulatedClock]:
    simulated = SimulatedClock(datetime(2024, 1, 1, tzinfo=UTC))
    with clock.using(simulated):
        yield simulated


EVERYONE = Page(1, 100, "name")


def query(services: Any, *, position: int | None = None, page: Page = EVERYONE, **filters: Any) -> PageResult:
    """One page of the register, as the API asks for it."""
    read_side = services.read_side
    with read_side.engine.connect() as conn:
        return page_of(
            conn,
            customers,
            position,
            customer_filters(**filters),
            page,
            SORTABLE,
            "name",
            read_side.position("customers"),
        )


def names(result: PageResult) -> list[str]:
    return [row["name"] for row in result.items]


def do(services: Any, customer: CommandResult, action: str, **data: Any) -> CommandResult:
    return act(services.app, ctx(), UUID(customer.id), action, **data)


def test_pages_split_the_register_with_the_total_on_every_page(services: Any) -> None:
    for seed in range(7):
        register_individual(services.app, ctx(), **individual(seed, name=f"Customer {seed}"))
    services.read_side.catch_up()

    pages = [query(services, page=Page(number, 3, "name")) for number in (1, 2, 3, 4)]

    assert [names(p) for p in pages] == [
        ["Customer 0", "Customer 1", "Customer 2"],
        ["Customer 3", "Customer 4", "Customer 5"],
        ["Customer 6"],
        [],
    ]
    assert [(p.total, p.page, p.size) for p in pages] == [(7, n, 3) for n in (1, 2, 3, 4)]
    assert all(p.position == services.read_side.head() for p in pages)


NAMES = [
    "Zhang Wei",
    "ZHANG Min",
    "zhangsan Trading",
    "张伟",
    "张小伟",
    "李娜",
    "STRASSE Holdings",
    "100% Care Ltd",
    "Under_score Ltd",
]


NAME_SEARCHES = {
    "zhang": ["ZHANG Min", "Zhang Wei", "zhangsan Trading"],
    "ZHANG W": ["Zhang Wei"],
    "伟": ["张伟", "张小伟"],
    "张伟": ["张伟"],
    "李": ["李娜"],
    "straße": ["STRASSE Holdings"],  # case-folded: ß folds to ss
    "%": ["100% Care Ltd"],  # LIKE wildcards match only themselves
    "_": ["Under_score Ltd"],
    "王": [],
}


def test_the_name_filter_matches_any_part_of_the_name_ignoring_case(services: Any) -> None:
    for seed, name in enumerate(NAMES):
        register_individual(services.app, ctx(), **individual(seed, name=name))
    services.read_side.catch_up()

    found = {needle: query(services, name=needle) for needle in NAME_SEARCHES}

    assert {needle: sorted(names(result)) for needle, result in found.items()} == NAME_SEARCHES
    assert {needle: result.total for needle, result in found.items()} == {
        needle: len(expected) for needle, expected in NAME_SEARCHES.items()
    }


@pytest.fixture
def a_mixed_register(services: Any) -> dict[str, CommandResult]:
    """Individuals and enterprises in various segments and lifecycle stages."""
    app = services.app
    people = {
        "Wang": register_individual(app, ctx(), **individual(1, name="Wang")),
        "Li": register_individual(app, ctx(), **individual(2, name="Li")),
        "Chen": register_individual(app, ctx(), **individual(3, name="Chen")),
        "Acme": register_enterprise(app, ctx(), **enterprise(4, name="Acme")),
        "Bolt": register_enterprise(app, ctx(), **enterprise(5, name="Bolt")),
    }
    do(services, people["Wang"], "segment", segment="mass", basis="income")
    do(services, people["Li"], "segment", segment="senior", basis="age")
    do(services, people["Acme"], "segment", segment="sme", basis="headcount")
    do(services, people["Wang"], "lifecycle-stage", stage="active", reason="policy in force")
    do(services, people["Acme"], "lifecycle-stage", stage="active", reason="policy in force")
    do(services, people["Acme"], "lifecycle-stage", stage="dormant", reason="lapsed")
    do(services, people["Bolt"], "lifecycle-stage", stage="churned", reason="closed down")
    services.read_side.catch_up()
    return people


FILTERS: list[tuple[dict[str, Any], list[str]]] = [
    ({"kind": "individual"}, ["Chen", "Li", "Wang"]),
    ({"kind": "enterprise"}, ["Acme", "Bolt"]),
    ({"segment": "mass"}, ["Wang"]),
    ({"segment": "sme"}, ["Acme"]),
    ({"segment": "key_account"}, []),
    ({"lifecycle_stage": "prospect"}, ["Chen", "Li"]),
    ({"lifecycle_stage": "active"}, ["Wang"]),
    ({"lifecycle_stage": "dormant"}, ["Acme"]),
    ({"lifecycle_stage": "churned"}, ["Bolt"]),
    ({"kind": "individual", "lifecycle_stage": "prospect", "segment": "senior"}, ["Li"]),
    ({}, ["Acme", "Bolt", "Chen", "Li", "Wang"]),
]


def test_each_filter_keeps_only_the_matching_customers(
    services: Any, a_mixed_register: dict[str, CommandResult]
) -> None:
    found = [query(services, **filters) for filters, _ in FILTERS]

    assert [names(result) for result in found] == [expected for _, expected in FILTERS]
    assert [result.total for result in found] == [len(expected) for _, expected in FILTERS]


def test_the_registration_date_range_includes_its_start_and_excludes_its_end(
    services: Any, simulated_clock: SimulatedClock
) -> None:
    moments = {
        "January": datetime(2024, 1, 10, 9, 0, tzinfo=CST),
        "February": datetime(2024, 2, 10, 9, 0, tzinfo=CST),
        # 04:00 on 1 March in China is still 29 February in UTC.
        "March": datetime(2024, 3, 1, 4, 0, tzinfo=CST),
        "April": datetime(2024, 4, 10, 9, 0, tzinfo=CST),
    }
    for seed, (name, moment) in enumerate(moments.items()):
        simulated_clock.set(moment)
        register_individual(services.app, ctx(), **individual(seed, name=name))
    services.read_side.catch_up()
    stored = {row["name"]: row["registered_at"] for row in query(services).items}

    in_february = query(
        services, registered_from=datetime(2024, 2, 1, tzinfo=CST), registered_to=datetime(2024, 3, 1, tzinfo=CST)
    )
    from_march = query(services, registered_from=datetime(2024, 3, 1, tzinfo=CST))
    before_february = query(services, registered_to=datetime(2024, 2, 1, tzinfo=CST))
    from_exactly = query(services, registered_from=stored["February"])
    to_exactly = query(services, registered_to=stored["February"])

    assert stored["March"].date() == date(2024, 2, 29)  # stored as naive UTC
    assert names(in_february) == ["February"]
    assert names(from_march) == ["April", "March"]
    assert names(before_february) == ["January"]
    assert names(from_exactly) == ["April", "February", "March"]
    assert names(to_exactly) == ["January"]


SORT_KEYS: dict[str, Callable[[dict[str, Any]], Any]] = {
    "name": lambda row: row["name"].casefold(),
    "registered_at": lambda row: row["registered_at"],
    "lifecycle_stage": lambda row: row["lifecycle_stage"],
    "segment": lambda row: row["segment"],
    "updated_at": lambda row: row["updated_at"],
}


def expected_order(rows: list[dict[str, Any]], field: str, descending: bool) -> list[str]:
    """Sorted by `field`, ties by customer id ascending; customers without a value come last."""
    valued = [r for r in rows if r[field] is not None]
    missing = [r for r in rows if r[field] is None]
    by_id = sorted(valued, key=lambda r: r["customer_id"])
    ordered = sorted(by_id, key=SORT_KEYS[field], reverse=descending)
    return [r["name"] for r in ordered + sorted(missing, key=lambda r: r["customer_id"])]


def test_the_register_sorts_on_each_sortable_field_in_both_directions(
    services: Any, simulated_clock: SimulatedClock
) -> None:
    app = services.app
    wang = register_individual(app, ctx(), **individual(1, name="wang"))
    simulated_clock.advance(timedelta(days=1))
    li = register_individual(app, ctx(), **individual(2, name="Li"))
    simulated_clock.advance(timedelta(days=1))
    acme = register_enterprise(app, ctx(), **enterprise(3, name="ACME"))
    simulated_clock.advance(timedelta(days=1))
    register_individual(app, ctx(), **individual(4, name="Chen"))
    simulated_clock.advance(timedelta(days=1))
    do(services, li, "segment", segment="senior", basis="age")
    do(services, acme, "segment", segment="corporate", basis="revenue")
    do(services, wang, "segment", segment="mass", basis="income")
    do(services, acme, "lifecycle-stage", stage="active", reason="policy in force")
    do(services, wang, "lifecycle-stage", stage="churned", reason="moved")
    services.read_side.catch_up()
    rows = query(services).items
    sorts = [(field, descending) for field in sorted(SORTABLE) for descending in (False, True)]

    found = {(f, d): names(query(services, page=Page(1, 100, f"-{f}" if d else f))) for f, d in sorts}

    assert found == {(f, d): expected_order(rows, f, d) for f, d in sorts}


def test_sorting_holds_across_pages(services: Any) -> None:
    for seed in range(5):
        register_individual(services.app, ctx(), **individual(seed, name=f"Customer {seed}"))
    services.read_side.catch_up()

    pages = [query(services, page=Page(number, 2, "-name")) for number in (1, 2, 3)]

    assert [names(p) for p in pages] == [["Customer 4", "Customer 3"], ["Customer 2", "Customer 1"], ["Customer 0"]]


def test_filters_as_of_a_past_position_answer_what_they_answered_then(services: Any) -> None:
    app = services.app
    wang = register_individual(app, ctx(), **individual(1, name="Wang"))
    li = register_individual(app, ctx(), **individual(2, name="Li"))
    to_mass = do(services, wang, "segment", segment="mass", basis="income")
    do(services, wang, "segment", segment="high_net_worth", basis="inheritance")
    do(services, li, "segment", segment="mass", basis="income")
    renamed = do(services, li, "profile", changes={"name": "Li Na"})
    do(services, wang, "lifecycle-stage", stage="active", reason="policy in force")
    services.read_side.catch_up()

    mass_then = query(services, position=to_mass.position, segment="mass")
    mass_now = query(services, segment="mass")
    named_then = query(services, position=renamed.position - 1, name="li na")
    named_now = query(services, name="li na")
    active_then = query(services, position=renamed.position, lifecycle_stage="active")
    active_now = query(services, lifecycle_stage="active")
    before_anyone = query(services, position=0)
    only_wang = query(services, position=wang.position)

    assert (names(mass_then), mass_then.position) == (["Wang"], to_mass.position)
    assert names(mass_now) == ["Li Na"]
    assert (names(named_then), names(named_now)) == ([], ["Li Na"])
    assert (names(active_then), names(active_now)) == ([], ["Wang"])
    assert (names(before_anyone), before_anyone.total) == ([], 0)
    assert (names(only_wang), only_wang.total) == (["Wang"], 1)


def test_every_customer_event_moves_the_row_to_the_customers_version(services: Any) -> None:
    app = services.app
    wang = register_individual(app, ctx(), **individual(1, name="Wang"))
    do(services, wang, "lifecycle-stage", stage="active", reason="first policy")
    # Events the register shows nothing of (here: a policy entered force) still make a new version.
    entered = app.execute(ctx(), Customer, UUID(wang.id), lambda c: c.note_policy_in_force("P-1"))
    services.read_side.catch_up()

    row = query(services).items[0]

    assert (row["version"], row["valid_from"]) == (entered.version, entered.position)
    assert row["version"] == app.load(Customer, UUID(wang.id)).version
