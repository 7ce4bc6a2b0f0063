"""Migrations (projections.migrations, `inscribe db upgrade`) on SQLite and PostgreSQL: an empty database gets
every table; a database made by the code before migrations is recognised as the first revision, nothing lost;
a second upgrade changes nothing; two upgrades started together both succeed, one after the other."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, MetaData, func, inspect, select, text

from application.app import InscribeApplication, ReadSidePorts
from application.commands.customers import register_individual
from application.infrastructure.settings import Settings
from interface.bootstrap import bootstrap
from interface.cli_db import migration_lock, part_engine, revisions, upgrade_database
from projections.customers import customers
from projections.db import create_read_engine, metadata, renew_changed_schemas, schema_lock
from projections.migrations import VERSION_TABLES, Part, head, scripts
from projections.registry import all_projections
from projections.runner import ReadSide
from tests.builders.common import ctx, individual
from tests.builders.environment import JWT_SECRET, KEY_ENCRYPTION_KEY

pytestmark = pytest.mark.empty_database

PRODUCT_TABLES = {"inscribe_commands", "inscribe_event_chain", "inscribe_personal_keys"}


def tables_of(engine: Engine) -> set[str]:
    return set(inspect(engine).get_table_names())


def every_table(settings: Settings) -> set[str]:
    """The tables of both parts (one database on PostgreSQL, two files on SQLite)."""
    found = set()
    for part in ("store", "read"):
        engine = part_engine(settings, part)
        try:
            found |= tables_of(engine)
        finally:
            engine.dispose()
    return found


def snapshot(settings: Settings) -> dict[str, Any]:
    """Every row of every table (the version tables left out), to compare before and after."""
    rows: dict[str, Any] = {}
    for part in ("store", "read"):
        engine = part_engine(settings, part)
        try:
            reflected = MetaData()
            reflected.reflect(engine)
            with engine.connect() as conn:
                for name, table in reflected.tables.items():
                    if name not in VERSION_TABLES.values():
                        rows[name] = sorted(map(repr, conn.execute(select(table)).all()))
        finally:
            engine.dispose()
    return rows


def every_revision(part: Part) -> list[str]:
    """The revisions of `part`, oldest first."""
    return [script.revision for script in reversed(list(scripts(part).walk_revisions()))]


def on_this_dialect(dialect: str) -> Any:
    """Leave out of the comparison what the code creates on another database only (`info["dialect"]`)."""

    def include(thing: Any, _name: Any, _kind: str, _reflected: bool, _compare_to: Any) -> bool:
        return bool(getattr(thing, "info", {}).get("dialect", dialect) == dialect)

    return include


def declared_by_the_code(name: str | None, kind: str, parents: dict[str, str | None]) -> bool:
    """Compare the read side's tables only (not the event store's, nor the version tables)."""
    return kind == "schema" or (name if kind == "table" else parents.get("table_name")) in metadata.tables


# SQLite cannot reflect an expression index: alembic says it skips PostgreSQL's `ix_<table>_validity` there.
@pytest.mark.filterwarnings("ignore:autogenerate skipping metadata-specified expression-based index")
def test_upgrading_an_empty_database_creates_every_table_as_the_code_declares_them(test_settings: Settings) -> None:
    applied = upgrade_database(test_settings)

    assert applied == {"store": every_revision("store"), "read": every_revision("read")}
    assert revisions(test_settings) == {"store": head("store"), "read": head("read")}
    all_projections()  # every register's tables declared
    events = "inscribe_events" if test_settings.is_postgres else "stored_events"  # the library's
    assert set(metadata.tables) | PRODUCT_TABLES | {events} <= every_table(test_settings)
    engine = create_read_engine(test_settings)
    try:  # the revisions end where the code is: a changed table without a revision fails here
        with engine.connect() as conn:
            options = {"include_name": declared_by_the_code, "include_object": on_this_dialect(conn.dialect.name)}
            context = MigrationContext.configure(conn, opts=options)
            differences = compare_metadata(context, metadata)
    finally:
        engine.dispose()
    assert differences == []


def test_a_second_upgrade_changes_nothing(test_settings: Settings) -> None:
    upgrade_database(test_settings)
    services = bootstrap(test_settings, run_projections=False)
    try:
        register_individual(services.app, ctx(), **individual(1))
        services.read_side.catch_up()
    finally:
        services.close()
    before = snapshot(test_settings)

    assert upgrade_database(test_settings) == {"store": [], "read": []}
    assert snapshot(test_settings) == before


def previous_schema(settings: Settings) -> None:
    """The database as the code before migrations made it, with a customer in it: the library's recorder
    creating the event store and the product's tables, the runner creating every register's tables from the
    code (metadata.create_all) and recording their fingerprints."""
    app = InscribeApplication(settings, read_side=ReadSidePorts.none("the previous code"))
    engine = create_read_engine(settings)
    try:
        projections = all_projections()
        with schema_lock(engine) as conn:
            metadata.create_all(conn)  # every table the code declares (the registers, positions, faults, fingerprints)
            renew_changed_schemas(conn, {p.name: p.tables for p in projections})
        app.catalogue  # noqa: B018  (the shipped catalogue, which `upgrade` records too: the snapshots compare the schema)
        for seed in range(3):
            register_individual(app, ctx(), **individual(seed))
        ReadSide(app, engine, projections, prepare=False).catch_up()
    finally:
        engine.dispose()
        app.close()


def test_a_database_at_the_previous_schema_is_recognised_as_the_first_revision_without_loss(
    test_settings: Settings,
) -> None:
    previous_schema(test_settings)
    before = snapshot(test_settings)
    assert revisions(test_settings) == {"store": None, "read": None}
    assert before["customers"] and before["inscribe_commands"] and before["projection_schema"]

    # recognised as r0001/s0001, then brought to the head (what later revisions add, the code here has made)
    assert upgrade_database(test_settings) == {"store": every_revision("store"), "read": every_revision("read")}

    assert revisions(test_settings) == {"store": head("store"), "read": head("read")}
    assert snapshot(test_settings) == before
    services = bootstrap(test_settings, run_projections=False)
    try:  # no register is rebuilt: its fingerprint and position stand
        head_position = services.read_side.head()
        assert set(services.read_side.positions().values()) == {head_position}
        with services.read_side.engine.connect() as conn:
            assert conn.execute(select(func.count()).select_from(customers)).scalar() == 3
    finally:
        services.close()


def inscribe(settings: Settings, *args: str) -> subprocess.Popen[str]:
    env = {
        **os.environ,
        "INSCRIBE_DATABASE_URL": settings.database_url,
        "INSCRIBE_JWT_SECRET": JWT_SECRET,
        "INSCRIBE_KEY_ENCRYPTION_KEY": KEY_ENCRYPTION_KEY,
    }
    command = [sys.executable, "-c", "from interface.cli import main; main()", *args]
    return subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def test_two_upgrades_started_together_both_succeed_one_waiting_for_the_other(test_settings: Settings) -> None:
    with migration_lock(test_settings):  # a third upgrade is running: both wait for it
        both = [inscribe(test_settings, "db", "upgrade") for _ in range(2)]
        time.sleep(3)
        assert [p.poll() for p in both] == [None, None]
        assert revisions(test_settings) == {"store": None, "read": None}
    outputs = [p.communicate(timeout=120) for p in both]

    assert [p.returncode for p in both] == [0, 0], outputs
    said = "".join(out for out, _ in outputs)
    read, store = ", ".join(every_revision("read")), ", ".join(every_revision("store"))
    assert said.count(f"(applied {read})") == 1 and said.count(f"(applied {store})") == 1  # one migrated
    assert said.count("nothing to do") == 2  # the other waited, then found it done
    assert revisions(test_settings) == {"store": head("store"), "read": head("read")}


def test_the_command_line_reports_the_revisions(test_settings: Settings) -> None:
    fresh = inscribe(test_settings, "db", "current").communicate(timeout=60)[0]
    upgraded = inscribe(test_settings, "db", "upgrade").communicate(timeout=120)[0]
    after = inscribe(test_settings, "db", "current").communicate(timeout=60)[0]

    assert "never migrated" in fresh
    assert f"applied {', '.join(every_revision('read'))}" in upgraded
    assert after.splitlines() == [
        f"the product's own tables: {head('store')} (newest {head('store')})",
        f"the read side: {head('read')} (newest {head('read')})",
    ]


def test_a_process_starting_on_an_empty_database_migrates_the_read_side_itself(test_settings: Settings) -> None:
    services = bootstrap(test_settings, run_projections=False)
    services.close()
    engine = create_read_engine(test_settings)
    try:
        with engine.connect() as conn:
            at = conn.execute(text(f"SELECT version_num FROM {VERSION_TABLES['read']}")).scalar()
    finally:
        engine.dispose()
    assert at == head("read")
