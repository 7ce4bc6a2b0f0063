"""r0006: on PostgreSQL, an SP-GiST index of each versioned register table's validity ranges,
`int8range(valid_from, valid_to)` including both positions (projections.versioned): a page, a total or a row
as of a past position reads the versions current then, not every version written before it. SQLite is
unchanged.

Every table with `valid_from` and `valid_to` gains it where it is missing. Each register whose table gains it
is also rebuilt from the log on its next start (its fingerprint changed), as for any change to its tables.
"""

import sqlalchemy as sa
from alembic import op

from projections.migrations.read.shapes import validity_indexes

revision = "r0006"
down_revision = "r0005"
branch_labels = None
depends_on = None


def versioned_tables() -> list[str]:
    inspector = sa.inspect(op.get_bind())
    return [
        name
        for name in inspector.get_table_names()
        if {"valid_from", "valid_to"} <= {c["name"] for c in inspector.get_columns(name)}
    ]


def upgrade() -> None:
    validity_indexes(versioned_tables())


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for table in versioned_tables():
        op.execute(f"DROP INDEX IF EXISTS ix_{table}_validity")
