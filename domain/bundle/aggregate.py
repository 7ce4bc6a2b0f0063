"""A bundle (guide 3.3 保险产品组合策略; SPEC §13): one proposal of one applicant combining products, each item an
application of its own (a policy with its riders), priced together.

A bundle is **proposed** once, on the day its applications are made: from 2 to `MAX_ITEMS` items, each a policy
applied for in the same command, with its product, insured, sum insured, term and the premium its automatic
underwriting quoted. The combined annual premium is the sum of the items' quoted premiums (an item declined at
once has none). The bundle names the strategies of 3.3 it follows, from its items: a personal product with a property
one (人身保险与财产保险组合), a main cover with riders (全险与附加险组合), a long-term product with a short-term
one (长期保险与短期保险组合). Each policy then goes its own way (underwriting, premium, issue); the register shows
each item's policy as it stands.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any
from uuid import UUID

from domain.base import DatedEvent, InscribeAggregate
from domain.errors import InvalidValue
from domain.values import check_date, check_id

__all__ = ["MAX_ITEMS", "STRATEGIES", "Bundle", "strategies_of"]

MAX_ITEMS = 10
STRATEGIES = ("personal_with_property", "main_with_riders", "long_with_short")
PERSONAL = ("life", "health", "accident")


def strategies_of(items: list[dict[str, Any]]) -> list[str]:
    """The strategies of 3.3 the items follow (each item: line, riders, term_months)."""
    lines = {item["line"] for item in items}
    terms = {item["term_months"] > 12 for item in items}
    found = []
    if lines & set(PERSONAL) and lines - set(PERSONAL):
        found.append("personal_with_property")
    if any(item["riders"] for item in items):
        found.append("main_with_riders")
    if terms == {True, False}:
        found.append("long_with_short")
    return found


class BundleEvent(DatedEvent):
    TOPIC = "inscribe.bundle.Event"


class BundleCreated(BundleEvent, InscribeAggregate.Created):
    """Never triggered; declared so that it does not inherit the topic of `BundleEvent`."""

    TOPIC = "inscribe.bundle.Created"


class Proposed(BundleEvent, InscribeAggregate.Created):
    """组合投保: the applications of one applicant proposed together, with their combined annual premium."""

    TOPIC = "inscribe.bundle.Proposed.v1"
    on: date
    applicant_id: str
    channel: str
    agent_id: str
    items: list[dict[str, Any]]
    combined_annual_premium: Decimal
    strategies: list[str]

    def effect(self, bundle: Bundle) -> None:
        bundle.applicant_id, bundle.channel, bundle.agent_id = self.applicant_id, self.channel, self.agent_id
        bundle.items = [dict(item) for item in self.items]
        bundle.combined_annual_premium = self.combined_annual_premium
        bundle.strategies = list(self.strategies)
        bundle.proposed_on = self.on


class Bundle(InscribeAggregate):
    """组合: one applicant's applications proposed and priced together."""

    TOPIC = "inscribe.bundle.Bundle"

    Event = BundleEvent
    Created = BundleCreated
    Proposed = Proposed

    def __init__(self) -> None:
        self.applicant_id = ""
        self.channel = ""
        self.agent_id = ""
        self.items: list[dict[str, Any]] = []
        self.combined_annual_premium = Decimal(0)
        self.strategies: list[str] = []
        self.proposed_on = date.min
        self.business_date = date.min

    @classmethod
    def propose(
        cls, *, applicant_id: str, channel: str, agent_id: str, items: list[dict[str, Any]], on: date, bundle_id: UUID
    ) -> Bundle:
        """Items: {policy_id, product_code, product_version, line, insured_id, sum_insured, term_months, premium_mode,
        riders: [codes], annual_premium (None when declined at once), outcome}."""
        if not 2 <= len(items) <= MAX_ITEMS:
            raise InvalidValue("items", f"a bundle combines 2 to {MAX_ITEMS} applications")
        premium = sum((Decimal(str(i["annual_premium"])) for i in items if i["annual_premium"] is not None), Decimal(0))
        return cls._create(
            cls.Proposed,
            id=bundle_id,
            on=check_date(on, "on"),
            applicant_id=check_id(applicant_id, "applicant_id"),
            channel=channel,
            agent_id=check_id(agent_id, "agent_id"),
            items=[dict(item) for item in items],
            combined_annual_premium=premium,
            strategies=strategies_of(items),
        )
