"""The policy application layer on SQLite and PostgreSQL (no HTTP): automatic underwriting against
the customer's record and the catalogue's real products, underwriting authority, and the policy as
it stood on the boundary days of its cover.

The 6.2.5 history comes from the policies register, so the read side is caught up before each
application that must see what came before.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import pytest

from application.commands import policies as policies
from application.commands import policy_servicing as servicing
from domain import clock
from domain.errors import InsufficientAuthority, InvalidValue
from domain.policy.aggregate import Policy
from tests.builders.common import ctx, resident_id
from tests.builders.office import START, Office, agent

D = date


def underwriter() -> Any:
    return ctx("uw-1", "underwriter")


def senior() -> Any:
    return ctx("uw-9", "senior_underwriter")


@pytest.fixture(autouse=True)
def today_is_the_tenth_of_may_2027() -> Iterator[None]:
    """Every business date of these tests is in the past."""
    with clock.using(clock.SimulatedClock(datetime(2027, 5, 10, 2, tzinfo=UTC))):
        yield


@pytest.fixture
def office(services: Any) -> Office:
    return Office(services)


def codes(policy: Policy) -> dict[str, str]:
    """Each check's finding, check → code."""
    return {f["check"]: f["code"] for f in policy.findings}


def refer_codes(policy: Policy) -> list[str]:
    return [f["code"] for f in policy.findings if f["outcome"] == "refer"]


# --- automatic underwriting ---------------------------------------------------------------------


def test_a_clean_application_is_accepted_at_the_rate_tables_premium_in_one_command(office: Office) -> None:
    holder = office.person(1)

    policy = office.apply(holder)

    assert (policy.status, policy.annual_premium, policy.installment) == (
        "accepted",
        Decimal("700.00"),
        Decimal("700.00"),
    )
    assert set(codes(policy).values()) == {
        "eligible",
        "subject-acceptable",
        "sum-insured-justified",
        "standard-rate",
        "good-standing",
    }
    assert len({e.__dict__["meta"]["command_id"] for e in office.app.events.get(policy.id)}) == 1


def test_an_earlier_decline_or_rescission_of_the_insured_refers_the_next_application(office: Office) -> None:
    declined_person, rescinded_person, spouse = office.person(2), office.person(3), office.person(4)
    first = office.apply(declined_person, adverse=("serious_illness",))
    policies.decide(office.app, underwriter(), first.id, "decline", reason="cancer history", decided_on=D(2025, 1, 20))
    issued = office.pay(office.apply(rescinded_person), START)
    servicing.rescind(
        office.app,
        ctx("uw-9", "senior_underwriter"),
        issued.id,
        D(2025, 3, 1),
        ground="intentional",
        learned_on=D(2025, 2, 20),
        insurer_knew_at_contracting=False,
    )

    again = office.apply(declined_person, on=D(2025, 4, 1))
    as_insured = office.apply(
        spouse, insured=declined_person, relationship="spouse", insured_consent=True, on=D(2025, 4, 1)
    )
    after_rescission = office.apply(rescinded_person, on=D(2025, 4, 1))
    unrelated = office.apply(spouse, on=D(2025, 4, 1))

    assert (again.status, refer_codes(again)) == ("referred", ["earlier-decline"])
    assert (as_insured.status, refer_codes(as_insured)) == ("referred", ["earlier-decline"])
    assert (after_rescission.status, refer_codes(after_rescission)) == ("referred", ["earlier-rescission"])
    assert unrelated.status == "accepted"
    assert again.referral_reasons == ["earlier-decline"]


def test_a_sum_insured_beyond_the_income_multiple_is_referred_counting_the_cover_already_held(office: Office) -> None:
    rich, modest = office.person(5), office.person(6)  # 180,000 a year: up to 3,600,000 of life cover
    held = office.pay(office.apply(rich, sum_insured="3000000"), START)

    too_much = office.apply(modest, sum_insured="4000000")
    at_the_limit = office.apply(modest, sum_insured="3600000", on=D(2025, 1, 11))
    with_what_is_held = office.apply(rich, sum_insured="700000", on=D(2025, 1, 11))

    assert held.status == "in_force"
    assert (too_much.status, refer_codes(too_much)) == ("referred", ["sum-insured-exceeds-income-multiple"])
    assert at_the_limit.status == "accepted"  # 20 × 180,000 exactly; the referred 4,000,000 is not held
    assert refer_codes(with_what_is_held) == ["sum-insured-exceeds-income-multiple"]  # 3,700,000 in all
    assert Decimal(str(with_what_is_held.findings[2]["data"]["existing_same_line"])) == Decimal(3000000)


