"""One read of the log for a group of projections: the events decoded, and how far the read went.

A projection that reads only some topics (Projection.handles) decodes only those events of the batch: its
position moves to the end of the batch even where the batch held none of its events.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID

from eventsourcing.persistence import Notification

from application.infrastructure.personal import ENVELOPE
from domain.topics import event_classes
from projections.event_log import EventLog
from projections.faults import describe

log = logging.getLogger("projections.runner")


@dataclass(frozen=True)
class EventUndecodable:
    """The first event of a batch that could not be decoded."""

    position: int
    error: str


@dataclass(frozen=True)
class Slice:
    """One read of the log: the events decoded with their positions, the position read up to (past the
    events of topics not read), how many events of the log that covers, and the first event that could
    not be decoded."""

    events: list[tuple[Any, int]]
    end: int
    covered: int
    undecodable: EventUndecodable | None = None


@dataclass(frozen=True, slots=True)
class Header:
    """An event as a reader of headers sees it (Projection.headers): its topic, aggregate, version, time
    and metadata, read from the stored record without decoding its body into the event's class."""

    topic: str
    originator_id: UUID
    originator_version: int
    timestamp: datetime
    meta: dict[str, Any]


#: Decoded whole even for a reader of headers: reading it makes a process forget the key it shreds.
DECODED_WHOLE = frozenset({"inscribe.customer.PersonalDataErased.v1"})


#: How the transcoder writes a body's first member (the event's time) and its metadata's key.
_MOMENT = b'{"timestamp":{"_type_":"datetime_iso","_data_":"'
_META = b'"meta":'
#: What may follow the metadata: the envelope of the sealed personal fields (application.infrastructure.personal),
#: then the version of a class that has more than one (eventsourcing's upcasting).
_SEALS = f',"{ENVELOPE}":'
_VERSION = ',"class_version":'
_JSON = json.JSONDecoder()


def _ends(state: bytes) -> tuple[str, Any, int] | None:
    """The time, the metadata and the class version of a stored body, read from its two ends: its first
    member (the time) and its last ones (the metadata, then the seals and the version where there are;
    metadata absent: None; version absent: 1), without parsing what lies between. None when the body does
    not have that shape (it is then parsed whole). A `"meta":` in the bytes is a key (inside a JSON string
    a quote is escaped), and the body's own when nothing but the seals and the version follow its object."""
    if not state.startswith(_MOMENT):
        return None
    end = state.find(b'"}', len(_MOMENT))
    if end < 0:
        return None
    moment, at = state[len(_MOMENT) : end].decode(), state.rfind(_META)
    if at < 0:
        return (moment, None, 1) if _VERSION.encode() not in state else None
    tail = state[at + len(_META) :].decode()
    meta, stop = _JSON.raw_decode(tail)
    version = 1
    if tail.startswith(_SEALS, stop):
        stop = _JSON.raw_decode(tail, stop + len(_SEALS))[1]
    if tail.startswith(_VERSION, stop):
        version, stop = _JSON.raw_decode(tail, stop + len(_VERSION))
    return (moment, meta, version) if tail[stop:] == "}" else None


def header_reader(app: EventLog) -> Callable[[Notification], Any]:
    """Read a stored event's header only: its time and metadata (`_ends`, or the body parsed without the
    transcoder's types), nothing deciphered. An event of a topic this process does not know, one that makes
    the process forget a key, one stored at an older version of its class (an upcaster may change any
    field), or one whose metadata or time is not plain, is decoded whole as any reader would (and faults
    the reader where it cannot be)."""
    whole = app.mapper.to_domain_event
    versions = class_versions()

    def header(n: Notification) -> Header | None:
        ends = _ends(n.state)
        if ends is None:
            state = json.loads(n.state)
            stamp = state.get("timestamp")
            if not isinstance(stamp, dict) or stamp.get("_type_") != "datetime_iso":
                return None
            ends = stamp["_data_"], state.get("meta"), state.get("class_version", 1)
        moment, meta, version = ends
        plain = isinstance(meta, dict | None) and not any(isinstance(v, dict | list) for v in (meta or {}).values())
        if not plain or version != versions[n.topic]:
            return None
        aggregate = n.originator_id if isinstance(n.originator_id, UUID) else UUID(n.originator_id)
        return Header(n.topic, aggregate, n.originator_version, datetime.fromisoformat(moment), meta or {})

    def read(n: Notification) -> Any:
        if n.topic not in versions or n.topic in DECODED_WHOLE:
            return whole(n)
        try:
            found = header(n)
        except ValueError:  # not the shape the transcoder writes: the mapper decides (and faults where it must)
            found = None
        return whole(n) if found is None else found

    return read


def class_versions() -> dict[str, int]:
    """Every topic this process can decode (domain.topics) with its class's version, read once."""
    global _VERSIONS
    if _VERSIONS is None:
        _VERSIONS = {cls.TOPIC: getattr(cls, "class_version", 1) for cls in event_classes()}
    return _VERSIONS


def known_topics() -> frozenset[str]:
    """Every topic this process can decode (domain.topics), read once."""
    global _KNOWN
    if _KNOWN is None:
        _KNOWN = frozenset(class_versions())
    return _KNOWN


_VERSIONS: dict[str, int] | None = None
_KNOWN: frozenset[str] | None = None


def prefetch(app: EventLog, notifications: Sequence[Notification]) -> None:
    """Have the mapper read at once the keys these events' sealed fields need, where it can."""
    ahead = getattr(app.mapper, "prefetch", None)
    if ahead is not None and notifications:
        ahead(notifications)


def read_slice(
    app: EventLog,
    start: int,
    limit: int,
    topics: frozenset[str] | None,
    *,
    personal: bool = True,
    headers: bool = False,
) -> Slice:
    """The next `limit` events of the log after `start`, decoded, with their positions; decoding stops at
    the first event that cannot be decoded (the events before it can still be applied). With `topics`,
    only the events of those topics are decoded (and deciphered), and those of a topic this process does
    not know: such an event may be one the projection would read, so it faults the projection as it
    faults every other, rather than be passed over. Without `personal` (no projection reading the slice
    shows sealed personal fields) events are decoded with their seals unopened, where the mapper can. With
    `headers` (every projection reading the slice reads only headers) each event is a `Header`, where it
    can be (header_reader)."""
    notifications = app.recorder.select_notifications(start=start + 1, limit=limit)
    end = notifications[-1].id if notifications else start
    known = known_topics() if topics is not None else frozenset()
    wanted = [n for n in notifications if topics is None or n.topic in topics or n.topic not in known]
    decode = getattr(app.mapper, "to_sealed_domain_event", None) if not personal else None
    if headers:
        decode = header_reader(app)
    elif decode is None:
        decode = app.mapper.to_domain_event
        prefetch(app, wanted)
    events: list[tuple[Any, int]] = []
    for covered, n in enumerate(notifications):
        if topics is not None and n.topic not in topics and n.topic in known:
            continue
        try:
            events.append((decode(n), n.id))
        except Exception as e:
            log.exception("event at position %s (topic %s) cannot be decoded", n.id, n.topic)
            return Slice(events, max(start, n.id - 1), covered, EventUndecodable(n.id, describe(e)))
    return Slice(events, end, len(notifications))
