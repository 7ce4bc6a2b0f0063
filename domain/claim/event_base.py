"""The bases of the claim's events (domain.claim.events): the business date, the status move, the round."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import Any

from domain.base import InscribeAggregate
from domain.claim.state import ClaimState


class ClaimEvent(InscribeAggregate.Event):
    """The base of the claim's events: each moves the business date to its own, then has its effect."""

    TOPIC = "inscribe.claim.Event"

    def apply(self, aggregate: ClaimState) -> None:
        day = self.__dict__.get("on") or self.__dict__.get("reported_on")
        if isinstance(day, date) and day > aggregate.business_date:
            aggregate.business_date = day
        self.effect(aggregate)

    def effect(self, claim: ClaimState) -> None:
        """How the event changes the claim."""


class ClaimCreated(ClaimEvent, InscribeAggregate.Created):
    """Never triggered; declared so that it does not inherit the topic of `ClaimEvent`."""

    TOPIC = "inscribe.claim.Created"


class StatusEvent(ClaimEvent):
    """An event that moves the claim to `STATUS` on its date."""

    STATUS = ""
    on: date

    def effect(self, claim: ClaimState) -> None:
        self.change(claim)
        claim.move_to(self.STATUS, self.on)

    def change(self, claim: ClaimState) -> None:
        """What else the event changes."""


def update_round(claim: ClaimState, **changes: Any) -> None:
    """Replace fields of the claim's current round (its clocks)."""
    claim.rounds[-1] = replace(claim.rounds[-1], **changes)
