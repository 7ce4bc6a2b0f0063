"""r0004: the satisfaction surveys (one row per survey, for the analysis by dimension: projections.surveys),
the improvement plans register and its actions (guide 8.3.2: projections.improvement_plans); on PostgreSQL the
plans' partial indexes of the current rows per sortable column (projections.register.now_indexes).

Each table is created only where it is missing (the runner creates every table from the code, so a database a
newer process started on has them). The customers register's fingerprint changes with it (its projection
writes the surveys), so it is rebuilt from the log on its next start, which fills the surveys.
"""

import sqlalchemy as sa

from projections.migrations.read.shapes import Parts, create_missing, now_indexes, versioned

revision = "r0004"
down_revision = "r0003"
branch_labels = None
depends_on = None


def tables() -> dict[str, Parts]:
    """The new tables' columns, keys and indexes (new objects each call: one migration run each)."""
    return {
        "satisfaction_surveys": versioned(
            "satisfaction_surveys",
            "survey_id",
            60,
            sa.Column("customer_id", sa.String(length=100), nullable=False),
            sa.Column("customer_kind", sa.String(length=20), nullable=False),
            sa.Column("surveyed_at", sa.DateTime(), nullable=False),
            sa.Column("surveyed_on", sa.Date(), nullable=False),
            sa.Column("attitude", sa.Integer(), nullable=False),
            sa.Column("speed", sa.Integer(), nullable=False),
            sa.Column("quality", sa.Integer(), nullable=False),
            sa.Column("claims_convenience", sa.Integer(), nullable=False),
            sa.Column("related_id", sa.String(length=100), nullable=True),
            sa.Index("ix_satisfaction_surveys_on", "surveyed_on", "valid_from"),
        ),
        "improvement_plans": versioned(
            "improvement_plans",
            "plan_id",
            36,
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
            sa.Index("ix_improvement_plans_owner", "owner_id", "valid_to"),
        ),
        "improvement_plan_actions": versioned(
            "improvement_plan_actions",
            "action_id",
            50,
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
        ),
    }


#: The plans register's sorts, as at r0004.
SORTS = {"improvement_plans": ("plan_id", ("dimension", "next_due_on", "raised_on", "score_change", "status"))}


def upgrade() -> None:
    create_missing(tables())
    now_indexes(SORTS)


def downgrade() -> None:
    raise NotImplementedError("the read side is rebuilt from the log, never downgraded")
