"""The first run as the README tells it: one-line errors for settings and databases, the demo after the API,
`make clean` that keeps the secrets, personal-data keys always wrapped, private files, quiet access logs.

Commands run as fresh interpreters (`python -m interface.cli`) where the point is what a user sees.
"""

from __future__ import annotations

import logging
import os
import shutil
import stat
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner
from litestar.testing import TestClient
from sqlalchemy import create_engine, text
from uvicorn.logging import AccessFormatter

from application.commands import customers as commands
from application.infrastructure.keys import KEY_BYTES, KeyRing
from application.infrastructure.settings import DEFAULT_URL, Settings, SettingsError
from interface.bootstrap import Services, bootstrap
from interface.cli import StripQueryString, access_log_config, main, token_hint
from tests.builders.common import ctx, individual
from tests.builders.environment import JWT_SECRET, KEY_ENCRYPTION_KEY, POSTGRES_ADMIN_URL, require_postgres

ROOT = Path(__file__).resolve().parents[1]
TINY_BOOK = ["--customers", "2", "--years", "1", "--seed", "3"]

#: One command of each kind the command line has.
COMMANDS = [
    ["token", "--role", "agent", "--sub", "alice"],
    ["serve", "--port", "1"],
    ["projections", "status"],
    ["tick"],
    ["audit", "digest"],
    ["demo", *TINY_BOOK],
    ["retention", "report"],
]


