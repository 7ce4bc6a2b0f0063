"""`inscribe audit export` and `inscribe audit verify-package`, on SQLite and PostgreSQL: a package
written by the command line verifies offline (exit 0) and a tampered one fails (exit 1) naming where."""

from __future__ import annotations

import zipfile
from pathlib import Path
from typing import Any

from application.infrastructure.audit import digest
from application.infrastructure.audit_package import EVENTS
from application.infrastructure.settings import Settings
from domain.identifiers import china_today
from tests.builders.audit import a_history, flip, rewritten
from tests.builders.cli import invoke


def test_an_exported_package_verifies_offline_and_passes_through_the_kept_digest(
    services: Any, test_settings: Settings, tmp_path: Path
) -> None:
    a_history(services)
    kept = digest(services.app.recorder).as_text()
    package = tmp_path / "out" / "march.zip"
    package.parent.mkdir()

    exported = invoke("audit", "export", "--output", str(package), INSCRIBE_DATABASE_URL=test_settings.database_url)
    verified = invoke("audit", "verify-package", str(package), "--against", kept)

    assert exported.exit_code == 0, exported.output
    assert f"chain head {kept}" in exported.stdout
    assert verified.exit_code == 0, verified.output
    assert verified.stdout.startswith(f"OK: {kept.split(':')[0]} events verified; chain head {kept}")
    assert [p.name for p in package.parent.iterdir()] == ["march.zip"]  # no partial file left behind


def test_a_package_with_one_byte_changed_fails_with_exit_status_1_naming_the_line(
    services: Any, test_settings: Settings, tmp_path: Path
) -> None:
    a_history(services)
    package = tmp_path / "p.zip"
    invoke(
        "audit", "export", "-o", str(package), "--from-position", "3", INSCRIBE_DATABASE_URL=test_settings.database_url
    )
    with zipfile.ZipFile(package) as z:
        events = z.read(EVENTS)
    # A character of the second event's stored state (base64) changed to another valid one.
    tampered = rewritten(package, EVENTS, flip(events.index(b'"state":"', events.index(b"\n")) + 20))

    result = invoke("audit", "verify-package", str(tampered))

    assert result.exit_code == 1
    assert "FAILED: events.jsonl line 2 (position 4): changed" in result.stderr


def test_days_are_exported_through_the_audit_log_and_a_backwards_range_is_refused(
    services: Any, test_settings: Settings, tmp_path: Path
) -> None:
    a_history(services)
    today = china_today().isoformat()
    url = test_settings.database_url

    by_day = invoke(
        "audit", "export", "--from", today, "--to", today, "-o", str(tmp_path / "d.zip"), INSCRIBE_DATABASE_URL=url
    )
    backwards = invoke(
        "audit",
        "export",
        "--from",
        today,
        "--to",
        "2001-01-01",
        "-o",
        str(tmp_path / "x.zip"),
        INSCRIBE_DATABASE_URL=url,
    )

    assert by_day.exit_code == 0, by_day.output
    assert invoke("audit", "verify-package", str(tmp_path / "d.zip")).exit_code == 0
    assert f"{services.app.recorder.max_notification_id()} events" in by_day.stdout
    assert backwards.exit_code == 2 and "--to" in backwards.output
    assert not (tmp_path / "x.zip").exists() and not (tmp_path / "x.zip.part").exists()
