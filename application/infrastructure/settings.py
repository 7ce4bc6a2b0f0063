"""Settings, read from the environment (prefix INSCRIBE_) with pydantic-settings."""

from __future__ import annotations

import base64
import os
import re
import secrets
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Literal
from urllib.parse import unquote, urlsplit

from pydantic import Field, ValidationError
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_URL = "sqlite:///var/inscribe.db"


class SettingsError(RuntimeError):
    """The configuration cannot work (for example PostgreSQL without a JWT secret)."""


class DatabaseUnreachable(SettingsError):
    """The database named by INSCRIBE_DATABASE_URL cannot be reached (or does not exist)."""


#: The product's defaults for the eventsourcing library's own PostgreSQL tunables. An operator's value in the
#: environment wins (library_setting); the read side's pool follows the same variables (read_engine_options).
POSTGRES_TUNABLES = {
    "POSTGRES_POOL_SIZE": "10",
    "POSTGRES_MAX_OVERFLOW": "10",
    "POSTGRES_LOCK_TIMEOUT": "10",
    # A connection the server killed is noticed and replaced before use, not handed to a command.
    "POSTGRES_PRE_PING": "y",
    # A command waits at most this long for a connection (then 503 database-unavailable), not 30 s.
    "POSTGRES_CONNECT_TIMEOUT": "5",
}
#: The PostgreSQL advisory lock key of the write side's set-up (the read side's is projections.db.SCHEMA_LOCK).
WRITE_SETUP_LOCK = 0x1D5C_0002
#: Seconds the first probe of a PostgreSQL server waits (inscribe commands, `serve`).
PROBE_CONNECT_TIMEOUT = 5


