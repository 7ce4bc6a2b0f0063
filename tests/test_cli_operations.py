"""The command line as an operator runs it (SQLite and PostgreSQL): `--version`, `projections status --json`
with the faulted state, progress bars only on a terminal and within 80 columns, `--quiet`, and the
eventsourcing library's own POSTGRES_* variables winning over the product's defaults."""

from __future__ import annotations

import fcntl
import json
import os
import pty
import re
import socket
import struct
import subprocess
import sys
import termios
import time
from importlib.metadata import version
from pathlib import Path
from typing import Any
from uuid import uuid4

import pytest
import yaml
from eventsourcing.persistence import StoredEvent

from application.infrastructure.settings import Settings, SettingsError
from tests.builders.cli import invoke
from tests.builders.customers import book
from tests.builders.environment import settings_env

ROOT = Path(__file__).resolve().parents[1]
INSCRIBE = str(Path(sys.executable).parent / "inscribe")
STRANGER_TOPIC = "inscribe.unknown.Happened.v1"


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
    for name in (
        "POSTGRES_POOL_SIZE",
        "POSTGRES_MAX_OVERFLOW",
        "POSTGRES_PRE_PING",
        "POSTGRES_LOCK_TIMEOUT",
        "POSTGRES_PASSWORD",
    ):
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


def test_a_url_without_a_password_gives_both_sides_the_exported_postgres_password(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("POSTGRES_PASSWORD", "from-the-environment")

    bare = Settings(database_url=URL)
    given = Settings(database_url="postgresql://postgres:in-the-url@127.0.0.1:5432/inscribe")

    assert "POSTGRES_PASSWORD" not in bare.eventsourcing_env()  # the library reads the exported one
    assert bare.read_engine_options()["connect_args"] == {"password": "from-the-environment"}
    assert given.eventsourcing_env()["POSTGRES_PASSWORD"] == "in-the-url"
    assert "connect_args" not in given.read_engine_options()  # the read side's URL carries it


def test_an_invalid_pool_size_is_a_settings_error_naming_it(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("POSTGRES_POOL_SIZE", "many")

    with pytest.raises(SettingsError, match="POSTGRES_POOL_SIZE"):
        Settings(database_url=URL).read_engine_options()


# --- the container: one image, non-root, a health check (docker compose cannot run here) ----------


def compose() -> dict[str, Any]:
    found: dict[str, Any] = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    return found


def dockerfile() -> list[tuple[str, str]]:
    """The Dockerfile's instructions as (KEYWORD, arguments), continuation lines joined, comments dropped."""
    text = re.sub(r"\\\n", " ", (ROOT / "Dockerfile").read_text())
    lines = [line.strip() for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")]
    return [(line.split(None, 1)[0].upper(), line.split(None, 1)[1] if " " in line else "") for line in lines]


def test_compose_builds_one_image_that_the_migration_the_api_and_the_worker_all_run() -> None:
    services = compose()["services"]
    ours = {name: s for name, s in services.items() if name != "db"}

    built = [name for name, s in services.items() if "build" in s]
    assert built == ["migrate"]
    assert {s["image"] for s in ours.values()} == {services["migrate"]["image"]}
    assert all(s.get("pull_policy") == "never" for name, s in ours.items() if name != "migrate")
    assert services["migrate"]["command"] == ["inscribe", "db", "upgrade"]
    for name in ("api", "worker"):
        assert services[name]["depends_on"]["migrate"] == {"condition": "service_completed_successfully"}
        assert services[name]["environment"] == services["migrate"]["environment"]
    assert services["api"]["command"][:2] == ["inscribe", "serve"]
    assert services["worker"]["command"] == ["inscribe", "projections", "run"]


def test_every_command_compose_runs_is_an_inscribe_command() -> None:
    from interface.cli import main

    commands = []
    for service in compose()["services"].values():
        commands.append(service.get("command"))
        test = service.get("healthcheck", {}).get("test")
        commands.append(test[1:] if test and test[0] == "CMD" else None)
    for argv in filter(None, commands):
        if argv[0] != "inscribe":
            continue
        group: Any = main
        for word in argv[1:]:
            if word.startswith("-"):
                break
            assert word in group.commands, f"{argv}: no command {word!r}"
            group = group.commands[word]
            if not hasattr(group, "commands"):
                break


def test_the_image_runs_as_a_non_root_user_with_a_health_check_on_health_live() -> None:
    instructions = dockerfile()
    users = [args for keyword, args in instructions if keyword == "USER"]
    checks = [args for keyword, args in instructions if keyword == "HEALTHCHECK"]

    assert users and users[-1].split(":")[0] not in ("root", "0")
    assert len(checks) == 1 and "/health/live" in checks[0] and "CMD" in checks[0]
    copied = {args.split()[0] for keyword, args in instructions if keyword == "COPY"}
    assert {"domain", "application", "projections", "interface", "pyproject.toml"} <= copied
    ignored = (ROOT / ".dockerignore").read_text().split()
    assert {"var", ".venv", ".git"} <= set(ignored)  # the local secrets never enter the build context


def test_the_images_health_check_passes_against_a_serving_api_and_fails_without_one(tmp_path: Path) -> None:
    check = next(args for keyword, args in dockerfile() if keyword == "HEALTHCHECK")
    argv = json.loads(check.split("CMD", 1)[1])
    assert argv[:2] == ["python", "-c"]
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {**os.environ, "PORT": str(port), "INSCRIBE_DATABASE_URL": f"sqlite:///{tmp_path / 'inscribe.db'}"}

    def healthy() -> bool:
        return subprocess.run([sys.executable, *argv[1:]], env=env, capture_output=True, timeout=10).returncode == 0

    assert not healthy()  # nothing serves yet
    server = subprocess.Popen(
        [INSCRIBE, "serve", "--host", "127.0.0.1"],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 60
        while not healthy():
            assert server.poll() is None, server.communicate()[1]
            assert time.monotonic() < deadline, "the API never became healthy"
            time.sleep(0.5)
    finally:
        server.terminate()
        server.wait(timeout=30)


def test_the_start_up_message_names_the_inscribe_this_process_can_run(monkeypatch: pytest.MonkeyPatch) -> None:
    """On PATH (the container, an activated virtualenv) plain `inscribe`; otherwise its path (`make run`)."""
    from interface.cli import token_hint

    here = Path(sys.executable).parent
    monkeypatch.setenv("PATH", f"{here}{os.pathsep}/usr/bin")
    assert token_hint() == "export TOKEN=$(inscribe token --role agent --sub alice)"
    monkeypatch.setenv("PATH", "/usr/bin:/bin")
    assert token_hint() == f"export TOKEN=$({here / 'inscribe'} token --role agent --sub alice)"
