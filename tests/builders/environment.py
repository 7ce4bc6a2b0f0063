"""The test environment: the secrets the tests sign and encrypt with, the PostgreSQL server (a database
made and dropped per test) and the settings a fresh `inscribe` process inherits."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import psycopg
import pytest

from application.infrastructure.settings import Settings

if TYPE_CHECKING:
    from interface.bootstrap import Services

IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
POSTGRES_ADMIN_URL = os.environ.get("INSCRIBE_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
JWT_SECRET = "test-secret-" + "x" * 40
# PostgreSQL requires a key-encryption key (application.infrastructure.settings.Settings.wrapping_key). Tests that build
# their settings from the environment (CLI invocations, subprocesses) inherit this one (tests/conftest.py sets it).
KEY_ENCRYPTION_KEY = "dGVzdC1rZXktZW5jcnlwdGlvbi1rZXktMzItYnl0ZXM="  # base64 of 32 bytes


def _postgres_problem() -> str | None:
    try:
        with psycopg.connect(POSTGRES_ADMIN_URL, connect_timeout=3):
            return None
    except psycopg.Error as e:
        return f"PostgreSQL not reachable at {POSTGRES_ADMIN_URL}: {e}".strip()


_PG_PROBLEM: list[str | None] = []


def postgres_problem() -> str | None:
    """Why PostgreSQL cannot be used (asked once per process), or None when it can."""
    if not _PG_PROBLEM:
        _PG_PROBLEM.append(_postgres_problem())
    return _PG_PROBLEM[0]


def require_postgres() -> None:
    """Skip the test without a reachable PostgreSQL (fail it under CI)."""
    problem = postgres_problem()
    if problem:
        if IN_CI:
            pytest.fail(f"CI requires PostgreSQL: {problem}")
        pytest.skip(problem)


def _admin(sql: str) -> None:
    with psycopg.connect(POSTGRES_ADMIN_URL, autocommit=True) as conn:
        conn.execute(sql)


def new_postgres_database() -> str:
    """Create a uniquely named database; return its URL."""
    name = f"inscribe_test_{uuid.uuid4().hex[:16]}"
    _admin(f'CREATE DATABASE "{name}"')
    base = POSTGRES_ADMIN_URL.rsplit("/", 1)[0]
    return f"{base}/{name}"


def drop_postgres_database(url: str) -> None:
    """Drop the database at `url`, whoever is still connected."""
    name = url.rsplit("/", 1)[1]
    _admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@contextmanager
def fresh_database(kind: str, sqlite_file: Path) -> Iterator[str]:
    """The URL of a fresh, empty database of `kind` ("sqlite": at `sqlite_file`; "postgres": a new database,
    dropped at the end; skipped, or failed under CI, without a server)."""
    if kind == "sqlite":
        yield f"sqlite:///{sqlite_file}"
        return
    require_postgres()
    url = new_postgres_database()
    try:
        yield url
    finally:
        drop_postgres_database(url)


@contextmanager
def booted(settings: Settings, *, run_projections: bool) -> Iterator[Services]:
    """The services over `settings` (the projections running in-process or not), closed at the end."""
    from interface.bootstrap import bootstrap

    built = bootstrap(settings, run_projections=run_projections)
    try:
        yield built
    finally:
        built.close()


def settings_env(settings: Settings) -> dict[str, str]:
    """The environment that gives a fresh `inscribe` process these settings (INSCRIBE_…)."""
    return {
        f"INSCRIBE_{name.upper()}": str(value)
        for name, value in settings.model_dump(exclude_defaults=True).items()
        if value is not None
    }
