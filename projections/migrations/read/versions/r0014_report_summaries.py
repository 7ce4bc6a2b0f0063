"""r0014: the report summaries (projections.summaries): a register's report figures summed by figure, two
groups, date, business day and block of log positions, and how many blocks of each summary are sealed.

Created only where missing. Empty at first: a report then computes every delta from the register (exact, as slow
as before) until the running projections seal the blocks they have passed.
"""

import sqlalchemy as sa

from projections.migrations.read.shapes import Parts, create_missing

revision = "r0014"
down_revision = "r0013"
branch_labels = None
depends_on = None


def tables() -> dict[str, Parts]:
    """The new tables' columns, keys and indexes (new objects each call: one migration run each)."""
    return {
        "report_summaries": (
            sa.Column("summary", sa.String(length=40), nullable=False),
            sa.Column("block", sa.Integer(), nullable=False),
            sa.Column("figure", sa.String(length=40), nullable=False),
            sa.Column("group_1", sa.String(length=100), nullable=False),
            sa.Column("group_2", sa.String(length=100), nullable=False),
            sa.Column("x", sa.Date(), nullable=True),
            sa.Column("shown_on", sa.Date(), nullable=False),
            sa.Column("value", sa.Numeric(precision=20, scale=2), nullable=False),
            sa.Index("ix_report_summaries_block", "summary", "block"),
        ),
        "report_summary_marks": (
            sa.Column("summary", sa.String(length=40), nullable=False),
            sa.Column("block_size", sa.Integer(), nullable=False),
            sa.Column("blocks", sa.Integer(), nullable=False),
            sa.PrimaryKeyConstraint("summary"),
        ),
    }


def upgrade() -> None:
    create_missing(tables())


def downgrade() -> None:
    raise NotImplementedError("the read side is rebuilt from the log, never downgraded")
