"""The customer's lifecycle stage follows its policies (SPEC §4): active while any policy is in force."""

from __future__ import annotations

from domain.customer.aggregate import Customer
from domain.errors import DomainError
from tests.builders.customer_aggregates import an_individual, refused


def stages(customer: Customer) -> list[str]:
    return [e.stage for e in customer.collect_events() if isinstance(e, Customer.LifecycleStageChanged)]


def test_a_prospect_becomes_active_when_its_first_policy_comes_into_force() -> None:
    customer = an_individual()

    customer.note_policy_in_force("p1")

    assert stages(customer) == ["active"]
    assert customer.lifecycle_stage == "active"
    assert customer.policies_in_force == {"p1"}


def test_a_second_policy_in_force_changes_no_stage() -> None:
    customer = an_individual()
    customer.note_policy_in_force("p1")
    customer.collect_events()

    customer.note_policy_in_force("p2")

    assert stages(customer) == []
    assert customer.policies_in_force == {"p1", "p2"}


def test_noting_the_same_policy_twice_records_nothing() -> None:
    customer = an_individual()
    customer.note_policy_in_force("p1")
    customer.collect_events()

    customer.note_policy_in_force("p1")
    customer.note_policy_out_of_force("p9", "lapsed")

    assert customer.pending_events == []


def test_the_customer_becomes_dormant_only_when_the_last_policy_leaves_force() -> None:
    customer = an_individual()
    customer.note_policy_in_force("p1")
    customer.note_policy_in_force("p2")
    customer.collect_events()

    customer.note_policy_out_of_force("p1", "expired")
    first = stages(customer)
    customer.note_policy_out_of_force("p2", "lapsed")
    second = stages(customer)

    assert (first, second) == ([], ["dormant"])
    assert customer.lifecycle_stage == "dormant"


def test_a_dormant_customer_is_active_again_when_a_policy_is_reinstated() -> None:
    customer = an_individual()
    customer.note_policy_in_force("p1")
    customer.note_policy_out_of_force("p1", "lapsed")
    customer.collect_events()

    customer.note_policy_in_force("p1")

    assert stages(customer) == ["active"]


def test_staff_cannot_move_a_customer_out_of_active_while_a_policy_is_in_force() -> None:
    customer = an_individual()
    customer.note_policy_in_force("p1")
    customer.collect_events()

    error = refused(customer, lambda: customer.change_lifecycle_stage("dormant", "no contact"), DomainError)

    assert error.code == "policies-in-force"
