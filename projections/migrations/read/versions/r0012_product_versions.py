"""r0012: the product versions register (guide 3.2: projections.products), one versioned row per product version
from its draft (or shipped file) to its withdrawal; on PostgreSQL its partial indexes of the current rows per
sortable column (projections.register.now_indexes). It keeps the B-tree of `valid_from` (few versions a row).

The table is created only where it is missing (the runner creates every table from the code, so a database a
newer process started on has it).
"""

import sqlalchemy as sa

from projections.migrations.read.shapes import Parts, create_missing, now_indexes, versioned

revision = "r0012"
down_revision = "r0011"
branch_labels = None
depends_on = None


def tables() -> dict[str, Parts]:
    """The new table's columns, keys and indexes (new objects each call: one migration run each)."""
    return {
        "product_versions": versioned(
            "product_versions",
            "version_key",
            60,
            sa.Column("code", sa.String(length=50), nullable=False),
            sa.Column("version", sa.Integer(), nullable=False),
            sa.Column("name_zh", sa.Text(), nullable=True),
            sa.Column("name_en", sa.Text(), nullable=True),
            sa.Column("line", sa.String(length=20), nullable=True),
            sa.Column("kind", sa.String(length=10), nullable=True),
            sa.Column("status", sa.String(length=20), nullable=False),
            sa.Column("source", sa.Text(), nullable=True),
            sa.Column("drafted_on", sa.Date(), nullable=False),
            sa.Column("drafted_by", sa.String(length=100), nullable=False),
            sa.Column("findings", sa.JSON(none_as_null=True), nullable=False),
            sa.Column("checked_on", sa.Date(), nullable=True),
            sa.Column("approved_by", sa.String(length=100), nullable=True),
            sa.Column("approved_on", sa.Date(), nullable=True),
            sa.Column("launches_on", sa.Date(), nullable=True),
            sa.Column("withdrawn_on", sa.Date(), nullable=True),
            sa.Column("last_event_on", sa.Date(), nullable=False),
        )
    }


SORTS = {"product_versions": ("version_key", ("code", "drafted_on", "last_event_on", "launches_on", "status"))}


def upgrade() -> None:
    create_missing(tables())
    now_indexes(SORTS)


def downgrade() -> None:
    raise NotImplementedError("the read side is rebuilt from the log, never downgraded")
