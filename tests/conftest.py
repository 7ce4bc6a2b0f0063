"""Shared fixtures: hypothesis profiles, and one database fixture that runs on SQLite and PostgreSQL.

PostgreSQL: each test gets its own uniquely named database, dropped afterwards. Without a
reachable server the PostgreSQL cases skip with the reason; under CI (CI=true) they fail instead,
and any skipped test fails the run.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
from hypothesis import HealthCheck, settings

from application.infrastructure.settings import Settings

settings.register_profile("ci", max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("dev", max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.register_profile(
    "deep", max_examples=1000, deadline=None, stateful_step_count=100, suppress_health_check=[HealthCheck.too_slow]
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
POSTGRES_ADMIN_URL = os.environ.get("INSCRIBE_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
JWT_SECRET = "test-secret-" + "x" * 40
# PostgreSQL requires a key-encryption key (application.infrastructure.settings.Settings.wrapping_key). Tests that build
# their settings from the environment (CLI invocations, subprocesses) inherit this one.
KEY_ENCRYPTION_KEY = "dGVzdC1rZXktZW5jcnlwdGlvbi1rZXktMzItYnl0ZXM="  # base64 of 32 bytes
os.environ.setdefault("INSCRIBE_KEY_ENCRYPTION_KEY", KEY_ENCRYPTION_KEY)


def _postgres_problem() -> str | None:
    try:
        with psycopg.connect(POSTGRES_ADMIN_URL, connect_timeout=3):
            return None
    except psycopg.Error as e:
        return f"PostgreSQL not reachable at {POSTGRES_ADMIN_URL}: {e}".strip()


_PG_PROBLEM: list[str | None] = []


def postgres_problem() -> str | None:
    if not _PG_PROBLEM:
        _PG_PROBLEM.append(_postgres_problem())
    return _PG_PROBLEM[0]


def require_postgres() -> None:
    problem = postgres_problem()
    if problem:
        if IN_CI:
            pytest.fail(f"CI requires PostgreSQL: {problem}")
        pytest.skip(problem)


def _admin(sql: str) -> None:
    with psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True) as conn:
        conn.execute(sql)  # type: ignore[arg-type]


def new_postgres_database() -> str:
    """Create a uniquely named database; return its URL."""
    name = f"inscribe_test_{uuid.uuid4().hex[:16]}"
    _admin(f'CREATE DATABASE "{name}"')
    base = POSTGRES_ADMIN_URL.rsplit("/", 1)[0]
    return f"{base}/{name}"


def drop_postgres_database(url: str) -> None:
    name = url.rsplit("/", 1)[1]
    _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(params=["sqlite", "postgres"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """The URL of a fresh, empty database: once on SQLite, once on PostgreSQL."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'inscribe.db'}"
        return
    require_postgres()
    url = new_postgres_database()
    try:
        yield url
    finally:
        drop_postgres_database(url)


@pytest.fixture
def test_settings(database_url: str) -> Settings:
    return Settings(
        database_url=database_url, jwt_secret=JWT_SECRET, read_wait_seconds=5.0, key_encryption_key=KEY_ENCRYPTION_KEY
    )


@pytest.fixture
def services(test_settings: Settings) -> Iterator[Any]:
    """Write and read side on the fresh database; projections are run by the test (catch_up)."""
    from interface.bootstrap import bootstrap

    built = bootstrap(test_settings, run_projections=False)
    try:
        yield built
    finally:
        built.close()


@pytest.fixture
def running_services(test_settings: Settings) -> Iterator[Any]:
    """As `services`, with the projections running in-process as in production."""
    from interface.bootstrap import bootstrap

    built = bootstrap(test_settings, run_projections=True)
    try:
        yield built
    finally:
        built.close()


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """Under CI a skipped test is a failure: PostgreSQL must have run."""
    if not IN_CI:
        return
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    skipped = reporter.stats.get("skipped", []) if reporter else []
    if skipped:
        reporter.write_line(f"CI: {len(skipped)} test(s) skipped; under CI every test must run", red=True)
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


def settings_env(settings: Settings) -> dict[str, str]:
    """The environment that gives a fresh `inscribe` process these settings (INSCRIBE_…)."""
    return {
        f"INSCRIBE_{name.upper()}": str(value)
        for name, value in settings.model_dump(exclude_defaults=True).items()
        if value is not None
    }
