"""Products and policies for the policy unit tests (built directly, without the catalogue)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import date
from decimal import Decimal
from functools import reduce
from typing import Any, TypeVar, cast
from uuid import UUID

import pytest

from domain.errors import DomainError, InvalidValue
from domain.policy.aggregate import Policy
from domain.policy.event_base import PolicySnapshot
from domain.product.model import DisclosureQuestion, Product

E = TypeVar("E", bound=DomainError)
D = date
CHECKS = ("6.2.1-eligibility", "6.2.2-subject", "6.2.3-sum-insured", "6.2.4-rate", "6.2.5-moral-hazard")
START = date(2024, 1, 10)

TERM_LIFE = Product(
    code="TERM_LIFE",
    version=2,
    name_zh="定期寿险",
    name_en="Term life",
    line="life",
    kind="main",
    terms_months=(24, 120),
    premium_modes=("single", "annual", "monthly"),
    cooling_off_days=15,
    cancellation_fee=Decimal("10"),
    waiting_period_days=90,
    grace_days=60,
    insured_age_min=18,
    insured_age_max=60,
    sum_insured_min=Decimal("10000"),
    sum_insured_max=Decimal("2000000"),
    deductible=Decimal("0"),
    payout_ratio=Decimal("1"),
    rating="flat",
    flat_rate=Decimal("1.2"),
    disclosure_questions=(
        DisclosureQuestion("smoker", "吸烟？", "Do you smoke?"),
        DisclosureQuestion("illness", "既往症？", "Any serious illness?"),
    ),
    covered_causes=("death",),
    exclusions=("suicide within two years",),
    cash_value_by_year=(Decimal("0"), Decimal("0.2"), Decimal("0.5")),
)
WAIVER_RIDER = Product(
    code="WAIVER",
    version=1,
    name_zh="豁免附加险",
    name_en="Premium waiver rider",
    line="life",
    kind="rider",
    terms_months=(24, 120),
    premium_modes=("annual", "monthly"),
    cooling_off_days=15,
    cancellation_fee=Decimal("10"),
    waiting_period_days=90,
    grace_days=60,
    insured_age_min=18,
    insured_age_max=60,
    sum_insured_min=Decimal("1000"),
    sum_insured_max=Decimal("100000"),
    deductible=Decimal("0"),
    payout_ratio=Decimal("1"),
    rating="flat",
    flat_rate=Decimal("0.5"),
    disclosure_questions=(DisclosureQuestion("disabled", "残疾？", "Any disability?"),),
    attaches_to=("TERM_LIFE",),
)
MEDICAL = replace(
    TERM_LIFE,
    code="MEDICAL",
    version=1,
    name_zh="医疗险",
    name_en="Medical",
    line="health",
    terms_months=(12,),
    premium_modes=("annual", "monthly"),
    waiting_period_days=30,
    cash_value_by_year=(),
    renewable=True,
    renewal_offer_days=30,
    disclosure_questions=(),
    exclusions=("cosmetic surgery",),
    covered_causes=("illness",),
)
HOME = replace(
    TERM_LIFE,
    code="HOME",
    version=1,
    name_zh="家财险",
    name_en="Home property",
    line="property",
    terms_months=(12,),
    premium_modes=("annual", "monthly"),
    waiting_period_days=0,
    grace_days=30,
    cash_value_by_year=(),
    renewable=True,
    renewal_offer_days=30,
    disclosure_questions=(),
    sum_insured_min=Decimal("50000"),
    exclusions=("war",),
    covered_causes=("fire", "flood"),
)


def passed() -> list[dict[str, Any]]:
    return [{"check": c, "outcome": "pass", "code": "ok", "detail": "no adverse finding", "data": {}} for c in CHECKS]


def findings(outcome: str, code: str = "adverse-disclosure") -> list[dict[str, Any]]:
    found = passed()
    found[3] = dict(found[3], outcome=outcome, code=code)
    return found


def application(product: Product = TERM_LIFE, **overrides: Any) -> dict[str, Any]:
    fields: dict[str, Any] = dict(
        applicant_id="cust-1",
        insured_id="cust-1",
        relationship="self",
        beneficiaries=[{"name": "李四", "share": 60}, {"customer_id": "cust-2", "share": "40"}],
        product=product,
        riders=[],
        sum_insured=Decimal("500000"),
        term_months=product.terms_months[0],
        premium_mode="annual",
        disclosures={q.id: False for q in product.disclosure_questions},
        agent_id="agent-7",
        channel="agent",
        applied_on=START,
        quoted_annual_premium=Decimal("1200"),
        quoted_installment=Decimal("1200"),
    )
    if product.line in ("property", "liability", "credit"):
        fields.update(relationship="owner", beneficiaries=[])
    return {**fields, **overrides}


def installment_for(mode: str, annual: Decimal, term_months: int) -> Decimal:
    if mode == "monthly":
        return (annual * Decimal("0.09")).quantize(Decimal("0.01"))
    if mode == "single":
        return annual * term_months / 12
    return annual


def applied(product: Product = TERM_LIFE, **overrides: Any) -> Policy:
    policy = Policy.apply(**application(product, **overrides))
    policy.collect_events()
    return policy


def accepted(
    product: Product = TERM_LIFE,
    *,
    mode: str = "annual",
    annual: Decimal = Decimal("1200"),
    on: date = START,
    **overrides: Any,
) -> Policy:
    """Accepted by automatic underwriting at `annual` a year; not yet paid."""
    term = overrides.get("term_months", product.terms_months[0])
    each = installment_for(mode, annual, term)
    policy = applied(product, premium_mode=mode, quoted_annual_premium=annual, quoted_installment=each, **overrides)
    policy.start_underwriting(on=on)
    policy.record_automatic_underwriting(passed(), "accepted", annual, each, on=on)
    policy.collect_events()
    return policy


def in_force(
    product: Product = TERM_LIFE,
    *,
    mode: str = "annual",
    annual: Decimal = Decimal("1200"),
    on: date = START,
    **overrides: Any,
) -> Policy:
    """Issued on `on`, the first premium paid that day."""
    policy = accepted(product, mode=mode, annual=annual, on=on, **overrides)
    assert policy.installment is not None
    policy.pay_premium(policy.installment, on, "bank-0001")
    policy.collect_events()
    return policy


def refused(
    policy: Policy,
    command: Callable[[], object],
    error: type[E] = DomainError,  # type: ignore[assignment]
    code: str | None = None,
) -> E:
    """Run a command that must be refused; check it left no pending event."""
    version = policy.version
    with pytest.raises(error) as raised:
        command()
    assert policy.pending_events == []
    assert policy.version == version
    if code is not None:
        assert raised.value.code == code, raised.value
    return raised.value


def new_events(policy: Policy) -> list[str]:
    return [type(e).__name__ for e in policy.collect_events()]


def aged_out() -> tuple[Any, Any]:
    """A renewal quote that cannot be given: the insured has aged out of the product."""
    raise InvalidValue("age", "must be between 18 and 60")


def through_snapshot(events: list[Any], cut: int) -> Policy:
    """The policy from a snapshot of its first `cut` events, stored as the application stores it (JSON,
    with the application's transcodings) and read back, then the events after it."""
    from eventsourcing.persistence import DatetimeAsISO, DecimalAsStr, JSONTranscoder, Mapper, UUIDAsHex

    from application.app import DateAsISO

    transcoder = JSONTranscoder()
    for transcoding in (UUIDAsHex(), DecimalAsStr(), DatetimeAsISO(), DateAsISO()):
        transcoder.register(transcoding)
    mapper: Mapper[UUID] = Mapper(transcoder=transcoder)
    policy = reduce(lambda p, e: e.mutate(p), events[:cut], None)
    stored = mapper.to_stored_event(Policy.Snapshot.take(policy))
    restored = cast(PolicySnapshot, mapper.to_domain_event(stored)).mutate(None)
    return cast(Policy, reduce(lambda p, e: e.mutate(p), events[cut:], restored))
