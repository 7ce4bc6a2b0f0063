"""Queries read a replica of the read side (INSCRIBE_READ_DATABASE_URL) and answer `?after=` from the
replica's own positions; commands and the projections keep the primary. Here the replica is a second
database kept by a second runner of the projections, as a streaming replica would be: the same rows and
positions, at its own pace."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from litestar.testing import TestClient
from sqlalchemy import create_engine

from application.infrastructure.settings import Settings, SettingsError
from interface.app import create_app
from interface.bootstrap import Services
from projections.db import sqlite_pragmas
from projections.registry import all_projections
from projections.runner import ReadSide
from tests.builders.common import individual_body
from tests.builders.environment import booted, fresh_database
from tests.builders.http import BASE, auth


@pytest.fixture
def replica_url(database_url: str, tmp_path: Path) -> Iterator[str]:
    """A second, empty database of the same kind as the primary."""
    kind = "sqlite" if database_url.startswith("sqlite") else "postgres"
    with fresh_database(kind, tmp_path / "replica.db", empty=True) as url:
        yield url


@pytest.fixture
def primary(test_settings: Settings, replica_url: str) -> Iterator[Services]:
    settings = test_settings.model_copy(update={"read_database_url": replica_url, "read_wait_seconds": 0.3})
    with booted(settings, run_projections=False) as built:
        yield built


@pytest.fixture
def replication(primary: Services) -> Iterator[ReadSide]:
    """The runner that keeps the replica (a replica's registers, written at their own pace)."""
    url = primary.settings.replica_url
    assert url is not None
    engine = create_engine(url)
    if url.startswith("sqlite"):
        sqlite_pragmas(engine)
    try:
        yield ReadSide(primary.app, engine, all_projections())
    finally:
        engine.dispose()


def test_queries_read_the_replica_and_after_waits_for_the_replicas_own_position(
    primary: Services, replication: ReadSide
) -> None:
    with TestClient(app=create_app(primary)) as client:
        answer = client.post(BASE, json=individual_body(1), headers=auth())
        assert answer.status_code == 201, answer.text
        position = answer.json()["position"]
        primary.read_side.catch_up()  # the primary's registers hold the customer …
        assert primary.read_side.positions()["customers"] >= position

        behind = client.get(BASE, params={"after": position}, headers=auth())
        assert behind.status_code == 503, behind.text  # … the replica has not reached it
        assert behind.json()["type"].endswith("read-side-behind")
        assert client.get(BASE, headers=auth()).json()["total"] == 0  # what the replica holds now

        replication.catch_up()
        page = client.get(BASE, params={"after": position}, headers=auth())
        assert page.status_code == 200, page.text
        assert [item["id"] for item in page.json()["items"]] == [answer.json()["id"]]
        one = client.get(f"{BASE}/{answer.json()['id']}", params={"after": position}, headers=auth())
        assert one.status_code == 200, one.text


def test_without_a_replica_queries_read_the_read_side(services: Services) -> None:
    assert services.settings.replica_url is None
    assert services.read_side.queries is services.read_side.engine


@pytest.mark.parametrize("url", ["mysql://db/inscribe", "sqlite:///", "replica"])
def test_a_replica_url_of_no_known_kind_is_refused_naming_the_setting(url: str) -> None:
    with pytest.raises(SettingsError, match="INSCRIBE_READ_DATABASE_URL"):
        _ = Settings(read_database_url=url).replica_url


def test_a_postgresql_replica_url_is_read_with_psycopg() -> None:
    settings = Settings(read_database_url="postgresql://reader@replica:5432/inscribe?sslmode=require")
    assert settings.replica_url == "postgresql+psycopg://reader@replica:5432/inscribe?sslmode=require"


def test_ready_asks_the_replica_too(primary: Services, replication: ReadSide) -> None:
    primary.settings.ready_max_lag = 0
    with TestClient(app=create_app(primary)) as client:
        assert client.post(BASE, json=individual_body(1), headers=auth()).status_code == 201
        primary.read_side.catch_up()

        behind = client.get("/health/ready")
        assert behind.status_code == 503, behind.text
        assert behind.json()["reasons"] == ["replica-lagging"]
        assert behind.json()["replica_lagging"]["customers"] > 0

        replication.catch_up()
        ready = client.get("/health/ready")
        assert ready.status_code == 200, ready.text
        assert ready.json()["replica_max_lag"] == 0


def test_ready_is_503_while_the_replica_holds_no_read_side(primary: Services) -> None:
    """A replica database that is not (yet) a copy of the read side: not ready, never a 500."""
    with TestClient(app=create_app(primary)) as client:
        answer = client.get("/health/ready")
    assert answer.status_code == 503, answer.text
    assert answer.json()["reasons"] == ["replica-unreachable"]
