"""The `inscribe` command line: tokens, projection status and rebuild, on SQLite and PostgreSQL."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from uuid import UUID

import jwt
import pytest
from click.testing import CliRunner
from sqlalchemy import select

from application.commands import customers as commands
from application.infrastructure.settings import Settings
from interface.cli import main
from interface.permissions import ROLES
from tests.builders.cli import invoke
from tests.builders.common import ctx, enterprise, individual
from tests.builders.customers import act
from tests.builders.environment import JWT_SECRET

# --- token ---------------------------------------------------------------------------------


@pytest.mark.parametrize("url", ["sqlite", "postgresql://postgres@127.0.0.1:5432/inscribe_not_touched"])
def test_token_prints_a_token_that_verifies_with_the_secret_and_carries_sub_and_role(url: str, tmp_path: Path) -> None:
    database_url = f"sqlite:///{tmp_path / 'inscribe.db'}" if url == "sqlite" else url

    for role in ROLES:
        result = invoke(
            "token", "--role", role, "--sub", "s", INSCRIBE_DATABASE_URL=database_url, INSCRIBE_JWT_SECRET=JWT_SECRET
        )

        assert result.exit_code == 0, result.output
        claims = jwt.decode(result.stdout.strip(), JWT_SECRET, algorithms=["HS256"], issuer="inscribe")
        assert (claims["sub"], claims["role"]) == ("s", role)
        assert claims["exp"] > claims["iat"]


def test_token_refuses_an_unknown_role_and_postgresql_without_a_secret(tmp_path: Path) -> None:
    unknown = invoke(
        "token",
        "--role",
        "janitor",
        "--sub",
        "s",
        INSCRIBE_DATABASE_URL=f"sqlite:///{tmp_path / 'x.db'}",
        INSCRIBE_JWT_SECRET=JWT_SECRET,
    )
    no_secret = invoke(
        "token",
        "--role",
        "agent",
        "--sub",
        "s",
        INSCRIBE_DATABASE_URL="postgresql://postgres@127.0.0.1:5432/inscribe_not_touched",
    )

    assert unknown.exit_code != 0
    assert "unknown role" in unknown.output and "agent" in unknown.output
    assert no_secret.exit_code != 0
    assert "INSCRIBE_JWT_SECRET" in no_secret.output


def test_on_sqlite_without_a_secret_the_token_is_signed_with_one_kept_beside_the_database(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'data' / 'inscribe.db'}"

    first = invoke("token", "--role", "agent", "--sub", "s", INSCRIBE_DATABASE_URL=url)
    second = invoke("token", "--role", "agent", "--sub", "t", INSCRIBE_DATABASE_URL=url)

    secret = (tmp_path / "data" / "jwt-secret").read_text().strip()
    assert jwt.decode(first.stdout.strip(), secret, algorithms=["HS256"], issuer="inscribe")["sub"] == "s"
    assert jwt.decode(second.stdout.strip(), secret, algorithms=["HS256"], issuer="inscribe")["sub"] == "t"


# --- projections ---------------------------------------------------------------------------


def fill(services: Any) -> int:
    """A small book of customers, recorded through the application; projected command by command."""
    app = services.app
    customer_ids = []
    for seed in range(1, 4):
        customer_ids.append(UUID(commands.register_individual(app, ctx(), **individual(seed)).id))
        services.read_side.catch_up()
    customer_ids.append(UUID(commands.register_enterprise(app, ctx(), **enterprise(9)).id))
    first, second, *_ = customer_ids
    actions: list[tuple[str, dict[str, Any]]] = [
        ("segment", {"segment": "mass_affluent", "basis": "income"}),
        ("consents", {"purpose": "marketing"}),
        ("satisfaction-surveys", {"attitude": 5, "speed": 4, "quality": 4, "claims_convenience": 3}),
        ("satisfaction-surveys", {"attitude": 2, "speed": 3, "quality": 5, "claims_convenience": 5}),
        ("lifecycle-stage", {"stage": "churned", "reason": "moved abroad"}),
    ]
    for action, fields in actions:
        act(app, ctx(reason="test"), first, action, **fields)
        services.read_side.catch_up()
    act(app, ctx(), second, "profile", changes={"occupation": "nurse", "occupation_class": 2})
    services.read_side.catch_up()
    position: int = services.read_side.head()
    return position


def rows(services: Any) -> dict[str, list[dict[str, Any]]]:
    """Every row of every projection's tables, in primary-key order."""
    snapshot = {}
    with services.read_side.engine.connect() as conn:
        for projection in services.read_side.projections.values():
            for table in projection.tables:
                query = select(table).order_by(*table.primary_key.columns)
                snapshot[table.name] = [dict(r) for r in conn.execute(query).mappings()]
    return snapshot


