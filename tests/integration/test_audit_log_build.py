"""The audit log rebuilt by the database (projections.audit_log_build; issue: read side at scale). On SQLite
and PostgreSQL, for a log holding a demo book, one event of every class the domain defines with metadata
absent, at its widest and with moments in every form the transcoder or a client may give, and one stored at
the older version of each class the book has with two: the rebuilt register is row for row the one the
projection wrote event by event, and Python read only the events the statement leaves to it. A statement
that fails leaves the log's order to build it; a database that does not hold the log, Python."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, cast

import pytest
from sqlalchemy import Index, inspect

from domain.topics import event_classes
from interface.bootstrap import Services
from interface.demo_cli import run_demo
from projections import audit_log as audit_log_module
from projections import audit_log_build
from projections.audit_log import AUDIT_LOG, AuditLogProjection, audit_log
from projections.log_slice import DECODED_WHOLE
from projections.register import Paging
from tests.builders.registers import every_row
from tests.builders.stored import WIDE, at_version_1, one_of_each

#: Metadata the statement reads, and what it leaves to Python: moments not in the forms `isoformat` writes
#: (a fraction not of six digits, an offset with seconds).
PLAIN = (
    None,
    WIDE,
    {"actor_id": "no moments"},
    {**WIDE, "recorded_at": "2026-02-17T03:04:05Z", "effective_at": None},
    {**WIDE, "recorded_at": "2026-02-17T11:04:05.123456+08:00", "effective_at": "2026-02-16T23:59:59-05:30"},
)
ODD = ({**WIDE, "recorded_at": "2026-02-17T03:04:05.5+00:00"}, {**WIDE, "effective_at": "2026-02-17T03:04:05+01:00:30"})


def indexes(services: Services) -> set[str]:
    """The names of the live audit log's indexes (the register's own, besides its primary key)."""
    return {str(index["name"]) for index in inspect(services.read_side.engine).get_indexes("audit_log")}


def every_kind_of_event(services: Services) -> list[int]:
    """A demo book, then events of every class with each metadata, then older versions: the positions of
    those the statement leaves to Python (odd metadata, older versions and erasures)."""
    run_demo(services, customers=5, years=1, seed=5, activity=6.0)
    app, classes = services.app, event_classes()
    versioned = {cls.TOPIC for cls in classes if getattr(cls, "class_version", 1) > 1}
    book = {n.topic: n for n in app.recorder.select_notifications(start=1, limit=100_000)}
    plain = [app.mapper.to_stored_event(one_of_each(cls, meta)) for cls in classes for meta in PLAIN]
    odd = [app.mapper.to_stored_event(one_of_each(cls, meta)) for cls in classes for meta in ODD]
    older = [at_version_1(app.mapper, book[topic]) for topic in sorted(versioned & set(book))]
    app.recorder.insert_events(plain)
    odd_at, older_at = (list(app.recorder.insert_events(events) or ()) for events in (odd, older))
    erasures = [n.id for n in app.recorder.select_notifications(start=1, limit=1_000_000) if n.topic in DECODED_WHOLE]
    assert older_at and erasures and len(odd_at) == len(ODD) * len(classes)
    services.read_side.catch_up(["audit_log"])
    return [*odd_at, *older_at, *erasures]


def applied_by_python(monkeypatch: pytest.MonkeyPatch, fail_first: bool = False) -> list[int]:
    """The positions the audit log's projection applies from now on (the first fails when `fail_first`)."""
    applied: list[int] = []
    apply = AuditLogProjection.apply

    def counting(self: AuditLogProjection, event: Any, position: int, batch: Any) -> None:
        applied.append(position)
        if fail_first and len(applied) == 1:
            raise RuntimeError("a failing handler")
        apply(self, event, position, batch)

    monkeypatch.setattr(AuditLogProjection, "apply", counting)
    return applied


