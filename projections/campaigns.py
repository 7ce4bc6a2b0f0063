"""The campaigns register (guide 2.1 (5) 营销活动策划): one versioned row per campaign (its plan and counts), one
row per contact and one per linked application (append-only: a contact or a link never changes).

Every campaign row is a function of the campaign as it stands after the event (`AggregateCache` applies each
event exactly as a replay would), so a rebuild writes exactly the rows the live projection wrote. Where a
campaign stands (`phase`: upcoming, running, ended, closed) depends on the day it is asked on: derived for
`today` when a page is read.
"""

from __future__ import annotations

from datetime import date
from typing import Any, cast

from eventsourcing.domain import DomainEventProtocol
from sqlalchemy import JSON, BigInteger, Column, Date, Index, Integer, String, Table, Text

from domain.campaign.aggregate import Campaign
from domain.campaign.rules import attribution_ends
from projections.aggregates import AggregateCache
from projections.base import Batch, Projection
from projections.db import metadata
from projections.policies import ID
from projections.register import Register
from projections.versioned import versioned_table

campaigns = versioned_table(
    "campaigns",
    "campaign_id",
    Column("version", Integer, nullable=False),
    Column("status", String(10), nullable=False),  # planned | closed
    Column("name", String(200), nullable=False),
    Column("objective", Text, nullable=False),
    Column("segments", JSON(none_as_null=True), nullable=False),
    Column("channel", String(20), nullable=False),
    Column("product_codes", JSON(none_as_null=True), nullable=False),
    Column("starts_on", Date, nullable=False),
    Column("ends_on", Date, nullable=False),
    Column("attribution_ends_on", Date, nullable=False),
    Column("owner_id", ID, nullable=False),
    Column("planned_on", Date, nullable=False),
    Column("last_event_on", Date, nullable=False),
    Column("contacts", Integer, nullable=False),
    Column("customers_contacted", Integer, nullable=False),
    Column("prospects", Integer, nullable=False),
    Column("applications", Integer, nullable=False),
    Column("closed_on", Date, nullable=True),
    Column("close_reason", Text, nullable=True),
)
Index("ix_campaigns_owner", campaigns.c.owner_id, campaigns.c.valid_to)

#: Each contact, in the log's order (`position`: where it was recorded).
campaign_contacts = Table(
    "campaign_contacts",
    metadata,
    Column("position", BigInteger, primary_key=True, autoincrement=False),
    Column("campaign_id", String(36), nullable=False),
    Column("customer_id", ID, nullable=False),
    Column("segment", String(50), nullable=False),
    Column("outcome", String(20), nullable=False),
    Column("staff_id", ID, nullable=False),
    Column("on", Date, nullable=False),
)
Index("ix_campaign_contacts_campaign", campaign_contacts.c.campaign_id, campaign_contacts.c.position)
Index("ix_campaign_contacts_on", campaign_contacts.c.on)

#: Each application linked to a campaign, in the log's order.
campaign_applications = Table(
    "campaign_applications",
    metadata,
    Column("position", BigInteger, primary_key=True, autoincrement=False),
    Column("campaign_id", String(36), nullable=False),
    Column("policy_id", String(36), nullable=False),
    Column("customer_id", ID, nullable=False),
    Column("product_code", String(50), nullable=False),
    Column("applied_on", Date, nullable=False),
    Column("on", Date, nullable=False),
)
Index("ix_campaign_applications_campaign", campaign_applications.c.campaign_id, campaign_applications.c.position)
Index("ix_campaign_applications_policy", campaign_applications.c.policy_id)


def campaign_row(campaign: Campaign) -> dict[str, Any]:
    """The register row of a campaign's current state."""
    return {
        "version": campaign.version,
        "status": campaign.status,
        "name": campaign.name,
        "objective": campaign.objective,
        "segments": list(campaign.segments),
        "channel": campaign.channel,
        "product_codes": list(campaign.product_codes),
        "starts_on": campaign.starts_on,
        "ends_on": campaign.ends_on,
        "attribution_ends_on": attribution_ends(campaign.ends_on),
        "owner_id": campaign.owner_id,
        "planned_on": campaign.planned_on,
        "last_event_on": campaign.business_date,
        "contacts": campaign.contacts,
        "customers_contacted": len(campaign.contacted),
        "prospects": len(campaign.prospects),
        "applications": len(campaign.applications),
        "closed_on": campaign.closed_on,
        "close_reason": campaign.close_reason,
    }


