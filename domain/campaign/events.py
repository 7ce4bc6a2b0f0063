"""A campaign's events (guide 2.1 (5)). Stored names are a contract: each has an explicit, versioned topic. Each
carries `on`, the business date it is recorded for. The classes are assigned on `domain.campaign.aggregate.Campaign`,
which registers their topics."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from domain.base import DatedEvent, InscribeAggregate

if TYPE_CHECKING:
    from domain.campaign.aggregate import Campaign


class CampaignEvent(DatedEvent):
    """The base of a campaign's events: each moves its business date."""

    TOPIC = "inscribe.campaign.Event"


class CampaignCreated(CampaignEvent, InscribeAggregate.Created):
    """Never triggered; declared so that it does not inherit the topic of `CampaignEvent`."""

    TOPIC = "inscribe.campaign.Created"


class Planned(CampaignEvent, InscribeAggregate.Created):
    """营销活动策划: a campaign for customer segments, through a channel, over a period, with its owner."""

    TOPIC = "inscribe.campaign.Planned.v1"
    on: date
    name: str
    objective: str
    segments: list[str]
    channel: str
    product_codes: list[str]
    starts_on: date
    ends_on: date
    owner_id: str

    def effect(self, campaign: Campaign) -> None:
        for key in ("name", "objective", "channel", "starts_on", "ends_on", "owner_id"):
            setattr(campaign, key, getattr(self, key))
        campaign.segments = list(self.segments)
        campaign.product_codes = list(self.product_codes)
        campaign.planned_on = self.on
        campaign.status = "planned"


class CustomerContacted(CampaignEvent):
    """A customer of a targeted segment who consented to marketing was contacted, with what came of it."""

    TOPIC = "inscribe.campaign.CustomerContacted.v1"
    on: date
    customer_id: str
    segment: str
    outcome: str
    staff_id: str

    def effect(self, campaign: Campaign) -> None:
        campaign.contacted.setdefault(self.customer_id, self.on)
        if self.outcome == "interested":
            campaign.prospects.setdefault(self.customer_id, self.on)
        campaign.contacts += 1


class ApplicationLinked(CampaignEvent):
    """An application its applicant made after being contacted in the campaign, counted as the campaign's."""

    TOPIC = "inscribe.campaign.ApplicationLinked.v1"
    on: date
    policy_id: str
    customer_id: str
    product_code: str
    applied_on: date

    def effect(self, campaign: Campaign) -> None:
        campaign.applications[self.policy_id] = self.customer_id


class Closed(CampaignEvent):
    """The campaign closed (after its period, or early with why): nothing more is recorded for it."""

    TOPIC = "inscribe.campaign.Closed.v1"
    on: date
    reason: str

    def effect(self, campaign: Campaign) -> None:
        campaign.status = "closed"
        campaign.closed_on = self.on
        campaign.close_reason = self.reason
