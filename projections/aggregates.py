"""Aggregate state for projections, so registers derive their rows from the domain's own logic.

A projection that needs an aggregate's full state (a policy's status, schedule, clocks) asks this
cache to apply each event to the aggregate it belongs to, exactly as the write side would replay
it. Aggregates are kept in memory (most recently used); on a miss, or when the cached copy is not
exactly one version behind the event (a batch rolled back, another runner went ahead), the
aggregate is read from the event store at the version before the event. Projections applied
together may share one cache (`shared_cache`): the first to see an event moves the aggregate on,
the others find it already at that version.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable
from typing import Any
from uuid import UUID
from weakref import WeakKeyDictionary

from eventsourcing.application import Application
from eventsourcing.domain import Aggregate

from application.loading import reconstruct


class AggregateCache:
    """The state of each aggregate just after the latest event applied to it."""

    def __init__(self, app: Application[UUID], size: int = 20_000) -> None:
        self.app = app
        self.size = size
        self._items: OrderedDict[UUID, Aggregate] = OrderedDict()

    def apply(self, event: Any, before: Callable[[Aggregate | None], Any] | None = None) -> Aggregate:
        """The aggregate with `event` applied (the event must be the next one of its aggregate).

        `before`, if given, is shown the aggregate just before the event (None before the first),
        while it is still in that state (applying the event changes it in place).
        """
        key = event.originator_id
        version = event.originator_version
        cached = self._items.pop(key, None)
        if cached is not None and cached.version == version and before is None:
            self._items[key] = cached  # a projection sharing this cache applied it already
            return cached
        if version == 1:
            cached = None
        elif cached is None or cached.version != version - 1:
            cached = reconstruct(self.app, key, version - 1)
        if before is not None:
            before(cached)
        aggregate: Aggregate = event.mutate(cached)
        self._items[key] = aggregate
        if len(self._items) > self.size:
            self._items.popitem(last=False)
        return aggregate

    def forget(self) -> None:
        self._items.clear()


_shared: WeakKeyDictionary[Application[UUID], dict[str, AggregateCache]] = WeakKeyDictionary()


def shared_cache(app: Application[UUID], kind: str, size: int) -> AggregateCache:
    """One cache of `kind` aggregates for every projection of `app` that asks for it: projections
    applied together (ReadSide) move each aggregate on once, and keep one copy of it."""
    caches = _shared.setdefault(app, {})
    if kind not in caches:
        caches[kind] = AggregateCache(app, size)
    return caches[kind]
