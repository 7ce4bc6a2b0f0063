"""Faults of the read side, tried as an operator meets them (SPEC §8 Faults), on SQLite and PostgreSQL:
an event no process can decode, a projection failing during a rebuild, a rebuild and a worker killed
with SIGKILL half-way. Command-line processes run in fresh interpreters."""

from __future__ import annotations

import json
import signal
from typing import Any
from uuid import uuid4

import pytest
from eventsourcing.persistence import StoredEvent
from sqlalchemy import text

from application.infrastructure.settings import Settings
from projections.customers import CustomersProjection
from projections.rebuild import shadow_file
from projections.status import ProjectionsFaulted
from tests.builders.customers import book
from tests.builders.processes import inscribe, shadow_left, shadow_position, snapshot, until
from tests.builders.processes import no_process_outlives_its_test as no_process_outlives_its_test


def test_an_event_no_process_can_decode_faults_the_projections_there_and_a_rebuild_changes_nothing(
    services: Any, test_settings: Settings
) -> None:
    head = book(services, 3)
    before = snapshot(services)
    stranger = StoredEvent(
        originator_id=uuid4(), originator_version=1, topic="inscribe.unknown.Happened.v1", state=b"{}"
    )
    services.app.recorder.insert_events([stranger])
    read_side = services.read_side

    read_side.process_round()  # never raised: each projection is held back at the event

    faults = read_side.faults()
    assert set(faults) == set(read_side.projections)
    assert {f.failing_position for f in faults.values()} == {head + 1}
    assert all("inscribe.unknown.Happened.v1" in f.error for f in faults.values())
    assert read_side.positions() == dict.fromkeys(read_side.projections, head)
    status = inscribe(test_settings, "projections", "status", "--json")
    out, err = status.communicate(timeout=60)
    assert status.returncode == 1, err
    assert {s["name"]: (s["state"], s["failing_position"]) for s in json.loads(out)} == dict.fromkeys(
        read_side.projections, ("faulted", head + 1)
    )

    rebuild = inscribe(test_settings, "projections", "rebuild", "customers")
    _, err = rebuild.communicate(timeout=120)

    assert rebuild.returncode == 1
    assert err.strip().splitlines()[-1].startswith("Error: rebuild failed, the registers are unchanged")
    assert snapshot(services) == before
    assert not shadow_left(services)


