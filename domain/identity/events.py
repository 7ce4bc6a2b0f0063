"""The identity claim's events. Stored names are a contract: each has an explicit, versioned topic.

The classes are assigned on `domain.identity.aggregate.IdentityClaim` (e.g. `IdentityClaim.Claimed`),
which registers their topics.
"""

from __future__ import annotations

from typing import TYPE_CHECKING
from uuid import UUID

from domain.base import InscribeAggregate

if TYPE_CHECKING:
    from domain.identity.aggregate import IdentityClaim


class Event(InscribeAggregate.Event):
    """The base of its events (never stored itself)."""

    TOPIC = "inscribe.identity.Event"


class Created(Event, InscribeAggregate.Created):
    """Never triggered; declared so that it does not inherit the topic of `Event`."""

    TOPIC = "inscribe.identity.Created"


class Claimed(Event, InscribeAggregate.Created):
    TOPIC = "inscribe.identity.Claimed.v1"
    customer_id: UUID


class Released(Event):
    """The holder's personal data was erased: nobody holds the identity now."""

    TOPIC = "inscribe.identity.Released.v1"

    def apply(self, aggregate: IdentityClaim) -> None:
        aggregate.customer_id = None


class Reclaimed(Event):
    TOPIC = "inscribe.identity.Reclaimed.v1"
    customer_id: UUID

    def apply(self, aggregate: IdentityClaim) -> None:
        aggregate.customer_id = self.customer_id