def test_projections_status_prints_every_projection_with_position_head_and_lag(
    services: Any, test_settings: Settings
) -> None:
    head = fill(services)
    commands.register_individual(services.app, ctx(), **individual(20))  # not yet projected
    new_head = services.read_side.head()

    result = invoke("projections", "status", INSCRIBE_DATABASE_URL=test_settings.database_url)

    assert result.exit_code == 0, result.output
    lines = [line.split() for line in result.output.splitlines()]
    assert lines[0] == ["projection", "state", "position", "head", "lag"]
    assert {state for _, state, *_ in lines[1:]} == {"catching-up"}
    table = {name: (int(position), int(at), int(lag)) for name, _, position, at, lag in lines[1:]}
    assert set(table) == set(services.read_side.projections) >= {"customers", "audit_log"}
    for name, (position, at, lag) in table.items():
        assert (position, at, lag) == (head, new_head, new_head - head), name


def test_projections_rebuild_rebuilds_every_projection_and_leaves_the_rows_identical(
    services: Any, test_settings: Settings
) -> None:
    head = fill(services)
    before = rows(services)
    assert before["customers"] and before["audit_log"]

    result = invoke("projections", "rebuild", INSCRIBE_DATABASE_URL=test_settings.database_url)

    assert result.exit_code == 0, result.output
    for name in services.read_side.projections:
        assert f"{name}: " in result.stdout and f"position {head}" in result.stdout, result.stdout
    assert rows(services) == before
    assert all(s.position == head and s.lag == 0 for s in services.read_side.status())


def test_projections_rebuild_of_one_projection_leaves_its_rows_identical_and_a_bogus_name_fails(
    services: Any, test_settings: Settings
) -> None:
    fill(services)
    before = rows(services)

    one = invoke("projections", "rebuild", "customers", INSCRIBE_DATABASE_URL=test_settings.database_url)
    bogus = invoke("projections", "rebuild", "bogus", INSCRIBE_DATABASE_URL=test_settings.database_url)

    assert one.exit_code == 0, one.output
    assert "customers: " in one.stdout and "audit_log" not in one.stdout
    assert rows(services) == before
    assert bogus.exit_code != 0
    assert "bogus" in bogus.output
    assert all(name in bogus.output for name in services.read_side.projections)
    assert rows(services) == before


# --- settings and database errors: one line ---------------------------------------------------------


@pytest.mark.parametrize(
    "args", [["token", "--role", "agent", "--sub", "s"], ["projections", "status"], ["audit", "digest"]]
)
def test_an_invalid_setting_is_one_line_naming_it(args: list[str], tmp_path: Path) -> None:
    result = CliRunner().invoke(
        main,
        args,
        env={"INSCRIBE_DATABASE_URL": f"sqlite:///{tmp_path / 'x.db'}", "INSCRIBE_PROJECTION_BATCH_SIZE": "0"},
    )

    assert result.exit_code == 1
    assert result.output.strip().splitlines() == [
        "Error: invalid setting INSCRIBE_PROJECTION_BATCH_SIZE='0': Input should be greater than or equal to 1"
    ]
