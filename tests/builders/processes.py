"""Processes a test starts (`inscribe …` in a fresh interpreter) and what they leave: every register's
rows, the rebuild's shadow and its position. The processes a test started are killed when it ends (import
the autouse fixture `no_process_outlives_its_test` into the test module)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Executable, create_engine, select, text

from application.infrastructure.settings import Settings
from projections.rebuild import shadow_file, shadow_schema
from projections.tracking import tracking_table
from tests.builders.environment import settings_env

ROOT = Path(__file__).resolve().parents[2]
INSCRIBE = str(Path(sys.executable).parent / "inscribe")


def snapshot(services: Any) -> dict[str, list[dict[str, Any]]]:
    """Every row of every register, in key order."""
    found = {}
    with services.read_side.engine.connect() as conn:
        for projection in services.read_side.projections.values():
            for table in projection.tables:
                found[table.name] = [
                    dict(r) for r in conn.execute(select(table).order_by(*table.primary_key.columns)).mappings()
                ]
    return found


def shadow_left(services: Any) -> bool:
    read_side = services.read_side
    if read_side.engine.dialect.name == "postgresql":
        with read_side.engine.connect() as conn:
            return bool(
                conn.execute(
                    text("SELECT 1 FROM pg_namespace WHERE nspname = :n"), {"n": shadow_schema(read_side)}
                ).first()
            )
    return shadow_file(read_side.engine).exists()


def shadow_position(services: Any) -> int:
    """The lowest position the rebuild's shadow registers have reached (0 while none)."""
    read_side = services.read_side
    query: Executable
    if read_side.engine.dialect.name == "postgresql":
        query = text(f'SELECT min(notification_id) FROM "{shadow_schema(read_side)}".projection_tracking')
        engine = read_side.engine
    else:
        path = shadow_file(read_side.engine)
        if not path.exists():
            return 0
        engine = create_engine(f"sqlite:///{path}")
        query = select(tracking_table.c.notification_id)
    try:
        with engine.connect() as conn:
            values = [v for v in conn.execute(query).scalars() if v is not None]
            return min(values) if values else 0
    except Exception:  # not created yet
        return 0
    finally:
        if engine is not read_side.engine:
            engine.dispose()


#: The processes a test started, killed when it ends (a test that fails or times out leaves none running).
STARTED: list[subprocess.Popen[str]] = []


@pytest.fixture(autouse=True)
def no_process_outlives_its_test() -> Any:
    yield
    while STARTED:
        process = STARTED.pop()
        if process.poll() is None:
            process.kill()
            process.wait(timeout=30)


def inscribe(settings: Settings, *args: str, **env: str) -> subprocess.Popen[str]:
    """`inscribe ARGS` in a fresh interpreter with these settings."""
    process = subprocess.Popen(
        [INSCRIBE, *args],
        cwd=ROOT,
        text=True,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env={**os.environ, **settings_env(settings), **env},
    )
    STARTED.append(process)
    return process


def until(condition: Any, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.02)
