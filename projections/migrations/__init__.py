"""Schema migrations with Alembic, run from code (no alembic.ini, no env.py: `upgrade_on` configures Alembic's
migration context on a connection the caller holds the lock on).

Two parts, each with its own revisions and its own version table:
- `read`: the read side (every register's tables, the runner's positions, faults and schema fingerprints), in
  the read side's database (the sibling SQLite file, or the PostgreSQL database);
- `store`: the product's own tables beside the library's event tables (command log, hash chain, personal-data
  keys), in the event store's database. The library's event tables stay the library's: it creates them itself.

The first revision of each part (r0001, s0001) creates what the code created before migrations existed, and
only what is missing: a database made by that code is recognised as being at r0001/s0001, nothing changed.

A change to a table is a new revision in `<part>/versions/` (the next number, `down_revision` the previous one),
with `upgrade()` using `alembic.op`. `tests/integration/test_migrations.py` fails while the tables the code
declares differ from those the read side's revisions create. A register whose table a revision changes is also
rebuilt from the log on the next start (its fingerprint changed: projections.db.renew_changed_schemas), so a
revision may simply drop and recreate a register's table. The rebuild's shadow copy is built from the code's
tables (projections.rebuild): the same tables, since the revisions must end where the code is.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache
from pathlib import Path
from typing import Any, Literal

from alembic.operations import Operations
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection

Part = Literal["read", "store"]
#: Each part's Alembic version table.
VERSION_TABLES: dict[Part, str] = {"read": "inscribe_read_schema_version", "store": "inscribe_store_schema_version"}


@cache
def scripts(part: Part) -> ScriptDirectory:
    """The revisions of one part (loaded once per process)."""
    return ScriptDirectory(str(Path(__file__).parent / part))


def head(part: Part) -> str:
    """The newest revision of `part`."""
    found = scripts(part).get_current_head()
    assert found is not None, f"no revision in projections/migrations/{part}/versions"
    return found


def current(conn: Connection, part: Part) -> str | None:
    """The revision the database is at (None: never migrated)."""
    context = MigrationContext.configure(conn, opts={"version_table": VERSION_TABLES[part]})
    return context.get_current_revision()


def upgrade_on(conn: Connection, part: Part) -> list[str]:
    """Apply the revisions of `part` the database lacks, in the caller's transaction on `conn` (which holds the
    migration lock: projections.db.schema_lock or cli_db's); return the revisions applied, oldest first."""
    script = scripts(part)
    applied: list[str] = []

    def steps(heads: Any, _: MigrationContext) -> Iterable[Any]:
        return script._upgrade_revs("heads", heads)  # what `alembic upgrade heads` runs

    def record(*, step: Any, **_: Any) -> None:
        applied.append(step.up_revision_id)

    context = MigrationContext.configure(
        conn,
        opts={
            "version_table": VERSION_TABLES[part],
            "fn": steps,
            "on_version_apply": [record],
            "target_metadata": None,
        },
    )
    with Operations.context(context):
        context.run_migrations()
    return applied
