"""A rebuild by worker processes (`inscribe projections rebuild --workers N`, projections.rebuild_workers)
fails as a rebuild in one process does: a faulted projection, a worker killed -9 or the rebuilding process
killed -9 leaves the live registers serving and no shadow behind, and the next rebuild completes."""

from __future__ import annotations

import os
import signal
import subprocess
import time
from pathlib import Path
from typing import Any
from uuid import uuid4

from eventsourcing.persistence import StoredEvent

from application.infrastructure.settings import Settings
from tests.builders.customers import book
from tests.builders.processes import inscribe, shadow_left, shadow_position, snapshot, until
from tests.builders.processes import no_process_outlives_its_test as no_process_outlives_its_test


def workers_of(pid: int) -> list[int]:
    """The rebuild's worker processes: children of `pid` started by multiprocessing's spawn (not its
    resource tracker)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except (OSError, IndexError, ValueError):
            continue
        if parent == pid and "spawn_main" in command and "resource_tracker" not in command:
            found.append(int(entry.name))
    return found


def alive(pid: int) -> bool:
    try:
        stat = (Path("/proc") / str(pid) / "stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def building(services: Any, settings: Settings) -> subprocess.Popen[str]:
    """`rebuild --workers 2` in a fresh interpreter, once both its workers are building (batches of one)."""
    rebuild = inscribe(settings, "projections", "rebuild", "--workers", "2", INSCRIBE_PROJECTION_BATCH_SIZE="1")
    until(lambda: len(workers_of(rebuild.pid)) == 2 or rebuild.poll() is not None, 90, "the workers to start")
    until(lambda: shadow_position(services) > 0 or rebuild.poll() is not None, 90, "the workers to build")
    return rebuild


def rebuilt_again(services: Any, settings: Settings, before: dict[str, Any]) -> None:
    """The next `rebuild --workers 2` completes and gives the registers as they were."""
    again = inscribe(settings, "projections", "rebuild", "--workers", "2")
    _, err = again.communicate(timeout=300)
    assert again.returncode == 0, err[-2000:]
    assert snapshot(services) == before


def test_a_projection_faulting_in_a_worker_fails_the_rebuild_and_changes_nothing(
    services: Any, test_settings: Settings
) -> None:
    book(services, 3)
    before = snapshot(services)
    stranger = StoredEvent(
        originator_id=uuid4(), originator_version=1, topic="inscribe.unknown.Happened.v1", state=b"{}"
    )
    services.app.recorder.insert_events([stranger])

    rebuild = inscribe(test_settings, "projections", "rebuild", "--workers", "2")
    _, err = rebuild.communicate(timeout=180)

    assert rebuild.returncode == 1
    last = err.strip().splitlines()[-1]
    assert last.startswith("Error: rebuild failed, the registers are unchanged"), err[-2000:]
    assert "inscribe.unknown.Happened.v1" in last
    assert snapshot(services) == before
    assert not shadow_left(services)


def test_a_worker_killed_mid_build_fails_the_rebuild_and_the_next_one_completes(
    services: Any, test_settings: Settings
) -> None:
    head = book(services, 150)
    before = snapshot(services)
    rebuild = building(services, test_settings)

    assert rebuild.poll() is None, "the rebuild ended before a worker could be killed"
    os.kill(workers_of(rebuild.pid)[0], signal.SIGKILL)
    _, err = rebuild.communicate(timeout=120)

    assert rebuild.returncode == 1
    assert "the worker died (exit -9)" in err.strip().splitlines()[-1], err[-2000:]
    assert snapshot(services) == before
    assert services.read_side.positions() == dict.fromkeys(services.read_side.projections, head)
    assert not shadow_left(services)
    rebuilt_again(services, test_settings, before)


def test_the_rebuilding_process_killed_stops_its_workers_and_the_next_rebuild_completes(
    services: Any, test_settings: Settings
) -> None:
    book(services, 150)
    before = snapshot(services)
    rebuild = building(services, test_settings)
    workers = workers_of(rebuild.pid)

    assert rebuild.poll() is None, "the rebuild ended before it could be killed"
    rebuild.send_signal(signal.SIGKILL)
    rebuild.wait(timeout=30)
    deadline = time.monotonic() + 60
    while any(alive(pid) for pid in workers):  # orphans: each stops at its next batch
        assert time.monotonic() < deadline, "a worker outlived its rebuild"
        time.sleep(0.1)

    assert snapshot(services) == before
    rebuilt_again(services, test_settings, before)
    assert not shadow_left(services)
