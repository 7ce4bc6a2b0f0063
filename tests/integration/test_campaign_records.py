"""Campaigns on SQLite and PostgreSQL (guide 2.1 (5); application.commands.campaigns, projections.campaigns): the
register, its contacts and linked applications as of any moment; the conversion report (contacted → prospects →
applications → policies → premium) as of any moment; a contact refused for want of consent to marketing, a
segment not targeted or a erased customer records nothing; a rebuild writes what the live projection wrote."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import select

from application.commands import campaigns, privacy
from application.commands import customers as people
from domain.errors import DomainError
from projections.campaigns import CAMPAIGNS, CONTACTS, LINKED, contact_filters, link_filters
from projections.campaigns import campaigns as campaigns_table
from projections.register import Paging
from projections.reports.campaigns import SPEC
from tests.builders.campaigns import carry_a_campaign_through, plan, reachable
from tests.builders.common import ctx
from tests.builders.office import Office
from tests.builders.registers import every_row

D = date
ON = D(2025, 1, 10)
DAY = timedelta(days=1)


def report(services: Any, position: int | None, group: str = "campaign") -> Any:
    with services.read_side.engine.connect() as conn:
        return SPEC.run(conn, position, ON, ON + DAY, group)


def test_a_campaign_its_contacts_and_applications_and_its_conversion_as_of_any_moment(services: Any) -> None:
    office = Office(services)
    first, second = reachable(services, office.person(1)), reachable(services, office.person(2))
    policy = office.pay(office.apply(first, on=ON), ON)  # applied and issued on the day of the contact
    carried = carry_a_campaign_through(services, first, second, policy.id, ON)
    services.read_side.catch_up()
    key = str(carried.campaign)
    with services.read_side.engine.connect() as conn:
        versions = conn.execute(
            select(campaigns_table.c.valid_from, campaigns_table.c.applications, campaigns_table.c.status)
            .where(campaigns_table.c.campaign_id == key)
            .order_by(campaigns_table.c.valid_from)
        ).all()
    assert [(v.applications, v.status) for v in versions] == [(0, "planned")] * 3 + [(1, "planned"), (1, "closed")]
    before_link = versions[3].valid_from - 1

    def one(position: int | None, today: date) -> dict[str, Any]:
        found = CAMPAIGNS.one(services.read_side, key, position, today=today)
        assert found is not None
        return found.model_dump()

    def page(register: Any, conditions: list[Any], position: int | None) -> dict[str, Any]:
        return dict(register.page(services.read_side, conditions, Paging(1, 50, None), position).model_dump())

    now = one(None, ON + DAY)
    shown = (now["customers_contacted"], now["prospects"], now["applications"], now["status"], now["phase"])
    assert shown == (2, 1, 1, "closed", "closed")
    then = one(before_link, ON)
    assert (then["applications"], then["phase"]) == (0, "running")
    contacts = page(CONTACTS, contact_filters(key), None)["items"]
    assert [(c["customer_id"], c["outcome"]) for c in contacts] == [
        (str(first), "interested"),
        (str(second), "no_answer"),
    ]
    assert page(LINKED, link_filters(key), before_link)["total"] == 0
    assert page(LINKED, link_filters(key), None)["total"] == 1

    premium = Decimal(str(policy.annual_premium))
    for group in ("campaign", "channel"):
        (row,) = report(services, None, group).rows
        assert row[group] == (key if group == "campaign" else "phone")
        assert (row["customers_contacted"], row["prospects"], row["applications"], row["policies"]) == (2, 1, 1, 1)
        assert (row["premium"], row["conversion_pct"]) == (premium, Decimal("50.00"))
    earlier = report(services, before_link).totals
    assert (earlier["customers_contacted"], earlier["applications"], earlier["policies"]) == (2, 0, 0)

    live = every_row(services.read_side)
    services.read_side.rebuild()
    assert every_row(services.read_side) == live
    assert len(live["campaign_contacts"]) == 2 and len(live["campaign_applications"]) == 1


def erased(services: Any, customer: Any) -> None:
    """Reachable, then erased at their request (no contract: nothing to retain)."""
    reachable(services, customer)
    services.read_side.catch_up()  # the retention check reads the registers
    privacy.request_erasure(services.app, ctx(), customer, reason="asked")


@pytest.mark.parametrize(
    ("prepare", "code"),
    [
        (
            lambda s, c: people.assign_segment(s.app, ctx(), c, segment="young_family", basis="b"),
            "no-marketing-consent",
        ),
        (lambda s, c: reachable(s, c, "senior"), "customer-not-targeted"),
        (erased, "personal-data-erased"),
    ],
)
def test_a_refused_contact_records_nothing(services: Any, prepare: Any, code: str) -> None:
    office = Office(services)
    customer = office.person(3)
    prepare(services, customer)
    campaign = plan(services, ON, ON + DAY)
    stored = office.stored()
    with pytest.raises(DomainError) as refused:
        campaigns.contact(
            services.app, ctx(), campaign, ON, customer_id=customer, outcome="interested", staff_id="agent-1"
        )
    assert refused.value.code == code and office.stored() == stored


def test_an_application_two_campaigns_brought_counts_in_each_and_once_in_the_totals(services: Any) -> None:
    office = Office(services)
    first, second = reachable(services, office.person(4)), reachable(services, office.person(5))
    policy = office.pay(office.apply(first, on=ON), ON)
    one = carry_a_campaign_through(services, first, second, policy.id, ON).campaign
    other = carry_a_campaign_through(services, first, second, policy.id, ON).campaign  # the same two, again
    services.read_side.catch_up()

    by_campaign = report(services, None)
    assert {row["campaign"] for row in by_campaign.rows} == {str(one), str(other)}
    for row in by_campaign.rows:
        assert (row["customers_contacted"], row["prospects"], row["applications"], row["policies"]) == (2, 1, 1, 1)
    totals = by_campaign.totals
    assert (totals["customers_contacted"], totals["prospects"], totals["applications"], totals["policies"]) == (
        2,
        1,
        1,
        1,
    )
    assert totals["premium"] == Decimal(str(policy.annual_premium)) and totals["conversion_pct"] == Decimal("50.00")
    (by_channel,) = report(services, None, "channel").rows  # both by phone: one row, each counted once
    assert (by_channel["customers_contacted"], by_channel["applications"]) == (2, 1)
