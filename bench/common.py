"""Shared pieces: distinct valid resident IDs, databases, percentiles and machine facts."""

from __future__ import annotations

import os
import platform
import shutil
import subprocess
import sys
import uuid
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

import psycopg

from domain.identifiers import resident_id_check_char

ROOT = Path(__file__).resolve().parent.parent
ADMIN_URL = os.environ.get("INSCRIBE_BENCH_ADMIN_URL", "postgresql://postgres@127.0.0.1:5432/postgres")

# The library baseline writes to its own schema, dropped after it; the other parts draw random regions per run.
REGION_LIBRARY = "350105"


def resident_id(i: int, region: str) -> str:
    """The i-th resident ID of a region: distinct for every i below 23 million (bench/wrk.py mirrors it)."""
    seq, d = i % 1000, i // 1000
    first17 = f"{region}{1950 + d // 336:04d}{d // 28 % 12 + 1:02d}{d % 28 + 1:02d}{seq:03d}"
    return first17 + resident_id_check_char(first17)


def individual(i: int, region: str) -> dict[str, Any]:
    """Domain keywords of a valid individual registration (as tests/helpers.individual)."""
    return {
        "name": f"张伟{i}",
        "id_number": resident_id(i, region),
        "occupation": "teacher",
        "occupation_class": 1,
        "family_status": "married",
        "dependants": 1,
        "annual_income": "180000.00",
        "contacts": {"phone": "13800138000"},
    }


def individual_body(i: int, region: str) -> dict[str, Any]:
    """JSON body of POST /api/v1/customers."""
    return {"kind": "individual", **individual(i, region)}


def percentile(sorted_values: list[float], pct: float) -> float:
    """Nearest-rank percentile of an ascending list (0 for an empty one)."""
    if not sorted_values:
        return 0.0
    rank = max(0, min(len(sorted_values) - 1, round(pct / 100 * len(sorted_values) + 0.5) - 1))
    return sorted_values[rank]


def _admin(sql: str) -> None:
    with psycopg.connect(ADMIN_URL, autocommit=True, connect_timeout=5) as conn:
        conn.execute(sql)


def create_database() -> str:
    """A new, uniquely named database; its URL."""
    name = f"inscribe_bench_{uuid.uuid4().hex[:12]}"
    _admin(f'CREATE DATABASE "{name}"')
    return f"{ADMIN_URL.rsplit('/', 1)[0]}/{name}"


def drop_database(url: str) -> None:
    _admin(f'DROP DATABASE IF EXISTS "{url.rsplit("/", 1)[1]}" WITH (FORCE)')


def scalar(url: str, sql: str) -> Any:
    with psycopg.connect(url, autocommit=True) as conn:
        row = conn.execute(sql).fetchone()
    return row[0] if row else None


def _run(*cmd: str) -> str:
    try:
        return subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT, timeout=10, check=False).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return ""


def machine_info(database_url: str) -> dict[str, Any]:
    """Where and on what the numbers were measured."""
    versions: dict[str, str | None] = {}
    for package in ("eventsourcing", "litestar", "sqlalchemy", "psycopg", "uvicorn", "pydantic", "httpx"):
        try:
            versions[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            versions[package] = None
    wrk = shutil.which("wrk")
    try:
        postgres = scalar(database_url, "SHOW server_version")
    except psycopg.Error:
        postgres = None
    return {
        "timestamp": datetime.now(UTC).isoformat(timespec="seconds"),
        "nproc": os.cpu_count(),
        "machine": platform.machine(),
        "system": f"{platform.system()} {platform.release()}",
        "python": sys.version.split()[0],
        "versions": versions,
        "postgres": postgres,
        "wrk": (_run(wrk, "--version").splitlines() or [""])[0] if wrk else None,
        "git_commit": _run("git", "rev-parse", "HEAD") or None,
        "git_dirty": bool(_run("git", "status", "--porcelain")),
    }
