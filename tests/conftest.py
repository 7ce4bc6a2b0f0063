"""Shared fixtures: hypothesis profiles, one database fixture that runs on SQLite and PostgreSQL, the
services on it, and the HTTP client and clerk's desk over them (used by tests/api and tests/test_tick.py).

PostgreSQL: each test gets its own uniquely named database (a copy of a template holding the schema),
dropped afterwards. Without a
reachable server the PostgreSQL cases skip with the reason; under CI (CI=true) they fail instead,
and any skipped test fails the run. The helpers behind this live in tests.builders.environment.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from hypothesis import HealthCheck, settings
from litestar.testing import TestClient

from application.infrastructure.settings import Settings
from domain import clock
from domain.clock import SimulatedClock
from tests.builders.desk import START, Desk, moment
from tests.builders.environment import (
    IN_CI,
    JWT_SECRET,
    KEY_ENCRYPTION_KEY,
    booted,
    drop_test_databases,
    fresh_database,
)

if TYPE_CHECKING:
    from interface.bootstrap import Services

settings.register_profile("ci", max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("dev", max_examples=20, deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.register_profile(
    "deep", max_examples=1000, deadline=None, stateful_step_count=100, suppress_health_check=[HealthCheck.too_slow]
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

# Tests that build their settings from the environment (CLI invocations, subprocesses) inherit this key-encryption key.
os.environ.setdefault("INSCRIBE_KEY_ENCRYPTION_KEY", KEY_ENCRYPTION_KEY)


@pytest.fixture(params=["sqlite", "postgres"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """The URL of a fresh database holding the schema and no data (with the mark `empty_database`: nothing at
    all): once on SQLite, once on PostgreSQL."""
    empty = request.node.get_closest_marker("empty_database") is not None
    with fresh_database(request.param, tmp_path / "inscribe.db", empty=empty) as url:
        yield url


@pytest.fixture
def test_settings(database_url: str) -> Settings:
    return Settings(
        database_url=database_url, jwt_secret=JWT_SECRET, read_wait_seconds=5.0, key_encryption_key=KEY_ENCRYPTION_KEY
    )


@pytest.fixture
def services(test_settings: Settings) -> Iterator[Services]:
    """Write and read side on the fresh database; projections are run by the test (catch_up)."""
    with booted(test_settings, run_projections=False) as built:
        yield built


@pytest.fixture
def running_services(test_settings: Settings) -> Iterator[Services]:
    """As `services`, with the projections running in-process as in production."""
    with booted(test_settings, run_projections=True) as built:
        yield built


def pytest_configure(config: pytest.Config) -> None:
    """Every problem code the API answers in a test must be one the OpenAPI document lists for the operation."""
    from interface import errors

    errors.CHECK_DOCUMENTED_CODES = True


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """The test databases left are dropped. Under CI a skipped test is a failure: PostgreSQL must have run."""
    drop_test_databases()
    if not IN_CI:
        return
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    skipped = reporter.stats.get("skipped", []) if reporter else []
    if reporter and skipped:
        reporter.write_line(f"CI: {len(skipped)} test(s) skipped; under CI every test must run", red=True)
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


@pytest.fixture
def client(running_services: Services) -> Iterator[TestClient[Any]]:
    """An HTTP client over create_app(running_services); projections run in-process."""
    from interface.app import create_app

    with TestClient(app=create_app(running_services)) as test_client:
        yield test_client


@pytest.fixture
def desk(client: TestClient[Any], running_services: Services) -> Iterator[Desk]:
    """The back office over HTTP on a simulated clock that starts on START (10:00 China time)."""
    simulated = SimulatedClock(moment(START))
    with clock.using(simulated):
        yield Desk(client, running_services, simulated)