class CampaignsProjection(Projection):
    """Keeps the campaigns register, its contacts and its linked applications."""

    handles = (Campaign.Event,)
    aggregate = Campaign

    name = "campaigns"
    tables = (campaigns, campaign_contacts, campaign_applications)

    def bind(self, app: Any) -> None:
        super().bind(app)
        self.cache = AggregateCache(app)

    def keys(self, event: DomainEventProtocol[Any]) -> list[str]:
        return [str(event.originator_id)] if isinstance(event, Campaign.Event) else []

    def preload(self, events: list[tuple[DomainEventProtocol[Any], int]], batch: Batch) -> None:
        batch.versioned(campaigns).preload([k for event, _ in events for k in self.keys(event)])

    def apply(self, event: DomainEventProtocol[Any], position: int, batch: Batch) -> None:
        if not isinstance(event, Campaign.Event):
            return
        campaign = cast(Campaign, self.cache.apply(event))
        key = str(campaign.id)
        batch.versioned(campaigns).put(key, campaign_row(campaign), position)
        if isinstance(event, Campaign.CustomerContacted):
            contact = {"customer_id": event.customer_id, "segment": event.segment, "outcome": event.outcome}
            batch.append(
                campaign_contacts,
                {"position": position, "campaign_id": key, **contact, "staff_id": event.staff_id, "on": event.on},
            )
        elif isinstance(event, Campaign.ApplicationLinked):
            link = {"policy_id": event.policy_id, "customer_id": event.customer_id, "product_code": event.product_code}
            batch.append(
                campaign_applications,
                {"position": position, "campaign_id": key, **link, "applied_on": event.applied_on, "on": event.on},
            )


# --- queries ---------------------------------------------------------------------------------
_c = campaigns.c
SORTABLE = {
    "starts_on": _c.starts_on,
    "ends_on": _c.ends_on,
    "name": _c.name,
    "status": _c.status,
    "customers_contacted": _c.customers_contacted,
    "applications": _c.applications,
}
DEFAULT_SORT = "-starts_on"
PHASES = ("upcoming", "running", "ended", "closed")


def phase(status: str, starts_on: date, ends_on: date, today: date) -> str:
    """Where a campaign stands on `today`: closed, upcoming (before its first day), running (its first day to
    its last, both included) or ended (after its last day, not closed)."""
    if status == "closed":
        return "closed"
    if today < starts_on:
        return "upcoming"
    return "running" if today <= ends_on else "ended"


def with_phase(row: dict[str, Any], today: date) -> None:
    row["phase"] = phase(row["status"], row["starts_on"], row["ends_on"], today)


#: 营销活动: each campaign with its plan, contacts, prospects and applications.
CAMPAIGNS = Register(
    campaigns,
    "campaigns",
    SORTABLE,
    DEFAULT_SORT,
    view="CampaignView",
    doc="A marketing campaign (2.1 (5)): its segments, channel, products and period, the customers contacted, "
    "the prospects (an interested contact) and the applications linked; `phase` as of `today`.",
    page_view="CampaignPage",
    extra={"phase": (str, "")},
    derive=with_phase,
)

_k = campaign_contacts.c
#: Each contact of a campaign.
CONTACTS = Register(
    campaign_contacts,
    "campaigns",
    {"position": _k.position, "on": _k.on, "outcome": _k.outcome},
    "position",
    view="CampaignContactView",
    doc="A contact made in a campaign, with a customer of a targeted segment who consented to marketing.",
    page_view="CampaignContactPage",
    appended_at="position",
)

_l = campaign_applications.c
#: Each application linked to a campaign.
LINKED = Register(
    campaign_applications,
    "campaigns",
    {"position": _l.position, "applied_on": _l.applied_on},
    "position",
    view="CampaignApplicationView",
    doc="An application linked to a campaign: its applicant was contacted in it on or before applying.",
    page_view="CampaignApplicationPage",
    appended_at="position",
)


def campaign_filters(
    status: str | None = None,
    channel: str | None = None,
    owner_id: str | None = None,
    phase: str | None = None,
    today: date | None = None,
) -> list[Any]:
    """SQL conditions for the register's filters; `phase` as on `today` (given by the caller)."""
    conditions: list[Any] = []
    for column, value in ((_c.status, status), (_c.channel, channel), (_c.owner_id, owner_id)):
        if value is not None:
            conditions.append(column == value)
    if phase is not None and today is not None:
        open_ = _c.status != "closed"
        conditions.append(
            {
                "closed": _c.status == "closed",
                "upcoming": open_ & (_c.starts_on > today),
                "running": open_ & (_c.starts_on <= today) & (_c.ends_on >= today),
                "ended": open_ & (_c.ends_on < today),
            }[phase]
        )
    return conditions


def contact_filters(campaign_id: Any = None, customer_id: Any = None, outcome: str | None = None) -> list[Any]:
    """SQL conditions for the contacts' filters."""
    k = campaign_contacts.c
    given = ((k.campaign_id, campaign_id), (k.customer_id, customer_id), (k.outcome, outcome))
    return [column == str(value) for column, value in given if value is not None]


def link_filters(campaign_id: Any = None, customer_id: Any = None) -> list[Any]:
    """SQL conditions for the linked applications' filters."""
    a = campaign_applications.c
    return [
        column == str(value)
        for column, value in ((a.campaign_id, campaign_id), (a.customer_id, customer_id))
        if value is not None
    ]