class Settings(BaseSettings):
    """Every knob the product has. One URL selects the event store and the read side together."""

    model_config = SettingsConfigDict(env_prefix="INSCRIBE_", extra="ignore")

    database_url: str = DEFAULT_URL
    # Where the API reads its registers, pages and reports (e.g. a PostgreSQL streaming replica of
    # INSCRIBE_DATABASE_URL); unset: the read side itself. Commands, projections and the log use the primary.
    read_database_url: str | None = None
    jwt_secret: str | None = None
    jwt_issuer: str = "inscribe"
    # HMAC secret of identity claims (domain.identity.aggregate); unset: one generated and kept in the key table.
    identity_secret: str | None = None
    # The key-encryption key (base64 of 32 bytes, e.g. from a secrets manager): with it, each personal-data
    # key is stored wrapped by the library's AES cipher, so a dump of the database alone reveals nothing.
    # Unset: on the embedded default one is generated once beside the JWT secret (var/key-encryption-key);
    # on PostgreSQL it is required unless INSCRIBE_ALLOW_UNWRAPPED_KEYS=true opts out.
    key_encryption_key: str | None = None
    allow_unwrapped_keys: bool = False
    # How long a process may use a cached personal-data key before asking the key table again.
    key_cache_seconds: float = Field(default=60.0, ge=0)
    token_hours: float = 12.0
    # Projections run inside the API process unless a separate worker runs them.
    projections_in_process: bool = True
    # How long a query with ?after= waits for the read side before answering 503.
    read_wait_seconds: float = Field(default=5.0, ge=0)
    projection_batch_size: int = Field(default=500, ge=1)
    # How often the projection worker runs the scheduler (inscribe tick), in seconds.
    tick_interval_seconds: float = Field(default=3600.0, gt=0)
    # Aggregates a process keeps in memory between commands (InscribeApplication.load: each use reads
    # the events recorded since, so a copy is never stale). Off by default: an erasure clears the copies
    # of the process that records it, not those of other processes. `inscribe demo` turns it on.
    aggregate_cache: int = Field(default=0, ge=0)
    # Operations (interface.health, interface.metrics, interface.logs, interface.tracing):
    # /health/ready answers 503 while a projection is more than this many events behind the log.
    ready_max_lag: int = Field(default=10000, ge=0)
    # Request tracing with OpenTelemetry: "off", "console" or "otlp" (pip install 'inscribe[tracing]').
    tracing: Literal["off", "console", "otlp"] = "off"
    # The level of the JSON log lines (DEBUG, INFO, WARNING, ERROR).
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    # The port on which the projection worker serves /metrics (0: none; the API serves its own).
    worker_metrics_port: int = Field(default=0, ge=0, le=65535)

    @property
    def is_postgres(self) -> bool:
        return self.database_url.startswith(("postgresql://", "postgres://", "postgresql+psycopg://"))

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite:")

    @property
    def sqlite_path(self) -> Path:
        """The event store file of a `sqlite:///path` URL."""
        path = self.database_url.split("sqlite:///", 1)[-1] if "sqlite:///" in self.database_url else ""
        if not path:
            raise SettingsError(f"INSCRIBE_DATABASE_URL {self.database_url!r}: use sqlite:///path/to/file.db")
        return Path(path)

    @property
    def read_url(self) -> str:
        """SQLAlchemy URL of the read side (a sibling file on SQLite, the same database on PostgreSQL)."""
        if self.is_sqlite:
            events = self.sqlite_path
            return f"sqlite:///{events.with_name(events.stem + '.read' + events.suffix)}"
        parts = urlsplit(self.database_url)
        return "postgresql+psycopg://" + parts.netloc + parts.path + (f"?{parts.query}" if parts.query else "")

    @property
    def replica_url(self) -> str | None:
        """SQLAlchemy URL of INSCRIBE_READ_DATABASE_URL (None when unset)."""
        url = self.read_database_url
        if not url:
            return None
        if url.startswith("sqlite:///") and len(url) > len("sqlite:///"):
            return url
        if url.startswith(("postgresql://", "postgres://", "postgresql+psycopg://")):
            parts = urlsplit(url)
            return "postgresql+psycopg://" + parts.netloc + parts.path + (f"?{parts.query}" if parts.query else "")
        raise SettingsError(f"INSCRIBE_READ_DATABASE_URL must start with sqlite:///path or postgresql://, not {url!r}")

    def private_read_file(self) -> None:
        """On SQLite, create the read side's file with mode 0600 before SQLAlchemy opens it."""
        if self.is_sqlite:
            private_file(Path(self.read_url.split("sqlite:///", 1)[1]))

    def eventsourcing_env(self) -> dict[str, str]:
        """The environment that configures the eventsourcing persistence module."""
        if self.is_sqlite:
            path = self.sqlite_path
            private_file(path)
            return {
                "PERSISTENCE_MODULE": "eventsourcing.sqlite",
                "SQLITE_DBNAME": str(path),
                "SQLITE_LOCK_TIMEOUT": "30",
                "APPLICATION_RECORDER_TOPIC": "application.infrastructure.recorders:SQLiteCommandRecorder",
            }
        if self.is_postgres:
            parts = urlsplit(self.database_url)
            env = {
                "PERSISTENCE_MODULE": "eventsourcing.postgres",
                "POSTGRES_DBNAME": parts.path.lstrip("/") or "postgres",
                "POSTGRES_HOST": parts.hostname or "127.0.0.1",
                "POSTGRES_PORT": str(parts.port or 5432),
                "POSTGRES_USER": unquote(parts.username or "postgres"),
                # The command log is written by our recorder's hook, which the DB-function path skips.
                "POSTGRES_ENABLE_DB_FUNCTIONS": "no",
                "APPLICATION_RECORDER_TOPIC": "application.infrastructure.recorders:PostgresCommandRecorder",
            }
            if parts.password is not None or "POSTGRES_PASSWORD" not in os.environ:
                env["POSTGRES_PASSWORD"] = unquote(parts.password or "")
            env.update({k: v for k, v in POSTGRES_TUNABLES.items() if not os.environ.get(k)})
            return env
        raise SettingsError(
            f"INSCRIBE_DATABASE_URL must start with sqlite:/// or postgresql://, not {self.database_url!r}"
        )

    def read_engine_options(self) -> dict[str, Any]:
        """The read side's PostgreSQL pool options: sized and pre-pinged by the library's POSTGRES_POOL_SIZE,
        POSTGRES_MAX_OVERFLOW and POSTGRES_PRE_PING, as the write side's pool is (the operator's value, else
        the product's default); the password of POSTGRES_PASSWORD when the URL has none."""
        try:
            size = int(library_setting("POSTGRES_POOL_SIZE"))
            overflow = int(library_setting("POSTGRES_MAX_OVERFLOW"))
        except ValueError as e:
            raise SettingsError(f"POSTGRES_POOL_SIZE and POSTGRES_MAX_OVERFLOW must be whole numbers: {e}") from None
        pre_ping = library_setting("POSTGRES_PRE_PING").strip().lower() in ("y", "yes", "t", "true", "on", "1")
        options: dict[str, Any] = {"pool_size": size, "max_overflow": overflow, "pool_pre_ping": pre_ping}
        if urlsplit(self.database_url).password is None and os.environ.get("POSTGRES_PASSWORD"):
            # A URL without a password: the exported POSTGRES_PASSWORD, as the event store uses it.
            options["connect_args"] = {"password": os.environ["POSTGRES_PASSWORD"]}
        return options

    def wrapping_key(self) -> bytes | None:
        """The key-encryption key as bytes: given, or (embedded default) generated once under var/.

        None only on PostgreSQL with INSCRIBE_ALLOW_UNWRAPPED_KEYS=true; SettingsError when it is missing
        on PostgreSQL otherwise, or is not base64 of 32 bytes."""
        if self.key_encryption_key:
            encoded, source = self.key_encryption_key, "INSCRIBE_KEY_ENCRYPTION_KEY"
        elif self.is_sqlite:
            key_file = self.sqlite_path.parent / "key-encryption-key"
            encoded = secret_file(key_file, lambda: base64.b64encode(secrets.token_bytes(32)).decode())
            source = str(key_file)
        elif self.allow_unwrapped_keys:
            return None
        else:
            raise SettingsError(
                "INSCRIBE_KEY_ENCRYPTION_KEY must be set when the database is PostgreSQL "
                f"({KEK_HINT}), or INSCRIBE_ALLOW_UNWRAPPED_KEYS=true to store keys bare"
            )
        try:
            key = base64.b64decode(encoded, validate=True)
        except ValueError:
            key = b""
        if len(key) != 32:
            raise SettingsError(f"{source} must be base64 of 32 random bytes ({KEK_HINT})")
        return key

    def check(self) -> None:
        """Everything a server needs from the settings, checked before it starts (SettingsError)."""
        self.eventsourcing_env()
        self.resolved_jwt_secret()
        self.wrapping_key()

    def safe_url(self) -> str:
        """The database URL without its password, for messages."""
        return redact_url(self.database_url)

    def probe_database(self, timeout: int = PROBE_CONNECT_TIMEOUT) -> None:
        """Connect once, briefly: DatabaseUnreachable (one line, no password) if that fails."""
        if self.is_sqlite:
            try:
                private_file(self.sqlite_path)
            except OSError as e:
                raise DatabaseUnreachable(f"cannot create the database {self.safe_url()}: {one_line(e)}") from None
            return
        if not self.is_postgres:
            self.eventsourcing_env()  # SettingsError naming the URL's form
        import psycopg

        env = {**os.environ, **self.eventsourcing_env()}
        try:
            with psycopg.connect(
                dbname=env["POSTGRES_DBNAME"],
                host=env["POSTGRES_HOST"],
                port=env["POSTGRES_PORT"],
                user=env["POSTGRES_USER"],
                password=env.get("POSTGRES_PASSWORD", ""),
                connect_timeout=timeout,
            ):
                pass
        except psycopg.Error as e:
            raise DatabaseUnreachable(f"cannot connect to the database {self.safe_url()}: {one_line(e)}") from None

    @contextmanager
    def setup_lock(self) -> Iterator[None]:
        """Hold the write side's set-up lock (PostgreSQL: a session advisory lock on a connection of its
        own), so processes started together never race creating the event store's tables."""
        if not self.is_postgres:
            yield
            return
        import psycopg

        env = {**os.environ, **self.eventsourcing_env()}
        with psycopg.connect(
            dbname=env["POSTGRES_DBNAME"],
            host=env["POSTGRES_HOST"],
            port=env["POSTGRES_PORT"],
            user=env["POSTGRES_USER"],
            password=env.get("POSTGRES_PASSWORD", ""),
            autocommit=True,
        ) as conn:
            conn.execute("SELECT pg_advisory_lock(%s)", (WRITE_SETUP_LOCK,))
            try:
                yield
            finally:
                conn.execute("SELECT pg_advisory_unlock(%s)", (WRITE_SETUP_LOCK,))

    def resolved_jwt_secret(self) -> str:
        """The JWT signing secret: given, or (embedded default only) generated once under var/."""
        if self.jwt_secret:
            return self.jwt_secret
        if not self.is_sqlite:
            raise SettingsError("INSCRIBE_JWT_SECRET must be set when the database is PostgreSQL")
        return secret_file(self.sqlite_path.parent / "jwt-secret", lambda: secrets.token_urlsafe(48))


