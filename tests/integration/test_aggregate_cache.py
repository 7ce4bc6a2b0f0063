"""The write side's aggregate cache (Settings.aggregate_cache), on SQLite and PostgreSQL: a command of
a process that keeps aggregates in memory always starts from what the event store holds, whatever
another process recorded meanwhile, whatever a refused or clashing command changed, and an erasure
leaves no copy holding the personal data."""

from __future__ import annotations

import contextlib
import itertools
from collections.abc import Iterator
from datetime import UTC, date, datetime
from typing import Any
from uuid import UUID

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from application.app import ConcurrentModification, InscribeApplication
from application.commands import privacy as privacy
from application.commands.customers import register_individual
from domain.customer.aggregate import SEGMENTS, Customer
from domain.errors import DomainError
from tests.builders.common import ctx, individual
from tests.builders.customers import act


@pytest.fixture
def two(test_settings: Any) -> Iterator[tuple[Any, Any]]:
    """Two processes on one database: the first keeps aggregates in memory, the second does not."""
    from interface.bootstrap import bootstrap

    cached = bootstrap(test_settings.model_copy(update={"aggregate_cache": 100}), run_projections=False)
    plain = bootstrap(test_settings, run_projections=False)
    try:
        yield cached, plain
    finally:
        cached.close()
        plain.close()


def state(app: InscribeApplication, customer_id: UUID) -> dict[str, Any]:
    """The customer as a fresh replay of the event store gives it."""
    return {k: v for k, v in vars(app.repository.get(customer_id)).items() if k != "_pending_events"}


def loaded(app: InscribeApplication, customer_id: UUID) -> dict[str, Any]:
    customer = app.load(Customer, customer_id)
    assert not customer.pending_events
    return {k: v for k, v in vars(customer).items() if k != "_pending_events"}


def segment(app: InscribeApplication, customer_id: UUID, name: str, version: int | None = None) -> int:
    return act(app, ctx(expected_version=version), customer_id, "segment", segment=name, basis="income band").version


def test_a_command_starts_from_what_another_process_recorded_meanwhile(two: tuple[Any, Any]) -> None:
    cached, plain = (s.app for s in two)
    customer_id = UUID(register_individual(cached, ctx(), **individual(1)).id)
    segment(cached, customer_id, "mass")  # the cache holds version 2
    assert segment(plain, customer_id, "mass_affluent") == 3  # another process moves it on

    assert segment(cached, customer_id, "mass", version=3) == 4  # If-Match sees version 3, not 2
    assert loaded(cached, customer_id) == state(plain, customer_id)
    assert state(plain, customer_id)["segment"] == "mass"


def test_a_refused_command_leaves_no_changed_copy_behind(two: tuple[Any, Any]) -> None:
    cached, plain = (s.app for s in two)
    customer_id = UUID(register_individual(cached, ctx(), **individual(2)).id)
    segment(cached, customer_id, "mass")

    def change_then_refuse(customer: Customer) -> None:
        customer.assign_segment("mass_affluent", "income band")  # changed in memory ...
        raise DomainError("refused after the change", code="refused")  # ... and refused

    with pytest.raises(DomainError):
        cached.execute(ctx(), Customer, customer_id, change_then_refuse)

    assert loaded(cached, customer_id) == state(plain, customer_id)
    assert loaded(cached, customer_id)["segment"] == "mass"


def test_a_command_that_clashes_with_another_process_leaves_no_copy_of_its_own_change(two: tuple[Any, Any]) -> None:
    cached, plain = (s.app for s in two)
    customer_id = UUID(register_individual(cached, ctx(), **individual(3)).id)
    segment(cached, customer_id, "mass")

    def meanwhile_another_process_changes_it(customer: Customer) -> None:
        segment(plain, customer_id, "mass_affluent")
        customer.assign_segment("high_net_worth", "income band")

    with pytest.raises(ConcurrentModification):
        cached.execute(ctx(), Customer, customer_id, meanwhile_another_process_changes_it)

    assert loaded(cached, customer_id) == state(plain, customer_id)
    assert loaded(cached, customer_id)["segment"] == "mass_affluent"
    assert segment(cached, customer_id, "high_net_worth") == 4


