"""Verifying the event log's hash chain in constant memory, and its digest (SPEC §9)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

from application.infrastructure.chain import GENESIS, Digest, Link, StoredRow, Verification, verify

BATCH = 1000


def _events(recorder: Any) -> Iterator[StoredRow]:
    start = 1
    while True:
        batch = recorder.select_stored(start, BATCH)
        for position, originator_id, version, topic, state in batch:
            if isinstance(state, str):  # edited by hand as text
                state = state.encode()
            yield (position, originator_id, version, topic, bytes(state))
        if len(batch) < BATCH:
            return
        start = batch[-1][0] + 1


def _links(recorder: Any) -> Iterator[Link]:
    start = 1
    while True:
        batch = recorder.select_links(start, BATCH)
        yield from batch
        if len(batch) < BATCH:
            return
        start = batch[-1].position + 1


def verify_log(
    recorder: Any, against: Digest | None = None, progress: Callable[[int], object] | None = None
) -> Verification:
    """Recompute the whole chain from the stored events; name the first place it breaks."""
    return verify(_events(recorder), _links(recorder), recorder.content_owner, against, progress)


def digest(recorder: Any) -> Digest:
    """The chain head as stored now (`verify_log` checks that it follows from the events)."""
    last, count = recorder.chain_head()
    return Digest(0, GENESIS, 0) if last is None else Digest(last.position, last.hash, count)
