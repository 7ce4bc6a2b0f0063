"""Reading an aggregate from its events, from a snapshot of a recent version where one may be used.

A policy lives for years and gathers an event for every premium, change and reminder; reading one with 150
events took about 9 ms, two thirds of it decoding and applying events. Every `SNAPSHOT_EVERY` events of a policy
(counted by version: 50, 100, …) the application stores the policy's state at that version in the
library's snapshot store (its own table beside the log: `stored_snapshots`, `inscribe_snapshots`), after
the command that reached it is recorded; a later read starts from the latest snapshot at or before the
version asked and applies only the events after it.

A snapshot never changes what is read:

- it is the state the events give (`take_due` reads it from the log, as `reconstruct` would, not from the
  command's copy in memory);
- it is used only by the code that took it: a snapshot carries `code_fingerprint()`, a digest of the
  domain package's source, and one taken by other code (which may apply the same events differently) is
  passed over, the events read from the first instead;
- its personal fields are sealed with the policy's key like the events' (application.infrastructure.personal);
  once that key is shredded the snapshot is passed over and the events are read, with their placeholders
  (`tests/integration/test_snapshots.py`);
- it is a copy only: a snapshot that cannot be written (a lost connection, another process that wrote it
  first) is logged and left; the command stands, and reads replay a few more events.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable, Iterable
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any
from uuid import UUID

from eventsourcing.application import Application
from eventsourcing.domain import Aggregate

import domain
from application.infrastructure.personal import policy_subject
from domain.policy.aggregate import Policy
from domain.policy.event_base import PolicySnapshot

if TYPE_CHECKING:
    from eventsourcing.persistence import Recording

log = logging.getLogger(__name__)

#: Every how many events (by version) a policy's state is kept. Only policies live that long.
SNAPSHOT_EVERY = 50
#: Policies read at a time by `refresh`.
PAGE = 1000


def replay(aggregate: Any, events: Iterable[Any]) -> Any:
    """Each event applied in turn to the aggregate (None before the first): the library's
    `project_aggregate` without its check of every event against a runtime-checkable protocol, which took
    about a third of loading a policy of 150 events. The same `mutate` calls, so the same aggregate."""
    for event in events:
        aggregate = event.mutate(aggregate)
    return aggregate


@cache
def code_fingerprint() -> str:
    """A digest of every source file of the domain package: the code that applies events."""
    root = Path(domain.__file__).parent
    digest = hashlib.sha256()
    for path in sorted(root.rglob("*.py")):
        digest.update(path.relative_to(root).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()[:32]


def usable_snapshot(app: Application[UUID], aggregate_id: UUID, version: int | None) -> PolicySnapshot | None:
    """The latest snapshot of the aggregate at or before `version` (None: the latest) that this code took,
    unless the policy's key is shredded (asked only when there is such a snapshot: the key is read once)."""
    if app.snapshots is None:
        return None
    for snapshot in app.snapshots.get(originator_id=aggregate_id, desc=True, limit=1, lte=version):
        if (
            isinstance(snapshot, PolicySnapshot)
            and snapshot.code == code_fingerprint()
            and not _erased(app, aggregate_id)
        ):
            return snapshot
    return None


def _erased(app: Application[UUID], policy_id: UUID) -> bool:
    """The policy's key shredded (its applicant erased): its events read with placeholders in the sealed
    fields' places, which a snapshot's sealed state cannot match field for field."""
    keys = getattr(app, "keys", None)
    if keys is None:
        return False
    return keys.cipher(policy_subject(policy_id)) is None  # cached as events' keys are (KeyRing)


def reconstruct(
    app: Application[UUID], aggregate_id: UUID, version: int | None = None, *, snapshots: bool = True
) -> Aggregate | None:
    """The aggregate at `version` (None: the latest) from its stored events, starting from a usable
    snapshot if there is one (`snapshots` False: an aggregate of a kind never snapshotted, so the snapshot
    store is not asked); None if it has no events up to there."""
    snapshot = usable_snapshot(app, aggregate_id, version) if snapshots else None
    start = None if snapshot is None else snapshot.mutate(None)
    after = None if snapshot is None else snapshot.originator_version
    aggregate: Aggregate | None = replay(start, app.events.get(originator_id=aggregate_id, gt=after, lte=version))
    return aggregate


def take_due(app: Application[UUID], recordings: Iterable[Recording[UUID]]) -> None:
    """Store a snapshot of each policy whose recorded events reached a multiple of SNAPSHOT_EVERY."""
    for recording in recordings:
        event = recording.domain_event
        if isinstance(event, Policy.Event) and event.originator_version % SNAPSHOT_EVERY == 0:
            take(app, event.originator_id, event.originator_version)


def take(app: Application[UUID], policy_id: UUID, version: int) -> bool:
    """Store a snapshot of the policy at `version`, read from the log; False (logged) if it cannot be."""
    if app.snapshots is None:
        return False
    try:
        policy = reconstruct(app, policy_id, version)
        if not isinstance(policy, Policy) or policy.version != version:
            return False
        snapshot = PolicySnapshot.take(policy)
        object.__setattr__(snapshot, "code", code_fingerprint())
        app.snapshots.put([snapshot])
        return True
    except Exception:
        log.warning(
            "no snapshot of %s at version %d: reads replay its events instead", policy_id, version, exc_info=True
        )
        return False


def refresh(app: Application[UUID], progress: Callable[[int], None] | None = None) -> tuple[int, int]:
    """Take the snapshot each policy of SNAPSHOT_EVERY or more events lacks at its latest multiple of
    SNAPSHOT_EVERY under the running code: after an upgrade (whose code passes over the snapshots earlier
    code took) or for policies recorded before snapshots existed. Safe to run again, and beside the API (a
    snapshot another process wrote first is left). (policies with enough events, snapshots taken)."""
    examined = taken = 0
    start: int | None = 1
    while start is not None:
        page = app.recorder.select_notifications(start, PAGE, topics=[Policy.Applied.TOPIC])
        start = page[-1].id + 1 if len(page) == PAGE else None
        for notification in page:
            policy_id = UUID(str(notification.originator_id))
            (last,) = app.recorder.select_events(policy_id, desc=True, limit=1)
            due = last.originator_version - last.originator_version % SNAPSHOT_EVERY
            if due:
                examined += 1
                held = usable_snapshot(app, policy_id, due)
                if (held is None or held.originator_version < due) and take(app, policy_id, due):
                    taken += 1
            if progress is not None:
                progress(1)
    return examined, taken
