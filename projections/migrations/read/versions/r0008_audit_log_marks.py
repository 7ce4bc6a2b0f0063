"""r0008: the audit log's marks (projections.audit_log: the position of every 1,000th row), from which a total of the
register, now or as of any position, is counted without reading every row.

Created only where missing. The audit log's fingerprint changes with it, so the register is rebuilt from the log on
its next start (by the database, projections.audit_log_build), which writes the marks.
"""

import sqlalchemy as sa

from projections.migrations.read.shapes import Parts, create_missing

revision = "r0008"
down_revision = "r0007"
branch_labels = None
depends_on = None


def tables() -> dict[str, Parts]:
    return {
        "audit_log_marks": (
            sa.Column("n", sa.BigInteger(), autoincrement=False, nullable=False),
            sa.Column("position", sa.BigInteger(), nullable=False),
            sa.PrimaryKeyConstraint("n"),
            sa.UniqueConstraint("position"),
        )
    }


def upgrade() -> None:
    create_missing(tables())


def downgrade() -> None:
    raise NotImplementedError("the read side is rebuilt from the log, never downgraded")
