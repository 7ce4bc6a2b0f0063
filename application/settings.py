"""Settings, read from the environment (prefix INSCRIBE_) with pydantic-settings."""

from __future__ import annotations

import base64

import secrets
from pathlib import Path
from urllib.parse import unquote, urlsplit

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

DEFAULT_URL = "sqlite:///var/inscribe.db"


class SettingsError(RuntimeError):
    """The configuration cannot work (for example PostgreSQL without a JWT secret)."""


class Settings(BaseSettings):
    """Every knob the product has. One URL selects the event store and the read side together."""

    model_config = SettingsConfigDict(env_prefix="INSCRIBE_", extra="ignore")

    database_url: str = DEFAULT_URL
    jwt_secret: str | None = None
    jwt_issuer: str = "inscribe"
    # HMAC secret of identity claims (domain.identity); unset: one generated and kept in the key table.
    identity_secret: str | None = None
    # The key-encryption key (base64 of 32 bytes, e.g. from a secrets manager): with it, each personal-data
    # key is stored wrapped by the library's AES cipher, so a dump of the database alone reveals nothing.
    key_encryption_key: str | None = None
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

    def eventsourcing_env(self) -> dict[str, str]:
        """The environment that configures the eventsourcing persistence module."""
        if self.is_sqlite:
            path = self.sqlite_path
            path.parent.mkdir(parents=True, exist_ok=True)
            return {
                "PERSISTENCE_MODULE": "eventsourcing.sqlite",
                "SQLITE_DBNAME": str(path),
                "SQLITE_LOCK_TIMEOUT": "30",
                "APPLICATION_RECORDER_TOPIC": "application.recorders:SQLiteCommandRecorder",
            }
        if self.is_postgres:
            parts = urlsplit(self.database_url)
            return {
                "PERSISTENCE_MODULE": "eventsourcing.postgres",
                "POSTGRES_DBNAME": parts.path.lstrip("/") or "postgres",
                "POSTGRES_HOST": parts.hostname or "127.0.0.1",
                "POSTGRES_PORT": str(parts.port or 5432),
                "POSTGRES_USER": unquote(parts.username or "postgres"),
                "POSTGRES_PASSWORD": unquote(parts.password or ""),
                "POSTGRES_POOL_SIZE": "10",
                "POSTGRES_MAX_OVERFLOW": "10",
                "POSTGRES_LOCK_TIMEOUT": "10",
                # The command log is written by our recorder's hook, which the DB-function path skips.
                "POSTGRES_ENABLE_DB_FUNCTIONS": "no",
                "APPLICATION_RECORDER_TOPIC": "application.recorders:PostgresCommandRecorder",
            }
        raise SettingsError(
            f"INSCRIBE_DATABASE_URL must start with sqlite:/// or postgresql://, not {self.database_url!r}"
        )

    def wrapping_key(self) -> bytes | None:
        """The key-encryption key as bytes, or None; SettingsError unless it is base64 of 32 bytes."""
        if not self.key_encryption_key:
            return None
        try:
            key = base64.b64decode(self.key_encryption_key, validate=True)
        except ValueError:
            key = b""
        if len(key) != 32:
            raise SettingsError("INSCRIBE_KEY_ENCRYPTION_KEY must be base64 of 32 random bytes "
                                "(python -c 'import os,base64;print(base64.b64encode(os.urandom(32)).decode())')")
        return key

    def resolved_jwt_secret(self) -> str:
        """The JWT signing secret: given, or (embedded default only) generated once under var/."""
        if self.jwt_secret:
            return self.jwt_secret
        if not self.is_sqlite:
            raise SettingsError("INSCRIBE_JWT_SECRET must be set when the database is PostgreSQL")
        secret_file = self.sqlite_path.parent / "jwt-secret"
        secret_file.parent.mkdir(parents=True, exist_ok=True)
        if not secret_file.exists():
            secret_file.write_text(secrets.token_urlsafe(48))
            secret_file.chmod(0o600)
        return secret_file.read_text().strip()
