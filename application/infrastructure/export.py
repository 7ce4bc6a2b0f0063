"""Exporting a stretch of the event log as an audit package (SPEC §9 Export), in constant memory.

The package format and its offline verifier are in `application.infrastructure.audit_package`. Here the ZIP is
written into an unseekable sink and its bytes are handed on after every batch of events, so a month
of history goes to a file or an HTTP response without ever being held whole. The export writes what
is stored, links included, without judging it: a log changed behind the application's back gives a
package that fails verification at the event that was changed.
"""

from __future__ import annotations

import base64
import hashlib
import zipfile
from collections.abc import Callable, Generator, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, BinaryIO, TypeVar

from application.infrastructure.audit_package import (
    EVENTS,
    FORMAT,
    MANIFEST,
    line_bytes,
    manifest_bytes,
    readable,
    seal,
)
from application.infrastructure.chain import GENESIS, Link, StoredRow, canonical_id
from domain import clock
from domain.identifiers import CHINA_TZ

BATCH = 1000
TIMEZONE = "Asia/Shanghai (UTC+08:00)"
CHAIN_RULE = (
    "content = SHA-256(originator_id \\x1f version \\x1f topic \\x1f state bytes); "
    "hash = SHA-256(previous hash \\x1f position \\x1f content), hex; the first previous is 64 zeros"
)

T = TypeVar("T")


class RangeError(ValueError):
    """A range that cannot be exported; `field` names the parameter at fault."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


@dataclass(frozen=True)
class Selection:
    """The stretch of the log a package holds (empty when to < from), and how it was asked for."""

    from_position: int
    to_position: int
    asked: dict[str, Any] = field(default_factory=dict)


def select_range(
    head: int,
    position_at: Callable[[datetime], int],
    *,
    from_day: date | None = None,
    to_day: date | None = None,
    from_position: int | None = None,
    to_position: int | None = None,
) -> Selection:
    """Positions for a range of days (inclusive, China time) or of positions (inclusive).

    A day range maps to the log as it stood when the first day began and when the last day ended:
    `position_at(moment)` is the last position recorded at or before a moment (the audit_log read
    table answers it). The end never passes `head`, so asking again later gives the same package.
    """
    if from_day is not None and from_position is not None:
        raise RangeError("from", "give the start as a date or as a position, not both")
    if to_day is not None and to_position is not None:
        raise RangeError("to", "give the end as a date or as a position, not both")
    for name, value in (("from_position", from_position), ("to_position", to_position)):
        if value is not None and value < 1:
            raise RangeError(name, f"{name} must be a log position (1 or more)")
    if from_day is not None and to_day is not None and from_day > to_day:
        raise RangeError("to", "the end date is before the start date")
    if from_position is not None and to_position is not None and from_position > to_position:
        raise RangeError("to_position", "the end position is before the start position")
    start, end, asked = from_position or 1, head if to_position is None else to_position, dict[str, Any]()
    if from_day is not None:
        begins = datetime.combine(from_day, time.min, CHINA_TZ)
        start = position_at(begins - timedelta(microseconds=1)) + 1
        asked.update(from_date=from_day.isoformat(), recorded_from=_utc(begins))
    if to_day is not None:
        ends = datetime.combine(to_day + timedelta(days=1), time.min, CHINA_TZ)
        end = position_at(ends - timedelta(microseconds=1))
        asked.update(to_date=to_day.isoformat(), recorded_before=_utc(ends))
    if from_day is not None or to_day is not None:
        asked["timezone"] = TIMEZONE
    asked.update({k: v for k, v in (("from_position", from_position), ("to_position", to_position)) if v})
    return Selection(start, min(end, head), asked)


def describe_source(database_url: str) -> str:
    """Where the events came from, without credentials."""
    scheme, sep, rest = database_url.partition("://")
    authority, slash, path = rest.partition("/")
    return f"{scheme}{sep}{authority.rpartition('@')[2]}{slash}{path.partition('?')[0]}"


def write_package(
    recorder: Any, out: BinaryIO, selection: Selection, *, source: str, progress: Callable[[int], object] | None = None
) -> dict[str, Any]:
    """Write the package to `out`; return its manifest."""
    chunks = package_chunks(recorder, selection, source=source, progress=progress)
    while True:
        try:
            out.write(next(chunks))
        except StopIteration as done:
            manifest: dict[str, Any] = done.value
            return manifest


def package_chunks(
    recorder: Any, selection: Selection, *, source: str, progress: Callable[[int], object] | None = None
) -> Generator[bytes, None, dict[str, Any]]:
    """The package's bytes, a batch of events at a time; the generator returns the manifest."""
    sink, tally = _Sink(), _Tally()
    before = _link_before(recorder, selection.from_position)
    previous = (before.position, before.hash) if before else (0, GENESIS)
    tally.head = previous[1]
    with zipfile.ZipFile(sink, "w", compression=zipfile.ZIP_DEFLATED) as package:
        with package.open(EVENTS, "w", force_zip64=True) as member:
            for position, event, link in _entries(recorder, selection.from_position, selection.to_position):
                raw = line_bytes(_line(position, event, link))
                member.write(raw)
                tally.add(raw, position, event, link)
                if progress is not None:
                    progress(1)
                if tally.events % BATCH == 0:
                    yield sink.take()
        manifest = {
            "format": FORMAT,
            "created_at": _utc(clock.now()),
            "source": source,
            "range": {
                "from_position": selection.from_position,
                "to_position": selection.to_position,
                "asked": selection.asked,
            },
            "counts": {"events": tally.events, "topics": tally.topics},
            "first_position": tally.first,
            "last_position": tally.last,
            "chain": {
                "rule": CHAIN_RULE,
                "previous_position": previous[0],
                "previous_hash": previous[1],
                "head": tally.head,
            },
            "files": {EVENTS: {"sha256": tally.sha.hexdigest(), "bytes": tally.size}},
        }
        manifest["seal"] = seal(manifest)
        package.writestr(MANIFEST, manifest_bytes(manifest))
    yield sink.take()
    return manifest