def library_setting(name: str) -> str:
    """One of the library's POSTGRES_TUNABLES: the operator's value from the environment, else the product's."""
    return os.environ.get(name) or POSTGRES_TUNABLES[name]


KEK_HINT = "python3 -c 'import os,base64;print(base64.b64encode(os.urandom(32)).decode())'"


def private_directory(directory: Path) -> None:
    """Create a missing directory (and parents) readable by the owner only; an existing one is left alone."""
    if not directory.exists():
        directory.mkdir(mode=0o700, parents=True, exist_ok=True)


def private_file(path: Path) -> None:
    """An SQLite database file readable by the owner only: created empty with mode 0600 before SQLite
    opens it (SQLite gives its -wal, -shm and -journal files the database file's mode), and an existing
    one (and its companions) narrowed to 0600."""
    private_directory(path.parent)
    try:
        fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    except FileExistsError:
        for companion in (path, *(path.with_name(path.name + s) for s in ("-wal", "-shm", "-journal"))):
            try:
                if companion.stat().st_mode & 0o077:
                    companion.chmod(0o600)
            except OSError:  # absent, or not ours to change
                pass
    else:
        os.close(fd)


def secret_file(path: Path, generate: Callable[[], str]) -> str:
    """The secret kept in `path` (mode 0600), generated once by `generate()`."""
    private_directory(path.parent)
    if not path.exists():  # written aside, then linked: a racing process reads a whole secret or none
        draft = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
        fd = os.open(draft, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
        with os.fdopen(fd, "w") as out:
            out.write(generate())
        try:
            os.link(draft, path)
        except FileExistsError:
            pass
        finally:
            draft.unlink()
    return path.read_text().strip()


def redact_url(url: str) -> str:
    """`url` with any password replaced by ***."""
    return re.sub(r"(://[^:/@]*):[^@/]*@", r"\1:***@", url)


def one_line(error: BaseException) -> str:
    """An exception's message on one line (psycopg's span several)."""
    return " ".join(str(error).split()) or type(error).__name__


def describe_settings_error(error: ValidationError) -> str:
    """A pydantic error of Settings as one line naming each INSCRIBE_ variable."""
    parts = []
    for item in error.errors():
        name = "INSCRIBE_" + "_".join(str(p) for p in item["loc"]).upper()
        given = item.get("input")
        shown = (
            f"={given!r}"
            if isinstance(given, (str, int, float)) and "secret" not in name.lower() and "key" not in name.lower()
            else ""
        )
        parts.append(f"{name}{shown}: {item['msg']}")
    return "invalid setting " + "; ".join(parts)
