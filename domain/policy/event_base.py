"""The bases of the policy's events (domain.policy.events): the business date, the status move, closing,
and the installments a premium held pays."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from eventsourcing.domain import Snapshot
from eventsourcing.utils import register_topic

from domain.base import InscribeAggregate
from domain.policy.rules import ZERO
from domain.policy.state import PolicyState


class PolicyEvent(InscribeAggregate.Event):
    """The base of the policy's events: each moves the business date to its own, then has its effect."""

    TOPIC = "inscribe.policy.Event"

    def apply(self, aggregate: PolicyState) -> None:
        day = self.__dict__.get("on") or self.__dict__.get("applied_on")
        if isinstance(day, date) and day > aggregate.business_date:
            aggregate.business_date = day
        self.effect(aggregate)

    def effect(self, policy: PolicyState) -> None:
        """How the event changes the policy."""


class PolicyCreated(PolicyEvent, InscribeAggregate.Created):
    """Never triggered; declared so that it does not inherit the topic of `PolicyEvent`."""

    TOPIC = "inscribe.policy.Created"


class StatusEvent(PolicyEvent):
    """An event that moves the policy to `STATUS` on its date."""

    STATUS = ""
    on: date

    def effect(self, policy: PolicyState) -> None:
        self.change(policy)
        policy.move_to(self.STATUS, self.on)

    def change(self, policy: PolicyState) -> None:
        """What else the event changes."""


class ClosingEvent(StatusEvent):
    """Ends the application or the contract; `closing_reason` says why."""

    def change(self, policy: PolicyState) -> None:
        policy.closing_reason = self.__dict__.get("reason") or self.STATUS


def attach_held(policy: PolicyState, schedule: list[dict[str, Any]]) -> None:
    """Add installments to the schedule; the first is paid by the premium held for it."""
    policy.schedule.extend(dict(item, paid_on=None) for item in schedule)
    policy.last_installment_no = max(policy.last_installment_no, *(i["no"] for i in schedule))
    assert policy.held_on is not None
    policy.mark_paid(policy.schedule[-len(schedule)], policy.held_on)
    policy.premium_held, policy.held_on = ZERO, None


@dataclass(frozen=True)
class PolicySnapshot(Snapshot):
    """A policy's state at a version, so that reading it later replays only the events after it
    (application.snapshots). `code` names the domain code that took it: a snapshot taken by other code
    is never used, since that code may have applied the same events differently."""

    TOPIC = "inscribe.policy.Snapshot"
    #: The state's lists of pairs, which JSON stores as lists: made tuples again, as the events make them.
    PAIRS = ("history", "sum_insured_history")

    code: str = ""

    def mutate(self, _: None) -> Any:
        policy = super().mutate(_)
        for name in self.PAIRS:
            setattr(policy, name, [tuple(pair) for pair in getattr(policy, name)])
        return policy


# The library registers the topics of an aggregate's nested event classes, not of its snapshot class.
register_topic(PolicySnapshot.TOPIC, PolicySnapshot)
