"""Base classes shared by every aggregate: audit metadata and the injectable clock."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING, Any
from uuid import UUID

from eventsourcing.domain import Aggregate

from domain import clock
from domain.errors import DomainError, InvalidTransition
from domain.values import check_date


class InscribeAggregate(Aggregate):
    """Base aggregate. Its events carry the audit metadata of SPEC §2 under `meta`.

    The metadata is attached by the application layer, in one place, just before
    the events are saved; the domain never has to pass it around.
    """

    class Event(Aggregate.Event):
        @staticmethod
        def create_timestamp() -> datetime:
            return clock.now()

        @property
        def meta(self) -> dict[str, Any]:
            """The audit metadata (actor, command, reason, times) of this event."""
            return self.__dict__.get("meta") or {}

    class Created(Event, Aggregate.Created):
        pass


class DatedEvent(InscribeAggregate.Event):
    """An event recorded for a business date: `on`, or for the event that creates the aggregate the field
    `DATE` names. It moves the aggregate's `business_date` (never back), then `effect` changes the rest."""

    DATE = "on"

    def apply(self, aggregate: Any) -> None:
        day = self.__dict__.get("on") or self.__dict__[self.DATE]
        if day > aggregate.business_date:
            aggregate.business_date = day
        self.effect(aggregate)

    def effect(self, aggregate: Any) -> None:
        """How the event changes the aggregate, beside its business date."""


def business_day(aggregate: Any, value: Any, terminal: str, code: str) -> date:
    """A command's business date (`on`), not before the aggregate's last recorded one (`date-before-last-event`);
    an aggregate whose status is `terminal` refuses every command (InvalidTransition coded `code`)."""
    if aggregate.status == terminal:
        raise InvalidTransition(f"it is {terminal}", code=code)
    day = check_date(value, "on")
    if day < aggregate.business_date:
        raise DomainError(
            f"on {day} is before the last recorded date {aggregate.business_date}", code="date-before-last-event"
        )
    return day


class AggregateCommands:
    """A group of an aggregate's commands kept in a module of its own, mixed into the aggregate.

    The aggregate that inherits it supplies `id` and `trigger_event`; a group triggers the event classes of its
    aggregate's events module (the very classes bound on the aggregate, e.g. `Claim.Approved`).
    """

    if TYPE_CHECKING:

        @property
        def id(self) -> UUID: ...

        def trigger_event(self, event_class: type[Any], **kwargs: Any) -> None: ...
