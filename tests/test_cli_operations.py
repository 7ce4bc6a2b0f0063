"""The command line as an operator runs it (SQLite and PostgreSQL): `--version`, `projections status --json`
with the faulted state, progress bars only on a terminal and within 80 columns, `--quiet`, and the
eventsourcing library's own POSTGRES_* variables winning over the product's defaults."""

from __future__ import annotations

import fcntl
import json
import os
import pty
import re
import struct
import subprocess
import sys
import termios
from importlib.metadata import version
from pathlib import Path
from typing import Any
from uuid import uuid4

import pytest
from eventsourcing.persistence import StoredEvent

from application.commands import customers as commands
from application.infrastructure.settings import Settings, SettingsError
from tests.builders.cli import invoke
from tests.builders.common import ctx, individual
from tests.builders.environment import settings_env

ROOT = Path(__file__).resolve().parents[1]
INSCRIBE = str(Path(sys.executable).parent / "inscribe")
STRANGER_TOPIC = "inscribe.unknown.Happened.v1"


def book(services: Any, customers: int) -> int:
    """`customers` individuals registered through the application; the read side caught up."""
    for seed in range(1, customers + 1):
        commands.register_individual(services.app, ctx(), **individual(seed))
    services.read_side.catch_up()
    head: int = services.read_side.head()
    return head


