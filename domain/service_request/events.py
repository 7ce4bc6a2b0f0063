"""The service request's events (SPEC §8). Stored names are a contract: each has an explicit, versioned topic.

Each event carries `on`, the business date it is recorded for (Opened: `requested_on`); one with a
`STATUS` moves the request to it. The classes are assigned on
`domain.service_request.aggregate.ServiceRequest` (e.g. `ServiceRequest.Opened`), which registers their topics.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

from domain.base import InscribeAggregate

if TYPE_CHECKING:
    from domain.service_request.aggregate import ServiceRequest


class Event(InscribeAggregate.Event):
    """The base of the request's events: each moves the business date, and one with a `STATUS` the status."""

    TOPIC = "inscribe.service_request.Event"

    def apply(self, aggregate: ServiceRequest) -> None:
        day: date = self.__dict__.get("on") or self.__dict__["requested_on"]
        if day > aggregate.business_date:
            aggregate.business_date = day
        self.effect(aggregate)
        status = getattr(self, "STATUS", None)
        if status:
            aggregate.status = status
            aggregate.history.append((day, status))

    def effect(self, request: ServiceRequest) -> None:
        """How the event changes the request."""


class Created(Event, InscribeAggregate.Created):
    """Never triggered; declared so that it does not inherit the topic of `Event`."""

    TOPIC = "inscribe.service_request.Created"


class Opened(Event, InscribeAggregate.Created):
    TOPIC = "inscribe.service_request.Opened.v1"
    STATUS = "opened"
    customer_id: str
    kind: str
    description: str
    channel: str
    policy_id: str | None
    requested_at: datetime  # UTC
    requested_on: date  # the date in China of requested_at

    def effect(self, request: ServiceRequest) -> None:
        for key in ("customer_id", "kind", "description", "channel", "policy_id", "requested_at", "requested_on"):
            setattr(request, key, getattr(self, key))


class Assigned(Event):
    TOPIC = "inscribe.service_request.Assigned.v1"
    STATUS = "assigned"
    on: date
    staff_id: str
    previous_id: str | None

    def effect(self, request: ServiceRequest) -> None:
        request.staff_id = self.staff_id
        request.assigned_on = self.on


class WorkStarted(Event):
    TOPIC = "inscribe.service_request.WorkStarted.v1"
    STATUS = "in_progress"
    on: date

    def effect(self, request: ServiceRequest) -> None:
        request.started_on = self.on


class UpdateAdded(Event):
    TOPIC = "inscribe.service_request.UpdateAdded.v1"
    on: date
    note: str
    author_id: str

    def effect(self, request: ServiceRequest) -> None:
        request.updates_count += 1
        request.last_update_on = self.on


class Completed(Event):
    TOPIC = "inscribe.service_request.Completed.v1"
    STATUS = "completed"
    on: date
    resolution: str
    turnaround_days: int

    def effect(self, request: ServiceRequest) -> None:
        request.resolution = self.resolution
        request.completed_on = self.on


class Cancelled(Event):
    TOPIC = "inscribe.service_request.Cancelled.v1"
    STATUS = "cancelled"
    on: date
    reason: str

    def effect(self, request: ServiceRequest) -> None:
        request.cancel_reason = self.reason
        request.cancelled_on = self.on
