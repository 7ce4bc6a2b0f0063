"""The disclosure's event. Stored names are a contract: each has an explicit, versioned topic.

The classes are assigned on `domain.personal_access.aggregate.PersonalDataAccess` (e.g.
`PersonalDataAccess.Disclosed`), which registers their topics.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from domain.base import InscribeAggregate

if TYPE_CHECKING:
    from domain.personal_access.aggregate import PersonalDataAccess


class Event(InscribeAggregate.Event):
    """The base of its events (never stored itself)."""

    TOPIC = "inscribe.personal_access.Event"


class Created(Event, InscribeAggregate.Created):
    """Never triggered; declared so that it does not inherit the topic of `Event`."""

    TOPIC = "inscribe.personal_access.Created"


class Disclosed(Event, InscribeAggregate.Created):
    TOPIC = "inscribe.personal_access.Disclosed.v1"
    subject_ids: list[str]
    view: str

    def apply(self, aggregate: PersonalDataAccess) -> None:
        aggregate.subject_ids = list(self.subject_ids)
        aggregate.view = self.view
