"""Identity claims: one aggregate per ID number, so a second registration of it is refused.

The claim's id is derived from the identity key, so two racing registrations of one ID number
collide in the event store itself and only one customer can ever hold it. It is an HMAC of the key
under a secret the log does not hold (application.infrastructure.settings: `identity_secret`), so the log cannot be
asked whether a known ID number is registered: a plain hash of an 18-digit number could be. Claims
written before the secret (`legacy_id_for`) are still honoured.

Erasing a customer's personal data releases the claim: the ID number may be registered again.
"""

from __future__ import annotations

import hashlib
import hmac
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import event

from domain.base import InscribeAggregate
from domain.errors import DomainError
from domain.identity import events as ev


class IdentityClaim(InscribeAggregate):
    """Records which customer holds an identity key (resident ID or credit code)."""

    TOPIC = "inscribe.identity.IdentityClaim"

    Event = ev.Event
    Created = ev.Created
    Claimed = ev.Claimed
    Released = ev.Released
    Reclaimed = ev.Reclaimed

    @staticmethod
    def id_for(identity_key: str, secret: bytes) -> UUID:
        """The claim's id for an identity key: an HMAC under `secret` (the key itself is never stored)."""
        digest = hmac.new(secret, identity_key.encode(), hashlib.sha256).hexdigest()
        return uuid5(NAMESPACE_URL, f"inscribe:identity-hmac:{digest}")

    @staticmethod
    def legacy_id_for(identity_key: str) -> UUID:
        """The id claims had before the HMAC (read only: no new claim gets it)."""
        return uuid5(NAMESPACE_URL, f"inscribe:identity:{identity_key}")

    @classmethod
    def claim(cls, identity_key: str, customer_id: UUID, secret: bytes) -> IdentityClaim:
        return cls._create(cls.Claimed, id=cls.id_for(identity_key, secret), customer_id=customer_id)

    @event(Claimed)
    def __init__(self, customer_id: UUID) -> None:
        self.customer_id: UUID | None = customer_id

    def release(self) -> None:
        if self.customer_id is not None:
            self.trigger_event(self.Released)

    def reclaim(self, customer_id: UUID) -> None:
        if self.customer_id is not None:
            raise DomainError(
                f"this identity is held by customer {self.customer_id}", code="customer-already-registered"
            )
        self.trigger_event(self.Reclaimed, customer_id=customer_id)
