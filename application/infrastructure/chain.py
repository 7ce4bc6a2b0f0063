"""The hash chain over the event log (SPEC §9): tamper evidence an auditor can check without us.

Each stored event has a link: `content` = SHA-256 of its own stored fields (aggregate id, version,
topic, stored state bytes), and `hash` = SHA-256 of the previous link's hash, its position and this
content. The links are written in the same transaction as the events, in log order. Verifying
recomputes every link from the stored events; the first position where the stored rows and the
recomputation disagree is named, with what happened there: changed, removed, inserted or reordered.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Literal
from uuid import UUID

GENESIS = "0" * 64


@dataclass(frozen=True)
class Link:
    position: int
    content: str
    hash: str


@dataclass(frozen=True)
class Digest:
    """The chain head an auditor keeps: the last position and its hash (and how many links)."""

    position: int
    hash: str
    count: int

    def as_text(self) -> str:
        return f"{self.position}:{self.hash}"

    @classmethod
    def parse(cls, text: str) -> Digest:
        position, _, digest = text.strip().partition(":")
        if not position.isdigit() or len(digest) != 64:
            raise ValueError("a digest looks like POSITION:HASH (64 hex characters)")
        return cls(int(position), digest.lower(), -1)


@dataclass(frozen=True)
class Finding:
    """Where verification failed first, and how."""

    position: int
    problem: Literal["changed", "removed", "inserted", "reordered", "digest-mismatch"]
    detail: str


@dataclass(frozen=True)
class Verification:
    ok: bool
    checked: int
    head: Digest
    finding: Finding | None = None


def canonical_id(originator_id: UUID | str) -> str:
    """An aggregate id as text the same way on both databases (SQLite stores UUIDs as hex)."""
    if isinstance(originator_id, UUID):
        return str(originator_id)
    try:
        return str(UUID(str(originator_id)))
    except ValueError:
        return str(originator_id)


def content_hash(originator_id: UUID | str, version: int, topic: str, state: bytes) -> str:
    """The digest of one stored event's own fields (where it stands in the log is in its link)."""
    h = hashlib.sha256()
    h.update(f"{canonical_id(originator_id)}\x1f{version}\x1f{topic}\x1f".encode())
    h.update(state)
    return h.hexdigest()


def link_hash(previous: str, position: int, content: str) -> str:
    return hashlib.sha256(f"{previous}\x1f{position}\x1f{content}".encode()).hexdigest()


def links_for(previous: str, events: Iterable[tuple[int, UUID | str, int, str, bytes]]) -> list[Link]:
    """The links of newly written events, continuing from the previous hash."""
    links = []
    for position, originator_id, version, topic, state in events:
        content = content_hash(originator_id, version, topic, state)
        previous = link_hash(previous, position, content)
        links.append(Link(position, content, previous))
    return links


StoredRow = tuple[int, UUID | str, int, str, bytes]


def verify(
    events: Iterator[StoredRow],
    links: Iterator[Link],
    content_owner: Callable[[str], int | None],
    against: Digest | None = None,
    progress: Callable[[int], object] | None = None,
) -> Verification:
    """Walk the events and the stored links together, in position order, in constant memory.

    `content_owner(content)` tells at which position a content digest was stored, so an event moved
    to another position is named "reordered" rather than "changed".
    """
    previous, checked, head = GENESIS, 0, Digest(0, GENESIS, 0)
    event, link = next(events, None), next(links, None)
    while event is not None or link is not None:
        if link is None or (event is not None and event[0] < link.position):
            assert event is not None
            return _fail(
                checked,
                head,
                event[0],
                "inserted",
                "a stored event has no link: it was written behind the application's back",
            )
        if event is None or link.position < event[0]:
            return _fail(checked, head, link.position, "removed", "a linked event is no longer stored")
        content = content_hash(*event[1:])
        if content != link.content:
            owner = content_owner(content)
            if owner is not None and owner != event[0]:
                return _fail(
                    checked, head, event[0], "reordered", f"this event's content was linked at position {owner}"
                )
            return _fail(checked, head, event[0], "changed", "the stored event differs from what was linked")
        expected = link_hash(previous, event[0], content)
        if expected != link.hash:
            return _fail(checked, head, event[0], "changed", "the link's hash does not follow from the chain")
        previous = expected
        checked += 1
        head = Digest(event[0], expected, checked)
        if against is not None and event[0] == against.position and expected != against.hash:
            return _fail(
                checked,
                head,
                event[0],
                "digest-mismatch",
                "the chain no longer passes through the digest the auditor kept",
            )
        if progress is not None:
            progress(1)
        event, link = next(events, None), next(links, None)
    if against is not None and against.position > head.position:
        return _fail(checked, head, against.position, "removed", "the log ends before the digest's position")
    return Verification(True, checked, head)


def _fail(checked: int, head: Digest, position: int, problem: str, detail: str) -> Verification:
    return Verification(False, checked, head, Finding(position, problem, detail))  # type: ignore[arg-type]