def test_a_command_that_changes_an_aggregate_it_does_not_save_leaves_no_copy_of_the_change(
    two: tuple[Any, Any],
) -> None:
    cached, plain = (s.app for s in two)
    first, second = (UUID(register_individual(cached, ctx(), **individual(n)).id) for n in (5, 6))

    def change_both_save_one(customer: Customer) -> None:
        customer.assign_segment("mass", "income band")
        cached.load(Customer, second).assign_segment("senior", "age")  # not returned: not saved

    cached.execute(ctx(), Customer, first, change_both_save_one)

    assert loaded(cached, second) == state(plain, second)
    assert loaded(cached, first)["segment"] == "mass" and loaded(cached, second)["segment"] != "senior"


def test_reading_without_saving_leaves_a_copy_only_if_unchanged(two: tuple[Any, Any]) -> None:
    cached, plain = (s.app for s in two)
    customer_id = UUID(register_individual(cached, ctx(), **individual(4)).id)
    viewed = cached.view(Customer, customer_id)
    assert cached.load(Customer, customer_id) is viewed  # the cached copy itself

    changed = cached.load(Customer, customer_id)
    changed.assign_segment("mass", "income band")  # never saved
    again = cached.load(Customer, customer_id)
    assert again is not changed and again.version == 1 and again.segment != "mass"
    assert loaded(cached, customer_id) == state(plain, customer_id)


def test_after_an_erasure_no_cached_copy_holds_the_personal_data(two: tuple[Any, Any]) -> None:
    from domain import clock
    from domain.policy.aggregate import Policy
    from tests.builders.claims import ClaimDesk

    services, _ = two
    simulated = clock.SimulatedClock(datetime(2026, 11, 20, 2, tzinfo=UTC))
    with clock.using(simulated):
        policy = ClaimDesk(services).home_policy(
            83,
            product_code="medical",
            relationship="self",
            sum_insured="1000000",
            declared_property_value=None,
            beneficiaries=[{"name": "慕容雪", "share": "100"}],
        )
        assert services.app.view(Policy, policy.id).beneficiaries[0]["name"] == "慕容雪"  # held in memory
        simulated.set(datetime(2032, 1, 6, 2, tzinfo=UTC))  # retention over
        services.read_side.catch_up()
        holder = UUID(str(policy.applicant_id))
        assert privacy.retention_of(services.app, holder).retention_end == date(2032, 1, 4)

        privacy.request_erasure(services.app, ctx(), holder, "deletion request")

        assert services.app.load(Policy, policy.id).beneficiaries == []
        assert services.app.load(Customer, holder).personal_data == "erased"


# --- stateful: any interleaving of two processes' commands ------------------------------------------

SEEDS = itertools.count(100)  # a new identity for each customer of each example (one database)
STEPS = st.lists(
    st.tuples(
        st.sampled_from(["cached", "plain"]), st.integers(0, 2), st.sampled_from(SEGMENTS["individual"]), st.booleans()
    ),
    min_size=1,
    max_size=12,
)


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow], deadline=None)
@given(steps=STEPS)
def test_whatever_the_two_processes_do_the_cached_one_loads_what_the_store_holds(
    two: tuple[Any, Any], steps: list[tuple[str, int, str, bool]]
) -> None:
    apps = {"cached": two[0].app, "plain": two[1].app}
    ids = [UUID(register_individual(apps["cached"], ctx(), **individual(next(SEEDS))).id) for _ in range(3)]
    for who, n, name, refuse in steps:
        app = apps[who]

        def change(customer: Customer, name: str = name, refuse: bool = refuse) -> None:
            customer.assign_segment(name, "basis")
            if refuse:
                raise DomainError("refused", code="refused")

        with contextlib.suppress(DomainError):  # refused (or the segment was unchanged)
            app.execute(ctx(), Customer, ids[n], change)
        assert loaded(apps["cached"], ids[n]) == state(apps["plain"], ids[n])
