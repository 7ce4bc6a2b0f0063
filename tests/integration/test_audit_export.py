"""The audit package (SPEC §9 Export): an export verifies offline, on SQLite and PostgreSQL, and any
changed byte of the package fails verification, naming where."""

from __future__ import annotations

import base64
import hashlib
import io
import json
from collections.abc import Callable, Iterator
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest

from application.commands.customers import register_individual
from application.infrastructure import export as export_module
from application.infrastructure.audit import digest
from application.infrastructure.audit_package import EVENTS, MANIFEST, manifest_bytes, seal, verify_package
from application.infrastructure.chain import Digest
from application.infrastructure.export import (
    RangeError,
    Selection,
    describe_source,
    package_chunks,
    select_range,
    write_package,
)
from domain import clock
from domain.clock import SimulatedClock
from interface.audit_api import export_selection
from tests.builders.audit import a_history, flip, member, reopened, rewritten, sql
from tests.builders.common import ctx, individual

CST = timezone(timedelta(hours=8))


@pytest.fixture
def simulated_clock() -> Iterator[SimulatedClock]:
    simulated = SimulatedClock(datetime(2025, 3, 1, tzinfo=UTC))
    with clock.using(simulated):
        yield simulated


def export(services: Any, path: Path, **asked: Any) -> dict[str, Any]:
    """Export a range (as the CLI and the API do) to `path`; the manifest."""
    if "from_day" in asked or "to_day" in asked:
        services.read_side.catch_up(["audit_log"])
    selection = export_selection(services, **asked)
    with path.open("wb") as out:
        return write_package(services.app.recorder, out, selection, source="test")


def test_an_export_of_the_whole_log_verifies_and_its_manifest_matches_the_store(services: Any, tmp_path: Path) -> None:
    a_history(services)
    head = digest(services.app.recorder)

    manifest = export(services, tmp_path / "all.zip")
    result = verify_package(tmp_path / "all.zip", against=Digest.parse(head.as_text()))

    assert result.ok, result.finding
    assert result.events == manifest["counts"]["events"] == head.count == head.position
    assert (manifest["first_position"], manifest["last_position"]) == (1, head.position)
    assert manifest["chain"]["head"] == head.hash
    assert manifest["chain"]["previous_hash"] == "0" * 64 and manifest["chain"]["previous_position"] == 0
    assert sum(manifest["counts"]["topics"].values()) == head.count
    lines = [json.loads(line) for line in member(tmp_path / "all.zip", EVENTS).splitlines()]
    stored = services.app.recorder.select_stored(1, 1000)
    assert [(e["position"], e["version"], e["topic"]) for e in lines] == [(r[0], r[2], r[3]) for r in stored]
    assert [base64.b64decode(e["state"]) for e in lines] == [bytes(r[4]) for r in stored]
    assert lines[0]["data"]["meta"]["actor_id"] == "system"  # the shipped catalogue first (application.products)
    assert lines[-1]["data"]["meta"]["actor_id"] == "alice"


def test_changing_one_byte_of_an_event_fails_and_names_its_line_and_position(services: Any, tmp_path: Path) -> None:
    a_history(services)
    export(services, tmp_path / "p.zip")
    events = member(tmp_path / "p.zip", EVENTS)
    third = events.split(b"\n")[2]
    # One character of the third event's stored state (base64), changed to another valid one.
    offset = len(b"".join(line + b"\n" for line in events.split(b"\n")[:2])) + third.index(b'"state":"') + 20

    result = verify_package(rewritten(tmp_path / "p.zip", EVENTS, flip(offset)))

    assert not result.ok and result.finding is not None
    assert (result.finding.file, result.finding.line, result.finding.position) == (EVENTS, 3, 3)
    assert result.finding.problem == "changed"


