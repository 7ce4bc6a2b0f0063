"""Customers built directly for the customer unit tests: an individual, an enterprise, and a refusal
that must leave no event."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any, TypeVar

import pytest

from domain.customer.aggregate import Customer
from domain.errors import DomainError

E = TypeVar("E", bound=DomainError)


def individual_details(**overrides: Any) -> dict[str, Any]:
    details: dict[str, Any] = dict(
        name="张三",
        id_number="11010519491231002X",
        occupation="teacher",
        occupation_class=1,
        family_status="married",
        dependants=2,
        annual_income="120000",
        contacts={"phone": "13800138000"},
    )
    return {**details, **overrides}


def enterprise_details(**overrides: Any) -> dict[str, Any]:
    details: dict[str, Any] = dict(
        name="福州某某有限公司",
        credit_code="91350100M000100Y43",
        industry="manufacturing",
        size="small",
        headcount=40,
        annual_revenue=Decimal("5000000"),
        contact_person="李四",
        contacts={"email": "office@example.cn"},
    )
    return {**details, **overrides}


def an_individual(**overrides: Any) -> Customer:
    customer = Customer.register_individual(**individual_details(**overrides))
    customer.collect_events()
    return customer


def an_enterprise(**overrides: Any) -> Customer:
    customer = Customer.register_enterprise(**enterprise_details(**overrides))
    customer.collect_events()
    return customer


def refused(customer: Customer, command: Callable[[], None], error: type[E]) -> E:
    """Run a command that must be refused; check it left no pending event."""
    version = customer.version
    with pytest.raises(error) as raised:
        command()
    assert customer.pending_events == []
    assert customer.version == version
    return raised.value


def last_event(customer: Customer) -> Any:
    events = customer.collect_events()
    assert len(events) == 1
    return events[0]
