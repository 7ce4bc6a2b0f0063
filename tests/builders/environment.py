"""The test environment: the secrets the tests sign and encrypt with, the PostgreSQL server (a database
made and dropped per test, a copy of a template holding the schema) and the settings a fresh `inscribe` process inherits."""

from __future__ import annotations

import atexit
import os
import queue
import shutil
import sqlite3
import tempfile
import threading
import uuid
from collections.abc import Iterator
from contextlib import closing, contextmanager
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


def _sqlite_files(events: Path) -> tuple[Path, Path]:
    """The event store's file and the read side's (Settings.read_url) of a SQLite book."""
    read = Settings(database_url=f"sqlite:///{events}", jwt_secret=JWT_SECRET).read_url
    return events, Path(read.split("sqlite:///", 1)[1])


class _Books:
    """Per test process: a database holding the schema every boot creates (one PostgreSQL template database
    and one SQLite file, made on first use by booting the product once), so a test's fresh database is a
    copy rather than a migration; and a thread dropping finished PostgreSQL databases while the next test
    runs. The template holds no personal-data key: each copy's first boot makes its own, as on an empty one."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._postgres: str | None = None
        self._sqlite: Path | None = None
        self._drops: queue.Queue[str | None] = queue.Queue()
        self._dropper: threading.Thread | None = None

    @staticmethod
    def _bootstrapped(url: str) -> None:
        from interface.bootstrap import bootstrap

        settings = Settings(database_url=url, jwt_secret=JWT_SECRET, key_encryption_key=KEY_ENCRYPTION_KEY)
        bootstrap(settings, run_projections=False).close()

    def postgres(self) -> str:
        """A new database, a copy of the template (made on first use)."""
        with self._lock:
            if self._postgres is None:
                url = new_postgres_database()
                self._bootstrapped(url)
                with psycopg.connect(url, autocommit=True) as conn:
                    conn.execute("DELETE FROM inscribe_personal_keys")
                self._postgres = url.rsplit("/", 1)[1]
                atexit.register(self.close)  # drop_test_databases is the way; this, should it not be reached
        name = f"inscribe_test_{uuid.uuid4().hex[:16]}"
        _admin(f'CREATE DATABASE "{name}" TEMPLATE "{self._postgres}"')
        return f"{POSTGRES_ADMIN_URL.rsplit('/', 1)[0]}/{name}"

    def sqlite(self, path: Path) -> str:
        """A copy of the SQLite template's files (made on first use) at `path`, private as the product's are."""
        with self._lock:
            if self._sqlite is None:
                template = Path(tempfile.mkdtemp(prefix="inscribe-template-")) / "template.db"
                self._bootstrapped(f"sqlite:///{template}")
                for file in _sqlite_files(template):
                    with closing(sqlite3.connect(file)) as conn, conn:
                        keys = conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'inscribe_personal_keys'")
                        if keys.fetchone():
                            conn.execute("DELETE FROM inscribe_personal_keys")
                self._sqlite = template
        for source, target in zip(_sqlite_files(self._sqlite), _sqlite_files(path), strict=True):
            os.close(os.open(target, os.O_CREAT | os.O_WRONLY, 0o600))
            with closing(sqlite3.connect(source)) as original, closing(sqlite3.connect(target)) as copy:
                original.backup(copy)
        return f"sqlite:///{path}"

    def drop_later(self, url: str) -> None:
        with self._lock:
            if self._dropper is None:
                self._dropper = threading.Thread(target=self._drop_each, name="drop-test-databases", daemon=True)
                self._dropper.start()
        self._drops.put(url)

    def _drop_each(self) -> None:
        while (url := self._drops.get()) is not None:
            drop_postgres_database(url)

    def close(self) -> None:
        """Drop what is left to drop, then the template (at the end of the test session: a worker that is
        still busy at its exit may be interrupted, and would leave databases behind)."""
        with self._lock:
            dropper, template, files = self._dropper, self._postgres, self._sqlite
            self._dropper = self._postgres = self._sqlite = None
        if files is not None:
            shutil.rmtree(files.parent, ignore_errors=True)
        if dropper is not None:
            self._drops.put(None)
            dropper.join(timeout=120)
        if template is not None:
            _admin(f'DROP DATABASE IF EXISTS "{template}" WITH (FORCE)')


_BOOKS = _Books()


def drop_test_databases() -> None:
    """Drop every database this process made for its tests and has not dropped yet (tests/conftest.py calls
    it when the session finishes; at the process's exit too, should that not be reached)."""
    _BOOKS.close()


@contextmanager
def fresh_database(kind: str, sqlite_file: Path, *, empty: bool = False) -> Iterator[str]:
    """The URL of a fresh database of `kind` ("sqlite": at `sqlite_file`; "postgres": a new database, dropped
    at the end; skipped, or failed under CI, without a server). It holds the schema a boot creates and no
    data (a copy of a template); `empty=True`: nothing at all, not even the schema."""
    if kind == "sqlite":
        yield f"sqlite:///{sqlite_file}" if empty else _BOOKS.sqlite(sqlite_file)
        return
    require_postgres()
    url = new_postgres_database() if empty else _BOOKS.postgres()
    try:
        yield url
    finally:
        _BOOKS.drop_later(url)


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