@pytest.mark.parametrize("name", [EVENTS, MANIFEST])
def test_any_changed_byte_of_either_file_fails(services: Any, tmp_path: Path, name: str) -> None:
    a_history(services)
    export(services, tmp_path / "p.zip")
    size = len(member(tmp_path / "p.zip", name))

    offsets = sorted({0, size - 1, *range(1, size, max(1, size // 40))})
    failures = [verify_package(rewritten(tmp_path / "p.zip", name, flip(offset))) for offset in offsets]

    assert [offset for offset, result in zip(offsets, failures) if result.ok] == []


def test_a_byte_changed_in_the_zip_file_itself_fails(services: Any, tmp_path: Path) -> None:
    a_history(services)
    export(services, tmp_path / "p.zip")
    raw = bytearray((tmp_path / "p.zip").read_bytes())
    raw[200] ^= 0x01  # inside the compressed events
    (tmp_path / "broken.zip").write_bytes(bytes(raw))

    result = verify_package(tmp_path / "broken.zip")

    assert not result.ok and result.finding is not None


def test_an_edited_manifest_fails_even_when_resealed_if_it_disagrees_with_the_events(
    services: Any, tmp_path: Path
) -> None:
    a_history(services)
    export(services, tmp_path / "p.zip")

    def more_events(resealed: bool) -> Callable[[bytes], bytes]:
        def change(data: bytes) -> bytes:
            manifest = json.loads(data)
            manifest["counts"]["events"] += 1
            if resealed:
                manifest["seal"] = seal(manifest)
            return manifest_bytes(manifest)

        return change

    edited = verify_package(rewritten(tmp_path / "p.zip", MANIFEST, more_events(False)))
    resealed = verify_package(rewritten(tmp_path / "p.zip", MANIFEST, more_events(True)))

    assert edited.finding is not None and (edited.finding.file, edited.finding.problem) == (MANIFEST, "changed")
    assert resealed.finding is not None and (resealed.finding.file, resealed.finding.problem) == (MANIFEST, "mismatch")


def test_a_dropped_line_fails_though_its_checksum_and_counts_were_redone(services: Any, tmp_path: Path) -> None:
    a_history(services)
    export(services, tmp_path / "p.zip")
    lines = member(tmp_path / "p.zip", EVENTS).splitlines(keepends=True)
    forged = b"".join(lines[:4] + lines[5:])
    manifest = json.loads(member(tmp_path / "p.zip", MANIFEST))
    manifest["counts"]["events"] -= 1
    manifest["files"][EVENTS] = {"sha256": hashlib.sha256(forged).hexdigest(), "bytes": len(forged)}
    manifest["seal"] = seal(manifest)
    package = rewritten(
        rewritten(tmp_path / "p.zip", EVENTS, lambda _: forged), MANIFEST, lambda _: manifest_bytes(manifest)
    )

    result = verify_package(package)

    assert result.finding is not None
    assert (result.finding.line, result.finding.position, result.finding.problem) == (5, 6, "changed")


def test_a_range_in_the_middle_verifies_from_its_previous_hash_and_passes_through_a_kept_digest(
    services: Any, tmp_path: Path
) -> None:
    a_history(services)
    links = {link.position: link.hash for link in services.app.recorder.select_links(1, 1000)}

    manifest = export(services, tmp_path / "mid.zip", from_position=5, to_position=9)
    kept = verify_package(tmp_path / "mid.zip", against=Digest(7, links[7], 7))
    before = verify_package(tmp_path / "mid.zip", against=Digest(4, links[4], 4))
    wrong = verify_package(tmp_path / "mid.zip", against=Digest(7, links[6], 7))
    outside = verify_package(tmp_path / "mid.zip", against=Digest(10, links[10], 10))

    assert kept.ok and before.ok and kept.events == 5
    assert (manifest["first_position"], manifest["last_position"]) == (5, 9)
    assert manifest["chain"]["previous_position"] == 4 and manifest["chain"]["previous_hash"] == links[4]
    assert manifest["chain"]["head"] == links[9]
    assert wrong.finding is not None and (wrong.finding.problem, wrong.finding.position) == ("digest-mismatch", 7)
    assert outside.finding is not None and outside.finding.problem == "digest-outside"


def test_days_are_china_time_and_inclusive(services: Any, tmp_path: Path, simulated_clock: SimulatedClock) -> None:
    positions: dict[str, list[int]] = {}
    for seed, moment in enumerate(
        [
            datetime(2025, 3, 1, 10, tzinfo=CST),
            datetime(2025, 3, 2, 0, 30, tzinfo=CST),
            datetime(2025, 3, 2, 23, 59, tzinfo=CST),
            datetime(2025, 3, 3, 9, tzinfo=CST),
        ]
    ):
        simulated_clock.set(moment)
        result = register_individual(services.app, ctx(), **individual(seed))
        positions.setdefault(str(moment.date()), []).append(result.position)

    manifest = export(services, tmp_path / "d.zip", from_day=date(2025, 3, 2), to_day=date(2025, 3, 2))

    assert verify_package(tmp_path / "d.zip").ok
    assert manifest["first_position"] == positions["2025-03-01"][0] + 1  # the customer and its identity claim
    assert manifest["last_position"] == positions["2025-03-02"][-1]
    assert manifest["range"]["asked"]["recorded_from"] == "2025-03-01T16:00:00+00:00"
    assert manifest["range"]["asked"]["recorded_before"] == "2025-03-02T16:00:00+00:00"
    assert "UTC+08:00" in manifest["range"]["asked"]["timezone"]


def test_an_empty_range_gives_a_valid_empty_package(services: Any, tmp_path: Path) -> None:
    a_history(services)
    links = {link.position: link.hash for link in services.app.recorder.select_links(1, 1000)}

    long_ago = export(services, tmp_path / "old.zip", from_day=date(2000, 1, 1), to_day=date(2000, 1, 31))
    beyond = export(services, tmp_path / "beyond.zip", from_position=10_000)

    assert verify_package(tmp_path / "old.zip").ok and verify_package(tmp_path / "beyond.zip").ok
    assert long_ago["counts"]["events"] == 0 and long_ago["first_position"] is None
    assert long_ago["chain"]["head"] == long_ago["chain"]["previous_hash"] == "0" * 64
    assert beyond["counts"]["events"] == 0 and beyond["chain"]["head"] == links[max(links)]
    assert member(tmp_path / "old.zip", EVENTS) == b""


def test_a_store_tampered_with_gives_a_package_that_fails_at_the_changed_event(services: Any, tmp_path: Path) -> None:
    a_history(services)
    statement = "UPDATE {events} SET state = state || x'20' WHERE {key} = 5"
    sql(services, statement.replace("x'20'", "'\\x20'::bytea") if services.settings.is_postgres else statement)
    services.app = reopened(services)

    export(services, tmp_path / "p.zip")
    result = verify_package(tmp_path / "p.zip")

    assert result.finding is not None
    assert (result.finding.position, result.finding.problem) == (5, "changed")


def test_the_package_is_streamed_a_batch_at_a_time(services: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    a_history(services)
    monkeypatch.setattr(export_module, "BATCH", 3)
    head = services.app.recorder.max_notification_id()

    chunks = list(package_chunks(services.app.recorder, Selection(1, head), source="test"))

    assert len(chunks) >= head // 3
    assert verify_package(io.BytesIO(b"".join(chunks))).ok


def test_a_range_that_makes_no_sense_is_refused_naming_the_parameter() -> None:
    def never(_: datetime) -> int:
        raise AssertionError("no lookup for positions")

    cases = [
        dict(from_day=date(2025, 3, 2), to_day=date(2025, 3, 1)),
        dict(from_position=9, to_position=3),
        dict(from_position=0),
        dict(from_day=date(2025, 3, 1), from_position=3),
    ]
    fields = []
    for case in cases:
        with pytest.raises(RangeError) as refused:
            select_range(10, never, **case)  # type: ignore[arg-type]
        fields.append(refused.value.field)

    assert fields == ["to", "to_position", "from_position", "from"]
    assert select_range(10, never, from_position=4, to_position=99) == Selection(
        4, 10, {"from_position": 4, "to_position": 99}
    )


def test_the_manifest_names_its_source_without_credentials() -> None:
    assert (
        describe_source("postgresql://inscribe:s3cret@db:5432/inscribe?sslmode=require")
        == "postgresql://db:5432/inscribe"
    )
    assert describe_source("sqlite:////var/lib/inscribe/inscribe.db") == "sqlite:////var/lib/inscribe/inscribe.db"