def test_property_cover_is_judged_against_the_declared_value_and_enterprise_cover_against_revenue(
    office: Office,
) -> None:
    owner, firm = office.person(7), office.firm(8)  # the firm: 12,000,000 of annual revenue
    home: dict[str, Any] = {"relationship": "owner", "term": 12}

    within = office.apply(owner, "home_property", sum_insured="800000", declared_property_value="1000000", **home)
    undeclared = office.apply(owner, "home_property", sum_insured="800000", **home)
    over = office.apply(owner, "home_property", sum_insured="1200000", declared_property_value="1000000", **home)
    plant = office.apply(
        firm,
        "enterprise_property",
        relationship="enterprise",
        term=12,
        sum_insured="5000000",
        declared_property_value="8000000",
    )
    credit = office.apply(firm, "trade_credit", relationship="enterprise", term=12, sum_insured="6000000")
    too_much_credit = office.apply(firm, "trade_credit", relationship="enterprise", term=12, sum_insured="7000000")
    liability = office.apply(firm, "public_liability", relationship="enterprise", term=12, sum_insured="2000000")
    person_as_firm = office.apply(owner, "public_liability", relationship="owner", term=12, sum_insured="200000")

    assert (within.status, within.annual_premium) == ("accepted", Decimal("640.00"))  # 0.8‰
    assert refer_codes(undeclared) == ["property-value-unknown"]
    assert refer_codes(over) == ["sum-insured-exceeds-property-value"]
    assert (plant.status, plant.annual_premium) == ("accepted", Decimal("7500.00"))  # 1.5‰
    assert (credit.status, credit.annual_premium) == ("accepted", Decimal("18000.00"))  # 3‰, half the revenue
    assert refer_codes(too_much_credit) == ["sum-insured-exceeds-revenue-share"]
    assert liability.status == "accepted"
    assert (person_as_firm.status, codes(person_as_firm)["6.2.2-subject"]) == ("declined", "insured-kind-not-allowed")


def test_a_hard_rule_break_is_declined_automatically_and_counts_as_an_earlier_decline(office: Office) -> None:
    elder = office.person(9, id_number=resident_id(9, "19500301"))
    parent, spouse = office.person(10), office.person(11, id_number=resident_id(11, "19870101", "female"))

    too_old = office.apply(elder)
    no_consent = office.apply(parent, insured=spouse, relationship="spouse")
    no_interest = office.apply(parent, relationship="owner")
    next_time = office.apply(spouse, on=D(2025, 2, 1))

    assert (too_old.status, codes(too_old)["6.2.2-subject"]) == ("declined", "age-out-of-range")
    assert too_old.quoted_annual_premium is None  # no quote for cover the product cannot give
    assert (no_consent.status, codes(no_consent)["6.2.1-eligibility"]) == ("declined", "consent-required")
    assert (no_interest.status, codes(no_interest)["6.2.1-eligibility"]) == ("declined", "no-insurable-interest")
    assert refer_codes(next_time) == ["earlier-decline"]  # the declined application insured her


# --- authority ---------------------------------------------------------------------------------------


def test_underwriting_authority_covers_the_whole_sum_insured_riders_included(office: Office) -> None:
    holders = [office.person(seed, annual_income="600000") for seed in range(12, 16)]
    exactly = office.apply(holders[0], sum_insured="1000000", adverse=("hypertension",))
    with_rider = office.apply(
        holders[1],
        sum_insured="1000000",
        adverse=("hypertension",),
        riders=[{"product_code": "accidental_death_rider", "sum_insured": "50000"}],
    )
    large = office.apply(holders[2], sum_insured="2000000", adverse=("hypertension",))
    stored = office.stored()

    refusals = []
    for role, policy in (("underwriter", with_rider), ("agent", exactly), ("claims_manager", exactly)):
        with pytest.raises(InsufficientAuthority) as refused:
            policies.decide(office.app, ctx("x", role), policy.id, "accept", decided_on=D(2025, 1, 12))
        refusals.append((role, refused.value.details.get("limit")))
    unchanged = office.stored()
    policies.decide(office.app, underwriter(), exactly.id, "accept", decided_on=D(2025, 1, 12))
    policies.decide(office.app, senior(), with_rider.id, "accept", decided_on=D(2025, 1, 12))
    policies.decide(
        office.app,
        ctx("root", "admin"),
        large.id,
        "offer_with_conditions",
        loading_pct=25,
        reason="blood pressure",
        decided_on=D(2025, 1, 12),
    )

    assert refusals == [("underwriter", "1000000"), ("agent", None), ("claims_manager", None)]
    assert unchanged == stored
    assert [office.load(p.id).status for p in (exactly, with_rider, large)] == [
        "accepted",
        "accepted",
        "offered_with_conditions",
    ]
    # the rider's premium (0.4‰ of 50,000) on top of the main cover's 2,100 (1.4‰ of 1,000,000, +50%)
    assert (office.load(exactly.id).annual_premium, office.load(with_rider.id).annual_premium) == (
        Decimal("2100.00"),
        Decimal("2120.00"),
    )
    assert office.load(with_rider.id).underwriting_decision == {
        "decision": "accept",
        "underwriter_id": "uw-9",
        "role": "senior_underwriter",
        "reason": "",
        "on": D(2025, 1, 12),
    }


