"""The port the read side reads the write side through: the log, not the application's commands."""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol
from uuid import UUID

from eventsourcing.application import Repository
from eventsourcing.persistence import ApplicationRecorder, Mapper


class EventLog(Protocol):
    """What the projections need of the write side (application.app.InscribeApplication satisfies it):
    its name (positions are kept per application), the recorded events and how to decode them, each
    aggregate at a version (registers derived from an aggregate's state), and a call after each save."""

    @property
    def name(self) -> str:
        """The application's name, under which each projection's position is kept."""
        ...

    @property
    def recorder(self) -> ApplicationRecorder:
        """The stored events, in log order (`select_notifications`, `max_notification_id`)."""
        ...

    @property
    def mapper(self) -> Mapper[UUID]:
        """Decodes a stored event into a domain event."""
        ...

    @property
    def repository(self) -> Repository[UUID]:
        """An aggregate at a given version."""
        ...

    def on_saved(self, listener: Callable[[int], None]) -> None:
        """Call `listener(position)` after each command this process saves."""
        ...
