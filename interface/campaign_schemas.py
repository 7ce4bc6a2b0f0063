"""Request models of the campaign API (guide 2.1 (5); the domain checks the rules)."""

from __future__ import annotations

from datetime import date
from typing import Literal
from uuid import UUID

from pydantic import Field

from interface.complaint_schemas import On
from interface.value_schemas import Text50, Text100, Text200, Text2000

Channel = Literal["phone", "sms", "email", "online", "app", "event", "visit", "agent"]
Segment = Literal[
    "mass",
    "mass_affluent",
    "high_net_worth",
    "young_family",
    "senior",
    "micro_business",
    "sme",
    "corporate",
    "key_account",
]
Outcome = Literal["interested", "not_interested", "no_answer", "callback"]


class CampaignIn(On):
    """营销活动策划: a campaign for customer segments, through a channel, over a period (at most 366 days, from
    `on` or later), optionally for some products, with its owner."""

    name: Text200
    objective: Text2000
    segments: list[Segment] = Field(min_length=1, max_length=9)
    channel: Channel
    product_codes: list[Text50] = Field(default_factory=list, max_length=20)
    starts_on: date
    ends_on: date
    owner_id: Text100


class ContactIn(On):
    """A contact with a customer during the campaign; the staff member is the caller. The customer's segment must
    be targeted and their consent to marketing held (a refusal otherwise, recording nothing)."""

    customer_id: UUID
    outcome: Outcome


class LinkIn(On):
    """An application counted as the campaign's: its applicant was contacted in it on or before applying, from
    the campaign's first day to 30 days after its last."""

    policy_id: UUID


class CloseCampaignIn(On):
    reason: Text2000
