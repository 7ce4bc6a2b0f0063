"""r0013: the bundles register (guide 3.3: projections.bundles), one row per bundle; on PostgreSQL its partial
indexes of the current rows per sortable column (projections.register.now_indexes). It keeps the B-tree of
`valid_from` (one version a bundle).

The table is created only where it is missing (the runner creates every table from the code, so a database a
newer process started on has it).
"""

import sqlalchemy as sa

from projections.migrations.read.shapes import Parts, create_missing, now_indexes, versioned

revision = "r0013"
down_revision = "r0012"
branch_labels = None
depends_on = None


def tables() -> dict[str, Parts]:
    """The new table's columns, keys and indexes (new objects each call: one migration run each)."""
    return {
        "bundles": versioned(
            "bundles",
            "bundle_id",
            36,
            sa.Column("applicant_id", sa.String(length=36), nullable=False),
            sa.Column("channel", sa.String(length=50), nullable=False),
            sa.Column("agent_id", sa.String(length=100), nullable=False),
            sa.Column("proposed_on", sa.Date(), nullable=False),
            sa.Column("items", sa.JSON(none_as_null=True), nullable=False),
            sa.Column("policy_count", sa.Integer(), nullable=False),
            sa.Column("combined_annual_premium", sa.Numeric(precision=18, scale=2), nullable=False),
            sa.Column("strategies", sa.JSON(none_as_null=True), nullable=False),
            sa.Column("last_event_on", sa.Date(), nullable=False),
        )
    }


SORTS = {"bundles": ("bundle_id", ("combined_annual_premium", "policy_count", "proposed_on"))}


def upgrade() -> None:
    create_missing(tables())
    now_indexes(SORTS)


def downgrade() -> None:
    raise NotImplementedError("the read side is rebuilt from the log, never downgraded")
