"""The audit log reads only events' headers (Projection.headers; issue: read side at scale): read alone, as a
rebuild or a worker of its own reads it, the log is not decoded into event classes. On SQLite and
PostgreSQL, for a log holding a demo book, one event of every class the domain defines (with metadata absent,
the widest accepted values, and text of every script) and one stored at the older version of each class the book has with two, the rows
read from headers are the rows read from decoded events, and only the events that must be decoded whole (an
erasure, an older version an upcaster reads) were."""

from __future__ import annotations

from typing import Any, cast

from eventsourcing.persistence import Notification

from application.commands.customers import register_individual
from domain.topics import event_classes
from interface.bootstrap import Services
from interface.demo_cli import run_demo
from projections.audit_log import AuditLogProjection
from projections.base import Batch
from projections.log_slice import DECODED_WHOLE, Header, header_reader, read_slice
from tests.builders.common import ctx, individual
from tests.builders.registers import every_row
from tests.builders.stored import WIDE, at_version_1, one_of_each


class Rows:
    """Collects what a projection appends (all the audit log does with its batch)."""

    def __init__(self) -> None:
        self.rows: list[dict[str, Any]] = []

    def append(self, _table: Any, row: dict[str, Any]) -> None:
        self.rows.append(row)

    def after(self, _step: Any) -> None:
        """(The marks a flush would write: none here.)"""


def audit_rows(services: Services, *, headers: bool) -> tuple[list[dict[str, Any]], list[Any]]:
    app = services.app
    read = read_slice(app, 0, services.read_side.head(), None, personal=False, headers=headers)
    assert read.undecodable is None
    collected, projection = Rows(), AuditLogProjection()
    for event, position in read.events:
        projection.apply(event, position, cast(Batch, collected))
    return collected.rows, [event for event, _ in read.events]


def test_the_audit_log_read_from_headers_is_the_one_read_from_decoded_events(services: Services) -> None:
    run_demo(services, customers=6, years=1, seed=5, activity=6.0)  # (a book holding events of every versioned class)
    classes = event_classes()
    mapper = services.app.mapper
    synthetic = [mapper.to_stored_event(one_of_each(cls, meta)) for cls in classes for meta in (None, WIDE)]
    versioned = {cls.TOPIC for cls in classes if getattr(cls, "class_version", 1) > 1}
    book = {n.topic: n for n in services.app.recorder.select_notifications(start=1, limit=100_000)}
    older = [at_version_1(mapper, book[topic]) for topic in sorted(versioned & set(book))]
    services.app.recorder.insert_events([*synthetic, *older])

    from_decoded, decoded = audit_rows(services, headers=False)
    from_headers, read = audit_rows(services, headers=True)

    assert from_headers == from_decoded
    assert len(from_headers) == services.read_side.head() > 2 * len(classes)
    assert not any(isinstance(e, Header) for e in decoded)
    whole = [type(e).TOPIC for e in read if not isinstance(e, Header)]
    assert set(whole) <= DECODED_WHOLE | versioned and older and len(whole) >= len(older)  # upcast: decoded whole
    assert {e.topic for e in read if isinstance(e, Header)} == {cls.TOPIC for cls in classes} - DECODED_WHOLE


def test_read_alone_the_audit_log_decodes_only_what_must_be_decoded_whole(services: Services) -> None:
    run_demo(services, customers=4, years=1, seed=4, activity=6.0)
    live = every_row(services.read_side)
    decoded: list[str] = []
    mapper = services.app.mapper
    for method in ("to_domain_event", "to_sealed_domain_event"):  # with its seals opened, or not

        def counting(notification: Any, decode: Any = getattr(mapper, method)) -> Any:
            decoded.append(notification.topic)
            return decode(notification)

        setattr(mapper, method, counting)
    services.read_side.rebuild(["audit_log"])

    assert set(decoded) <= DECODED_WHOLE
    assert every_row(services.read_side) == live


def test_a_body_not_of_the_transcoders_shape_is_read_as_the_mapper_reads_it_not_faulted(services: Services) -> None:
    """The time's object carries one more member: the ends of the body cannot be trusted, so the reader of
    headers gives what the mapper gives (here it decodes) instead of failing on the time."""
    register_individual(services.app, ctx(), **individual(1))
    stored = services.app.recorder.select_notifications(start=1, limit=10)[-1]
    odd = stored.state.replace(b'"},', b'","note":"x"},', 1)
    assert odd != stored.state
    notification = Notification(
        id=stored.id,
        originator_id=stored.originator_id,
        originator_version=stored.originator_version,
        topic=stored.topic,
        state=odd,
    )

    read = header_reader(services.app)(notification)

    assert not isinstance(read, Header)
    assert vars(read) == vars(services.app.mapper.to_domain_event(notification))
