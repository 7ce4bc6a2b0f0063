"""The audit trail in the integration and command-line tests: a short history to chain, tampering with
the event store behind the application's back, and audit packages changed byte by byte."""

from __future__ import annotations

import sqlite3
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import psycopg

from application.app import InscribeApplication
from application.commands.customers import register_individual
from tests.builders.app import application
from tests.builders.common import ctx, individual
from tests.builders.customers import act


def a_history(services: Any) -> None:
    """Four customers registered and segmented."""
    for seed in range(4):
        result = register_individual(services.app, ctx(), **individual(seed))
        act(services.app, ctx(), result.id, "segment", segment="mass", basis="income")


def sql(services: Any, statement: str) -> None:
    """Run SQL on the event store directly, as someone with database access would."""
    settings = services.settings
    table = services.app.recorder.events_table_name
    key = "notification_id" if settings.is_postgres else "rowid"
    statement = statement.format(events=table, key=key)
    if settings.is_postgres:
        with psycopg.connect(settings.database_url, autocommit=True) as conn:
            conn.execute(statement)
    else:
        with sqlite3.connect(settings.sqlite_path) as conn:
            conn.executescript(statement)


def reopened(services: Any) -> InscribeApplication:
    """A fresh application over the same store (its chain is read again from the log)."""
    return application(services.settings)


def rewritten(path: Path, name: str, change: Callable[[bytes], bytes]) -> Path:
    """A copy of the package with one member's bytes changed, re-zipped (so the ZIP's own CRC is right)."""
    copy = path.with_name("changed-" + path.name)
    with zipfile.ZipFile(path) as source, zipfile.ZipFile(copy, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info)
            target.writestr(info.filename, change(data) if info.filename == name else data)
    return copy


def flip(offset: int) -> Callable[[bytes], bytes]:
    """A change that flips the lowest bit of the byte at `offset`."""
    return lambda data: data[:offset] + bytes([data[offset] ^ 0x01]) + data[offset + 1 :]


def member(path: Path, name: str) -> bytes:
    """The bytes of one member of a package."""
    with zipfile.ZipFile(path) as package:
        return package.read(name)