def test_a_projection_failing_during_a_rebuild_leaves_the_live_register_serving_and_the_next_rebuild_completes(
    services: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    head = book(services, 6)
    before = snapshot(services)
    original = CustomersProjection.apply
    logged = services.app.recorder.select_notifications(start=1, limit=head)
    failing = [n.id for n in logged if n.topic.startswith("inscribe.customer.")][-2]  # an event it reads

    def apply(self: Any, event: Any, position: int, batch: Any) -> None:
        if position == failing:
            raise RuntimeError("boom")
        original(self, event, position, batch)

    monkeypatch.setattr(CustomersProjection, "apply", apply)

    with pytest.raises(ProjectionsFaulted, match=f"customers is faulted at position {failing}"):
        services.read_side.rebuild(["customers"])

    assert snapshot(services) == before
    assert services.read_side.position("customers") == head
    assert services.read_side.faults() == {}
    assert not shadow_left(services)

    monkeypatch.undo()
    assert services.read_side.rebuild(["customers"]) == head
    assert snapshot(services) == before


def test_a_rebuild_killed_half_way_leaves_the_old_register_serving_and_the_next_one_completes(
    services: Any, test_settings: Settings
) -> None:
    head = book(services, 150)
    before = snapshot(services)
    rebuild = inscribe(test_settings, "projections", "rebuild", INSCRIBE_PROJECTION_BATCH_SIZE="1")
    until(lambda: shadow_position(services) >= 10 or rebuild.poll() is not None, 90, "the rebuild to start")

    assert rebuild.poll() is None, "the rebuild ended before it could be killed"
    rebuild.send_signal(signal.SIGKILL)
    rebuild.wait(timeout=30)
    assert 0 < shadow_position(services) < head  # killed half-way
    assert snapshot(services) == before
    assert services.read_side.positions() == dict.fromkeys(services.read_side.projections, head)

    again = inscribe(test_settings, "projections", "rebuild")
    _, err = again.communicate(timeout=300)

    assert again.returncode == 0, err
    assert snapshot(services) == before
    assert not shadow_left(services)


def test_a_worker_killed_mid_batch_resumes_where_it_stopped_and_applies_every_event_exactly_once(
    services: Any, test_settings: Settings
) -> None:
    head = book(services, 150)
    expected = snapshot(services)
    read_side = services.read_side
    with read_side.writer.begin() as conn:  # the worker starts from nothing
        for name, projection in read_side.projections.items():
            read_side.trackers[name].reset_in(conn)
            for table in reversed(projection.tables):
                conn.execute(table.delete())
    worker = inscribe(test_settings, "projections", "run", "--no-tick", INSCRIBE_PROJECTION_BATCH_SIZE="1")
    until(lambda: min(read_side.positions().values()) >= 10 or worker.poll() is not None, 90, "the worker")

    assert worker.poll() is None, worker.stderr.read() if worker.stderr else ""
    worker.send_signal(signal.SIGKILL)
    worker.wait(timeout=30)
    assert min(read_side.positions().values()) < head  # killed half-way

    worker = inscribe(test_settings, "projections", "run", "--no-tick")
    try:
        until(lambda: min(read_side.positions().values()) >= head, 120, "the restarted worker to catch up")
    finally:
        worker.terminate()
        worker.wait(timeout=30)

    assert snapshot(services) == expected


def test_processes_started_together_on_a_fresh_database_all_set_it_up(test_settings: Settings) -> None:
    """`inscribe serve` and `inscribe projections run` (here: four processes that build the product) on a
    database nobody has set up yet: the schema is created once, under a lock, and none of them fails."""
    starters = [inscribe(test_settings, "projections", "status") for _ in range(4)]

    results = [(p.wait(timeout=120), p.stderr.read() if p.stderr else "") for p in starters]

    assert [code for code, _ in results] == [0] * 4, [err[-1500:] for _, err in results]


def test_a_rebuild_while_another_holds_the_rebuild_lock_is_refused_at_once_and_changes_nothing(
    services: Any, test_settings: Settings
) -> None:
    """The lock a running rebuild holds (held here by the test itself, so no timing is involved)."""
    import fcntl

    from projections.rebuild import REBUILD_LOCK

    book(services, 3)
    before = snapshot(services)
    read_side = services.read_side
    if read_side.engine.dialect.name == "postgresql":
        holder: Any = read_side.engine.connect().execution_options(isolation_level="AUTOCOMMIT")
        holder.execute(text("SELECT pg_advisory_lock(:key)"), {"key": REBUILD_LOCK})
    else:
        holder = open(str(shadow_file(read_side.engine)) + ".lock", "w")  # noqa: SIM115  (held across the try)
        fcntl.flock(holder, fcntl.LOCK_EX)
    try:
        refused = inscribe(test_settings, "projections", "rebuild")
        _, err = refused.communicate(timeout=120)
    finally:
        if read_side.engine.dialect.name == "postgresql":  # a pooled connection outlives close()
            holder.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": REBUILD_LOCK})
        holder.close()

    assert refused.returncode == 1
    assert err.strip().splitlines()[-1] == "Error: another rebuild is running on this database; try again when it ends"
    assert snapshot(services) == before and not shadow_left(services)
    again = inscribe(test_settings, "projections", "rebuild")
    _, err = again.communicate(timeout=120)
    assert again.returncode == 0, err[-2000:]
    assert snapshot(services) == before
