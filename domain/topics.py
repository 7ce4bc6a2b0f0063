"""Every stored topic the domain defines, loaded by one import.

A stored event names its class by a topic (`inscribe.policy.Lapsed.v1`) that the eventsourcing library
registers when the class is defined, so only a process that imported the defining module can decode it.
`load()` imports every module of the `domain` package; the application imports this module, and every
entry point (API, worker, command line, bench) builds the application, so every process can decode every
event ever stored. A new module, aggregate or event is covered without being listed anywhere.
"""

from __future__ import annotations

import importlib
import pkgutil
from typing import Any

from eventsourcing.domain import CanCreateTimestamp, CanSnapshotAggregate, HasOriginatorIDVersion

import domain


def load() -> list[str]:
    """Import every module of the domain package; return their names."""
    names = sorted(m.name for m in pkgutil.walk_packages(domain.__path__, domain.__name__ + "."))
    for name in names:
        importlib.import_module(name)
    return names


def event_classes() -> list[type[Any]]:
    """Every event class the domain defines with a stored topic of its own, in a stable order. Snapshots
    (`domain.policy.event_base.PolicySnapshot`) are stored apart and never in the log: not listed."""
    load()
    found: dict[str, type[Any]] = {}
    pending: list[type[Any]] = [HasOriginatorIDVersion]
    while pending:
        cls = pending.pop()
        pending.extend(cls.__subclasses__())
        topic = cls.__dict__.get("TOPIC")
        # The bases an aggregate's events share (its `Event`) are never stored: only the leaves are.
        if (
            isinstance(topic, str)
            and cls.__module__.startswith("domain.")
            and not cls.__subclasses__()
            and issubclass(cls, CanCreateTimestamp)
            and not issubclass(cls, CanSnapshotAggregate)
        ):
            found[topic] = cls
    return [found[t] for t in sorted(found)]


load()
