"""Snapshots of policies (application.loading), on SQLite and PostgreSQL: every 50 events a policy's state
is kept, and a read starting from it gives, at every version, what replaying every event gives; one taken by
other code is passed over; its personal fields are sealed with the policy's key, and once that key is
shredded the events are read instead; one that cannot be written leaves the command standing."""

from __future__ import annotations

import hashlib
import logging
import os
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from uuid import UUID

import pytest

from application import loading
from application.commands import policy_servicing as servicing
from application.commands import privacy
from domain import clock
from domain.policy.aggregate import Policy
from tests.builders.common import ctx
from tests.builders.environment import settings_env
from tests.builders.office import START, Office, agent

CHANGES = 125  # after the 6 events that put the policy in force: 131 events


@pytest.fixture(autouse=True)
def today_is_in_2033() -> Iterator[None]:
    """Every business date of these tests is in the past, and the one-year policy's retention has run out."""
    with clock.using(clock.SimulatedClock(datetime(2033, 3, 1, 2, tzinfo=UTC))):
        yield


def replayed(app: Any, policy_id: UUID, version: int | None = None) -> dict[str, Any]:
    """The policy at `version` from every one of its events (the library's repository, no snapshots)."""
    return state(app.repository.get(policy_id, version=version))


def state(policy: Any) -> dict[str, Any]:
    return {k: v for k, v in vars(policy).items() if k != "_pending_events"}


