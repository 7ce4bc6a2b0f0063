"""The after-sales service request (SPEC §5, §8; guide 8.1): consultation, contract change, renewal help,
claim help and other requests, from opening to completion or cancellation.

States: opened → assigned → in_progress → completed | cancelled; the last two are terminal and refuse
every command (`invalid-service-request-transition`). Every command validates first and then triggers
its event, so a refused command records nothing. Business dates are explicit and never go back
(`date-before-last-event`); each step's date is kept, and `turnaround_days` counts the calendar days
from the request (its date in China) to completion.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any
from uuid import UUID

from domain import clock
from domain.base import InscribeAggregate
from domain.complaint.rules import china_date
from domain.errors import DomainError, InvalidTransition, InvalidValue
from domain.service_request import events as ev
from domain.service_request.rules import CHANNELS, KINDS, POLICY_KINDS, STATUSES, TERMINAL
from domain.values import check_choice, check_date, check_id, check_text

__all__ = ["CHANNELS", "KINDS", "STATUSES", "TERMINAL", "ServiceRequest"]


class ServiceRequest(InscribeAggregate):
    """A customer's after-sales service request and its timeline."""

    TOPIC = "inscribe.service_request.ServiceRequest"

    Event = ev.Event
    Created = ev.Created
    Opened = ev.Opened
    Assigned = ev.Assigned
    WorkStarted = ev.WorkStarted
    UpdateAdded = ev.UpdateAdded
    Completed = ev.Completed
    Cancelled = ev.Cancelled

    def __init__(self) -> None:
        """Blank state; Opened's `apply` fills it in."""
        self.customer_id = ""
        self.kind = ""
        self.description = ""
        self.channel = ""
        self.policy_id: str | None = None
        self.requested_at: datetime | None = None
        self.requested_on = date.min
        self.status = ""
        self.history: list[tuple[date, str]] = []  # (from date, status)
        self.business_date = date.min
        self.staff_id: str | None = None
        self.assigned_on: date | None = None
        self.started_on: date | None = None
        self.updates_count = 0
        self.last_update_on: date | None = None
        self.resolution: str | None = None
        self.completed_on: date | None = None
        self.cancel_reason: str | None = None
        self.cancelled_on: date | None = None

    # -- commands ------------------------------------------------------------------------------------

    @classmethod
    def open(
        cls,
        *,
        customer_id: str | UUID,
        kind: str,
        description: str,
        channel: str,
        requested_at: datetime,
        policy_id: str | UUID | None = None,
        request_id: UUID | None = None,
    ) -> ServiceRequest:
        """Open a request; contract changes and renewal help name their policy."""
        customer = check_id(customer_id, "customer_id")
        kind = check_choice(kind, "kind", KINDS)
        text = check_text(description, "description", 5000)
        channel = check_choice(channel, "channel", CHANNELS)
        if not isinstance(requested_at, datetime) or requested_at.utcoffset() is None:
            raise InvalidValue("requested_at", "must be a date and time with a time zone")
        if requested_at > clock.now():
            raise InvalidValue("requested_at", "must not be in the future")
        policy = None if policy_id is None else check_id(policy_id, "policy_id")
        if kind in POLICY_KINDS and policy is None:
            raise InvalidValue("policy_id", f"a {kind} request names its policy")
        return cls._create(
            cls.Opened,
            id=request_id,
            customer_id=customer,
            kind=kind,
            description=text,
            channel=channel,
            policy_id=policy,
            requested_at=requested_at.astimezone(UTC),
            requested_on=china_date(requested_at),
        )

    def assign(self, staff_id: str | UUID, on: date) -> None:
        """Give the request to a member of staff (or to another one)."""
        staff = check_id(staff_id, "staff_id")
        day = self._day(on)
        self._require(("opened", "assigned"))
        if staff == self.staff_id:
            raise DomainError(f"{staff} already handles the request", code="already-assigned")
        self.trigger_event(self.Assigned, on=day, staff_id=staff, previous_id=self.staff_id)

    def start(self, on: date) -> None:
        day = self._day(on)
        self._require(("assigned",))
        self.trigger_event(self.WorkStarted, on=day)

    def add_update(self, note: str, author_id: str | UUID, on: date) -> None:
        text, author = check_text(note, "note", 5000), check_id(author_id, "author_id")
        day = self._day(on)
        self._require(("opened", "assigned", "in_progress"))
        self.trigger_event(self.UpdateAdded, on=day, note=text, author_id=author)

    def complete(self, resolution: str, on: date) -> None:
        text = check_text(resolution, "resolution", 5000)
        day = self._day(on)
        self._require(("in_progress",))
        self.trigger_event(self.Completed, on=day, resolution=text, turnaround_days=(day - self.requested_on).days)

    def cancel(self, reason: str, on: date) -> None:
        why = check_text(reason, "reason", 1000)
        day = self._day(on)
        self._require(("opened", "assigned", "in_progress"))
        self.trigger_event(self.Cancelled, on=day, reason=why)

    # -- queries -------------------------------------------------------------------------------------

    @property
    def turnaround_days(self) -> int | None:
        """Calendar days from the request to its completion (None until completed)."""
        return None if self.completed_on is None else (self.completed_on - self.requested_on).days

    @property
    def is_terminal(self) -> bool:
        return self.status in TERMINAL

    @property
    def timeline(self) -> dict[str, Any]:
        """The date of each step (None for steps not taken)."""
        return {
            "requested_on": self.requested_on,
            "assigned_on": self.assigned_on,
            "started_on": self.started_on,
            "completed_on": self.completed_on,
            "cancelled_on": self.cancelled_on,
        }

    def status_on(self, day: date) -> str | None:
        """The status at the end of `day` (None before the request)."""
        for since, status in reversed(self.history):
            if since <= day:
                return status
        return None

    # -- helpers ---------------------------------------------------------------------------------------

    def _day(self, value: date, field: str = "on") -> date:
        """A command's business date, not before the last recorded one; a closed request refuses all."""
        if self.is_terminal:
            raise InvalidTransition(f"the request is {self.status}", code="invalid-service-request-transition")
        day = check_date(value, field)
        if day < self.business_date:
            raise DomainError(
                f"{field} {day} is before the last recorded date {self.business_date}", code="date-before-last-event"
            )
        return day

    def _require(self, statuses: tuple[str, ...]) -> None:
        if self.status not in statuses:
            raise InvalidTransition(
                f"not allowed while the request is {self.status}", code="invalid-service-request-transition"
            )