def test_a_sum_insured_increase_needs_authority_for_the_new_sum_not_the_difference(office: Office) -> None:
    holder = office.person(16, annual_income="600000")
    policy = office.pay(office.apply(holder, sum_insured="900000"), START)
    servicing.request_sum_insured_increase(
        office.app,
        agent(),
        policy.id,
        D(2025, 2, 1),
        new_sum_insured="1100000",
        document_ref="DOC-7",
        effective_on=D(2025, 3, 1),
    )

    with pytest.raises(InsufficientAuthority):
        servicing.decide_sum_insured_increase(office.app, underwriter(), policy.id, True, decided_on=D(2025, 2, 5))
    servicing.decide_sum_insured_increase(office.app, senior(), policy.id, True, decided_on=D(2025, 2, 5))

    increased = office.load(policy.id)
    assert increased.sum_insured == Decimal("1100000.00")
    assert increased.cover_on(D(2025, 2, 28)).sum_insured == Decimal("900000.00")
    assert increased.cover_on(D(2025, 3, 1)).sum_insured == Decimal("1100000.00")


# --- cover on a date ------------------------------------------------------------------------------------


def test_cover_on_the_boundary_days_of_waiting_grace_lapse_reinstatement_and_expiry(office: Office) -> None:
    life = office.pay(office.apply(office.person(17), mode="monthly"), START)  # 63.00 a month, from 10 January
    home = office.pay(
        office.apply(
            office.person(18), "home_property", relationship="owner", term=12, declared_property_value="1000000"
        ),
        START,
    )

    def cover(policy: Policy, day: date, today: date) -> tuple[str | None, bool, bool, str]:
        c = policies.cover_on(office.app, policy.id, day, today=today)
        return c.status, c.in_force, c.in_grace, str(c.premium_owed)

    stored = office.stored()
    before_grace_end = [cover(life, D(2025, 4, day), D(2025, 4, 11)) for day in (9, 10, 11)]
    lapse_not_yet_recorded = cover(life, D(2025, 4, 12), D(2025, 4, 12))
    # the 90-day waiting period counts from the day after the start (Art. 201): 11 January … 10 April 2025,
    # so 10 April is its last day and 11 April the first day past it
    waiting = [
        policies.cover_on(office.app, life.id, D(2025, 4, day), D(2025, 4, 12)).in_waiting_period for day in (10, 11)
    ]
    with pytest.raises(InvalidValue) as future:
        policies.cover_on(office.app, life.id, D(2025, 4, 13), today=D(2025, 4, 12))
    before_application = cover(life, D(2025, 1, 9), D(2025, 4, 12))
    unchanged = office.stored()
    servicing.request_reinstatement(office.app, agent(), life.id, D(2025, 5, 1))
    servicing.decide_reinstatement(office.app, underwriter(), life.id, D(2025, 5, 2), agree=True)
    servicing.pay_arrears(office.app, agent(), life.id, D(2025, 5, 12), amount=Decimal("252.00"))
    around_reinstatement = [cover(life, D(2025, 5, day), D(2025, 5, 12)) for day in (11, 12)]
    around_expiry = [cover(home, day, D(2026, 1, 10)) for day in (D(2026, 1, 9), D(2026, 1, 10))]

    assert before_grace_end == [
        ("in_force", True, True, "126.00"),
        ("in_force", True, True, "189.00"),
        ("in_force", True, True, "189.00"),
    ]
    assert lapse_not_yet_recorded == ("lapsed", False, False, "0.00")
    assert unchanged == stored  # asking records nothing, even the lapse it counts
    assert waiting == [True, False]
    assert future.value.field == "on"
    assert before_application == (None, False, False, "0.00")
    assert around_reinstatement == [("lapsed", False, False, "0.00"), ("in_force", True, False, "0.00")]
    assert around_expiry == [("in_force", True, False, "0.00"), ("expired", False, False, "0.00")]
    assert office.load(life.id).status == "in_force"