def run(args: list[str], cwd: Path, timeout: float = 60, **settings: str) -> subprocess.CompletedProcess[str]:
    """`inscribe ARGS` in a fresh interpreter, with only the given INSCRIBE_ settings."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("INSCRIBE_")}
    env.update(settings, PYTHONPATH=str(ROOT))
    return subprocess.run(
        [sys.executable, "-m", "interface.cli", *args],
        env=env,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def assert_one_line(done: subprocess.CompletedProcess[str], *expected: str) -> str:
    assert done.returncode != 0, done.stdout
    assert "Traceback" not in done.stderr, done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    for part in expected:
        assert part in lines[0], lines[0]
    return lines[0]


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


# --- settings and databases: one line, never a traceback ----------------------------------------


@pytest.mark.parametrize("args", COMMANDS, ids=lambda a: " ".join(a[:2]))
def test_an_invalid_setting_stops_any_command_with_one_line_naming_it(args: list[str], tmp_path: Path) -> None:
    done = run(args, tmp_path, INSCRIBE_READ_WAIT_SECONDS="abc", INSCRIBE_DATABASE_URL=f"sqlite:///{tmp_path}/x.db")

    assert_one_line(done, "INSCRIBE_READ_WAIT_SECONDS", "'abc'")


def test_a_url_of_another_database_kind_is_one_line(tmp_path: Path) -> None:
    done = run(["projections", "status"], tmp_path, INSCRIBE_DATABASE_URL="mysql://db/inscribe")

    assert_one_line(done, "INSCRIBE_DATABASE_URL", "mysql://db/inscribe")


@pytest.mark.parametrize("args", [a for a in COMMANDS if a[0] != "token"], ids=lambda a: " ".join(a[:2]))
def test_a_postgresql_database_that_does_not_exist_is_one_line_within_seconds(args: list[str], tmp_path: Path) -> None:
    require_postgres()
    server = POSTGRES_ADMIN_URL.rsplit("/", 1)[0].replace("://postgres@", "://postgres:hunter2@")
    missing = f"inscribe_missing_{uuid.uuid4().hex[:12]}"
    started = time.monotonic()

    done = run(
        args,
        tmp_path,
        INSCRIBE_DATABASE_URL=f"{server}/{missing}",
        INSCRIBE_JWT_SECRET=JWT_SECRET,
        INSCRIBE_KEY_ENCRYPTION_KEY=KEY_ENCRYPTION_KEY,
    )

    line = assert_one_line(done, missing, "does not exist")
    assert time.monotonic() - started < 15
    assert "hunter2" not in done.stdout + done.stderr and "***" in line


# --- the demo after `make run`, and `make clean` ------------------------------------------------------


def test_the_demo_builds_on_a_database_the_api_was_started_on(database_url: str) -> None:
    settings = Settings(database_url=database_url, jwt_secret=JWT_SECRET, key_encryption_key=KEY_ENCRYPTION_KEY)
    from interface.app import create_app

    with TestClient(app=create_app(settings=settings)) as client:  # what `make run` does on startup
        assert client.get("/health").status_code == 200

    built = CliRunner().invoke(
        main,
        ["demo", *TINY_BOOK, "--database-url", database_url],
        env={"INSCRIBE_KEY_ENCRYPTION_KEY": KEY_ENCRYPTION_KEY},
    )

    assert built.exit_code == 0, built.output
    assert "customers         2" in built.output


def test_after_commands_the_demo_refusal_names_clean_data_which_keeps_the_secrets(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert shutil.which("make"), "make runs the product and this suite (make test): it must be installed"
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("INSCRIBE_DATABASE_URL", raising=False)
    monkeypatch.delenv("INSCRIBE_KEY_ENCRYPTION_KEY", raising=False)
    settings = Settings(jwt_secret=None, key_encryption_key=None)
    assert settings.database_url == DEFAULT_URL
    services = bootstrap(settings, run_projections=False)
    try:
        commands.register_individual(services.app, ctx(), **individual(5))  # the README's curl: 2 events
    finally:
        services.close()
    settings.resolved_jwt_secret()
    secrets = {name: (tmp_path / "var" / name).read_text() for name in ("jwt-secret", "key-encryption-key")}

    refused = CliRunner().invoke(main, ["demo", *TINY_BOOK])
    subprocess.run(["make", "-s", "-f", str(ROOT / "Makefile"), "clean"], cwd=tmp_path, capture_output=True, check=True)
    after_clean = sorted(p.name for p in (tmp_path / "var").iterdir())
    subprocess.run(
        ["make", "-s", "-f", str(ROOT / "Makefile"), "clean-data"], cwd=tmp_path, capture_output=True, check=True
    )
    after_clean_data = sorted(p.name for p in (tmp_path / "var").iterdir())

    assert refused.exit_code != 0
    assert "already holds 2 events" in refused.output and "make clean-data" in refused.output
    assert "inscribe.db" in after_clean and "jwt-secret" in after_clean  # caches only
    assert after_clean_data == ["jwt-secret", "key-encryption-key"]
    assert {name: (tmp_path / "var" / name).read_text() for name in secrets} == secrets


# --- data at rest ------------------------------------------------------------------------------------


def test_on_sqlite_keys_are_stored_wrapped_under_a_generated_key_and_every_file_is_private(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'var' / 'inscribe.db'}"
    settings = Settings(database_url=url, jwt_secret=None, key_encryption_key=None)
    services = bootstrap(settings, run_projections=False)
    try:
        customer = commands.register_individual(services.app, ctx(), **individual(7))
        services.read_side.catch_up()
        files = sorted((tmp_path / "var").iterdir())
        file_modes = {p.name: mode(p) for p in files}
    finally:
        services.close()
    with create_engine(url).connect() as conn:
        stored = [bytes(k) for (k,) in conn.execute(text("SELECT key FROM inscribe_personal_keys"))]
    again = bootstrap(Settings(database_url=url, key_encryption_key=None), run_projections=False)
    try:
        from domain.customer.aggregate import Customer

        name = again.app.load(Customer, uuid.UUID(customer.id)).name
    finally:
        again.close()

    assert {"inscribe.db", "inscribe.read.db", "key-encryption-key"} <= set(file_modes)
    assert any(n.endswith(("-wal", "-shm")) for n in file_modes)
    assert file_modes == dict.fromkeys(file_modes, 384), file_modes
    assert mode(tmp_path / "var") == 0o700
    assert len(stored) == 2 and all(len(k) != KEY_BYTES for k in stored)  # the customer's and the identity secret
    assert name == individual(7)["name"]


def test_a_key_stored_bare_by_an_earlier_version_is_still_read(services: Services) -> None:
    bare = os.urandom(KEY_BYTES)
    table = services.app.recorder
    table.insert_key("customer:bare", bare)  # type: ignore[attr-defined]

    ring = KeyRing(table, wrapping_key=services.settings.wrapping_key())  # type: ignore[arg-type]
    found = ring.cipher("customer:bare")

    assert found is not None and found.key == bare


def test_postgresql_requires_a_key_encryption_key_unless_told_to_store_keys_bare(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    url = "postgresql://postgres@127.0.0.1:5432/inscribe"

    with pytest.raises(SettingsError, match="INSCRIBE_KEY_ENCRYPTION_KEY must be set"):
        Settings(database_url=url, key_encryption_key=None).wrapping_key()
    with pytest.raises(SettingsError, match="base64 of 32"):
        Settings(database_url=url, key_encryption_key="c2hvcnQ=").wrapping_key()
    monkeypatch.setenv("INSCRIBE_ALLOW_UNWRAPPED_KEYS", "true")
    assert Settings(database_url=url, key_encryption_key=None).wrapping_key() is None
    assert Settings(database_url=url).wrapping_key() is not None  # a key given is always used


def test_the_write_side_pre_pings_and_the_library_settings_in_the_environment_win(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    url = "postgresql://postgres@127.0.0.1:5432/inscribe"
    monkeypatch.delenv("POSTGRES_POOL_SIZE", raising=False)
    monkeypatch.delenv("POSTGRES_PRE_PING", raising=False)
    defaults = Settings(database_url=url).eventsourcing_env()
    monkeypatch.setenv("POSTGRES_POOL_SIZE", "3")

    given = Settings(database_url=url).eventsourcing_env()

    assert defaults["POSTGRES_PRE_PING"] == "y" and defaults["POSTGRES_POOL_SIZE"] == "10"
    assert "POSTGRES_POOL_SIZE" not in given  # the library reads the environment's 3


# --- access logs ----------------------------------------------------------------------------------


def access_line(path: str) -> str:
    record = logging.LogRecord(
        "uvicorn.access",
        logging.INFO,
        __file__,
        1,
        '%s - "%s %s HTTP/%s" %d',
        ("127.0.0.1:5000", "GET", path, "1.1", 200),
        None,
    )
    StripQueryString().filter(record)
    return AccessFormatter(fmt='%(client_addr)s - "%(request_line)s" %(status_code)s', use_colors=False).format(record)


def test_the_access_log_filter_keeps_the_route_and_drops_the_query_string() -> None:
    assert (
        access_line("/api/v1/customers?name=%E5%BC%A0%E4%BC%9F&after=2")
        == '127.0.0.1:5000 - "GET /api/v1/customers HTTP/1.1" 200 OK'
    )
    assert access_line("/api/v1/customers/abc") == '127.0.0.1:5000 - "GET /api/v1/customers/abc HTTP/1.1" 200 OK'
    assert access_log_config()["handlers"]["access"]["filters"] == ["strip_query_string"]


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """`inscribe serve` on SQLite, its output in a file."""
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    log = tmp_path / "serve.log"
    env = {k: v for k, v in os.environ.items() if not k.startswith("INSCRIBE_")}
    env.update(INSCRIBE_DATABASE_URL=f"sqlite:///{tmp_path}/x.db", INSCRIBE_JWT_SECRET=JWT_SECRET, PYTHONPATH=str(ROOT))
    with log.open("wb") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "interface.cli", "serve", "--port", str(port)],
            env=env,
            cwd=tmp_path,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        yield f"http://127.0.0.1:{port}", log
    finally:
        process.terminate()
        process.wait(30)


def test_a_real_server_logs_requests_without_their_query_strings(served: tuple[str, Path]) -> None:
    url, log = served
    deadline = time.monotonic() + 60
    while True:
        try:
            httpx.get(f"{url}/health?probe=1", timeout=1)
            break
        except httpx.TransportError:
            assert time.monotonic() < deadline, log.read_text()
            time.sleep(0.2)

    httpx.get(f"{url}/api/v1/customers", params={"name": "张伟"}, timeout=10)
    time.sleep(0.5)
    output = log.read_text()

    assert token_hint() in output  # the server and this test share PATH and interpreter
    assert '"GET /api/v1/customers HTTP/1.1" 401' in output.replace('\\"', '"'), output  # a JSON line's message
    assert "name=" not in output and "probe=" not in output


def test_no_document_links_outside_the_repository() -> None:
    readme = (ROOT / "README.md").read_text()

    assert "../shared" not in readme
    for linked in ("docs/spec.md", "docs/guide.zh.txt", "docs/style.md"):
        assert linked in readme and (ROOT / linked).is_file()
