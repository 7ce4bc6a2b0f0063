"""The marketing campaign (SPEC §13; guide 2.1 (5) 营销活动策划).

A campaign is **planned** for one or more customer segments (guide 2.2), a channel, optionally some products,
and a period (`starts_on` … `ends_on`, both days included, at most `MAX_DAYS`), with its owner. During its
period a customer is **contacted** only if their segment is targeted and they hold consent to marketing (PIPL:
a refusal otherwise, `no-marketing-consent`); an `interested` contact makes them a prospect. An application
is **linked** to the campaign when its applicant was contacted in it on or before the day they applied, and
they applied from the campaign's first day to `ATTRIBUTION_DAYS` after its last (for the campaign's products,
if it names any); each application once. A **closed** campaign refuses every command.

Every command validates first and then triggers its event, so a refused command records nothing. Business
dates never go back (`date-before-last-event`).
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import date
from uuid import UUID

from domain.base import InscribeAggregate, business_day
from domain.campaign import events as ev
from domain.campaign.rules import (
    ATTRIBUTION_DAYS,
    CHANNELS,
    MAX_DAYS,
    MAX_PRODUCTS,
    NAME,
    OUTCOMES,
    TARGETS,
    TEXT,
    attribution_ends,
)
from domain.errors import DomainError, InvalidValue
from domain.values import check_choice, check_date, check_id, check_text, check_texts

__all__ = ["Campaign"]


class Campaign(InscribeAggregate):
    """A marketing campaign (营销活动) with its contacts and the applications it brought."""

    TOPIC = "inscribe.campaign.Campaign"

    Event = ev.CampaignEvent
    Created = ev.CampaignCreated
    Planned = ev.Planned
    CustomerContacted = ev.CustomerContacted
    ApplicationLinked = ev.ApplicationLinked
    Closed = ev.Closed

    def __init__(self) -> None:
        self.name = ""
        self.objective = ""
        self.segments: list[str] = []
        self.channel = ""
        self.product_codes: list[str] = []
        self.starts_on = date.min
        self.ends_on = date.min
        self.owner_id = ""
        self.planned_on = date.min
        self.status = ""
        self.business_date = date.min
        self.contacted: dict[str, date] = {}  # customer → first contact
        self.prospects: dict[str, date] = {}  # customer → first interested contact
        self.contacts = 0
        self.applications: dict[str, str] = {}  # policy → applicant
        self.closed_on: date | None = None
        self.close_reason: str | None = None

    @classmethod
    def plan(
        cls,
        *,
        name: str,
        objective: str,
        segments: list[str],
        channel: str,
        product_codes: list[str],
        starts_on: date,
        ends_on: date,
        owner_id: str | UUID,
        on: date,
        campaign_id: UUID | None = None,
    ) -> Campaign:
        """营销活动策划: a campaign for `segments` through `channel` from `starts_on` to `ends_on` (not before `on`)."""
        title, aim = check_text(name, "name", NAME), check_text(objective, "objective", TEXT)
        targets = check_texts(segments, "segments", 50, max_items=len(TARGETS))
        if not targets:
            raise InvalidValue("segments", "name at least one customer segment")
        for i, segment in enumerate(targets):
            check_choice(segment, f"segments[{i}]", TARGETS)
        if len(set(targets)) != len(targets):
            raise InvalidValue("segments", "name each segment once")
        how = check_choice(channel, "channel", CHANNELS)
        products = check_texts(product_codes, "product_codes", 50, max_items=MAX_PRODUCTS)
        if len(set(products)) != len(products):
            raise InvalidValue("product_codes", "name each product once")
        day, first, last = check_date(on, "on"), check_date(starts_on, "starts_on"), check_date(ends_on, "ends_on")
        if first < day:
            raise InvalidValue("starts_on", f"must not be before {day}, the day it is planned")
        if last < first:
            raise InvalidValue("ends_on", f"must not be before starts_on ({first})")
        if (last - first).days + 1 > MAX_DAYS:
            raise InvalidValue("ends_on", f"a campaign runs at most {MAX_DAYS} days")
        return cls._create(
            cls.Planned,
            id=campaign_id,
            on=day,
            name=title,
            objective=aim,
            segments=targets,
            channel=how,
            product_codes=products,
            starts_on=first,
            ends_on=last,
            owner_id=check_id(owner_id, "owner_id"),
        )

    def contact(
        self,
        *,
        customer_id: str | UUID,
        segment: str | None,
        consents: Collection[str],
        outcome: str,
        staff_id: str | UUID,
        on: date,
    ) -> None:
        """A contact with a customer (their `segment` and `consents` as the customer record holds them now)."""
        customer, staff = check_id(customer_id, "customer_id"), check_id(staff_id, "staff_id")
        result = check_choice(outcome, "outcome", OUTCOMES)
        day = self._day(on)
        if day < self.starts_on:
            raise DomainError(f"the campaign starts on {self.starts_on}", code="campaign-not-started")
        if day > self.ends_on:
            raise DomainError(f"the campaign ended on {self.ends_on}", code="campaign-ended")
        if segment not in self.segments:
            raise DomainError(
                f"the customer's segment ({segment or 'none'}) is not one the campaign targets "
                f"({', '.join(self.segments)})",
                code="customer-not-targeted",
            )
        if "marketing" not in consents:
            raise DomainError("the customer has not consented to marketing", code="no-marketing-consent")
        self.trigger_event(
            self.CustomerContacted, on=day, customer_id=customer, segment=segment, outcome=result, staff_id=staff
        )

    def link_application(
        self, *, policy_id: str | UUID, applicant_id: str, product_code: str, applied_on: date, on: date
    ) -> None:
        """Count an application (as the policy records it) as this campaign's."""
        policy = check_id(policy_id, "policy_id")
        day = self._day(on)
        if policy in self.applications:
            raise DomainError("the application is already linked to the campaign", code="application-linked")
        if applied_on < self.starts_on or applied_on > attribution_ends(self.ends_on):
            raise DomainError(
                f"the application of {applied_on} is outside the campaign's attribution window "
                f"({self.starts_on} … {attribution_ends(self.ends_on)}: its period and {ATTRIBUTION_DAYS} days after)",
                code="outside-attribution-window",
            )
        if self.product_codes and product_code not in self.product_codes:
            raise DomainError(
                f"product {product_code} is not one of the campaign's ({', '.join(self.product_codes)})",
                code="product-not-in-campaign",
            )
        first = self.contacted.get(applicant_id)
        if first is None or first > applied_on:
            raise DomainError(
                "the applicant was not contacted in the campaign on or before the day they applied",
                code="applicant-not-contacted",
            )
        self.trigger_event(
            self.ApplicationLinked,
            on=day,
            policy_id=policy,
            customer_id=applicant_id,
            product_code=product_code,
            applied_on=applied_on,
        )

    def close(self, reason: str, on: date) -> None:
        why = check_text(reason, "reason", TEXT)
        day = self._day(on)
        self.trigger_event(self.Closed, on=day, reason=why)

    def _day(self, value: date) -> date:
        day: date = business_day(self, value, "closed", "invalid-campaign-transition")
        return day
