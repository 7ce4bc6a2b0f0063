"""r0010: the registers reports read as they stood at the end of a business day keep, in each version, `ended_on`: the
business date of the version that superseded it (projections.versioned, `days`). A report's "state on day d" is then the
versions with `last_event_on <= d < ended_on`, found on PostgreSQL by a GiST index of those date ranges
(`ix_<table>_days`), instead of the latest of every version of every row (projections.reports.base.state_on).

Also the partial index of the policies' versions that show a cover ended before its term (`ix_policies_ended_early`):
reports ask when the register first showed each.

Added only where missing. Each of these registers' fingerprints changes with it, so each is rebuilt from the log on its
next start, which fills the column.
"""

import sqlalchemy as sa
from alembic import op

revision = "r0010"
down_revision = "r0009"
branch_labels = None
depends_on = None

#: The tables that keep `ended_on` (as at r0010).
TABLES = ("claims", "complaints", "improvement_plan_actions", "improvement_plans", "policies")


def upgrade() -> None:
    bind = op.get_bind()
    for table in TABLES:
        # A table the code made after this revision was written (the runner creates every table from the code) has it.
        if "ended_on" not in {c["name"] for c in sa.inspect(bind).get_columns(table)}:
            op.add_column(table, sa.Column("ended_on", sa.Date(), nullable=True))
        if bind.dialect.name == "postgresql":
            op.execute(
                f"CREATE INDEX IF NOT EXISTS ix_{table}_days ON {table} USING gist "
                "(daterange(last_event_on, ended_on)) INCLUDE (valid_from, valid_to)"
            )
    op.execute(
        "CREATE INDEX IF NOT EXISTS ix_policies_ended_early ON policies (status, policy_id, last_event_on, valid_from) "
        "WHERE status IN ('surrendered', 'terminated', 'rescinded')"
    )


def downgrade() -> None:
    raise NotImplementedError("the read side is rebuilt from the log, never downgraded")
