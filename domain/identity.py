"""Identity claims: one aggregate per ID number, so a second registration of it is refused.

The claim's id is derived from the identity key, so two racing registrations of one ID number
collide in the event store itself and only one customer can ever hold it.
"""

from __future__ import annotations

from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import event

from domain.base import InscribeAggregate


class IdentityClaim(InscribeAggregate):
    """Records which customer holds an identity key (resident ID or credit code)."""

    TOPIC = "inscribe.identity.IdentityClaim"

    class Event(InscribeAggregate.Event):
        TOPIC = "inscribe.identity.Event"

    class Created(Event, InscribeAggregate.Created):
        TOPIC = "inscribe.identity.Created"

    class Claimed(Event, InscribeAggregate.Created):
        TOPIC = "inscribe.identity.Claimed.v1"
        customer_id: UUID

    @staticmethod
    def id_for(identity_key: str) -> UUID:
        """The claim's id for an identity key (the key itself is never stored)."""
        return uuid5(NAMESPACE_URL, f"inscribe:identity:{identity_key}")

    @classmethod
    def claim(cls, identity_key: str, customer_id: UUID) -> IdentityClaim:
        return cls._create(cls.Claimed, id=cls.id_for(identity_key), customer_id=customer_id)

    @event(Claimed)
    def __init__(self, customer_id: UUID) -> None:
        self.customer_id = customer_id
