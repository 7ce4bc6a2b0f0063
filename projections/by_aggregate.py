"""A rebuild reads the log aggregate by aggregate (SPEC §8; issue: read side at scale).

A register derived from one kind of aggregate (policies, claims, complaints, service requests, customers)
keys every row by that aggregate (or a part of it: an installment, a flag, an action), and each row's
versions depend only on that aggregate's own events and their positions. So a rebuild may take one
aggregate's whole history at a time, in version order, instead of the log's order: it then holds one batch
of aggregates, never every aggregate of the book, writes each row's versions closed (`valid_to` known, no
UPDATE), and the register comes out row for row what the log's order gives.

The events a family reads that are not its aggregate's own (a customer's erasure, read by the policy and
complaint registers) scrub every version of the rows they touch, in place; they are applied after, in log
order. Then the family's position is the log's position the pass read up to; the ordinary catch-up takes
it on from there. A log holding a topic this process does not know is rebuilt in the log's order, where
that event faults the registers as it must (projections.rebuild).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, Protocol, cast

from eventsourcing.domain import Aggregate
from eventsourcing.persistence import Notification

from projections.base import Batch, Projection, topics_of
from projections.log_slice import known_topics, prefetch

if TYPE_CHECKING:
    from projections.runner import ReadSide

log = logging.getLogger(__name__)

#: Events read from the log in one query, and applied in one transaction (cut at an aggregate's end). What a
#: rebuild holds at once: on a 132k-event book the policy registers peaked at 225 MB with 5,000, 164 MB with
#: 2,000 and 143 MB with 1,000 (109 MB before the rebuild), at rates within the machine's noise.
CHUNK = 2_000


class AggregateOrderedLog(Protocol):
    """A recorder that reads the log aggregate by aggregate (application.infrastructure.aggregate_order)."""

    def select_by_aggregate(
        self, topics: Sequence[str], up_to: int, after: tuple[Any, int] | None, limit: int
    ) -> list[Notification]: ...

    def stored_topics(self) -> set[str]: ...

    def count_up_to(self, position: int) -> int: ...


def ordered(read_side: ReadSide) -> AggregateOrderedLog:
    """The read side's recorder as one that reads aggregate by aggregate (can_rebuild_by_aggregate asks)."""
    return cast(AggregateOrderedLog, read_side.app.recorder)


def aggregate_of(projections: Sequence[Projection]) -> type[Aggregate] | None:
    """The one kind of aggregate the projections all derive their rows from, or None."""
    kinds = {p.aggregate for p in projections}
    return kinds.pop() if len(kinds) == 1 else None


def can_rebuild_by_aggregate(read_side: ReadSide, names: Sequence[str]) -> bool:
    return aggregate_of([read_side.projections[n] for n in names]) is not None and hasattr(
        read_side.app.recorder, "select_by_aggregate"
    )


def unknown_topics(read_side: ReadSide) -> set[str]:
    """The topics of the log this process cannot decode (one query; none, unless a newer version wrote)."""
    return ordered(read_side).stored_topics() - known_topics()


def rebuild_by_aggregate(
    read_side: ReadSide, names: Sequence[str], progress: Callable[[int], Any] | None = None
) -> int:
    """Rebuild the named projections (one family, empty tables) up to the log's head, aggregate by aggregate;
    the events of the log covered, summed over the projections (as `ReadSide.catch_up` counts them)."""
    projections = [read_side.projections[n] for n in names]
    kind = aggregate_of(projections)
    assert kind is not None
    head, told = read_side.head(), 0
    own = sorted(topics_of((kind.Event,)))
    recorder = ordered(read_side)
    after: tuple[Any, int] | None = None
    while True:
        notifications = recorder.select_by_aggregate(own, head, after, CHUNK)
        if not notifications:
            break
        if len(notifications) == CHUNK:  # keep the last aggregate whole for the next chunk, if it is not all
            last = notifications[-1].originator_id
            whole = [n for n in notifications if n.originator_id != last]
            notifications = whole or notifications
        after = (notifications[-1].originator_id, notifications[-1].originator_version)
        _apply(read_side, projections, notifications)
        if progress is not None:
            progress(len(notifications) * len(projections))
            told += len(notifications) * len(projections)
    cross = sorted(set().union(*(p.topics() or () for p in projections)) - set(own))
    _apply_cross(read_side, projections, cross, head)
    with read_side.writer.begin() as conn:
        for name in names:
            read_side.trackers[name].advance_in(conn, read_side.app.name, 0, head)
    covered = recorder.count_up_to(head) * len(projections)
    if progress is not None and covered > told:
        progress(covered - told)  # the events of the log it passed over
    return covered


def _apply(read_side: ReadSide, projections: Sequence[Projection], notifications: Sequence[Notification]) -> None:
    """One transaction: the events of whole aggregates, each in version order, applied to every projection."""
    prefetch(read_side.app, notifications)
    events = [(read_side.app.mapper.to_domain_event(n), n.id) for n in notifications]
    with read_side.writer.begin() as conn:
        batches = [Batch(conn) for _ in projections]
        for projection, batch in zip(projections, batches):
            projection.preload(events, batch)
        for event, position in events:
            for projection, batch in zip(projections, batches):
                projection.apply(event, position, batch)
        for batch in batches:
            batch.flush()
    for projection in projections:
        projection.forget()  # the aggregates of this chunk are done with: memory stays one chunk's


def _apply_cross(read_side: ReadSide, projections: Sequence[Projection], topics: list[str], head: int) -> None:
    """The events of other aggregates the family reads (erasures), in log order, after every row is written."""
    start = 0
    while topics and start < head:
        notifications = read_side.app.recorder.select_notifications(start + 1, CHUNK, stop=head, topics=topics)
        if not notifications:
            return
        _apply(read_side, projections, notifications)
        start = notifications[-1].id