@dataclass
class _Tally:
    """What the manifest says about events.jsonl, gathered while it is written."""

    sha: Any = field(default_factory=hashlib.sha256)
    size: int = 0
    events: int = 0
    topics: dict[str, int] = field(default_factory=dict)
    first: int | None = None
    last: int | None = None
    head: str = GENESIS

    def add(self, raw: bytes, position: int, event: StoredRow | None, link: Link | None) -> None:
        self.sha.update(raw)
        self.size += len(raw)
        self.events += 1
        self.first = position if self.first is None else self.first
        self.last = position
        if event is not None:
            self.topics[event[3]] = self.topics.get(event[3], 0) + 1
        if link is not None:
            self.head = link.hash


class _Sink:
    """An unseekable file for zipfile to write into; `take()` hands on what was written so far."""

    def __init__(self) -> None:
        self._buffer = bytearray()

    def write(self, data: bytes, /) -> int:
        self._buffer += data
        return len(data)

    def flush(self) -> None:
        pass

    def close(self) -> None:
        pass

    def take(self) -> bytes:
        data = bytes(self._buffer)
        self._buffer.clear()
        return data


def _line(position: int, event: StoredRow | None, link: Link | None) -> dict[str, Any]:
    """An events.jsonl entry: the exact stored bytes (base64) that are hashed, and a readable copy."""
    state = event[4] if event else None
    return {
        "position": position,
        "originator_id": canonical_id(event[1]) if event else None,
        "version": event[2] if event else None,
        "topic": event[3] if event else None,
        "state": base64.b64encode(state).decode() if state is not None else None,
        "data": readable(state) if state is not None else None,
        "link": {"content": link.content, "hash": link.hash} if link else None,
    }


def _entries(recorder: Any, start: int, end: int) -> Iterator[tuple[int, StoredRow | None, Link | None]]:
    """Stored events and their links side by side in position order (either may be missing)."""
    events = _paged(recorder.select_stored, lambda r: r[0], start, end)
    links = _paged(recorder.select_links, lambda link: link.position, start, end)
    event, link = next(events, None), next(links, None)
    while event is not None or link is not None:
        if link is None or (event is not None and event[0] < link.position):
            assert event is not None
            yield event[0], _stored(event), None
            event = next(events, None)
        elif event is None or link.position < event[0]:
            yield link.position, None, link
            link = next(links, None)
        else:
            yield event[0], _stored(event), link
            event, link = next(events, None), next(links, None)


def _paged(select: Callable[[int, int], list[T]], key: Callable[[T], int], start: int, end: int) -> Iterator[T]:
    while start <= end:
        batch = select(start, BATCH)
        for row in batch:
            if key(row) > end:
                return
            yield row
        if len(batch) < BATCH:
            return
        start = key(batch[-1]) + 1


def _stored(row: Any) -> StoredRow:
    state = row[4].encode() if isinstance(row[4], str) else bytes(row[4])  # edited by hand as text
    return (row[0], row[1], row[2], row[3], state)


def _link_before(recorder: Any, position: int) -> Link | None:
    """The last link before `position`; positions can have gaps (PostgreSQL), so look back doubling."""
    window = 1
    while position > 1:
        start = max(1, position - window)
        found: list[Link] = [
            link for link in recorder.select_links(start, position - start) if link.position < position
        ]
        if found:
            return found[-1]
        if start == 1:
            return None
        window *= 2
    return None


def _utc(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat()
