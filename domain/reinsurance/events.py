"""A reinsurance treaty's events (guide 6.1.1 (6)). Stored names are a contract: each has an explicit, versioned
topic. Each carries `on`, the business date it is recorded for. The classes are assigned on
`domain.reinsurance.aggregate.Treaty`, which registers their topics."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from domain.base import DatedEvent, InscribeAggregate

if TYPE_CHECKING:
    from domain.reinsurance.aggregate import Treaty


class TreatyEvent(DatedEvent):
    """The base of a treaty's events: each moves its business date."""

    TOPIC = "inscribe.reinsurance.Event"


class TreatyCreated(TreatyEvent, InscribeAggregate.Created):
    """Never triggered; declared so that it does not inherit the topic of `TreatyEvent`."""

    TOPIC = "inscribe.reinsurance.Created"


class Concluded(TreatyEvent, InscribeAggregate.Created):
    """再保险合同: a treaty of a kind, for some lines or products, with its terms, reinsurers and period."""

    TOPIC = "inscribe.reinsurance.TreatyConcluded.v1"
    on: date
    name: str
    kind: str
    lines: list[str]
    product_codes: list[str]
    terms: dict[str, Any]
    reinsurers: list[dict[str, Any]]
    effective_from: date
    effective_to: date
    by: str

    def effect(self, treaty: Treaty) -> None:
        for key in ("name", "kind", "effective_from", "effective_to", "by"):
            setattr(treaty, key, getattr(self, key))
        treaty.lines = list(self.lines)
        treaty.product_codes = list(self.product_codes)
        treaty.terms = dict(self.terms)
        treaty.reinsurers = [dict(r) for r in self.reinsurers]
        treaty.concluded_on = self.on
        treaty.status = "concluded"


class Ended(TreatyEvent):
    """The treaty ends early: no risk starting after `ends_on` attaches to it (those attached stay ceded)."""

    TOPIC = "inscribe.reinsurance.TreatyEnded.v1"
    on: date
    ends_on: date
    reason: str

    def effect(self, treaty: Treaty) -> None:
        treaty.status = "ended"
        treaty.ended_on = self.ends_on
        treaty.end_reason = self.reason


class RecoveryReceived(TreatyEvent):
    """A reinsurer paid recoveries due under the treaty (a settlement of its account)."""

    TOPIC = "inscribe.reinsurance.RecoveryReceived.v1"
    on: date
    reinsurer: str
    amount: Decimal
    reference: str

    def effect(self, treaty: Treaty) -> None:
        treaty.received[self.reinsurer] = treaty.received.get(self.reinsurer, Decimal(0)) + self.amount
