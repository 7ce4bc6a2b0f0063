"""r0004: the satisfaction surveys (one row per survey, for the analysis by dimension: projections.surveys),
the improvement plans register and its actions (guide 8.3.2: projections.improvement_plans); on PostgreSQL the
plans' partial indexes of the current rows per sortable column (projections.register.now_indexes).

Each table is created only where it is missing (the runner creates every table from the code, so a database a
newer process started on has them). The customers register's fingerprint changes with it (its projection
writes the surveys), so it is rebuilt from the log on its next start, which fills the surveys.
"""

import sqlalchemy as sa
from alembic import op

revision = "r0004"
down_revision = "r0003"
branch_labels = None
depends_on = None


def tables() -> dict[str, tuple[sa.schema.SchemaItem, ...]]:
    """The new tables' columns, keys and indexes (new objects each call: one migration run each)."""
    return {
        "satisfaction_surveys": (
            sa.Column("survey_id", sa.String(length=60), nullable=False),
            sa.Column("valid_from", sa.BigInteger(), nullable=False),
            sa.Column("valid_to", sa.BigInteger(), nullable=True),
            sa.Column("customer_id", sa.String(length=100), nullable=False),
            sa.Column("customer_kind", sa.String(length=20), nullable=False),
            sa.Column("surveyed_at", sa.DateTime(), nullable=False),
            sa.Column("surveyed_on", sa.Date(), nullable=False),
            sa.Column("attitude", sa.Integer(), nullable=False),
            sa.Column("speed", sa.Integer(), nullable=False),
            sa.Column("quality", sa.Integer(), nullable=False),
            sa.Column("claims_convenience", sa.Integer(), nullable=False),
            sa.Column("related_id", sa.String(length=100), nullable=True),
            sa.PrimaryKeyConstraint("survey_id", "valid_from"),
            sa.Index("ix_satisfaction_surveys_current", "survey_id", "valid_to"),
            sa.Index("ix_satisfaction_surveys_on", "surveyed_on", "valid_from"),
            sa.Index("ix_satisfaction_surveys_range", "valid_from", "valid_to"),
        ),
        "improvement_plans": (
            sa.Column("plan_id", sa.String(length=36), nullable=False),
            sa.Column("valid_from", sa.BigInteger(), nullable=False),
            sa.Column("valid_to", sa.BigInteger(), nullable=True),
            sa.Column("version", sa.Integer(), nullable=False),
            sa.Column("status", sa.String(length=10), nullable=False),
            sa.Column("title", sa.String(length=200), nullable=False),
            sa.Column("finding", sa.Text(), nullable=False),
            sa.Column("owner_id", sa.String(length=100), nullable=False),
            sa.Column("dimension", sa.String(length=30), nullable=False),
            sa.Column("product_code", sa.String(length=50), nullable=True),
            sa.Column("channel", sa.String(length=50), nullable=True),
            sa.Column("period_from", sa.Date(), nullable=False),
            sa.Column("period_to", sa.Date(), nullable=False),
            sa.Column("baseline_surveys", sa.Integer(), nullable=False),
            sa.Column("baseline_score", sa.Numeric(precision=4, scale=2), nullable=False),
            sa.Column("baseline_position", sa.BigInteger(), nullable=False),
            sa.Column("target_score", sa.Numeric(precision=4, scale=2), nullable=True),
            sa.Column("raised_on", sa.Date(), nullable=False),
            sa.Column("last_event_on", sa.Date(), nullable=False),
            sa.Column("actions", sa.JSON(none_as_null=True), nullable=False),
            sa.Column("actions_total", sa.Integer(), nullable=False),
            sa.Column("actions_done", sa.Integer(), nullable=False),
            sa.Column("next_due_on", sa.Date(), nullable=True),
            sa.Column("follow_ups", sa.JSON(none_as_null=True), nullable=False),
            sa.Column("follow_up_score", sa.Numeric(precision=4, scale=2), nullable=True),
            sa.Column("follow_up_surveys", sa.Integer(), nullable=True),
            sa.Column("score_change", sa.Numeric(precision=4, scale=2), nullable=True),
            sa.Column("improved", sa.Boolean(), nullable=True),
            sa.Column("target_met", sa.Boolean(), nullable=True),
            sa.Column("closed_on", sa.Date(), nullable=True),
            sa.Column("conclusion", sa.Text(), nullable=True),
            sa.PrimaryKeyConstraint("plan_id", "valid_from"),
            sa.Index("ix_improvement_plans_current", "plan_id", "valid_to"),
            sa.Index("ix_improvement_plans_owner", "owner_id", "valid_to"),
            sa.Index("ix_improvement_plans_range", "valid_from", "valid_to"),
        ),
        "improvement_plan_actions": (
            sa.Column("action_id", sa.String(length=50), nullable=False),
            sa.Column("valid_from", sa.BigInteger(), nullable=False),
            sa.Column("valid_to", sa.BigInteger(), nullable=True),
            sa.Column("plan_id", sa.String(length=36), nullable=False),
            sa.Column("no", sa.Integer(), nullable=False),
            sa.Column("dimension", sa.String(length=30), nullable=False),
            sa.Column("description", sa.Text(), nullable=False),
            sa.Column("owner_id", sa.String(length=100), nullable=False),
            sa.Column("added_on", sa.Date(), nullable=False),
            sa.Column("due_on", sa.Date(), nullable=False),
            sa.Column("done_on", sa.Date(), nullable=True),
            sa.Column("note", sa.Text(), nullable=True),
            sa.Column("last_event_on", sa.Date(), nullable=False),
            sa.PrimaryKeyConstraint("action_id", "valid_from"),
            sa.Index("ix_improvement_plan_actions_current", "action_id", "valid_to"),
            sa.Index("ix_improvement_plan_actions_range", "valid_from", "valid_to"),
        ),
    }


#: The plans register's sorts, as at r0004.
SORTS = ("dimension", "next_due_on", "raised_on", "score_change", "status")


def upgrade() -> None:
    bind = op.get_bind()
    present = set(sa.inspect(bind).get_table_names())
    for name, parts in tables().items():
        if name not in present:
            op.create_table(name, *parts)
    if bind.dialect.name == "postgresql":
        for column in SORTS:
            for suffix, order in (("", "ASC"), ("_desc", "DESC")):
                op.execute(
                    f"CREATE INDEX IF NOT EXISTS ix_improvement_plans_now_{column}{suffix} ON improvement_plans "
                    f"({column} {order} NULLS LAST, plan_id) WHERE valid_to IS NULL"
                )


def downgrade() -> None:
    raise NotImplementedError("the read side is rebuilt from the log, never downgraded")