def run(settings: Settings | None, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    """`inscribe ARGS` in a fresh interpreter (stdout and stderr pipes: not a terminal)."""
    given = settings_env(settings) if settings is not None else {}
    return subprocess.run(
        [INSCRIBE, *args], cwd=ROOT, text=True, capture_output=True, timeout=120, env={**os.environ, **given, **env}
    )


def on_a_terminal(settings: Settings, *args: str, columns: int = 200) -> tuple[int, str, str]:
    """`inscribe ARGS` in a fresh interpreter whose stderr is a terminal `columns` wide; (status, stdout, the
    terminal's text)."""
    leader, follower = pty.openpty()
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", 24, columns, 0, 0))
    env = {**os.environ, **settings_env(settings)}
    env.pop("COLUMNS", None)
    process = subprocess.Popen(
        [INSCRIBE, *args], cwd=ROOT, text=True, stdout=subprocess.PIPE, stderr=follower, stdin=follower, env=env
    )
    os.close(follower)
    out = process.communicate(timeout=120)[0]
    seen = b""
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # the terminal is gone once the process ended and everything was read
            break
        if not chunk:
            break
        seen += chunk
    os.close(leader)
    return process.returncode, out, seen.decode(errors="replace")


def widths(terminal: str) -> list[int]:
    """The width of each line a terminal shows (tqdm redraws with \\r; escape sequences take no room)."""
    plain = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", terminal)
    return [len(line) for line in re.split(r"[\r\n]+", plain) if line]


# --- --version --------------------------------------------------------------------------------


def test_version_prints_the_installed_package_version_in_a_fresh_interpreter() -> None:
    result = run(None, "--version")

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"inscribe {version('inscribe')}"


# --- projections status --json ----------------------------------------------------------------


def test_projections_status_json_gives_each_projection_up_to_date_and_not_faulted(
    services: Any, test_settings: Settings
) -> None:
    head = book(services, 2)

    result = invoke("projections", "status", "--json", **settings_env(test_settings))

    assert result.exit_code == 0, result.output
    found = json.loads(result.stdout)
    assert {s["name"] for s in found} == set(services.read_side.projections)
    for s in found:
        assert (s["state"], s["position"], s["head"], s["lag"], s["faulted"]) == ("up-to-date", head, head, 0, False)
        assert (s["failing_position"], s["failing_topic"], s["error"], s["since"]) == (None, None, None, None)


def test_projections_status_json_names_the_fault_its_event_topic_the_error_and_since_when(
    services: Any, test_settings: Settings
) -> None:
    head = book(services, 2)
    services.app.recorder.insert_events(
        [StoredEvent(originator_id=uuid4(), originator_version=1, topic=STRANGER_TOPIC, state=b"{}")]
    )
    services.read_side.process_round()  # every projection is held back at the event no process can decode

    result = invoke("projections", "status", "--json", **settings_env(test_settings))
    text = invoke("projections", "status", **settings_env(test_settings))

    assert result.exit_code == 1
    found = json.loads(result.stdout)
    assert {s["name"] for s in found} == set(services.read_side.projections)
    for s in found:
        assert (s["state"], s["faulted"], s["position"], s["head"], s["lag"]) == ("faulted", True, head, head + 1, 1)
        assert (s["failing_position"], s["failing_topic"], s["attempts"]) == (head + 1, STRANGER_TOPIC, 1)
        assert STRANGER_TOPIC in s["error"]
        assert s["since"].endswith(("Z", "+00:00")) and s["last_attempt"] >= s["since"]
    assert text.exit_code == 1
    assert f"fails at {head + 1} ({STRANGER_TOPIC}) since" in text.stdout


# --- progress bars and --quiet ----------------------------------------------------------------


def test_no_progress_bar_when_stderr_is_not_a_terminal(services: Any, test_settings: Settings) -> None:
    book(services, 3)

    result = run(test_settings, "audit", "verify")

    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("OK: ")
    assert result.stderr == ""


def test_on_a_terminal_the_bar_is_drawn_within_80_columns_and_quiet_draws_none(
    services: Any, test_settings: Settings
) -> None:
    book(services, 3)

    status, out, terminal = on_a_terminal(test_settings, "projections", "rebuild")
    quiet_status, quiet_out, quiet_terminal = on_a_terminal(test_settings, "projections", "rebuild", "--quiet")
    root_status, _, root_terminal = on_a_terminal(test_settings, "--quiet", "audit", "verify")
    narrow_status, _, narrow_terminal = on_a_terminal(test_settings, "audit", "verify", columns=50)

    assert status == quiet_status == root_status == narrow_status == 0, (out, terminal)
    assert "rebuild" in terminal and "100%" in terminal
    assert max(widths(terminal)) <= 80
    assert max(widths(narrow_terminal)) <= 50 and "100%" in narrow_terminal
    assert quiet_terminal == root_terminal == ""
    assert quiet_out == out  # the result is printed either way


# --- the library's POSTGRES_* variables ---------------------------------------------------------

URL = "postgresql://postgres@127.0.0.1:5432/inscribe"


def test_the_operators_postgres_variables_win_over_the_products_defaults_on_both_pools(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for name in ("POSTGRES_POOL_SIZE", "POSTGRES_MAX_OVERFLOW", "POSTGRES_PRE_PING", "POSTGRES_LOCK_TIMEOUT"):
        monkeypatch.delenv(name, raising=False)
    defaults = Settings(database_url=URL).read_engine_options()
    monkeypatch.setenv("POSTGRES_POOL_SIZE", "3")
    monkeypatch.setenv("POSTGRES_MAX_OVERFLOW", "0")
    monkeypatch.setenv("POSTGRES_PRE_PING", "no")
    monkeypatch.setenv("POSTGRES_LOCK_TIMEOUT", "")  # empty: as if unset
    given = Settings(database_url=URL)

    assert defaults == {"pool_size": 10, "max_overflow": 10, "pool_pre_ping": True}
    library = {**os.environ, **given.eventsourcing_env()}  # what the library reads (Application.construct_env)
    assert (library["POSTGRES_POOL_SIZE"], library["POSTGRES_MAX_OVERFLOW"], library["POSTGRES_PRE_PING"]) == (
        "3",
        "0",
        "no",
    )
    assert library["POSTGRES_LOCK_TIMEOUT"] == "10"
    assert given.read_engine_options() == {"pool_size": 3, "max_overflow": 0, "pool_pre_ping": False}


def test_an_invalid_pool_size_is_a_settings_error_naming_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("POSTGRES_POOL_SIZE", "many")

    with pytest.raises(SettingsError, match="POSTGRES_POOL_SIZE"):
        Settings(database_url=URL).read_engine_options()