def test_rebuilt_by_the_database_the_audit_log_is_the_one_the_projection_wrote(
    services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    left_to_python = every_kind_of_event(services)
    live = every_row(services.read_side)["audit_log"]
    by_python = applied_by_python(monkeypatch)

    services.read_side.rebuild(["audit_log"])

    assert every_row(services.read_side)["audit_log"] == live
    assert len(live) == services.read_side.head()
    assert len(by_python) == len(set(by_python)) and set(by_python) == set(left_to_python)
    assert indexes(services) == {str(index.name) for index in audit_log.indexes}  # made again once written


def test_a_statement_that_fails_leaves_the_logs_order_to_build_it(
    services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    every_kind_of_event(services)
    live = every_row(services.read_side)["audit_log"]
    monkeypatch.setattr(services.read_side, "batch_size", 10)  # what was written before the failure is emptied
    by_python = applied_by_python(monkeypatch, fail_first=True)

    services.read_side.rebuild(["audit_log"])

    assert every_row(services.read_side)["audit_log"] == live
    assert len(by_python) == 1 + services.read_side.head()  # the failure, then every event in log order
    assert indexes(services) == {str(index.name) for index in audit_log.indexes}


def test_a_database_that_does_not_hold_the_log_leaves_it_to_python(
    services: Services, monkeypatch: pytest.MonkeyPatch, tmp_path: Any
) -> None:
    """While the statement is prepared, the log is elsewhere: another schema (PostgreSQL), a file that is
    not there (SQLite, which an ATTACH would have made)."""
    run_demo(services, customers=2, years=1, seed=6, activity=4.0)
    live = every_row(services.read_side)["audit_log"]
    datastore = cast(Any, services.app.recorder).datastore
    if services.read_side.engine.dialect.name == "postgresql":
        where, name, value = datastore, "schema", "elsewhere"
    else:
        where, name, value = datastore.pool, "db_name", str(tmp_path / "elsewhere.sqlite")
    prepare = audit_log_build._events_table

    @contextmanager
    def elsewhere(read_side: Any, conn: Any) -> Iterator[str]:
        with monkeypatch.context() as patch:
            patch.setattr(where, name, value)
            with prepare(read_side, conn) as table:
                yield table

    monkeypatch.setattr(audit_log_build, "_events_table", elsewhere)
    by_python = applied_by_python(monkeypatch)

    services.read_side.rebuild(["audit_log"])

    assert every_row(services.read_side)["audit_log"] == live
    assert len(by_python) == services.read_side.head() == len(live)
    assert not (tmp_path / "elsewhere.sqlite").exists()


def test_indexes_lost_with_a_failing_build_are_made_before_the_register_is_switched_in(
    services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Making the indexes again fails (a lost connection): the log's order builds the register, and the
    indexes are made before it is switched in."""
    run_demo(services, customers=2, years=1, seed=7, activity=4.0)
    live = every_row(services.read_side)["audit_log"]
    create, calls = Index.create, []

    def failing_once(self: Index, bind: Any, checkfirst: bool = False) -> None:
        calls.append(self.name)
        if len(calls) == 1:
            raise RuntimeError("the connection was lost")
        create(self, bind, checkfirst=checkfirst)

    monkeypatch.setattr(Index, "create", failing_once)

    services.read_side.rebuild(["audit_log"])

    assert every_row(services.read_side)["audit_log"] == live
    assert len(calls) > len(audit_log.indexes)  # the failure, then each made again
    assert indexes(services) == {str(index.name) for index in audit_log.indexes}


def test_the_audit_logs_total_as_of_every_position_is_counted_from_marks_the_rebuild_writes_again(
    services: Services, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every 7th row marked (MARK, small): the total of the register, now and as of every position, is the count of
    its rows then; the marks rebuilt by the database, and by the log's order, are those the live projection wrote."""
    monkeypatch.setattr(audit_log_module, "MARK", 7)
    run_demo(services, customers=3, years=1, seed=5, activity=2.0)
    read = services.read_side
    head = read.head()
    live = every_row(read)
    marks = live["audit_log_marks"]
    assert [m["n"] for m in marks] == list(range(7, len(live["audit_log"]) + 1, 7))
    assert [m["position"] for m in marks] == [live["audit_log"][m["n"] - 1]["position"] for m in marks]
    with read.engine.connect() as conn:
        for position in [None, *range(head + 1)]:
            counted = sum(1 for row in live["audit_log"] if position is None or row["position"] <= position)
            assert audit_log_module.total(conn, position) == counted, position
    page = AUDIT_LOG.page(read, [], Paging(1, 5, None), head // 2)
    assert page.model_dump()["total"] == sum(1 for row in live["audit_log"] if row["position"] <= head // 2)

    read.rebuild(["audit_log"])  # by the database
    assert every_row(read) == live
    monkeypatch.setattr(audit_log_build, "build", fails)  # by the log's order
    read.rebuild(["audit_log"])
    assert every_row(read) == live


def fails(*_: Any) -> int:
    raise audit_log_build.NotInDatabase("not this time")