def long_lived(office: Office, changes: int = CHANGES) -> UUID:
    """A one-year accident policy in force, then `changes` changes of its contacts and beneficiaries."""
    holder = office.person(7)
    policy = office.pay(office.apply(holder, "personal_accident", sum_insured="100000", term=12), START)
    for n in range(changes):
        on = START + timedelta(days=1 + n // 2)
        details: dict[str, Any]
        if n % 2:
            kind, details = "beneficiary", {"beneficiaries": [{"name": f"受益人{n}", "share": "100"}]}
        else:
            kind, details = "contacts", {"contacts": {"phone": f"1380013{n:04d}"}}
        servicing.change(
            office.app, agent(), policy.id, on, kind=kind, details=details, document_ref=f"DOC-{n}", effective_on=on
        )
    return policy.id


def snapshot_versions(app: Any, policy_id: UUID) -> list[int]:
    return [s.originator_version for s in app.snapshots.get(originator_id=policy_id)]


def test_every_version_read_from_a_snapshot_is_the_replay_of_every_event(services: Any) -> None:
    office = Office(services)
    policy_id = long_lived(office)
    app = services.app
    last = app.load(Policy, policy_id).version

    assert last > 100
    assert snapshot_versions(app, policy_id) == [50, 100]
    latest = loading.usable_snapshot(app, policy_id, None)
    assert latest is not None and latest.originator_version == 100
    for version in range(1, last + 1):
        assert state(app.load(Policy, policy_id, version=version)) == replayed(app, policy_id, version), version
    assert state(app.load(Policy, policy_id)) == replayed(app, policy_id)


def test_a_snapshot_another_code_took_is_passed_over(services: Any) -> None:
    office = Office(services)
    policy_id = long_lived(office, changes=60)
    app = services.app
    genuine = loading.usable_snapshot(app, policy_id, None)
    assert genuine is not None and genuine.originator_version == 50

    # The same events applied by other code: a snapshot at 60 whose state says something else.
    other = Policy.Snapshot.take(app.load(Policy, policy_id, version=60))
    other.state["status"] = "lapsed"
    object.__setattr__(other, "code", "other code")
    app.snapshots.put([other])

    assert loading.usable_snapshot(app, policy_id, None) is None  # the latest is not ours: none is used
    assert app.load(Policy, policy_id).status == "in_force"
    assert state(app.load(Policy, policy_id)) == replayed(app, policy_id)


def test_an_erased_policy_is_read_from_its_events_not_its_sealed_snapshot(services: Any) -> None:
    office = Office(services)
    policy_id = long_lived(office, changes=60)
    app = services.app
    holder = UUID(str(app.load(Policy, policy_id).applicant_id))
    assert app.load(Policy, policy_id).contacts == {"phone": "13800130058"}
    stored = [bytes(s.state).decode() for s in app.snapshots.recorder.select_events(policy_id)]  # as stored
    assert len(stored) == 1 and '"_personal"' in stored[0]
    assert not any(secret in stored[0] for secret in ("1380013", "受益人", "王芳"))

    services.read_side.catch_up()
    privacy.erase(app, ctx(role="admin"), holder, "asked to be forgotten", today=date(2033, 3, 1))

    assert loading.usable_snapshot(app, policy_id, None) is None  # its key is shredded
    erased = app.load(Policy, policy_id)
    assert (erased.contacts, erased.beneficiaries, erased.contract["a_parties"]["beneficiaries"]) == ({}, [], [])
    assert state(erased) == replayed(app, policy_id)


def test_a_snapshot_that_cannot_be_written_leaves_the_command_standing(
    services: Any, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    office = Office(services)
    app = services.app

    def lost(*_: Any, **__: Any) -> None:
        raise ConnectionError("the connection was lost")

    monkeypatch.setattr(app.snapshots, "put", lost)
    with caplog.at_level(logging.WARNING, logger="application.loading"):
        policy_id = long_lived(office, changes=50)
    monkeypatch.undo()

    assert app.load(Policy, policy_id).version == 56  # 6 events to be in force, then 50 changes
    assert snapshot_versions(app, policy_id) == []
    assert "no snapshot of" in caplog.text
    assert state(app.load(Policy, policy_id)) == replayed(app, policy_id)


def test_two_processes_taking_the_same_snapshot_store_it_once(services: Any, caplog: pytest.LogCaptureFixture) -> None:
    office = Office(services)
    policy_id = long_lived(office, changes=46)  # version 52: the snapshot at 50 is taken
    app = services.app
    recordings = app.events.recorder.select_events(policy_id, gt=49)
    assert snapshot_versions(app, policy_id) == [50]

    again = [type("R", (), {"domain_event": app.mapper.to_domain_event(r)})() for r in recordings]
    with caplog.at_level(logging.WARNING, logger="application.loading"):
        loading.take_due(app, again)  # a second process reaching the same version: refused, logged, harmless

    assert "no snapshot of" in caplog.text
    assert snapshot_versions(app, policy_id) == [50]
    assert state(app.load(Policy, policy_id)) == replayed(app, policy_id)


READ_IN_A_FRESH_INTERPRETER = """
import hashlib, sys
from uuid import UUID
from application import loading
from domain.policy.aggregate import Policy
from interface.bootstrap import bootstrap
services = bootstrap(run_projections=False)
policy_id = UUID(sys.argv[1])
print(loading.usable_snapshot(services.app, policy_id, None).originator_version)
state = {k: v for k, v in vars(services.app.load(Policy, policy_id)).items() if k != "_pending_events"}
print(hashlib.sha256(repr(sorted(state.items())).encode()).hexdigest())
services.close()
"""


def test_a_process_that_took_no_snapshot_reads_it(services: Any, test_settings: Any) -> None:
    """Another interpreter (the API, a worker, `tick`) decodes the snapshot this one wrote."""
    policy_id = long_lived(Office(services), changes=60)
    expected = hashlib.sha256(repr(sorted(replayed(services.app, policy_id).items())).encode()).hexdigest()

    read = subprocess.run(
        [sys.executable, "-c", READ_IN_A_FRESH_INTERPRETER, str(policy_id)],
        text=True,
        capture_output=True,
        timeout=120,
        env={**os.environ, **settings_env(test_settings)},
    )

    assert read.returncode == 0, read.stderr[-2000:]
    assert read.stdout.split() == ["50", expected]


def test_the_command_takes_the_snapshots_the_running_code_lacks(
    services: Any, test_settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`inscribe snapshots take` in a fresh interpreter: a policy of 126 events recorded while no snapshot
    could be written (as before snapshots existed) gets one at 100; a second run takes none."""
    app = services.app
    monkeypatch.setattr(app.snapshots, "put", lambda *_: (_ for _ in ()).throw(ConnectionError("lost")))
    policy_id = long_lived(Office(services), changes=120)
    monkeypatch.undo()
    assert snapshot_versions(app, policy_id) == []
    command = [str(Path(sys.executable).parent / "inscribe"), "snapshots", "take"]
    env = {**os.environ, **settings_env(test_settings)}

    first = subprocess.run(command, text=True, capture_output=True, timeout=120, env=env)
    second = subprocess.run(command, text=True, capture_output=True, timeout=120, env=env)

    assert first.returncode == 0, first.stderr[-2000:]
    assert first.stdout.strip() == "1 policies of 50 or more events; 1 snapshots taken"
    assert second.stdout.strip() == "1 policies of 50 or more events; 0 snapshots taken"
    assert snapshot_versions(app, policy_id) == [100]
    assert state(app.load(Policy, policy_id)) == replayed(app, policy_id)


def test_an_aggregate_never_snapshotted_is_read_without_asking_the_snapshot_store(
    services: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from domain.customer.aggregate import Customer

    customer_id = Office(services).person(9)

    def asked(*_: Any, **__: Any) -> list[Any]:
        raise AssertionError("the snapshot store was asked for a customer")

    monkeypatch.setattr(services.app.snapshots, "get", asked)

    assert services.app.load(Customer, customer_id).id == customer_id
