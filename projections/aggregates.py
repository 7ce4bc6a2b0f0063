"""Aggregate state for projections, so registers derive their rows from the domain's own logic.

A projection that needs an aggregate's full state (a policy's status, schedule, clocks) asks this
cache to apply each event to the aggregate it belongs to, exactly as the write side would replay
it. Aggregates are kept in memory (most recently used); on a miss, or when the cached copy is not
exactly one version behind the event (a batch rolled back, another runner went ahead), the
aggregate is read from the event store at the version before the event.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Any
from uuid import UUID

from eventsourcing.application import Application
from eventsourcing.domain import Aggregate


class AggregateCache:
    """The state of each aggregate just after the latest event applied to it."""

    def __init__(self, app: Application[UUID], size: int = 20_000) -> None:
        self.app = app
        self.size = size
        self._items: OrderedDict[UUID, Aggregate] = OrderedDict()

    def apply(self, event: Any) -> Aggregate:
        """The aggregate with `event` applied (the event must be the next one of its aggregate)."""
        key = event.originator_id
        version = event.originator_version
        cached = self._items.pop(key, None)
        if version == 1:
            aggregate = event.mutate(None)
        else:
            if cached is None or cached.version != version - 1:
                cached = self.app.repository.get(key, version=version - 1)
            aggregate = event.mutate(cached)
        self._items[key] = aggregate
        if len(self._items) > self.size:
            self._items.popitem(last=False)
        return aggregate

    def forget(self) -> None:
        self._items.clear()
