"""The marketing campaign (guide 2.1 (5); domain.campaign): contacts from its first day to its last (refused the
day before and the day after), only with a targeted segment and consent to marketing; an application linked
when its applicant was contacted on or before applying, from the first day to 30 days after the last (refused
the day after that); each application once; a closed campaign refuses everything. Every refusal records
nothing."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest

from domain.campaign.aggregate import Campaign
from domain.campaign.rules import ATTRIBUTION_DAYS, MAX_DAYS, attribution_ends
from domain.errors import DomainError, InvalidTransition, InvalidValue

D = date
DAY = timedelta(days=1)
ON = D(2026, 3, 2)
STARTS, ENDS = D(2026, 3, 9), D(2026, 4, 30)
MARKETING = {"marketing"}


def campaign(**fields: Any) -> Campaign:
    args: dict[str, Any] = {
        "name": "Spring family cover",
        "objective": "term life for young families",
        "segments": ["young_family", "mass_affluent"],
        "channel": "phone",
        "product_codes": [],
        "starts_on": STARTS,
        "ends_on": ENDS,
        "owner_id": "mk-1",
        "on": ON,
    }
    args.update(fields)
    return Campaign.plan(**args)


def contact(c: Campaign, on: date, customer: str = "c-1", **fields: Any) -> None:
    args: dict[str, Any] = {"segment": "young_family", "consents": MARKETING, "outcome": "interested"}
    args.update(fields)
    c.contact(customer_id=customer, staff_id="agent-1", on=on, **args)


def link(c: Campaign, applied_on: date, on: date | None = None, policy: str = "p-1", **fields: Any) -> None:
    args: dict[str, Any] = {"applicant_id": "c-1", "product_code": "term_life"}
    args.update(fields)
    c.link_application(policy_id=policy, applied_on=applied_on, on=on or applied_on, **args)


def refused(c: Campaign, command: Any, error: type[DomainError], code: str | None = None) -> DomainError:
    version = c.version
    with pytest.raises(error) as raised:
        command()
    assert c.version == version and c.pending_events[-1].originator_version == version
    if code is not None:
        assert raised.value.code == code
    return raised.value


def test_a_planned_campaign_holds_its_plan() -> None:
    c = campaign(product_codes=["term_life"])
    assert (c.status, c.segments, c.channel, c.product_codes) == (
        "planned",
        ["young_family", "mass_affluent"],
        "phone",
        ["term_life"],
    )
    assert (c.starts_on, c.ends_on, c.owner_id, c.business_date) == (STARTS, ENDS, "mk-1", ON)


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"segments": []}, "segments"),
        ({"segments": ["whales"]}, "segments[0]"),
        ({"segments": ["sme", "sme"]}, "segments"),
        ({"channel": "pigeon"}, "channel"),
        ({"starts_on": ON - DAY}, "starts_on"),
        ({"ends_on": STARTS - DAY}, "ends_on"),
        ({"ends_on": STARTS + timedelta(days=MAX_DAYS)}, "ends_on"),
        ({"product_codes": ["a", "a"]}, "product_codes"),
        ({"name": ""}, "name"),
        ({"owner_id": ""}, "owner_id"),
    ],
)
def test_a_plan_out_of_bounds_is_refused_naming_the_field(fields: dict[str, Any], field: str) -> None:
    with pytest.raises(InvalidValue) as raised:
        campaign(**fields)
    assert raised.value.field == field


def test_a_campaign_may_start_the_day_it_is_planned_and_run_366_days_both_ends_included() -> None:
    c = campaign(starts_on=ON, ends_on=ON + timedelta(days=MAX_DAYS - 1))
    assert (c.ends_on - c.starts_on).days + 1 == MAX_DAYS


def test_contacts_run_from_the_first_day_to_the_last_day_and_not_a_day_beyond() -> None:
    c = campaign()
    refused(c, lambda: contact(c, STARTS - DAY), DomainError, "campaign-not-started")
    contact(c, STARTS)
    contact(c, ENDS, customer="c-2", outcome="no_answer")
    refused(c, lambda: contact(c, ENDS + DAY, customer="c-3"), DomainError, "campaign-ended")
    assert (c.contacts, sorted(c.contacted), sorted(c.prospects)) == (2, ["c-1", "c-2"], ["c-1"])


def test_a_contact_needs_a_targeted_segment_and_consent_to_marketing() -> None:
    c = campaign()
    refused(c, lambda: contact(c, STARTS, segment="senior"), DomainError, "customer-not-targeted")
    refused(c, lambda: contact(c, STARTS, segment=None), DomainError, "customer-not-targeted")
    refused(c, lambda: contact(c, STARTS, consents={"data_processing"}), DomainError, "no-marketing-consent")
    refused(c, lambda: contact(c, STARTS, outcome="maybe"), InvalidValue)
    contact(c, STARTS, segment="mass_affluent")
    assert c.contacts == 1


def test_an_application_counts_from_the_first_day_to_30_days_after_the_last() -> None:
    assert attribution_ends(ENDS) == ENDS + timedelta(days=ATTRIBUTION_DAYS) == D(2026, 5, 30)
    c = campaign()
    contact(c, STARTS)
    refused(c, lambda: link(c, STARTS - DAY, on=STARTS), DomainError, "outside-attribution-window")
    link(c, D(2026, 5, 30), policy="p-last")
    refused(c, lambda: link(c, D(2026, 5, 31), policy="p-after"), DomainError, "outside-attribution-window")
    link(c, STARTS, on=D(2026, 5, 31), policy="p-first")  # linked late, applied in time
    assert sorted(c.applications) == ["p-first", "p-last"]


def test_an_application_counts_only_after_its_applicant_was_contacted_and_only_once() -> None:
    c = campaign()
    contact(c, D(2026, 3, 20))
    refused(c, lambda: link(c, D(2026, 3, 19), on=D(2026, 3, 20)), DomainError, "applicant-not-contacted")
    refused(c, lambda: link(c, D(2026, 3, 25), applicant_id="c-9"), DomainError, "applicant-not-contacted")
    link(c, D(2026, 3, 20))
    refused(c, lambda: link(c, D(2026, 3, 21)), DomainError, "application-linked")


def test_a_campaign_for_some_products_counts_applications_for_them_only() -> None:
    c = campaign(product_codes=["term_life"])
    contact(c, STARTS)
    refused(c, lambda: link(c, STARTS, product_code="medical"), DomainError, "product-not-in-campaign")
    link(c, STARTS)


def test_a_closed_campaign_refuses_everything_and_dates_never_go_back() -> None:
    c = campaign()
    contact(c, D(2026, 3, 20))
    refused(c, lambda: contact(c, D(2026, 3, 19), customer="c-2"), DomainError, "date-before-last-event")
    c.close("budget spent", D(2026, 4, 1))
    assert (c.status, c.closed_on, c.close_reason) == ("closed", D(2026, 4, 1), "budget spent")
    refused(c, lambda: contact(c, D(2026, 4, 2), customer="c-2"), InvalidTransition, "invalid-campaign-transition")
    refused(c, lambda: link(c, D(2026, 3, 25), on=D(2026, 4, 2)), InvalidTransition, "invalid-campaign-transition")
    refused(c, lambda: c.close("again", D(2026, 4, 2)), InvalidTransition, "invalid-campaign-transition")
